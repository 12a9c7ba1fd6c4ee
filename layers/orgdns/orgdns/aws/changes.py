"""Route 53 change status shared by every run waiting on the same change (DynamoDB).

A batch of 125 delegations is one Route 53 change: 125 runs wait for it to be INSYNC. Each asks
this table first; only one of them per ``min_interval`` seconds asks Route 53 (GetChange), and
INSYNC, once seen, is kept (a change never goes back to PENDING). Items live in the Route 53
budget table (``change#<account>#<change id>``) and expire after a day.
"""

import time
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code

_TTL_SECONDS = 86400


class ChangeStatus:
    # As often as a waiting run looks (the state machine's WaitForDelegation): a batch's runs,
    # answered together, ask Route 53 about their change about once per look, not once per run.
    def __init__(self, client: Any, table: str, min_interval: float = 10.0) -> None:
        self._client = client
        self._table = table
        self._min_interval = min_interval

    def known_in_sync(self, account_id: str, change_id: str) -> bool | None:
        """True when INSYNC was seen; False when someone asked Route 53 less than ``min_interval``
        ago (or is asking now); None when it is this caller's turn to ask (claimed, conditionally)."""
        now = time.time()
        key = {"bucket": {"S": f"change#{account_id}#{change_id}"}}
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET #checked = :now, #expires = :expires",
                    ConditionExpression=(
                        "attribute_not_exists(#checked) OR "
                        "(#checked <= :due AND (attribute_not_exists(#status) OR #status <> :insync))"
                    ),
                    ExpressionAttributeNames={"#status": "status", "#checked": "checkedAt", "#expires": "expiresAt"},
                    ExpressionAttributeValues={
                        ":now": {"N": f"{now:.3f}"},
                        ":due": {"N": f"{now - self._min_interval:.3f}"},
                        ":insync": {"S": "INSYNC"},
                        ":expires": {"N": str(int(now) + _TTL_SECONDS)},
                    },
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            with aws_errors("dynamodb"):
                item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item", {})
            return bool(item.get("status", {}).get("S") == "INSYNC")
        return None

    def remember(self, account_id: str, change_id: str, status: str) -> None:
        with aws_errors("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key={"bucket": {"S": f"change#{account_id}#{change_id}"}},
                UpdateExpression="SET #status = :status",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":status": {"S": status}},
            )
