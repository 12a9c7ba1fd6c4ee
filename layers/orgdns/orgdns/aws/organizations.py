"""Organizations: an account's name, state and tags (management account only)."""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code
from orgdns.errors import UnexpectedAwsAnswer

# Account.State (DescribeAccount, ListAccounts). The older Account.Status (ACTIVE | SUSPENDED |
# PENDING_CLOSURE) was retired on 2026-09-09; it is read only when an answer has no State.
ACCOUNT_STATES = frozenset({"PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"})
CLOSED_STATES = frozenset({"PENDING_CLOSURE", "SUSPENDED", "CLOSED"})


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    state: str  # one of ACCOUNT_STATES
    tags: dict[str, str]


def account_state(detail: dict[str, Any]) -> str:
    """The account's state from a DescribeAccount or ListAccounts entry: ``State``, else the retired
    ``Status``. An answer with neither (or with a value AWS does not define) is an error, never ACTIVE."""
    state = detail.get("State") or detail.get("Status")
    if state not in ACCOUNT_STATES:
        raise UnexpectedAwsAnswer(
            f"Organizations answered account {detail.get('Id', '?')} with state {state!r}: expected one of "
            f"{', '.join(sorted(ACCOUNT_STATES))}; orgdns will not guess whether the account is active"
        )
    return str(state)


class Organizations:
    def __init__(self, client: Any) -> None:
        self._client = client

    def describe(self, account_id: str) -> dict[str, Any] | None:
        """DescribeAccount; None when the account is not in the organization."""
        try:
            with aws_errors("organizations"):
                return dict(self._client.describe_account(AccountId=account_id)["Account"])
        except ClientError as exc:
            if error_code(exc) in {"AccountNotFoundException", "TargetNotFoundException"}:
                return None
            raise

    def state(self, account_id: str) -> str | None:
        """The account's state (DescribeAccount only: a closed account's tags are not needed)."""
        detail = self.describe(account_id)
        return None if detail is None else account_state(detail)

    def account(self, account_id: str) -> Account | None:
        """DescribeAccount + ListTagsForResource; None when the account is not in the organization."""
        detail = self.describe(account_id)
        if detail is None:
            return None
        state = account_state(detail)
        return Account(account_id, detail.get("Name", ""), state, self.tags(account_id))

    def tags(self, account_id: str) -> dict[str, str]:
        """ListTagsForResource on an account, every page."""
        tags: dict[str, str] = {}
        with aws_errors("organizations"):
            paginator = self._client.get_paginator("list_tags_for_resource")
            for page in paginator.paginate(ResourceId=account_id):
                tags.update({tag["Key"]: tag["Value"] for tag in page.get("Tags", [])})
        return tags

    def accounts(self) -> list[tuple[str, str, str]]:
        """Every account of the organization as (id, name, state), from ListAccounts. Its pages hold
        at most 20 accounts and may come back empty with a NextToken: paged to the end, never
        stopped at an empty page. Tags are not included (ListTagsForResource per account)."""
        found: list[tuple[str, str, str]] = []
        params: dict[str, Any] = {}
        while True:
            with aws_errors("organizations"):
                page = self._client.list_accounts(**params)
            found.extend((a["Id"], a.get("Name", ""), account_state(a)) for a in page.get("Accounts", []))
            token = page.get("NextToken")
            if not token:
                return found
            params["NextToken"] = token
