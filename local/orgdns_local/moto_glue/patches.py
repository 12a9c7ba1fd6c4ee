"""Thin glue that lets moto 5.2.5 run orgdns's real state machines and handlers in-process.

`install(ctx)` applies every patch and returns a function that restores each original. The
patches live one module per AWS service, as the adapters in layers/orgdns/orgdns/aws/ do
(awslambda, stepfunctions, events, route53, acm, apigateway, sts, organizations, sqs, dynamodb;
api_calls for botocore itself). Each patch is one small function whose docstring names the upstream gap it
closes and the moto internals it touches; each has its own test in
tests/emulator/test_glue_<service>.py, so a moto upgrade fails loudly in one place. The patches
only reshape moto's own behaviour: the ASL interpreter, event pattern matching and the service
backends stay moto's.

    clock = SimClock(datetime(2025, 1, 1, tzinfo=UTC))
    ctx = GlueContext(clock=clock, dns=EmulatedDns(top_level_zones), invoke_handler=run_handler)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True},
                          "lambda": {"use_docker": False}}):
        uninstall = install(ctx)
        try:
            ...  # start executions, put_event(...), wait_for_executions()
        finally:
            uninstall()

Module-level helpers act on the installed context: `wait_for_executions`, `put_event` and
`acm_lifecycle` (ACM's renewals and expiries, which the driver advances).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from .acm import _patch_acm, _patch_acm_in_use, _patch_acm_renewal
from .api_calls import _patch_api_calls, _patch_client_classes, _patch_model_loading
from .apigateway import _patch_apigateway, _patch_apigateway_updates
from .awslambda import _patch_lambda
from .context import DeliveryFailure, ExecutionKey, GlueContext, _Patches, is_work
from .dynamodb import _patch_dynamodb_queries
from .events import _parse_time, _patch_event_patterns, _patch_events, _route_event
from .organizations import _patch_organizations
from .route53 import _patch_route53, _patch_route53_batches
from .sqs import _patch_sqs
from .stepfunctions import (
    _patch_stepfunctions_callbacks,
    _patch_stepfunctions_clients,
    _patch_stepfunctions_flows,
    _patch_stepfunctions_json_paths,
    _patch_stepfunctions_map_tolerance,
    _patch_stepfunctions_names,
    _patch_stepfunctions_parse_cache,
    _patch_stepfunctions_task_failure_cause,
    _patch_stepfunctions_time,
)
from .sts import _patch_access_key_accounts, _patch_sts_roles

__all__ = ["DeliveryFailure", "ExecutionKey", "GlueContext", "install", "put_event", "wait_for_executions"]


_active: GlueContext | None = None


def install(ctx: GlueContext) -> Callable[[], None]:
    """Apply every patch; return the function that restores moto and botocore."""
    global _active
    if _active is not None:
        raise RuntimeError("the moto glue is already installed")
    patches = _Patches()
    logger = logging.getLogger("moto.stepfunctions.parser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for patch in _ALL_PATCHES:
            patch(ctx, patches)
    except BaseException:
        patches.undo()
        logger.setLevel(level)
        raise
    _active = ctx

    def uninstall() -> None:
        global _active
        if _active is ctx:
            patches.undo()
            logger.setLevel(level)
            _active = None

    return uninstall


def _require_active() -> GlueContext:
    if _active is None:
        raise RuntimeError("the moto glue is not installed")
    return _active


def wait_for_executions(timeout_real_seconds: float = 300.0) -> None:
    """Return once no Step Functions execution is running and no asynchronous invocation waits for
    a retry; simulated time flows meanwhile."""
    clock = _require_active().clock

    def idle() -> bool:
        return not any(is_work(key) for key in clock.participants())

    clock.wait_until(idle, timeout_real_seconds)


def acm_lifecycle() -> Any:
    """The installed ACM lifecycle (acm.AcmLifecycle): `next_moment()` and `advance()`."""
    return _require_active().acm_lifecycle


def put_event(account_id: str, region: str, event: dict[str, Any], bus_name: str = "default") -> str:
    """Inject a complete event into a bus and route it through the bus's rules; return its id.

    Unlike PutEvents, the envelope is the caller's: `id` (kept, so the same event can be delivered
    twice), `source`, `detail-type`, `account`, `region`, `time` (ISO-8601, default: the simulated
    now), `resources`, `detail`.
    """
    ctx = _require_active()
    when = event.get("time")
    message = {
        "version": "0",
        "id": event.get("id") or str(uuid.uuid4()),
        "detail-type": event["detail-type"],
        "source": event["source"],
        "account": event.get("account", account_id),
        "time": _parse_time(when) if when else ctx.clock.now().timestamp(),
        "region": event.get("region", region),
        "resources": event.get("resources", []),
        "detail": event.get("detail", {}),
    }
    _route_event(account_id, region, bus_name, message)
    return str(message["id"])


_ALL_PATCHES: tuple[Callable[[GlueContext, _Patches], None], ...] = (
    _patch_lambda,
    _patch_stepfunctions_time,
    _patch_stepfunctions_flows,  # Map and Parallel states on the clock (after the time patch)
    _patch_stepfunctions_map_tolerance,
    _patch_stepfunctions_names,
    _patch_stepfunctions_callbacks,
    _patch_stepfunctions_parse_cache,
    _patch_stepfunctions_json_paths,
    _patch_stepfunctions_clients,
    _patch_stepfunctions_task_failure_cause,
    _patch_events,
    _patch_event_patterns,
    _patch_route53,
    _patch_route53_batches,
    _patch_acm,
    _patch_acm_in_use,
    _patch_acm_renewal,
    _patch_apigateway,
    _patch_apigateway_updates,
    _patch_api_calls,
    _patch_model_loading,
    _patch_client_classes,
    _patch_sts_roles,
    _patch_access_key_accounts,
    _patch_organizations,
    _patch_sqs,
    _patch_dynamodb_queries,
)
