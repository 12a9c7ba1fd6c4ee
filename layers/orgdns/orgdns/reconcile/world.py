"""What a reconcile saw, in the shape its decisions read it (pure: no AWS here): the accounts and
zones surveyed, the registry, which records orgdns wrote, and the helpers every finding uses."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from orgdns.aws.organizations import CLOSED_STATES
from orgdns.errors import RequestRejected
from orgdns.models import ManagedZone, RecordSpec
from orgdns.names import normalise_domain_name
from orgdns.reconcile.models import FindingType, ObservedAccount, ObservedZone, ReconcileAction
from orgdns.records import key, same_content
from orgdns.request import TAG_NAMES, Wanted, naming_rule_name, parse_manual_input, tag_options, wanted_from
from orgdns.settings import Settings
from orgdns.zones import KnownZone

Severity = Literal["high", "medium", "low"]
Op = Literal["add", "change", "delete", "adopt"]


@dataclass(frozen=True)
class Naming:
    """How an account's tags name its subdomain and what its run puts in service (the subdomain
    workflow's rules: orgdns.request)."""

    tag_prefix: str
    naming_rule: str
    default_regions: tuple[str, ...] = ("us-east-1",)
    ns_ttl: int = 60

    def wanted(self, account: ObservedAccount) -> str | None:
        """The zone the account's tags (or the naming rule) ask for; None when none, or when the
        tag cannot be read as a name (its runs are Rejected; reconcile does not guess)."""
        raw = account.tags.get(self.tag_prefix + TAG_NAMES["zoneName"])
        if raw is None:
            raw = naming_rule_name(self.naming_rule, account.account_id, account.name)
        if raw is None:
            return None
        try:
            return normalise_domain_name(raw)
        except RequestRejected:
            return None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Naming":
        return cls(settings.tag_prefix, settings.naming_rule, settings.default_certificate_regions, settings.ns_ttl)

    def wanted_for(self, account: ObservedAccount, zone_name: str) -> Wanted | None:
        """What the account's tags ask its zone's run to put in service (certificate names, Regions,
        custom domain); None when the tags cannot be read (their run is Rejected, naming the tag)."""
        try:
            tagged = tag_options(account.tags, self.tag_prefix)
            sources = {key: f"{self.tag_prefix}{TAG_NAMES[key]}" for key in tagged}
            options = parse_manual_input({**tagged, "accountId": account.account_id}, sources)
            return wanted_from(zone_name, options, sources, self.default_regions, self.ns_ttl)
        except RequestRejected:
            return None

    def wants(self, account: ObservedAccount, zone_name: str) -> str | None:
        """``wanted_for`` as the registry records it (``certificateWants``)."""
        wanted = self.wanted_for(account, zone_name)
        return wanted.certificate_wants if wanted is not None else None


def is_route53_name_server(server: str) -> bool:
    return ".awsdns-" in server.lower()


@dataclass
class World:
    accounts: list[ObservedAccount]
    registry: list[ManagedZone]
    roots: list[KnownZone]

    def __post_init__(self) -> None:
        self.zones = [zone for account in self.accounts for zone in account.zones]
        self.by_name: dict[str, list[ObservedZone]] = defaultdict(list)
        for zone in self.zones:
            self.by_name[zone.zone_name].append(zone)
        self.by_id = {(z.account_id, z.hosted_zone_id): z for z in self.zones}
        self.surveyed = {a.account_id for a in self.accounts if a.error is None and a.state == "ACTIVE"}
        self.unreachable = {a.account_id for a in self.accounts if a.error is not None}
        # Accounts that are closing or closed (or no longer in the organization at all): their zones
        # go with them, and a teardown works from the parents' side.
        listed = {a.account_id for a in self.accounts}
        self.gone = {a.account_id for a in self.accounts if a.state in CLOSED_STATES} | {
            item.account_id for item in self.registry if item.account_id not in listed
        }
        self.managed = {item.zone_name: item for item in self.registry}
        # Which registry item holds each record orgdns wrote (or adopted), by (zone id, name, type).
        self.owner_of: dict[tuple[str, str, str], ManagedZone] = {}
        for item in self.registry:
            for record in [*item.records, *item.superseded]:
                self.owner_of.setdefault(key(record), item)
        # The record sets of every zone read, by (account, zone id), then (name, type).
        self.read: dict[tuple[str, str], dict[tuple[str, str], RecordSpec]] = {
            (z.account_id, z.hosted_zone_id): {(r.name.lower(), r.type): r for r in z.records or []}
            for z in self.zones
            if z.records is not None
        }
        self.runs: set[str] = set()  # accounts whose subdomain run an action starts

    def observed(self, record: RecordSpec, item: ManagedZone) -> tuple[bool, RecordSpec | None]:
        """(whether the zone ``record`` belongs in was read, the record set there at its name and type)."""
        zone = self.read.get((record.account_id or item.account_id, record.hosted_zone_id or item.hosted_zone_id))
        if zone is None:
            return False, None
        return True, zone.get((record.name.lower(), record.type))

    def account(self, account_id: str) -> ObservedAccount | None:
        """The account as surveyed, if it was read."""
        found = next((a for a in self.accounts if a.account_id == account_id), None)
        return found if found is not None and found.error is None and found.state == "ACTIVE" else None

    def owned(self, record: RecordSpec) -> ManagedZone | None:
        """The registry item whose records hold exactly ``record`` as it is now (else None)."""
        item = self.owner_of.get(key(record))
        if item is None:
            return None
        ours = [r for r in [*item.records, *item.superseded] if key(r) == key(record)]
        return item if any(same_content(r, record) for r in ours) else None

    def parents(self) -> list[ObservedZone]:
        """Root and managed zones whose record sets were read."""
        return [z for z in self.zones if z.records is not None]


def plan_run(world: World, item: ManagedZone, finding: FindingType, actions: list[ReconcileAction]) -> None:
    """Start the account's subdomain run (once per reconcile, whatever the number of findings it settles)."""
    if item.account_id in world.runs:
        return
    world.runs.add(item.account_id)
    actions.append(
        ReconcileAction(
            op="change",
            kind="run",
            finding=finding,
            account_id=item.account_id,
            zone_name=item.zone_name,
            in_audit=True,
            detail=f"start the subdomain workflow for account {item.account_id}",
        )
    )


def tag_driven(item: ManagedZone) -> bool:
    """The zone is the one its account's tags ask for: the account's run sets it up again."""
    return not item.self_service and item.named_by != "input"


def record_action(
    op: Op, finding: FindingType, record: RecordSpec, owner: ManagedZone, detail: str, *, in_audit: bool = False
) -> ReconcileAction:
    """A change to one record orgdns wrote for ``owner`` (the record carries where it lives)."""
    return ReconcileAction(
        op=op,
        kind="record",
        finding=finding,
        account_id=record.account_id,
        zone_name=record.zone_name or owner.zone_name,
        hosted_zone_id=record.hosted_zone_id,
        record=record,
        owner=owner.zone_name,
        in_audit=in_audit,
        detail=detail,
    )


def located(record: RecordSpec, item: ManagedZone | None = None) -> dict[str, str | None]:
    """Where a registry record lives (older records may leave the zone of their own item out)."""
    return {
        "account_id": record.account_id or (item.account_id if item else None),
        "hosted_zone_id": record.hosted_zone_id or (item.hosted_zone_id if item else None),
        "zone_name": record.zone_name or (item.zone_name if item else None),
    }


def record_text(action: str, record: RecordSpec) -> str:
    ttl = f" TTL {record.ttl}" if record.ttl is not None and not record.alias_target else ""
    values = f"ALIAS {record.alias_target}" if record.alias_target else " ".join(sorted(record.values))
    where = f" in {record.zone_name} ({record.hosted_zone_id}, account {record.account_id})"
    return f"{action} {record.name} {record.type}{ttl} {values}{where}"
