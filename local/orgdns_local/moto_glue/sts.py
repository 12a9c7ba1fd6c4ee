"""STS: AssumeRole into a missing role, or into a suspended account, is denied; the account of an
access key is looked up once (patch 8)."""

from __future__ import annotations

import threading
import warnings
from typing import Any

from .context import GlueContext, _Patches
from .organizations import account_state

REFUSING_STATES = {"SUSPENDED", "CLOSED"}


def _patch_sts_roles(ctx: GlueContext, patches: _Patches) -> None:
    """Deny AssumeRole into a suspended or closed account, and into a role that does not exist.

    Gap: moto's `STSBackend.assume_role` (moto/sts/models.py) hands out credentials for any role
    ARN in any account. AWS answers AccessDenied:
    - into an account Organizations reports SUSPENDED or CLOSED (a closed account; observed, not
      documented: aws-samples PR #21, landing-zone-accelerator #727), so work for a closed
      account must be done from the other side. The emulator's own calls (`ctx.calls.ignored()`,
      e.g. the report reading every account) are let through;
    - into a role missing from its account, when `ctx.require_existing_roles` is set: orgdns's
      fallback from its scoped member role to OrganizationAccountAccessRole depends on that.
    """
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    # moto's serializer warns that STS's model has no AccessDenied shape; AWS sends it all the same.
    warnings.filterwarnings("ignore", message=r"Exception\(STSClientError\)", category=UserWarning)

    original = STSBackend.assume_role

    def assume_role(self: STSBackend, *args: Any, **kwargs: Any) -> Any:
        role_arn = str(kwargs.get("role_arn", args[2] if len(args) > 2 else ""))
        account, _, name = role_arn.removeprefix("arn:aws:iam::").partition(":role/")
        if not ctx.calls.is_ignored() and account_state(ctx, account) in REFUSING_STATES:
            raise STSClientError(
                "AccessDenied",
                f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn} (the account is closed)",
            )
        if not ctx.require_existing_roles:
            return original(self, *args, **kwargs)
        roles = iam_backends[account]["global"].roles.values() if account.isdigit() else []
        if not any(role.name == name.rsplit("/", 1)[-1] for role in roles):
            raise STSClientError(
                "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            )
        return original(self, *args, **kwargs)

    patches.set(STSBackend, "assume_role", assume_role)


def _patch_access_key_accounts(ctx: GlueContext, patches: _Patches) -> None:
    """Remember which account an access key belongs to.

    Gap (cost, not behaviour): `moto.iam.models.get_account_id_from`, which serves every request
    from the account owning its access key (`BaseResponse.get_current_account`, and the API call
    recorder), looks the key up in every partition of every account's IAM backend: with a thousand
    accounts, every request read thousands of backends. Patched: the function remembers where it
    found a key (and checks the key is still there on every use, so a deleted key is looked up
    again), and a key found nowhere (the management account's own) is looked up again only once a
    new access key has been made (`AccessKey.__init__`). The answer is the same as moto's.
    """
    from moto.iam import models as iam_models

    original_init = iam_models.AccessKey.__init__
    found: dict[str, tuple[str, str]] = {}  # access key -> (account id, partition)
    missed: set[str] = set()
    made = [0]  # access keys made so far: a miss counts only if none was made during the search
    lock = threading.Lock()

    def get_account_id_from(access_key: str) -> str:
        hit = found.get(access_key)
        if hit is not None:
            account_id, partition = hit
            if access_key in iam_models.iam_backends[account_id][partition].access_keys:
                return account_id
        elif access_key in missed:
            return str(iam_models.DEFAULT_ACCOUNT_ID)
        before = made[0]
        for account_id, account in list(iam_models.iam_backends.items()):
            for partition in iam_models.PARTITION_NAMES:
                if access_key in account[partition].access_keys:
                    found[access_key] = (account_id, partition)
                    return str(account_id)
        found.pop(access_key, None)
        with lock:
            if made[0] == before:
                missed.add(access_key)
        return str(iam_models.DEFAULT_ACCOUNT_ID)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        with lock:
            made[0] += 1
            missed.clear()

    patches.set(iam_models, "get_account_id_from", get_account_id_from)
    patches.set(iam_models.AccessKey, "__init__", __init__)
