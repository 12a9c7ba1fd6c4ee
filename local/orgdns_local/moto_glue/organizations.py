"""Organizations: accounts answer with `State` as AWS does since 2026-09-09 (patch 9)."""

from __future__ import annotations

from typing import Any

from moto.organizations import utils as organizations_utils
from moto.organizations.exceptions import AccountAlreadyClosedException, InvalidInputException
from moto.organizations.models import FakeAccount, organizations_backends
from moto.organizations.responses import OrganizationsResponse

from .context import GlueContext, _Patches

MAX_LIST_ACCOUNTS_RESULTS = 20  # ListAccounts, ListAccountsForParent: MaxResults 1 to 20


def _patch_organizations(ctx: GlueContext, patches: _Patches) -> None:
    """Answer with `State` only, close accounts through PENDING_CLOSURE, page ListAccounts by 20.

    Gaps (moto/organizations/models.py): `FakeAccount.describe` answers with `Status`, the field
    AWS retired on 2026-09-09, beside `State`; `FakeAccount.close` makes the account SUSPENDED at
    once; `list_accounts` pages by 100 and keys its pages on JoinedTimestamp, which accounts
    created in the same second share. Patched:
    - `FakeAccount.describe` (DescribeAccount, ListAccounts, ListAccountsForParent) drops `Status`
      and answers the state below in `State`;
    - `FakeAccount.close` (CloseAccount) moves an ACTIVE account to PENDING_CLOSURE; it reads
      SUSPENDED once `ctx.account_closure_seconds` of simulated time have passed, as AWS moves it
      when closure completes (the 90 days in which it can be reopened are not emulated); closing
      an account that is not ACTIVE is AccountAlreadyClosedException;
    - the pagination of `list_accounts` and `list_accounts_for_parent` (moto/organizations/utils.py)
      pages by 20 at most, keyed on the account id; a MaxResults above 20 is InvalidInputException.
    `account_state(ctx, account_id)` tells the other patches (STS) an account's state.
    """
    original_describe = FakeAccount.describe

    def describe(self: FakeAccount) -> dict[str, Any]:
        data: dict[str, Any] = original_describe(self)
        data.pop("Status", None)
        data["State"] = _state(ctx, self)
        return data

    def close(self: FakeAccount) -> None:
        if _state(ctx, self) != "ACTIVE":
            raise AccountAlreadyClosedException
        ctx.account_closures[self.id] = ctx.clock.elapsed()
        self.state = self.status = "PENDING_CLOSURE"

    patches.set(FakeAccount, "describe", describe)
    patches.set(FakeAccount, "close", close)
    for operation in ("list_accounts", "list_accounts_for_parent"):
        model = dict(organizations_utils.PAGINATION_MODEL[operation])
        unique = "Id" if operation == "list_accounts" else "id"  # a dict per account, or the account itself
        model.update(limit_default=MAX_LIST_ACCOUNTS_RESULTS, unique_attribute=unique)
        patches.set_item(organizations_utils.PAGINATION_MODEL, operation, model)

    def limited(original: Any) -> Any:
        def respond(self: OrganizationsResponse) -> str:
            requested = self._get_int_param("MaxResults")
            if requested is not None and not 1 <= requested <= MAX_LIST_ACCOUNTS_RESULTS:
                raise InvalidInputException(
                    f"MaxResults must be between 1 and {MAX_LIST_ACCOUNTS_RESULTS}, got {requested}"
                )
            return str(original(self))

        return respond

    for operation in ("list_accounts", "list_accounts_for_parent"):
        patches.set(OrganizationsResponse, operation, limited(getattr(OrganizationsResponse, operation)))


def _state(ctx: GlueContext, account: FakeAccount) -> str:
    closed_at = ctx.account_closures.get(account.id)
    due = closed_at is not None and ctx.clock.elapsed() >= closed_at + ctx.account_closure_seconds
    if due and account.state == "PENDING_CLOSURE":
        account.state = account.status = "SUSPENDED"
    return str(account.state)


def account_state(ctx: GlueContext, account_id: str) -> str | None:
    """The state Organizations would answer for `account_id`, or None when no organization has it."""
    for by_partition in list(organizations_backends.values()):
        for backend in list(by_partition.values()):
            for account in list(backend.accounts):
                if account.id == account_id:
                    return _state(ctx, account)
    return None
