"""Which zone is whose parent, and which zone answers for a name (pure decisions)."""

from collections.abc import Iterable
from dataclasses import dataclass

from orgdns.models import ManagedZone, ZoneRef
from orgdns.names import is_subdomain, is_within


@dataclass(frozen=True)
class KnownZone:
    """A zone orgdns may write to: a configured root or a registered subdomain."""

    name: str
    account_id: str
    hosted_zone_id: str
    root: bool = False

    def ref(self) -> ZoneRef:
        return ZoneRef(zone_name=self.name, account_id=self.account_id, hosted_zone_id=self.hosted_zone_id)


def known_zones(roots: Iterable[KnownZone], registry: Iterable[ManagedZone]) -> list[KnownZone]:
    zones = {zone.name: zone for zone in roots}
    for item in registry:
        zones.setdefault(item.zone_name, KnownZone(item.zone_name, item.account_id, item.hosted_zone_id))
    return list(zones.values())


def find_parent(name: str, zones: Iterable[KnownZone]) -> KnownZone | None:
    """The longest known zone strictly above ``name``: the zone that must delegate it."""
    candidates = [zone for zone in zones if is_subdomain(name, zone.name)]
    return max(candidates, key=lambda zone: len(zone.name), default=None)


def authoritative_zone(name: str, zones: Iterable[KnownZone]) -> KnownZone | None:
    """The longest known zone containing ``name`` (itself included): where its records go."""
    candidates = [zone for zone in zones if is_within(name, zone.name)]
    return max(candidates, key=lambda zone: len(zone.name), default=None)


def children_to_adopt(zone_name: str, registry: Iterable[ManagedZone]) -> list[ManagedZone]:
    """Registered zones below ``zone_name`` that are delegated from a zone above it.

    They were set up before ``zone_name`` existed (``staging.demo.example.org`` delegated from
    ``example.org``); once ``zone_name`` is delegated, resolution goes through it, so their NS
    records must move into it. Zones whose parent is already at or below ``zone_name`` stay.
    """
    return sorted(
        (
            item
            for item in registry
            if is_subdomain(item.zone_name, zone_name)
            and item.parent_zone_name is not None
            and not is_within(item.parent_zone_name, zone_name)
        ),
        key=lambda item: item.zone_name,
    )
