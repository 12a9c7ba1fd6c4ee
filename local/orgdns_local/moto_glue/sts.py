"""STS: AssumeRole into a missing role is denied (patch 8)."""

from __future__ import annotations

import warnings
from typing import Any

from .context import GlueContext, _Patches


def _patch_sts_roles(ctx: GlueContext, patches: _Patches) -> None:
    """Deny AssumeRole into a role that does not exist in its account (when asked to).

    Gap: moto's `STSBackend.assume_role` (moto/sts/models.py) hands out credentials for any role
    ARN, so a role missing from an account is indistinguishable from one that is there. AWS
    answers AccessDenied; orgdns's fallback from its scoped member role to
    OrganizationAccountAccessRole depends on that. Off unless `ctx.require_existing_roles`.
    """
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    # moto's serializer warns that STS's model has no AccessDenied shape; AWS sends it all the same.
    warnings.filterwarnings("ignore", message=r"Exception\(STSClientError\)", category=UserWarning)

    original = STSBackend.assume_role

    def assume_role(self: STSBackend, *args: Any, **kwargs: Any) -> Any:
        if not ctx.require_existing_roles:
            return original(self, *args, **kwargs)
        role_arn = str(kwargs.get("role_arn", args[2] if len(args) > 2 else ""))
        account, _, name = role_arn.removeprefix("arn:aws:iam::").partition(":role/")
        roles = iam_backends[account]["global"].roles.values() if account.isdigit() else []
        if not any(role.name == name.rsplit("/", 1)[-1] for role in roles):
            raise STSClientError(
                "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            )
        return original(self, *args, **kwargs)

    patches.set(STSBackend, "assume_role", assume_role)
