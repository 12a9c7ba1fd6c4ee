"""Route 53: name servers per zone, changes PENDING until propagated (patch 4)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random
from moto.route53.exceptions import Route53ClientError
from moto.route53.models import ROUTE53_ID_CHOICE, FakeZone, Route53Backend
from moto.route53.responses import Route53

from .context import GlueContext, _Patches
from .dns import all_zones, normalise

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
    Record contents stay moto's. moto enforces the batch limit of 1,000 record values (an UPSERT
    counting twice) but not the other one, 32,000 characters of values: `Route53Backend.
    change_resource_record_sets` refuses a batch over it (InvalidChangeBatch), before any change.
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
        return zone

    patches.set(Route53, "create_hosted_zone", with_new_change(Route53.create_hosted_zone))
    patches.set(Route53, "change_resource_record_sets", with_new_change(Route53.change_resource_record_sets))
    patches.set(Route53, "get_change", get_change)
    patches.set(Route53Backend, "create_hosted_zone", create_hosted_zone)

    original_change = Route53Backend.change_resource_record_sets

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
        original_change(self, zoneid, change_list)

    patches.set(Route53Backend, "change_resource_record_sets", change_resource_record_sets)


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
        for other in all_zones()
        if other is not zone and normalise(other.name) == apex and other.delegation_set
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
