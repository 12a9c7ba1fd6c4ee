"""botocore: every in-process API call recorded, planned faults injected (patch 7)."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Any, cast

import botocore.session
from botocore.client import BaseClient, ClientCreator
from botocore.exceptions import ClientError
from botocore.loaders import Loader
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam import models as iam_models

from .calls import ApiCall
from .context import GlueContext, _Patches

# -- 7. API call recording and fault injection ---------------------------------------------------


def _patch_api_calls(ctx: GlueContext, patches: _Patches) -> None:
    """Record every in-process AWS API call and inject the planned faults.

    Gap: moto never throttles, never rejects a concurrent change, never denies AssumeRole into a
    new account, and offers no per-account call log. Patched: `botocore.client.BaseClient.
    _make_api_call`, which every boto3 client goes through (handlers, the ASL interpreter's
    service integrations, the scenario driver). The account is the one moto serves the call from:
    MOTO_ACCOUNT_ID if set, else the account owning the access key (assumed-role keys belong to
    the role's account; unknown keys to 123456789012). A planned fault is raised as the client's
    modelled exception for its code (a ClientError), before anything is sent, so botocore's own
    retries do not absorb it: each injected fault is one failed call the caller sees. The
    emulator's own calls (made inside `ctx.calls.ignored()`) pass through untouched.
    """
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def _make_api_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if ctx.calls.is_ignored():
            return original(self, operation_name, api_params)
        call = ApiCall(
            service=self.meta.service_model.service_name,
            operation=operation_name,
            account_id=_caller_account(self),
            region=self.meta.region_name,
            sim_time=ctx.clock.elapsed(),
            target_account_id=_role_account(api_params) if operation_name == "AssumeRole" else None,
            step=ctx.calls.current_step(),
        )
        fault = ctx.faults.match(call)
        if fault is not None and not isinstance(fault, ClientError):
            ctx.calls.record(replace(call, error_code=type(fault).__name__))
            raise fault
        if fault is not None:
            code = fault.response["Error"]["Code"]
            ctx.calls.record(replace(call, error_code=code))
            raise cast(type[ClientError], self.exceptions.from_code(code))(fault.response, operation_name)
        try:
            result = original(self, operation_name, api_params)
        except ClientError as err:
            ctx.calls.record(replace(call, error_code=err.response.get("Error", {}).get("Code")))
            raise
        ctx.calls.record(call)
        return result

    patches.set(BaseClient, "_make_api_call", _make_api_call)


def _caller_account(client: BaseClient) -> str:
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    credentials = client._get_credentials()  # type: ignore[attr-defined]
    if credentials is None:
        return str(DEFAULT_ACCOUNT_ID)
    return str(iam_models.get_account_id_from(credentials.access_key))


def _role_account(api_params: dict[str, Any]) -> str | None:
    parts = str(api_params.get("RoleArn", "")).split(":")
    return parts[4] if len(parts) > 5 else None


def _patch_model_loading(ctx: GlueContext, patches: _Patches) -> None:
    """One botocore data loader for every session in the process.

    Gap: each emulated Lambda container runs its own cold start, so it builds its own boto3
    session, whose loader lists the ~400 service folders and decodes each service model again
    (the largest single cost of a burst of runs in the profile: about 40% of the handlers' CPU).
    On AWS every container pays that once in its own process; here they share one process, so
    they can share the loader and its cache. Patched: `botocore.session.create_loader`, which
    each session calls once. Models are read-only once loaded, so sharing changes no answer.

    The shared loader loads one thing at a time: its cache is filled only once a load ends, so a
    burst of containers asking for the same model at once (hundreds of runs' first
    ResolveRequest) would each list the ~400 folders and decode it, every thread runnable and
    fighting for the GIL over thousands of file checks. With the lock one loads and the others
    wait for its cached answer.
    """
    original = botocore.session.create_loader
    loaders: dict[str | None, Loader] = {}
    lock = threading.Lock()

    def shared_loader(search_path_string: str | None = None) -> Loader:
        with lock:
            loader = loaders.get(search_path_string)
            if loader is None:
                loader = loaders[search_path_string] = original(search_path_string)
                _load_one_at_a_time(loader)
        return loader

    patches.set(botocore.session, "create_loader", shared_loader)


def _load_one_at_a_time(loader: Loader) -> None:
    lock = threading.RLock()  # a load calls the loader's other cached methods
    for name in ("list_available_services", "load_service_model", "load_data", "load_data_with_path"):
        method = getattr(loader, name)

        def locked(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            with lock:
                return _method(*args, **kwargs)

        setattr(loader, name, locked)


def _patch_client_classes(ctx: GlueContext, patches: _Patches) -> None:
    """One botocore client class per service for every session in the process.

    Gap (cost, not behaviour): every boto3 client a handler creates, one per account it enters,
    builds its class anew from the service model (`ClientCreator._create_client_class` in
    botocore/client.py: a method per operation, with its docstring): about a tenth of the
    emulator's CPU in a burst, where a thousand runs each enter a new account. On AWS each
    container pays that in its own process; here the classes can be shared: they hold only the
    service model's methods, the same for every session, whose own state (credentials, endpoint,
    event handlers) lives in each client instance.
    """
    original = ClientCreator._create_client_class  # type: ignore[attr-defined]
    classes: dict[tuple[str, str], type] = {}
    lock = threading.Lock()  # one builds a class, the containers asking at the same time wait for it

    def _create_client_class(self: ClientCreator, service_name: str, service_model: Any) -> type:
        key = (service_name, service_model.api_version)
        with lock:
            cls = classes.get(key)
            if cls is None:
                cls = classes[key] = original(self, service_name, service_model)
        return cls

    patches.set(ClientCreator, "_create_client_class", _create_client_class)
