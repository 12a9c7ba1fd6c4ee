"""The registry of managed zones: one DynamoDB item per zone name (partition key ``zoneName``).

Every read on an event path is by key or through an index, so its cost does not grow with the
organization: a zone by name (GetItem), a name's ancestors in one BatchGetItem, a zone's children
through the ``byParent`` index, an account's zones through the ``byAccount`` index. ``all()``
(a Scan) is for reports and one-off maintenance only.

Items hold typed attributes (``accountId``, ``hostedZoneId``, ``parentZoneName``, ``records``,
``certificates``, ``lastOutcome``, ``origin``...), written with DynamoDB's own types. Items of
the first registry format kept the zone as one JSON string in ``document``; they are read as they
are and rewritten in the typed format by the next write (``migrate()`` does every one at once:
``scripts/migrate-registry.py``). Until then they are missing from the indexes.

The configured root zones' hosted zone ids are cached here too, as items of kind ``root``
(``root#<name>``), so that a burst of Lambda containers does not look each root up in Route 53.
"""

import hashlib
import json
import time
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.attributes import deserialize, serialize
from orgdns.aws.clients import aws_errors, error_code
from orgdns.errors import TransientAwsError
from orgdns.models import ManagedZone

BY_PARENT = "byParent"
BY_ACCOUNT = "byAccount"
ITEM_VERSION = 2
_BATCH_GET_KEYS = 100  # BatchGetItem: at most 100 keys per request
_BATCH_GET_ROUNDS = 8  # UnprocessedKeys are asked for again this many times before giving up
_ROOT_PREFIX = "root#"
_TOMBSTONE_PREFIX = "torn#"
_RECONCILE_WARNINGS = "reconcile#warnings"  # the first format: one item for every finding
# The findings a reconcile warned about, spread over this many items by a hash of the finding's key:
# an item holds at most 400 KB (about 2,500 findings), so 32 hold some 80,000.
WARNING_SHARDS = 32


def warning_shard(finding_key: str) -> str:
    digest = hashlib.sha256(finding_key.encode()).digest()
    return f"{_RECONCILE_WARNINGS}#{int.from_bytes(digest[:4], 'big') % WARNING_SHARDS:02d}"


class Registry:
    """Reads of the table itself are strongly consistent: a run that registers a zone and the next
    run that looks for its parent must agree. Index reads (``children``, ``of_account``) are
    eventually consistent, as every DynamoDB global secondary index is (usually well under a
    second): callers that race with a registration look again later (see ReleaseChildren)."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table
        self._legacy_warnings = False  # the reconcile's warnings were read from the first format's item

    # -- by key ---------------------------------------------------------------------------------

    def get(self, zone_name: str) -> ManagedZone | None:
        with aws_errors("dynamodb"):
            item = self._client.get_item(
                TableName=self._table, Key={"zoneName": {"S": zone_name}}, ConsistentRead=True
            ).get("Item")
        return _from_item(item) if item and not _is_root(item) else None

    def get_with_tombstone(self, zone_name: str) -> tuple[ManagedZone | None, int | None]:
        """The zone's item, and when a teardown last removed a zone of that name (milliseconds),
        in one BatchGetItem (consistent).

        A teardown writes the tombstone before it deletes the item (``mark_torn_down``, then
        ``delete``), so an item found missing means its tombstone can be read. BatchGetItem reads
        its keys independently, though (each consistent, not as one snapshot): the tombstone's key
        may have been read before the teardown wrote it and the item's after it was deleted. So when
        it finds neither, the tombstone is read again (GetItem), after the item was seen missing."""
        item, torn = None, None
        tombstone = _TOMBSTONE_PREFIX + zone_name
        for found in self._batch_get([zone_name, tombstone]):
            if found["zoneName"]["S"] == zone_name and not _is_root(found):
                item = _from_item(found)
            elif found.get("kind", {}).get("S") == "tombstone":
                torn = int(found["tornDownAt"]["N"])
        if item is None and torn is None:
            with aws_errors("dynamodb"):
                again = self._client.get_item(
                    TableName=self._table, Key={"zoneName": {"S": tombstone}}, ConsistentRead=True
                ).get("Item")
            if again is not None and again.get("kind", {}).get("S") == "tombstone":
                torn = int(again["tornDownAt"]["N"])
        return item, torn

    def mark_torn_down(self, zone_name: str) -> None:
        """Note when a zone of this name was torn down: a run planned before then that finds no item
        must not register the zone again (CreateZone raises ZoneWithdrawn, and the run starts over).
        Written before the zone's item is deleted (see ``get_with_tombstone``)."""
        item = {"zoneName": {"S": _TOMBSTONE_PREFIX + zone_name}, "kind": {"S": "tombstone"},
                "tornDownAt": {"N": str(now_ms())}}  # fmt: skip
        with aws_errors("dynamodb"):
            self._client.put_item(TableName=self._table, Item=item)

    def get_many(self, zone_names: Iterable[str]) -> dict[str, ManagedZone]:
        """The managed zones among ``zone_names`` (BatchGetItem, consistent; 100 keys a request)."""
        found: dict[str, ManagedZone] = {}
        for item in self._batch_get(sorted(set(zone_names))):
            if not _is_root(item):
                zone = _from_item(item)
                found[zone.zone_name] = zone
        return found

    def _batch_get(self, keys: list[str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), _BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self._table: {
                    "Keys": [{"zoneName": {"S": key}} for key in keys[start : start + _BATCH_GET_KEYS]],
                    "ConsistentRead": True,
                }
            }
            for _ in range(_BATCH_GET_ROUNDS):
                with aws_errors("dynamodb"):
                    response = self._client.batch_get_item(RequestItems=request)
                items.extend(response.get("Responses", {}).get(self._table, []))
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                # DynamoDB left keys unread (throughput): the state machine retries the step.
                raise TransientAwsError("dynamodb left registry keys unread after several BatchGetItem rounds")
        return items

    # -- through the indexes ----------------------------------------------------------------------

    def children(self, parent_zone_name: str, below: str | None = None) -> list[ManagedZone]:
        """Registered zones delegated from ``parent_zone_name`` (index ``byParent``); with
        ``below``, only those under that name, read by the index's sort key (the name with its
        labels reversed), so a root zone's thousand children are not read to find two."""
        if below is None:
            return self._query(BY_PARENT, "parentZoneName", parent_zone_name)
        return self._query(BY_PARENT, "parentZoneName", parent_zone_name, reversed_name(below) + ".")

    def of_account(self, account_id: str) -> list[ManagedZone]:
        """Every zone managed for ``account_id`` (index ``byAccount``)."""
        return self._query(BY_ACCOUNT, "accountId", account_id)

    def _query(self, index: str, attribute: str, value: str, name_prefix: str | None = None) -> list[ManagedZone]:
        zones: list[ManagedZone] = []
        condition = "#key = :value"
        names = {"#key": attribute}
        values = {":value": {"S": value}}
        if name_prefix is not None:
            condition += " AND begins_with(#reversed, :prefix)"
            names["#reversed"] = "reversedName"
            values[":prefix"] = {"S": name_prefix}
        with aws_errors("dynamodb"):
            paginator = self._client.get_paginator("query")
            for page in paginator.paginate(
                TableName=self._table,
                IndexName=index,
                KeyConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            ):
                zones.extend(_from_item(item) for item in page.get("Items", []) if not _is_root(item))
        return zones

    # -- writes ---------------------------------------------------------------------------------

    def put(self, zone: ManagedZone) -> None:
        with aws_errors("dynamodb"):
            self._client.put_item(TableName=self._table, Item=to_item(zone))

    def put_if(self, zone: ManagedZone, exists: bool) -> bool:
        """PutItem only if the zone's item still exists for its account (``exists``), or does not
        exist at all (not ``exists``): a step that read the item before a teardown deleted it must
        not bring it back. False when the condition fails."""
        if exists:
            condition = {"ConditionExpression": "attribute_exists(zoneName) AND accountId = :account",
                         "ExpressionAttributeValues": {":account": {"S": zone.account_id}}}  # fmt: skip
        else:
            condition = {"ConditionExpression": "attribute_not_exists(zoneName)"}
        try:
            with aws_errors("dynamodb"):
                self._client.put_item(TableName=self._table, Item=to_item(zone), **condition)
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim_domain_certificate(self, zone_name: str, account_id: str, decided_at: int, wants: str = "") -> bool:
        """Mark that the run whose plan was decided at ``decided_at`` sets the zone's certificates in
        service (the custom domain's, the outputs, what is retired): False when a run decided later
        already did (its names are the newer), when the zone is not the account's, or when it is
        being torn down. Conditional: of two runs racing, the one that read the tags last wins.

        ``wants`` sums up what the run puts in service (certificate names, Regions, domain): a run
        decided earlier that wants exactly what the later one set (Control Tower's two events for one
        account) may go on, as its writes are the same; the later run's time stays recorded."""
        names = {"#c": "certificateDecidedAt", "#a": "accountId", "#torn": "tornDownBy", "#w": "certificateWants"}
        values = {":t": {"N": str(decided_at)}, ":account": {"S": account_id}, ":w": {"S": wants}}
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    UpdateExpression="SET #c = :t, #w = :w",
                    ConditionExpression=(
                        "#a = :account AND attribute_not_exists(#torn) AND (attribute_not_exists(#c) OR #c <= :t)"
                    ),
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
            return True
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
        if not wants:
            return False
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    UpdateExpression="SET #w = :w",
                    ConditionExpression="#a = :account AND attribute_not_exists(#torn) AND #w = :w",
                    ExpressionAttributeNames={"#a": "accountId", "#torn": "tornDownBy", "#w": "certificateWants"},
                    ExpressionAttributeValues={":account": {"S": account_id}, ":w": {"S": wants}},
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def set_parameters(self, zone_name: str, account_id: str, parameters: list[dict[str, Any]]) -> bool:
        """Record the zone's SSM outputs (before they are written, so none is ever orphaned): False
        when the zone is no longer the account's or is being torn down."""
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    UpdateExpression="SET #p = :p",
                    ConditionExpression="#a = :account AND attribute_not_exists(#torn)",
                    ExpressionAttributeNames={"#p": "parameters", "#a": "accountId", "#torn": "tornDownBy"},
                    ExpressionAttributeValues={":p": serialize(parameters), ":account": {"S": account_id}},
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim_warning(self, zone_name: str, account_id: str, key: str, reason: str) -> bool:
        """Record that ``reason`` was (about to be) published about ``key`` (a certificate ARN) for
        the zone: False if it already was. Conditional, so two events handled at once warn once."""
        names = {"#w": "renewalWarnings", "#k": key, "#a": "accountId"}
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    UpdateExpression="SET #w = if_not_exists(#w, :empty)",
                    ConditionExpression="#a = :account",
                    ExpressionAttributeNames={"#w": "renewalWarnings", "#a": "accountId"},
                    ExpressionAttributeValues={":empty": {"M": {}}, ":account": {"S": account_id}},
                )
                self._client.update_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    UpdateExpression="SET #w.#k = :reason",
                    ConditionExpression="#a = :account AND (attribute_not_exists(#w.#k) OR #w.#k <> :reason)",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":reason": {"S": reason}, ":account": {"S": account_id}},
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def clear_warning(self, zone_name: str, account_id: str, key: str) -> None:
        """Forget the warning about ``key``: the next problem with it is published again."""
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    UpdateExpression="REMOVE #w.#k",
                    ConditionExpression="#a = :account AND attribute_exists(#w.#k)",
                    ExpressionAttributeNames={"#w": "renewalWarnings", "#k": key, "#a": "accountId"},
                    ExpressionAttributeValues={":account": {"S": account_id}},
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def delete(self, zone_name: str, hosted_zone_id: str) -> None:
        """Remove a zone's item, only if it is still that hosted zone's (a re-created zone keeps its own)."""
        try:
            with aws_errors("dynamodb"):
                self._client.delete_item(
                    TableName=self._table,
                    Key={"zoneName": {"S": zone_name}},
                    ConditionExpression="#id = :zone_id OR contains(#doc, :legacy)",
                    ExpressionAttributeNames={"#id": "hostedZoneId", "#doc": "document"},
                    ExpressionAttributeValues={
                        ":zone_id": {"S": hosted_zone_id},
                        ":legacy": {"S": f'"hostedZoneId": "{hosted_zone_id}"'},
                    },
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return
            raise

    # -- root zone ids --------------------------------------------------------------------------

    def root_zone_ids(self, names: Iterable[str]) -> dict[str, str]:
        """The cached hosted zone ids of these root zones (those that have one)."""
        wanted = {_ROOT_PREFIX + name: name for name in names}
        return {
            wanted[item["zoneName"]["S"]]: item["hostedZoneId"]["S"]
            for item in self._batch_get(sorted(wanted))
            if _is_root(item) and "hostedZoneId" in item
        }

    def claim_root_lookup(self, name: str, lease_seconds: float = 30.0) -> bool:
        """Take the lease on looking up a root zone's id (True), unless another container holds an
        unexpired one or the id is cached already (False). A lease expires, so a container that
        died while looking leaves the lookup to the next."""
        now = time.time()
        return self._put_root(
            name,
            {"lookupUntil": {"N": f"{now + lease_seconds:.3f}"}},
            "attribute_not_exists(zoneName) OR (attribute_not_exists(hostedZoneId) AND lookupUntil < :now)",
            {":now": {"N": f"{now:.3f}"}},
        )

    def remember_root_zone_id(self, name: str, hosted_zone_id: str, account_id: str) -> None:
        """Cache a root zone's id, over the lookup lease (the first id written wins; a later
        lookup of the same root agrees)."""
        self._put_root(
            name,
            {"hostedZoneId": {"S": hosted_zone_id}, "rootAccountId": {"S": account_id}},
            "attribute_not_exists(hostedZoneId)",
        )

    def _put_root(
        self, name: str, attributes: dict[str, Any], condition: str, values: dict[str, Any] | None = None
    ) -> bool:
        """Write a root item if ``condition`` holds; False when it did not."""
        item = {"zoneName": {"S": _ROOT_PREFIX + name}, "kind": {"S": "root"}, "rootZoneName": {"S": name}}
        extra = {"ExpressionAttributeValues": values} if values else {}
        try:
            with aws_errors("dynamodb"):
                self._client.put_item(
                    TableName=self._table, Item={**item, **attributes}, ConditionExpression=condition, **extra
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def forget_root_zone_id(self, name: str) -> None:
        """Drop a cached root id that turned out stale (the root zone was re-created)."""
        with aws_errors("dynamodb"):
            self._client.delete_item(TableName=self._table, Key={"zoneName": {"S": _ROOT_PREFIX + name}})

    # -- reconcile -----------------------------------------------------------------------------

    def reconcile_warnings(self) -> dict[str, str]:
        """The findings a reconcile last published as ActionRequired: finding key -> fingerprint
        (one BatchGetItem for every shard, and the first format's single item)."""
        shards = [f"{_RECONCILE_WARNINGS}#{i:02d}" for i in range(WARNING_SHARDS)]
        warnings: dict[str, str] = {}
        for item in self._batch_get([_RECONCILE_WARNINGS, *shards]):
            if "warnings" in item:
                warnings.update(deserialize(item["warnings"]))
            if item["zoneName"]["S"] == _RECONCILE_WARNINGS:
                self._legacy_warnings = True  # the next write moves them into the shards
        return warnings

    def set_reconcile_warnings(self, warnings: dict[str, str], before: dict[str, str] | None = None) -> None:
        """Write the shards whose findings changed since ``before`` (every shard when it is None);
        a shard left empty is deleted, and so is the first format's item once read."""
        shards: dict[str, dict[str, str]] = {f"{_RECONCILE_WARNINGS}#{i:02d}": {} for i in range(WARNING_SHARDS)}
        previous: dict[str, dict[str, str]] = {name: {} for name in shards}
        for key, mark in warnings.items():
            shards[warning_shard(key)][key] = mark
        for key, mark in (before or {}).items():
            previous[warning_shard(key)][key] = mark
        legacy = self._legacy_warnings
        for name, content in shards.items():
            if before is not None and not legacy and content == previous[name]:
                continue
            with aws_errors("dynamodb"):
                if content:
                    item = {"zoneName": {"S": name}, "kind": {"S": "reconcile"}, "warnings": serialize(content)}
                    self._client.put_item(TableName=self._table, Item=item)
                elif before is None or legacy or previous[name]:
                    self._client.delete_item(TableName=self._table, Key={"zoneName": {"S": name}})
        if legacy:
            with aws_errors("dynamodb"):
                self._client.delete_item(TableName=self._table, Key={"zoneName": {"S": _RECONCILE_WARNINGS}})
            self._legacy_warnings = False

    # -- maintenance (not on event paths) -------------------------------------------------------

    def all(self) -> list[ManagedZone]:
        """Every managed zone (Scan): reports and maintenance only, never a workflow step."""
        return [_from_item(item) for item in self._scan() if not _is_root(item)]

    def migrate(self, dry_run: bool = False) -> list[str]:
        """Rewrite every item of the first format (one JSON ``document``) with typed attributes, so
        the indexes see it. Conditional on the item being unchanged since it was read; returns the
        names rewritten (or, with ``dry_run``, that would be)."""
        migrated = []
        for item in self._scan():
            if "document" not in item or _is_root(item):
                continue
            migrated.append(item["zoneName"]["S"])
            if dry_run:
                continue
            try:
                with aws_errors("dynamodb"):
                    self._client.put_item(
                        TableName=self._table,
                        Item=to_item(_from_item(item)),
                        ConditionExpression="#doc = :doc",
                        ExpressionAttributeNames={"#doc": "document"},
                        ExpressionAttributeValues={":doc": item["document"]},
                    )
            except ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
                migrated.pop()  # rewritten by a run meanwhile, in the typed format already
        return migrated

    def _scan(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        with aws_errors("dynamodb"):
            paginator = self._client.get_paginator("scan")
            for page in paginator.paginate(TableName=self._table, ConsistentRead=True):
                items.extend(page.get("Items", []))
        return items


def reversed_name(name: str) -> str:
    """``dev.example.org`` -> ``org.example.dev``: the byParent index's sort key, so that the zones
    under a name share a key prefix."""
    return ".".join(reversed(name.split(".")))


def _is_root(item: dict[str, Any]) -> bool:
    """A root zone's cached id, a torn-down zone's tombstone, or the reconcile's warnings: not a
    managed zone."""
    return bool(item.get("kind", {}).get("S") in {"root", "tombstone", "reconcile"})


def now_ms() -> int:
    """The time the registry's conditions compare (runs' decision times), in milliseconds."""
    return int(time.time() * 1000)


def to_item(zone: ManagedZone) -> dict[str, Any]:
    """The typed DynamoDB item of a managed zone (attributes named as in the JSON status)."""
    document = zone.dump()
    document["origin"] = zone.origin
    document["kind"] = "zone"
    document["itemVersion"] = ITEM_VERSION
    document["reversedName"] = reversed_name(zone.zone_name)
    return {key: serialize(value) for key, value in document.items() if value is not None}


def _from_item(item: dict[str, Any]) -> ManagedZone:
    if "document" in item:  # the first format: one JSON string
        return ManagedZone.model_validate(json.loads(item["document"]["S"]))
    plain = {key: deserialize(value) for key, value in item.items()}
    return ManagedZone.model_validate(plain)
