"""Who may claim which name (pure decisions).

Delegations: an account may claim a name strictly below a zone it owns. A zone's owner may grant
other accounts names below it: configuration lists grants as ``pattern=account``, where the
pattern is a name (that name only) or ``*.name`` (any name strictly below it). The management
account owns the roots and grants there the same way. Account creation is exempt for the zone
name: the organization's administrators set the account's tags, so that request is theirs.

Certificates: a certificate is a claim on every name it holds, whatever started the run. Each
name belongs to the managed zone that answers for it (the longest root or registered zone that
contains it); a name is allowed when that zone is the requesting account's own, or a grant
covers the name; a name under no managed zone is outside orgdns's DNS (a human adds its
validation record). A wildcard ``*.name`` is a claim on ``name``: ACM validates both with the
same record, at ``name``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from orgdns.errors import CertificateNameNotAllowed
from orgdns.models import ManagedZone, Outcome
from orgdns.names import is_subdomain, normalise_domain_name, split_list
from orgdns.zones import KnownZone, authoritative_zone


@dataclass(frozen=True)
class Grant:
    pattern: str
    account_id: str

    def covers(self, name: str) -> bool:
        if self.pattern.startswith("*."):
            return is_subdomain(name, self.pattern[2:])
        return name == self.pattern


def parse_grants(value: str) -> tuple[Grant, ...]:
    """``*.staging.demo.example.org=444455556666 qa.example.org=555566667777``"""
    grants = []
    for item in split_list(value):
        pattern, _, account_id = item.partition("=")
        if not account_id.isdigit() or len(account_id) != 12:
            raise ValueError(f"grant {item!r} must be pattern=<12-digit account id>")
        wildcard = pattern.startswith("*.")
        name = normalise_domain_name(pattern[2:] if wildcard else pattern, "ORGDNS_GRANTS")
        grants.append(Grant(f"*.{name}" if wildcard else name, account_id))
    return tuple(grants)


def granted(name: str, account_id: str, grants: Iterable[Grant]) -> bool:
    """Does a grant of ``account_id`` cover ``name``?"""
    return any(g.account_id == account_id and g.covers(name) for g in grants)


def may_claim(name: str, account_id: str, parent_owner: str, grants: Iterable[Grant]) -> bool:
    """May ``account_id`` have ``name`` delegated from a parent zone owned by ``parent_owner``?"""
    return parent_owner == account_id or granted(name, account_id, grants)


def outstanding_requests(registry: Iterable[ManagedZone], account_id: str) -> int:
    """Self-service zones of this account that have not reached Succeeded yet."""
    return sum(
        1
        for zone in registry
        if zone.account_id == account_id and zone.self_service and zone.last_outcome != Outcome.SUCCEEDED
    )


@dataclass(frozen=True)
class CertificateName:
    """One name of a certificate, and the managed zone that answers for it (None: outside)."""

    name: str
    zone: KnownZone | None
    allowed: bool

    def owner(self) -> str:
        """Who holds the name, for messages: the zone and its account."""
        if self.zone is None:
            return "no zone orgdns manages"
        kind = "root zone" if self.zone.root else "zone"
        return f"{kind} {self.zone.name} of account {self.zone.account_id}"


def classify_certificate_names(
    names: Iterable[str], account_id: str, zones: Iterable[KnownZone], grants: Iterable[Grant]
) -> list[CertificateName]:
    """Where each certificate name belongs, and whether ``account_id`` may have it certified.

    ``zones`` are the roots and the registered zones, with the run's own zone among them (it may
    not be registered yet). A name is allowed when the zone that answers for it is the account's
    own or a grant of the account covers it; a name under no managed zone is allowed here (the
    run asks a human for its validation record: ActionRequired).
    """
    known, grants = list(zones), list(grants)
    out = []
    for name in names:
        base = name.removeprefix("*.")
        zone = authoritative_zone(base, known)
        allowed = zone is None or zone.account_id == account_id or granted(base, account_id, grants)
        out.append(CertificateName(name, zone, allowed))
    return out


def refused_names_message(refused: Iterable[CertificateName], account_id: str) -> str:
    """``CertificateNameNotAllowed``: each refused name, who holds it, and the grant that would help."""
    refused = list(refused)
    parts = [f"{item.name} (in {item.owner()})" for item in refused]
    example = refused[0].name.removeprefix("*.")
    return (
        f"account {account_id} may not have {', '.join(parts)} certified: a certificate name must be in a zone "
        f"the account owns, or be covered by a Grants entry (e.g. {example}={account_id}); nothing was requested"
    )


def check_certificate_names(
    names: Iterable[str], account_id: str, zones: Iterable[KnownZone], grants: Iterable[Grant]
) -> None:
    """The same rule again, later in the run, against the registry as it is now: a zone
    registered meanwhile may answer for a name that was the account's or a root's when the run
    began. Raises CertificateNameNotAllowed before anything is requested or written for it."""
    refused = [claim for claim in classify_certificate_names(names, account_id, zones, grants) if not claim.allowed]
    if refused:
        raise CertificateNameNotAllowed(refused_names_message(refused, account_id))
