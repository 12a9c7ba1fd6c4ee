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

import threading
from collections.abc import Callable

from moto.route53.models import FakeZone, route53_backends

_PARTITION = "aws"  # moto keys Route 53 backends by partition, not by region
_NAME_TYPES = {"CNAME", "NS"}


def normalise(name: str) -> str:
    """Lowercase, no trailing dot: the form every comparison here uses."""
    return name.strip().rstrip(".").lower()


def within(name: str, zone_name: str) -> bool:
    return name == zone_name or name.endswith("." + zone_name)


def _zone(account_id: str, zone_id: str) -> FakeZone | None:
    zone_id = zone_id.removeprefix("/hostedzone/")
    return route53_backends[account_id][_PARTITION].zones.get(zone_id)


class ZoneIndex:
    """Every account's hosted zones by name, kept as zones come and go.

    Cost, not behaviour: following a delegation, or giving a new zone name servers no other zone
    of its name has, looks up the zones of one name; reading every zone of every account for that
    made a burst of a thousand new accounts cost the square of its size. The Route 53 glue calls
    `created` and `deleted`; a zone missing from its backend (moto reset between tests, a zone
    removed some other way) makes the next lookup rebuild the index from the backends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[str, dict[str, str]] | None = None  # name -> zone id -> account id

    def reset(self) -> None:
        with self._lock:
            self._by_name = None

    def created(self, account_id: str, zone: FakeZone) -> None:
        with self._lock:
            if self._by_name is not None:
                self._by_name.setdefault(normalise(zone.name), {})[zone.resource_id] = account_id

    def deleted(self, zone: FakeZone) -> None:
        with self._lock:
            if self._by_name is not None:
                self._by_name.get(normalise(zone.name), {}).pop(zone.resource_id, None)

    def named(self, name: str) -> list[FakeZone]:
        """The hosted zones called `name` (normalised), in any account."""
        with self._lock:
            if self._by_name is None:
                self._by_name = self._build()
            zones = self._lookup(self._by_name, name)
            if None in zones:  # a zone went without the glue seeing it: read the backends again
                self._by_name = self._build()
                zones = self._lookup(self._by_name, name)
        return [zone for zone in zones if zone is not None]

    @staticmethod
    def _lookup(index: dict[str, dict[str, str]], name: str) -> list[FakeZone | None]:
        return [_zone(account_id, zone_id) for zone_id, account_id in index.get(name, {}).items()]

    @staticmethod
    def _build() -> dict[str, dict[str, str]]:
        index: dict[str, dict[str, str]] = {}
        for account_id, account in list(route53_backends.items()):
            if _PARTITION in account:
                for zone in list(account[_PARTITION].zones.values()):
                    index.setdefault(normalise(zone.name), {})[zone.resource_id] = account_id
        return index


zone_index = ZoneIndex()


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
        anchors = [z for z in anchors if within(name, normalise(z.name))]
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
                    for z in zone_index.named(cut_name)
                    if z.delegation_set is not None
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
            if rrset.type == "NS" and normalise(rrset.name) != apex and within(name, normalise(rrset.name))
        ]
        return min(cuts, key=lambda cut: len(cut[0])) if cuts else None
