"""Name resolution through the emulated Route 53 hosted zones, the way the public DNS would.

Resolution starts at a trust anchor: the top-level zone (the scenario's root zones and the zones
that stand in for an outside DNS provider) whose name is the longest suffix of the queried name.
Inside a zone, the NS record set nearest the apex on the path to the name is the delegation
(a zone cut: anything below it in that zone, other NS records included, is occluded, as on a real
authoritative server); it is followed to the hosted zone (in any account) of that name whose delegation-set
name servers intersect the NS values. A delegation that no such zone answers is lame, and the name
does not resolve. When no delegation is left, the answer is the (name, type) record set of that
zone.

Zones are read straight from moto's Route 53 backends (no API calls, so nothing is recorded or
throttled). Names are compared lowercase without a trailing dot; CNAME and NS values come back in
that form too, alias records as their target's DNS name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from moto.route53.models import FakeZone, route53_backends

_PARTITION = "aws"  # moto keys Route 53 backends by partition, not by region
_NAME_TYPES = {"CNAME", "NS"}


def normalise(name: str) -> str:
    """Lowercase, no trailing dot: the form every comparison here uses."""
    return name.strip().rstrip(".").lower()


def _within(name: str, zone_name: str) -> bool:
    return name == zone_name or name.endswith("." + zone_name)


def _zone(account_id: str, zone_id: str) -> FakeZone | None:
    zone_id = zone_id.removeprefix("/hostedzone/")
    return route53_backends[account_id][_PARTITION].zones.get(zone_id)


def all_zones() -> Iterator[FakeZone]:
    for account in list(route53_backends.values()):
        if _PARTITION in account:
            yield from list(account[_PARTITION].zones.values())


class EmulatedDns:
    """Resolve names by walking delegations from the scenario's top-level zones."""

    def __init__(self, top_level: Callable[[], list[tuple[str, str]]]) -> None:
        self._top_level = top_level

    def resolve(self, name: str, rtype: str) -> list[str] | None:
        """Values of the (name, rtype) record set the public DNS would answer, or None."""
        wanted, rtype = normalise(name), rtype.upper()
        steps = self._walk(wanted)
        zone = steps[-1][1] if steps else None
        if zone is None:
            return None
        for rrset in zone.rrsets:
            if normalise(rrset.name) == wanted and rrset.type == rtype:
                if rrset.alias_target:
                    return [normalise(rrset.alias_target["DNSName"])]
                values = [str(value) for value in rrset.records]
                return [normalise(v) for v in values] if rtype in _NAME_TYPES else values
        return None

    def trace(self, name: str) -> list[str]:
        """The zones walked for `name`, e.g. ["example.com (Z1)", "team.example.com (Z2)"];
        a lame delegation ends the list with "team.example.com (lame delegation)"."""
        return [
            f"{zone_name} ({zone.resource_id if zone else 'lame delegation'})"
            for zone_name, zone in self._walk(normalise(name))
        ]

    def _walk(self, name: str) -> list[tuple[str, FakeZone | None]]:
        """(zone name, zone) from the trust anchor down; a last zone of None is a lame delegation."""
        anchors = [z for a, i in self._top_level() if (z := _zone(a, i)) is not None]
        anchors = [z for z in anchors if _within(name, normalise(z.name))]
        if not anchors:
            return []
        zone = max(anchors, key=lambda z: len(normalise(z.name)))
        steps: list[tuple[str, FakeZone | None]] = []
        while True:
            steps.append((normalise(zone.name), zone))
            cut = self._first_delegation(zone, name)
            if cut is None:
                return steps
            cut_name, name_servers = cut
            child = next(
                (
                    z
                    for z in all_zones()
                    if normalise(z.name) == cut_name
                    and z.delegation_set is not None
                    and name_servers & {normalise(ns) for ns in z.delegation_set.name_servers}
                ),
                None,
            )
            if child is None:
                steps.append((cut_name, None))
                return steps
            zone = child

    @staticmethod
    def _first_delegation(zone: FakeZone, name: str) -> tuple[str, set[str]] | None:
        """The zone cut nearest the apex on the way to ``name``: as on a real authoritative server,
        records below a delegation (even other NS records) are occluded and never served."""
        apex = normalise(zone.name)
        cuts = [
            (normalise(rrset.name), {normalise(str(v)) for v in rrset.records})
            for rrset in zone.rrsets
            if rrset.type == "NS" and normalise(rrset.name) != apex and _within(name, normalise(rrset.name))
        ]
        return min(cuts, key=lambda cut: len(cut[0])) if cuts else None
