"""STS: AssumeRole into a missing role, or into a suspended account, is denied (patch 8)."""

from __future__ import annotations

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
