"""Who may claim which name (pure decisions).

An account may claim a name strictly below a zone it owns. A zone's owner may grant other
accounts names below it: configuration lists grants as ``pattern=account``, where the pattern
is a name (that name only) or ``*.name`` (any name strictly below it). The management account
owns the roots and grants there the same way. Account creation is exempt: the organization's
administrators set the account's tags, so that request is theirs.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from orgdns.models import ManagedZone, Outcome
from orgdns.names import is_subdomain, normalise_domain_name, split_list


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


def may_claim(name: str, account_id: str, parent_owner: str, grants: Iterable[Grant]) -> bool:
    """May ``account_id`` have ``name`` delegated from a parent zone owned by ``parent_owner``?"""
    return parent_owner == account_id or any(g.account_id == account_id and g.covers(name) for g in grants)


def outstanding_requests(registry: Iterable[ManagedZone], account_id: str) -> int:
    """Self-service zones of this account that have not reached Succeeded yet."""
    return sum(
        1
        for zone in registry
        if zone.account_id == account_id and zone.self_service and zone.last_outcome != Outcome.SUCCEEDED
    )
