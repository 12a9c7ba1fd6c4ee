"""The registry of managed zones: one DynamoDB item per zone name (partition key ``zoneName``)."""

import json
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors
from orgdns.models import ManagedZone


class Registry:
    """Reads are strongly consistent: a run that registers a zone and the next run that looks
    for parents must agree. The table is small (one item per managed zone), so listing scans."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, zone_name: str) -> ManagedZone | None:
        with aws_errors("dynamodb"):
            item = self._client.get_item(
                TableName=self._table, Key={"zoneName": {"S": zone_name}}, ConsistentRead=True
            ).get("Item")
        return _from_item(item) if item else None

    def all(self) -> list[ManagedZone]:
        zones: list[ManagedZone] = []
        with aws_errors("dynamodb"):
            paginator = self._client.get_paginator("scan")
            for page in paginator.paginate(TableName=self._table, ConsistentRead=True):
                zones.extend(_from_item(item) for item in page.get("Items", []))
        return zones

    def delete(self, zone_name: str, hosted_zone_id: str) -> None:
        """Remove a zone's item, only if it is still that hosted zone's (a re-created zone keeps its own)."""
        try:
            with aws_errors("dynamodb"):
                self._client.delete_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    ConditionExpression="contains(#doc, :zone_id)",
                    ExpressionAttributeNames={"#doc": "document"},
                    ExpressionAttributeValues={":zone_id": {"S": f'"hostedZoneId": "{hosted_zone_id}"'}},
                )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return
            raise

    def put(self, zone: ManagedZone) -> None:
        with aws_errors("dynamodb"):
            self._client.put_item(TableName=self._table, Item=_to_item(zone))


def _to_item(zone: ManagedZone) -> dict[str, Any]:
    return {
        "zoneName": {"S": zone.zone_name},
        "accountId": {"S": zone.account_id},
        "document": {"S": json.dumps(zone.dump(), sort_keys=True)},
    }


def _from_item(item: dict[str, Any]) -> ManagedZone:
    return ManagedZone.model_validate(json.loads(item["document"]["S"]))
