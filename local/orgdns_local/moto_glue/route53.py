"""Route 53: name servers per zone, changes PENDING until propagated (patch 4)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random
from moto.route53.exceptions import Route53ClientError
from moto.route53.models import ROUTE53_ID_CHOICE, ChangeList, FakeZone, Route53Backend
from moto.route53.responses import Route53

from .context import GlueContext, _Patches
from .dns import normalise, zone_index

# -- 4. Route 53 name servers and change propagation --------------------------------------------


def _patch_route53(ctx: GlueContext, patches: _Patches) -> None:
    """Give each hosted zone its own name servers; report changes PENDING until propagated.

    Gaps: moto gives every zone the same four name servers (`DelegationSet` in
    moto/route53/models.py), so a delegation to the wrong zone is indistinguishable from a right
    one; and ChangeInfo is always INSYNC, with a fixed Id, and GetChange returns an Id without the
    "/change/" prefix (moto/route53/responses.py). Patched: `Route53Backend.create_hosted_zone`
    refuses a CallerReference it has seen (HostedZoneAlreadyExists, as AWS does: moto creates a
    second zone), replaces the default delegation set's name servers (and the apex NS and SOA records) with four
    derived from the zone id, distinct from those of any other zone of the same name; the
    responses `create_hosted_zone` and `change_resource_record_sets` return a new change, PENDING
    until `ctx.route53_propagation_seconds` of simulated time have passed, and `get_change`
    reports it like AWS: {"Id": "/change/C...", "Status": ..., "SubmittedAt": ...}.
    Record contents stay moto's; how a change batch is checked is `_patch_route53_batches`'s.
    """
    clock = ctx.clock
    changes: dict[str, float] = {}

    def change_info(change_id: str) -> dict[str, Any]:
        submitted = changes[change_id]
        in_sync = clock.elapsed() >= submitted + ctx.route53_propagation_seconds
        return {
            "Id": f"/change/{change_id}",
            "Status": "INSYNC" if in_sync else "PENDING",
            "SubmittedAt": clock.to_datetime(submitted),
        }

    def with_new_change(original: Callable[[Route53], ActionResult]) -> Callable[..., Any]:
        def respond(self: Route53) -> ActionResult:
            result = original(self)
            change_id = "C" + "".join(mock_random.choice(ROUTE53_ID_CHOICE) for _ in range(13))
            changes[change_id] = clock.elapsed()
            result.result["ChangeInfo"] = change_info(change_id)
            return result

        return respond

    original_get_change = Route53.get_change

    def get_change(self: Route53) -> ActionResult:
        change_id = self._get_param("Id").removeprefix("/change/")
        if change_id in changes:
            return ActionResult({"ChangeInfo": change_info(change_id)})
        result = original_get_change(self)
        result.result["ChangeInfo"]["Id"] = f"/change/{change_id}"
        return result

    original_create = Route53Backend.create_hosted_zone

    def create_hosted_zone(self: Route53Backend, *args: Any, **kwargs: Any) -> FakeZone:
        reference = kwargs.get("caller_reference", args[2] if len(args) > 2 else None)
        if reference and any(z.caller_reference == reference for z in self.zones.values()):
            raise HostedZoneAlreadyExists(reference)
        zone = original_create(self, *args, **kwargs)
        if zone.delegation_set is not None and not zone.delegation_set.id:
            _assign_name_servers(zone)
        zone_index.created(self.account_id, zone)
        return zone

    original_delete = Route53Backend.delete_hosted_zone

    def delete_hosted_zone(self: Route53Backend, id_: str) -> FakeZone | None:
        zone = original_delete(self, id_)
        if zone is not None:
            zone_index.deleted(zone)
        return zone

    patches.set(Route53, "create_hosted_zone", with_new_change(Route53.create_hosted_zone))
    patches.set(Route53, "change_resource_record_sets", with_new_change(Route53.change_resource_record_sets))
    patches.set(Route53, "get_change", get_change)
    patches.set(Route53Backend, "create_hosted_zone", create_hosted_zone)
    patches.set(Route53Backend, "delete_hosted_zone", delete_hosted_zone)
    zone_index.reset()


def _patch_route53_batches(ctx: GlueContext | None, patches: _Patches) -> None:
    """Check a change batch whole, with Route 53's rules, before anything of it is applied.

    Gaps: a change batch is all or nothing on Route 53, and refused with InvalidChangeBatch when
    a CREATE meets a record set that exists, a DELETE one that does not or whose TTL or values
    differ, or a CNAME other records of its name; moto applies each change as it comes, lets a
    CREATE overwrite, takes a CNAME beside an A record, and matches a DELETE against the exact text
    of its own journal (`ChangeList.has_insert_or_update`), answering InvalidInput. And moto
    enforces the limit of 1,000 record values (an UPSERT counting twice) but not the other one,
    32,000 characters of values. Patched: `Route53Backend.change_resource_record_sets` checks the
    batch (`_check_batch`, Route 53's messages) and its size first; a DELETE that passes is not
    checked against moto's journal again. Needs nothing of the context: the unit tests of the
    adapters use it on plain moto (`change_batch_rules`).
    """
    original_change = Route53Backend.change_resource_record_sets
    original_journal_check = ChangeList.has_insert_or_update
    validated = threading.local()

    def change_resource_record_sets(self: Route53Backend, zoneid: str, change_list: list[dict[str, Any]]) -> None:
        characters = 0
        for change in change_list:
            records = change["ResourceRecordSet"].get("ResourceRecords") or []
            size = sum(len(r["Value"] if isinstance(r, dict) else str(r)) for r in records)
            characters += 2 * size if change["Action"] == "UPSERT" else size
        if characters > MAX_BATCH_CHARACTERS:
            raise Route53ClientError(
                "InvalidChangeBatch", f"Total RDATA characters limit of {MAX_BATCH_CHARACTERS} exceeded."
            )
        _check_batch(self.get_hosted_zone(zoneid), change_list)
        validated.on = True
        try:
            original_change(self, zoneid, change_list)
        finally:
            validated.on = False

    def has_insert_or_update(self: ChangeList, new_rr_set: dict[str, Any]) -> bool:
        # A DELETE _check_batch found exactly as the zone holds it: moto's own check (the exact
        # text of an earlier CREATE or UPSERT in its journal) would refuse one written without
        # the trailing dot, or by moto itself; Route 53 compares values, not their spelling.
        return bool(getattr(validated, "on", False)) or original_journal_check(self, new_rr_set)

    patches.set(Route53Backend, "change_resource_record_sets", change_resource_record_sets)
    patches.set(ChangeList, "has_insert_or_update", has_insert_or_update)


@contextmanager
def change_batch_rules() -> Iterator[None]:
    """Route 53's change-batch rules on plain moto, for tests that run without the glue."""
    patches = _Patches()
    _patch_route53_batches(None, patches)
    try:
        yield
    finally:
        patches.undo()


def _check_batch(zone: FakeZone, change_list: list[dict[str, Any]]) -> None:
    """Refuse the whole batch, before any change, as Route 53 does (InvalidChangeBatch, with each
    error in brackets): a CREATE of a record set that exists, a DELETE of one that does not or
    whose TTL or values differ, a CNAME beside other records of its name. Changes apply in order,
    so a DELETE then a CREATE of one record set is a replacement."""
    sets: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for rrset in zone.rrsets:
        sets[(normalise(rrset.name), str(rrset.type), rrset.set_identifier)] = {
            "ttl": rrset.ttl, "values": _values(rrset.type, rrset.records), "alias": _alias(rrset.alias_target),
        }  # fmt: skip
    apex = normalise(zone.name)
    errors = []
    for change in change_list:
        record, action = change["ResourceRecordSet"], change["Action"]
        name, rtype = normalise(record["Name"]), str(record["Type"])
        key = (name, rtype, record.get("SetIdentifier"))
        wanted = {
            "ttl": record.get("TTL"),
            "values": _values(rtype, record.get("ResourceRecords") or []),
            "alias": _alias(record.get("AliasTarget")),
        }
        shown = f"[name='{name}.', type='{rtype}'" + (f", set-identifier='{key[2]}']" if key[2] is not None else "]")
        if action == "DELETE":
            there = sets.get(key)
            if there is None:
                errors.append(f"Tried to delete resource record set {shown} but it was not found")
            elif (there["alias"], there["ttl"], there["values"]) != (wanted["alias"], wanted["ttl"], wanted["values"]):
                errors.append(
                    f"Tried to delete resource record set {shown} but the values provided do not match the "
                    "current values"
                )
            sets.pop(key, None)
            continue
        if action == "CREATE" and key in sets:
            errors.append(f"Tried to create resource record set {shown} but it already exists")
            continue
        others = {t for (n, t, _) in sets if n == name and t != rtype}
        if name == apex and rtype == "CNAME":
            errors.append(f"RRSet of type CNAME with DNS name {name}. is not permitted at apex in zone {apex}.")
            continue
        if (rtype == "CNAME" and others) or (rtype != "CNAME" and "CNAME" in others):
            errors.append(
                f"RRSet of type CNAME with DNS name {name}. is not permitted as it conflicts with other records "
                f"with the same DNS name in zone {apex}."
            )
            continue
        sets[key] = wanted
    if errors:
        raise Route53ClientError("InvalidChangeBatch", ", ".join(f"[{error}]" for error in errors))


def _alias(target: dict[str, Any] | None) -> tuple[str, str] | None:
    return None if not target else (str(target.get("HostedZoneId")), normalise(str(target.get("DNSName", ""))))


def _values(rtype: str, records: list[Any]) -> list[str]:
    """Record values as Route 53 compares them: a name's trailing dot and case do not count."""
    values = [r["Value"] if isinstance(r, dict) else str(r) for r in records]
    return sorted(normalise(v) if rtype in {"NS", "CNAME"} else v for v in values)


MAX_BATCH_CHARACTERS = 32000  # of record values in one ChangeResourceRecordSets, an UPSERT counting twice


class HostedZoneAlreadyExists(Route53ClientError):  # type: ignore[misc]  # moto is untyped here
    def __init__(self, reference: str) -> None:
        super().__init__(
            "HostedZoneAlreadyExists",
            f"A hosted zone has already been created with the specified caller reference: {reference}",
        )


_NS_DOMAINS = ("com", "net", "org", "co.uk")


def _assign_name_servers(zone: FakeZone) -> None:
    """Four AWS-styled name servers derived from the zone id (ns-0..511 .com, ns-512.. .net, ...),
    none shared with another zone of the same name, so a delegation names exactly one zone."""
    assert zone.delegation_set is not None
    apex = normalise(zone.name)
    taken = {
        normalise(server)
        for other in zone_index.named(apex)
        if other is not zone and other.delegation_set
        for server in other.delegation_set.name_servers
    }
    digest = int(hashlib.md5(zone.resource_id.encode(), usedforsecurity=False).hexdigest(), 16)
    servers = []
    for index, domain in enumerate(_NS_DOMAINS):
        number = (digest >> (9 * index)) % 512
        while (server := f"ns-{512 * index + number}.awsdns-{number // 8:02d}.{domain}") in taken:
            number = (number + 1) % 512
        servers.append(server)
    zone.delegation_set.name_servers = servers
    for rrset in zone.rrsets:
        if normalise(rrset.name) == apex and rrset.type == "NS":
            rrset.records = list(servers)
        elif normalise(rrset.name) == apex and rrset.type == "SOA":
            record = rrset.records[0]  # moto creates it as {"Value": ...}, and lists records as strings
            text = record["Value"] if isinstance(record, dict) else str(record)
            rrset.records = [f"{servers[0]}. " + text.split(" ", 1)[1]]
