"""Organizations: the account's name, state and tags (management account only)."""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import error_code, translate


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    status: str  # ACTIVE | SUSPENDED | PENDING_CLOSURE
    tags: dict[str, str]


class Organizations:
    def __init__(self, client: Any) -> None:
        self._client = client

    def account(self, account_id: str) -> Account | None:
        """DescribeAccount + ListTagsForResource; None when the account is not in the organization."""
        try:
            detail = self._client.describe_account(AccountId=account_id)["Account"]
            tags: dict[str, str] = {}
            paginator = self._client.get_paginator("list_tags_for_resource")
            for page in paginator.paginate(ResourceId=account_id):
                tags.update({tag["Key"]: tag["Value"] for tag in page.get("Tags", [])})
        except ClientError as exc:
            if error_code(exc) in {"AccountNotFoundException", "TargetNotFoundException"}:
                return None
            raise translate(exc, "organizations") from None
        return Account(account_id, detail.get("Name", ""), detail.get("Status", "ACTIVE"), tags)
