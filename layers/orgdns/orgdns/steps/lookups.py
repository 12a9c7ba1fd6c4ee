"""Registry reads the steps share, each by key or through an index: what a step reads does not
grow with the number of zones in the organization."""

from collections.abc import Iterable
from dataclasses import dataclass

from orgdns.aws.access import AwsAccess
from orgdns.models import ManagedZone
from orgdns.names import ancestors, is_subdomain, with_ancestors
from orgdns.zones import KnownZone, known_zones


@dataclass(frozen=True)
class Surroundings:
    """The managed zones at and above some names, and the roots: enough to find each name's parent
    and the zone that answers for it."""

    managed: dict[str, ManagedZone]  # registered zones among the names and their ancestors
    roots: list[KnownZone]

    @property
    def zones(self) -> list[KnownZone]:
        return known_zones(self.roots, self.managed.values())


def surroundings(aws: AwsAccess, names: Iterable[str]) -> Surroundings:
    """One BatchGetItem of the names and all their ancestors (a wildcard counts as its base name)."""
    return Surroundings(aws.registry().get_many(with_ancestors(names)), aws.root_zones())


def zones_delegated_from_above(aws: AwsAccess, zone_name: str) -> list[ManagedZone]:
    """Registered zones below ``zone_name`` that hang from a zone above it: they were set up before
    ``zone_name`` existed and must move under it (one index query per ancestor of ``zone_name``)."""
    registry = aws.registry()
    found = {}
    for parent in ancestors(zone_name):
        for child in registry.children(parent, below=zone_name):
            if is_subdomain(child.zone_name, zone_name):
                found[child.zone_name] = child
    return [found[name] for name in sorted(found)]
