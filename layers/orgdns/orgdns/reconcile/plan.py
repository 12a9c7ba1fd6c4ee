"""What a reconcile finds and what it would change (pure: no AWS here).

Inputs: what the survey observed (every ACTIVE account's tags and public hosted zones below the
roots, with their name servers, and the record sets of every root and managed zone), the registry
(what orgdns owns), the configured roots. Output: findings and the actions that settle them.

The rules, in external-dns's words: explicit ownership. A record orgdns neither wrote nor adopted
is never changed or deleted (a finding names the exact change for a human); a record orgdns wrote
is changed or deleted only as exactly as it wrote it (the record writer checks again at write
time, so a record edited between plan and apply is left alone). Route 53 never gives two public
zones of one name (or of a parent and a child name) a common name server, so an NS delegation
matches at most one hosted zone: none in the organization means it dangles.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from orgdns.aws.organizations import CLOSED_STATES
from orgdns.certificates import validation_record_domain
from orgdns.errors import RequestRejected
from orgdns.models import ManagedZone, RecordSpec
from orgdns.names import is_subdomain, normalise_domain_name
from orgdns.reconcile.models import (
    Finding,
    FindingType,
    ObservedAccount,
    ObservedCertificate,
    ObservedDomain,
    ObservedZone,
    ReconcileAction,
    ReconcileCounts,
)
from orgdns.records import key, same_content
from orgdns.request import TAG_NAMES, naming_rule_name, parse_manual_input, tag_options, wanted_from
from orgdns.zones import KnownZone, find_parent


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

    def wants(self, account: ObservedAccount, zone_name: str) -> str | None:
        """What the account's tags ask its zone's run to put in service (certificate names, Regions,
        custom domain), as the registry records it (``certificateWants``); None when the tags
        cannot be read (their run is Rejected, naming the tag)."""
        try:
            tagged = tag_options(account.tags, self.tag_prefix)
            sources = {key: f"{self.tag_prefix}{TAG_NAMES[key]}" for key in tagged}
            options = parse_manual_input({**tagged, "accountId": account.account_id}, sources)
            return wanted_from(zone_name, options, sources, self.default_regions, self.ns_ttl).certificate_wants
        except RequestRejected:
            return None


Severity = Literal["high", "medium", "low"]
Op = Literal["add", "change", "delete", "adopt"]
RENEWAL_WINDOW_DAYS = 45  # ACM renews a DNS-validated certificate from about 45 days before it expires
ENDED_STATUSES = {"EXPIRED", "REVOKED", "FAILED", "VALIDATION_TIMED_OUT", "INACTIVE"}
RENEWING = {"PENDING_AUTO_RENEWAL", "SUCCESS"}


def is_route53_name_server(server: str) -> bool:
    return ".awsdns-" in server.lower()


@dataclass
class _World:
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


def plan_reconcile(
    accounts: list[ObservedAccount],
    registry: list[ManagedZone],
    roots: list[KnownZone],
    naming: Naming,
    now: float = 0.0,
) -> tuple[list[Finding], list[ReconcileAction]]:
    world = _World(accounts, [z for z in registry if z.torn_down_by is None], roots)
    findings: list[Finding] = []
    actions: list[ReconcileAction] = []
    orphans = _registry_orphans(world, findings, actions)
    adopted = _delegations(world, naming, orphans, findings, actions)
    _missing_delegations(world, orphans, findings, actions)
    _backfill(world, naming, adopted, findings, actions)
    _tag_drift(world, naming, orphans, findings, actions)
    _certificates_at_risk(world, now, orphans, findings, actions)
    _orphaned_validation_records(world, orphans, findings, actions)
    _alias_drift(world, orphans, findings, actions)
    for account in accounts:
        if account.error is not None:
            findings.append(
                Finding(
                    type="AccountUnreachable",
                    severity="medium",
                    account_id=account.account_id,
                    evidence=account.error,
                    remedy=f"let orgdns's role into account {account.account_id} (the member baseline), "
                    "then reconcile again",
                )
            )
    return findings, actions


def _registry_orphans(world: _World, findings: list[Finding], actions: list[ReconcileAction]) -> set[str]:
    """Registry items whose hosted zone is gone from a surveyed account (its delete event was lost),
    or whose account is closing, closed or out of the organization (its closure event was lost)."""
    orphans: set[str] = set()
    torn_accounts: set[str] = set()
    for item in world.registry:
        account_gone = item.account_id in world.gone
        if not account_gone and (
            item.account_id not in world.surveyed or (item.account_id, item.hosted_zone_id) in world.by_id
        ):
            continue
        orphans.add(item.zone_name)
        delegation = [r for r in item.records if r.purpose == "Delegation"]
        parent = f" from {item.parent_zone_name}" if item.parent_zone_name else ""
        why = (
            f"account {item.account_id} is closing, closed or no longer in the organization"
            if account_gone
            else f"account {item.account_id} no longer has hosted zone {item.hosted_zone_id}"
        )
        findings.append(
            Finding(
                type="RegistryOrphan",
                severity="high",
                account_id=item.account_id,
                zone_name=item.zone_name,
                evidence=f"the registry manages {item.zone_name} as hosted zone {item.hosted_zone_id}, but {why}",
                remedy=f"tear {item.zone_name} down: remove what orgdns wrote for it ({len(item.records)} record(s), "
                f"{'its delegation' + parent if delegation else 'no delegation'}) and forget it",
                fixed_by_apply=True,
                fixed_by_audit=True,
            )
        )
        if account_gone and item.account_id in torn_accounts:
            continue  # one teardown takes every zone of a closed account
        torn_accounts.add(item.account_id)
        actions.append(
            ReconcileAction(
                op="delete",
                kind="teardown",
                finding="RegistryOrphan",
                account_id=item.account_id,
                zone_name=item.zone_name,
                hosted_zone_id=None if account_gone else item.hosted_zone_id,
                in_audit=True,
                detail=f"tear down every zone of account {item.account_id} (closed)"
                if account_gone
                else f"tear down {item.zone_name} (hosted zone {item.hosted_zone_id} is gone)",
            )
        )
    return orphans


def _delegations(
    world: _World, naming: Naming, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> set[str]:
    """Every NS record below the apex of a root or managed zone, checked against the zones it names.
    Returns the accounts whose zone is adopted."""
    adopted: set[str] = set()
    wanted = {a.account_id: naming.wanted(a) for a in world.accounts if not a.management and a.error is None}
    known = [*world.roots, *(KnownZone(z.zone_name, z.account_id, z.hosted_zone_id) for z in world.registry)]
    for parent in world.parents():
        for found in parent.records or []:
            if found.type != "NS" or found.name == parent.zone_name:
                continue
            record = found.model_copy(
                update={
                    "zone_name": parent.zone_name,
                    "hosted_zone_id": parent.hosted_zone_id,
                    "account_id": parent.account_id,
                }
            )
            owner = world.owned(record)
            item = world.managed.get(record.name)
            servers = set(record.values)
            matches = [z for z in world.by_name.get(record.name, []) if servers & set(z.name_servers)]
            if not matches:
                _dangling(world, parent, record, owner, orphans, findings, actions)
                continue
            registered = _registered_zone(world, item, orphans)
            if registered is not None and any(m is not registered for m in matches):
                _hijacked(parent, record, matches, registered, findings)
                continue
            child = matches[0]
            if len(matches) > 1 or servers != set(child.name_servers):
                # Rewritten only towards the zone the registry holds for the name, as the survey saw it.
                target = registered if len(matches) == 1 else None
                _mismatch(parent, record, matches, target, owner, findings, actions)
                continue
            if owner is not None or (item is not None and item.hosted_zone_id == child.hosted_zone_id):
                continue  # orgdns's own delegation, as it should be
            if item is None and wanted.get(child.account_id) == record.name:
                expected = find_parent(record.name, known)
                if expected is not None and expected.name == parent.zone_name:
                    adopted.add(child.account_id)
                    _adoptable(parent, record, child, findings, actions)
    return adopted


def _registered_zone(world: _World, item: ManagedZone | None, orphans: set[str]) -> ObservedZone | None:
    """The hosted zone the registry holds for a name, as the survey saw it (None: no registry item,
    an orphan, or its account not read)."""
    if item is None or item.zone_name in orphans:
        return None
    return world.by_id.get((item.account_id, item.hosted_zone_id))


def _dangling(  # noqa: PLR0917  (the record, where it is, who owns it, and where findings go)
    world: _World,
    parent: ObservedZone,
    record: RecordSpec,
    owner: ManagedZone | None,
    orphans: set[str],
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    servers = set(record.values)
    if not any(is_route53_name_server(s) for s in servers):
        return  # delegated outside Route 53: not something the AWS APIs can check
    certain = True
    registered = _registered_zone(world, owner, orphans)
    if owner is not None and registered is not None and owner.zone_name == record.name:
        # orgdns's delegation of a zone that is there, naming none of its name servers: rewritten.
        _mismatch(parent, record, [registered], registered, owner, findings, actions)
        return
    if owner is not None and owner.zone_name in orphans:
        detail = f"its zone's teardown removes it ({owner.zone_name} is a registry orphan)"
    elif owner is not None and owner.account_id not in world.surveyed:
        detail = f"orgdns wrote it for account {owner.account_id}, which could not be read: not certain"
        certain = False
    elif world.unreachable:
        detail = f"{len(world.unreachable)} account(s) could not be read, so this is not certain"
        certain = False
    else:
        detail = ""
    deletable = owner is not None and certain  # never on half a picture
    by_teardown = deletable and owner is not None and owner.zone_name in orphans
    findings.append(
        Finding(
            type="DanglingDelegation",
            severity="high",
            account_id=parent.account_id,
            zone_name=parent.zone_name,
            record_name=record.name,
            evidence=f"NS {record.name} in {parent.zone_name} names {', '.join(sorted(servers))}: no "
            f"public hosted zone {record.name} in the organization has these name servers; whoever "
            "creates one on them can take the name over" + (f"; {detail}" if detail else ""),
            remedy=_record_text("DELETE", record),
            fixed_by_apply=deletable,
            fixed_by_audit=by_teardown,
        )
    )
    if deletable and not by_teardown and owner is not None:
        actions.append(
            ReconcileAction(
                op="delete",
                kind="record",
                finding="DanglingDelegation",
                account_id=parent.account_id,
                zone_name=parent.zone_name,
                hosted_zone_id=parent.hosted_zone_id,
                record=record,
                owner=owner.zone_name,
                detail=f"NS {record.name}: dangling, written by orgdns",
            )
        )


def _hijacked(
    parent: ObservedZone,
    record: RecordSpec,
    matches: list[ObservedZone],
    registered: ObservedZone,
    findings: list[Finding],
) -> None:
    """The name is orgdns's for one zone, and its delegation names (some of) another zone's name
    servers: a human decides; orgdns never writes towards a zone the registry does not hold."""
    others = ", ".join(
        f"hosted zone {z.hosted_zone_id} of account {z.account_id}" for z in matches if z is not registered
    )
    exact = record.model_copy(update={"values": sorted(registered.name_servers)})
    findings.append(
        Finding(
            type="DelegationMismatch",
            severity="high",
            account_id=parent.account_id,
            zone_name=parent.zone_name,
            record_name=record.name,
            evidence=f"NS {record.name} in {parent.zone_name} names {others}, but orgdns manages {record.name} "
            f"as hosted zone {registered.hosted_zone_id} of account {registered.account_id}",
            remedy=_record_text("UPSERT", exact),
        )
    )


def _mismatch(  # noqa: PLR0917  (the delegation, the zones it names, and where findings go)
    parent: ObservedZone,
    record: RecordSpec,
    matches: list[ObservedZone],
    target: ObservedZone | None,
    owner: ManagedZone | None,
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    """Some of a zone's name servers, or others besides. Only a record orgdns wrote, delegating a
    name the registry holds for exactly that zone, is rewritten; anything else is for a human."""
    servers = set(record.values)
    if len(matches) > 1:
        names = ", ".join(f"hosted zone {z.hosted_zone_id} of account {z.account_id}" for z in matches)
        findings.append(
            Finding(
                type="DelegationMismatch",
                severity="high",
                account_id=parent.account_id,
                zone_name=parent.zone_name,
                record_name=record.name,
                evidence=f"NS {record.name} in {parent.zone_name} names servers of several zones: {names}",
                remedy=f"{_record_text('DELETE', record)}, then delegate the name to the one zone meant",
            )
        )
        return
    child = matches[0]
    wanted = set(child.name_servers)
    missing, extra = sorted(wanted - servers), sorted(servers - wanted)
    parts = []
    if missing:
        parts.append(f"lacks {', '.join(missing)}")
    if extra:
        parts.append(f"also names {', '.join(extra)}, which are not the zone's")
    exact = record.model_copy(update={"values": sorted(wanted)})
    fixable = owner is not None and target is child
    findings.append(
        Finding(
            type="DelegationMismatch",
            severity="high" if extra else "medium",
            account_id=parent.account_id,
            zone_name=parent.zone_name,
            record_name=record.name,
            evidence=f"NS {record.name} in {parent.zone_name} {' and '.join(parts)} (hosted zone "
            f"{child.hosted_zone_id} of account {child.account_id} has {', '.join(sorted(wanted))})",
            remedy=_record_text("UPSERT", exact),
            fixed_by_apply=fixable,
        )
    )
    if fixable and owner is not None:
        actions.append(
            ReconcileAction(
                op="change",
                kind="record",
                finding="DelegationMismatch",
                account_id=parent.account_id,
                zone_name=parent.zone_name,
                hosted_zone_id=parent.hosted_zone_id,
                record=exact,
                observed=record,
                owner=owner.zone_name,
                detail=f"NS {record.name}: the name servers of hosted zone {child.hosted_zone_id}",
            )
        )


def _adoptable(
    parent: ObservedZone,
    record: RecordSpec,
    child: ObservedZone,
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    delegation = record.model_copy(update={"purpose": "Delegation", "values": sorted(record.values)})
    findings.append(
        Finding(
            type="Adoptable",
            severity="low",
            account_id=child.account_id,
            zone_name=record.name,
            record_name=record.name,
            evidence=f"hosted zone {child.hosted_zone_id} ({record.name}) of account {child.account_id}, delegated "
            f"by hand from {parent.zone_name} with exactly its name servers, is the zone the account's tags ask for",
            remedy=f"adopt it: the registry records {record.name} and its delegation as orgdns's (no DNS change); "
            "orgdns then manages it like its own, teardown included",
            fixed_by_apply=True,
            fixed_by_audit=True,
        )
    )
    actions.append(
        ReconcileAction(
            op="adopt",
            kind="registry",
            finding="Adoptable",
            account_id=child.account_id,
            zone_name=record.name,
            hosted_zone_id=child.hosted_zone_id,
            adopted_records=[delegation],
            name_servers=sorted(child.name_servers),
            parent=parent.zone_name,
            in_audit=True,
            detail=f"{record.name}: hosted zone {child.hosted_zone_id} and NS {record.name} in {parent.zone_name}",
        )
    )


def _missing_delegations(
    world: _World, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Delegations the registry says orgdns wrote that their parent zone no longer holds. Written
    again only towards the zone the registry holds, seen by the survey with its name servers: never
    towards a zone nobody saw (that would be a dangling delegation orgdns made itself)."""
    parents = {(z.account_id, z.hosted_zone_id): z for z in world.parents()}
    for item in world.registry:
        if item.zone_name in orphans:
            continue
        child = world.by_id.get((item.account_id, item.hosted_zone_id))
        for record in item.records:
            # An NS record at the zone's own name, in another zone, is its delegation (items written
            # before records carried a purpose included).
            delegation = record.purpose == "Delegation" or (record.purpose is None and record.name == item.zone_name)
            if not delegation or record.type != "NS" or record.hosted_zone_id == item.hosted_zone_id:
                continue
            parent = parents.get((record.account_id or "", record.hosted_zone_id or ""))
            if parent is None:
                continue  # the parent was not read (its account unreachable): nothing is decided
            there = [r for r in parent.records or [] if r.name == record.name and r.type == "NS"]
            if there:
                continue  # present: checked as a delegation above
            seen = child is not None and bool(child.name_servers) and record.name == item.zone_name
            wanted = record.model_copy(
                update={"values": sorted(child.name_servers) if seen and child else sorted(record.values),
                        "purpose": "Delegation"}
            )  # fmt: skip
            findings.append(
                Finding(
                    type="MissingDelegation",
                    severity="high",
                    account_id=item.account_id,
                    zone_name=item.zone_name,
                    record_name=record.name,
                    evidence=f"the registry says orgdns delegated {record.name} from {parent.zone_name}, which has "
                    f"no NS record at {record.name}: the name does not resolve"
                    + ("" if seen else f" (and hosted zone {item.hosted_zone_id} was not seen: not written again)"),
                    remedy=_record_text("CREATE", wanted),
                    fixed_by_apply=seen,
                    fixed_by_audit=seen,
                )
            )
            if not seen:
                continue
            actions.append(
                ReconcileAction(
                    op="add",
                    kind="record",
                    finding="MissingDelegation",
                    account_id=parent.account_id,
                    zone_name=parent.zone_name,
                    hosted_zone_id=parent.hosted_zone_id,
                    record=wanted,
                    owner=item.zone_name,
                    in_audit=True,
                    detail=f"NS {record.name}: written again",
                )
            )


def _backfill(
    world: _World, naming: Naming, adopted: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """ACTIVE accounts whose tags ask for a subdomain that nothing manages: start their run."""
    for account in world.accounts:
        if account.management or account.error is not None or account.state != "ACTIVE":
            continue
        wanted = naming.wanted(account)
        if wanted is None or account.account_id in adopted:
            continue
        item = world.managed.get(wanted)
        if item is not None:
            continue  # managed (for this account or, if another's, its run is Rejected: not a backfill)
        if not any(is_subdomain(wanted, root.name) for root in world.roots) and not any(
            is_subdomain(wanted, z.zone_name) for z in world.registry
        ):
            continue  # below no zone orgdns manages: its run would be Rejected (ParentZoneNotManaged)
        taken = _taken_in_parent(world, wanted)
        if taken:
            # Its run would end Rejected / NameInUse every day: a human first.
            findings.append(
                Finding(
                    type="Backfill",
                    severity="medium",
                    account_id=account.account_id,
                    zone_name=wanted,
                    evidence=f"account {account.account_id} ({account.name}) asks for {wanted}, but its parent "
                    f"zone already holds {', '.join(sorted({r.type for r in taken}))} records there that orgdns did "
                    "not write (and that are not an exact delegation of the account's own zone): its run would "
                    "end Rejected / NameInUse",
                    remedy=f"remove or correct the records at {wanted} in its parent (see the findings about them), "
                    "then reconcile again",
                )
            )
            continue
        findings.append(
            Finding(
                type="Backfill",
                severity="medium",
                account_id=account.account_id,
                zone_name=wanted,
                evidence=f"account {account.account_id} ({account.name}) asks for {wanted}, which orgdns does not "
                "manage (the account predates orgdns, or its event was lost)",
                remedy=f'start the subdomain workflow with {{"accountId": "{account.account_id}"}}',
                fixed_by_apply=True,
                fixed_by_audit=True,
            )
        )
        world.runs.add(account.account_id)
        actions.append(
            ReconcileAction(
                op="add",
                kind="run",
                finding="Backfill",
                account_id=account.account_id,
                zone_name=wanted,
                in_audit=True,
                detail=f"start the subdomain workflow for account {account.account_id}",
            )
        )


def _taken_in_parent(world: _World, name: str) -> list[RecordSpec]:
    """Records at ``name`` that orgdns did not write, in the nearest root or managed zone above it
    that the survey read (the zone its run would delegate it from)."""
    above = [z for z in world.parents() if is_subdomain(name, z.zone_name)]
    if not above:
        return []
    parent = max(above, key=lambda z: z.zone_name.count("."))
    here = [
        r.model_copy(update={"zone_name": parent.zone_name, "hosted_zone_id": parent.hosted_zone_id})
        for r in parent.records or []
        if r.name == name
    ]
    return [r for r in here if world.owned(r) is None]


def _tag_drift(
    world: _World, naming: Naming, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Zones set up from an account's tags whose tags have changed since their last run (the tag
    event was lost): certificate names, Regions or custom domain differ from what the run put in
    service. The account's run settles it. A subdomain tag that now names another zone is for a
    human: the run would set the new name up, but only a teardown retires the old one."""
    accounts = {a.account_id: a for a in world.accounts if a.error is None and not a.management}
    for item in world.registry:
        account = accounts.get(item.account_id)
        if account is None or item.zone_name in orphans or item.self_service or item.named_by == "input":
            continue
        wanted_zone = naming.wanted(account)
        if wanted_zone is not None and wanted_zone != item.zone_name:
            findings.append(
                Finding(
                    type="TagDrift",
                    severity="medium",
                    account_id=item.account_id,
                    zone_name=item.zone_name,
                    evidence=f"account {item.account_id}'s tags now ask for {wanted_zone}, not {item.zone_name} "
                    "(the tag change's event was lost)",
                    remedy=f"tear {item.zone_name} down (the teardown reads the account's tags again); the account's "
                    f"subdomain run sets {wanted_zone} up (a backfill, in audit too)",
                    fixed_by_apply=True,
                )
            )
            actions.append(
                ReconcileAction(
                    op="delete",
                    kind="teardown",
                    finding="TagDrift",
                    account_id=item.account_id,
                    zone_name=item.zone_name,
                    hosted_zone_id=item.hosted_zone_id,
                    detail=f"tear down {item.zone_name}: account {item.account_id}'s tags now ask for {wanted_zone}",
                )
            )
            continue  # the new name, while nothing manages it, is a backfill: its run sets it up
        if wanted_zone is None or item.certificate_wants is None:
            continue
        wants = naming.wants(account, item.zone_name)
        if wants is None or wants == item.certificate_wants:
            continue
        findings.append(
            Finding(
                type="TagDrift",
                severity="low",
                account_id=item.account_id,
                zone_name=item.zone_name,
                evidence=f"account {item.account_id}'s tags ask {item.zone_name} for {_wants_text(wants)}; its "
                f"last run put {_wants_text(item.certificate_wants)} in service",
                remedy=f'start the subdomain workflow with {{"accountId": "{item.account_id}"}}',
                fixed_by_apply=True,
                fixed_by_audit=True,
            )
        )
        _plan_run(world, item, "TagDrift", actions)


def _plan_run(world: _World, item: ManagedZone, finding: FindingType, actions: list[ReconcileAction]) -> None:
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


def _tag_driven(item: ManagedZone) -> bool:
    """The zone is the one its account's tags ask for: the account's run sets it up again."""
    return not item.self_service and item.named_by != "input"


def _days(seconds: float) -> int:
    return int(seconds // 86400)


def _certificates_at_risk(
    world: _World, now: float, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Certificates orgdns put in service for a zone that will not stay valid: gone or ended, a
    renewal failed or waiting for validation, expiring within 45 days with no renewal under way, not
    in use (ACM renews only certificates in use), or a validation CNAME orgdns wrote gone missing
    (written again, in audit too: ACM renews only while every one resolves)."""
    written: set[tuple[str, str, str]] = set()
    for account in world.accounts:
        if world.account(account.account_id) is None:
            continue
        for cert in account.certificates:
            item = world.managed.get(cert.zone_name)
            if item is None or item.zone_name in orphans or item.account_id != account.account_id:
                continue
            _certificate(world, item, cert, now, written, findings, actions)


def _certificate(  # noqa: PLR0917  (the certificate, where it serves, the moment, and where findings go)
    world: _World,
    item: ManagedZone,
    cert: ObservedCertificate,
    now: float,
    written: set[tuple[str, str, str]],
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    where = f"certificate {cert.arn} ({cert.region}) of {item.zone_name}"
    rerun = _tag_driven(item)
    run_text = (
        f'start the subdomain workflow with {{"accountId": "{item.account_id}"}}: it requests a new certificate '
        "and switches what used this one"
        if rerun
        else f"run orgdns for {item.zone_name} again (the manual input or the zone's tag that set it up): it "
        "requests a new certificate"
    )
    if not cert.exists or cert.status in ENDED_STATUSES:
        state = "no longer exists in ACM" if not cert.exists else f"is {cert.status}"
        findings.append(
            Finding(
                type="CertificateAtRisk",
                severity="high",
                account_id=item.account_id,
                zone_name=item.zone_name,
                resource=cert.arn,
                evidence=f"{where}, recorded as the zone's certificate, {state}",
                remedy=run_text,
                fixed_by_apply=rerun,
                fixed_by_audit=rerun,
            )
        )
        if rerun:
            _plan_run(world, item, "CertificateAtRisk", actions)
        return
    if cert.status != "ISSUED":
        return  # PENDING_VALIDATION: its run is still validating it (or ends Failed and says so)
    days = _days(cert.not_after - now) if cert.not_after is not None else None
    reasons: list[str] = []
    severity: Severity = "low"
    if cert.renewal_status == "FAILED":
        reasons.append(f"ACM's renewal FAILED ({cert.renewal_reason or 'no reason given'})")
        severity = "high"
    elif cert.renewal_status == "PENDING_VALIDATION":
        reasons.append("ACM's renewal is waiting for validation (a validation CNAME does not resolve)")
        severity = "high" if days is not None and days <= RENEWAL_WINDOW_DAYS else "medium"
    elif days is not None and days <= RENEWAL_WINDOW_DAYS and cert.renewal_status not in RENEWING:
        reasons.append(f"it expires in {max(days, 0)} day(s) and no renewal is under way")
        severity = "high"
    # Not in use matters when ACM would renew it: within the window, or when it is the certificate
    # orgdns put in service for the zone's custom domain (an unused one may simply not be deployed yet).
    domain = item.custom_domain
    serves = domain is not None and domain.region == cert.region and domain.certificate_arn == cert.arn
    near = days is not None and days <= RENEWAL_WINDOW_DAYS
    idle = not cert.in_use and (near or serves)
    if idle:
        reasons.append(
            "no AWS service uses it, so ACM will not renew it"
            + (f" (it is the certificate of the custom domain {domain.domain_name})" if serves and domain else "")
        )
        if severity == "low":
            severity = "medium"
    missing, edited = _validation_records(world, item, cert)
    for record in missing:
        reasons.append(f"its validation CNAME {record.name} is missing from {record.zone_name}")
        if severity == "low":
            severity = "medium"
        if key(record) not in written:
            written.add(key(record))
            actions.append(
                ReconcileAction(
                    op="add",
                    kind="record",
                    finding="CertificateAtRisk",
                    account_id=record.account_id,
                    zone_name=record.zone_name or "",
                    hosted_zone_id=record.hosted_zone_id,
                    record=record,
                    owner=(world.owner_of.get(key(record)) or item).zone_name,
                    in_audit=True,
                    detail=f"CNAME {record.name}: {cert.arn}'s validation record, written again",
                )
            )
    for record in edited:
        reasons.append(f"its validation CNAME {record.name} in {record.zone_name} was changed by hand")
        if severity == "low":
            severity = "medium"
    if not reasons:
        return
    expires = f" (it expires in {days} day(s))" if days is not None and days >= 0 else ""
    # Writing the missing records again settles it when nothing else stands in renewal's way.
    settled = bool(missing) and not edited and not idle and cert.renewal_status != "FAILED"
    remedies = []
    if missing:
        remedies.append(
            "write the missing validation record(s) again: " + "; ".join(_record_text("CREATE", r) for r in missing)
        )
    if edited:
        remedies.append("restore the validation record(s): " + "; ".join(_record_text("UPSERT", r) for r in edited))
    if idle:
        remedies.append("use the certificate (a custom domain, a load balancer, a distribution) or delete it")
    if cert.renewal_status == "FAILED" or severity == "high":
        remedies.append(f"see its RenewalSummary in ACM ({cert.region}), or {run_text}")
    findings.append(
        Finding(
            type="CertificateAtRisk",
            severity=severity,
            account_id=item.account_id,
            zone_name=item.zone_name,
            resource=cert.arn,
            evidence=f"{where}: " + "; ".join(reasons) + expires,
            remedy="; ".join(remedies),
            fixed_by_apply=settled,
            fixed_by_audit=settled,
        )
    )


def _validation_records(
    world: _World, item: ManagedZone, cert: ObservedCertificate
) -> tuple[list[RecordSpec], list[RecordSpec]]:
    """The validation CNAMEs orgdns wrote for the certificate's names (any zone of its account may
    hold one: the record is the account's for the name): those missing from a zone that was read,
    and those changed since orgdns wrote them."""
    items = [item, *(i for i in world.registry if i.account_id == item.account_id and i is not item)]
    missing: list[RecordSpec] = []
    edited: list[RecordSpec] = []
    seen: set[str] = set()
    for name in cert.names:
        domain = name.removeprefix("*.")
        record, holder = next(
            (
                (r, i)
                for i in items
                for r in i.records
                if r.purpose == "Validation" and validation_record_domain(r.name) == domain
            ),
            (None, None),
        )
        if record is None or holder is None or record.name in seen:
            continue  # outside orgdns's zones (a human added it), or counted for the apex already
        seen.add(record.name)
        spec = record.model_copy(
            update={
                "account_id": record.account_id or holder.account_id,
                "hosted_zone_id": record.hosted_zone_id or holder.hosted_zone_id,
                "zone_name": record.zone_name or holder.zone_name,
            }
        )
        read, there = world.observed(spec, holder)
        if not read:
            continue
        if there is None:
            missing.append(spec)
        elif not same_content(there, spec):
            edited.append(spec)
    return missing, edited


def _orphaned_validation_records(
    world: _World, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
) -> None:
    """Validation CNAMEs orgdns wrote that no live certificate of their account names any more (the
    record is the account's for a name, in every Region): a standing pre-authorisation for whoever
    holds the account's certificates. Deleted by apply when still exactly as orgdns wrote it."""
    done: set[tuple[str, str, str]] = set()
    for item in world.registry:
        account = world.account(item.account_id)
        if item.zone_name in orphans or account is None or account.certified_names is None:
            continue
        live = {name for names in account.certified_names.values() for name in names}
        regions = sorted(account.certified_names)
        for record in item.records:
            if record.purpose != "Validation" or record.type != "CNAME":
                continue
            domain = validation_record_domain(record.name)
            if domain in live or f"*.{domain}" in live:
                continue
            spec = record.model_copy(
                update={
                    "account_id": record.account_id or item.account_id,
                    "hosted_zone_id": record.hosted_zone_id or item.hosted_zone_id,
                    "zone_name": record.zone_name or item.zone_name,
                }
            )
            read, there = world.observed(spec, item)
            if not read or there is None or key(spec) in done:
                continue  # not read (nothing decided), or gone already
            done.add(key(spec))
            exact = same_content(there, spec)
            findings.append(
                Finding(
                    type="OrphanedValidationRecord",
                    severity="medium",
                    account_id=item.account_id,
                    zone_name=spec.zone_name,
                    record_name=spec.name,
                    evidence=f"CNAME {spec.name} in {spec.zone_name}, which orgdns wrote to validate {domain} for "
                    f"account {item.account_id}: no certificate of the account in {', '.join(regions)} names "
                    f"{domain} or *.{domain} any more"
                    + ("" if exact else "; it was changed since orgdns wrote it, so orgdns leaves it"),
                    remedy=_record_text("DELETE", there.model_copy(update=_where(spec))),
                    fixed_by_apply=exact,
                )
            )
            if exact:
                actions.append(
                    ReconcileAction(
                        op="delete",
                        kind="record",
                        finding="OrphanedValidationRecord",
                        account_id=spec.account_id,
                        zone_name=spec.zone_name or "",
                        hosted_zone_id=spec.hosted_zone_id,
                        record=spec,
                        owner=item.zone_name,
                        owner_account=item.account_id,
                        regions=regions,
                        detail=f"CNAME {spec.name}: no certificate of account {item.account_id} needs it",
                    )
                )


def _alias_drift(world: _World, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]) -> None:
    """The alias records orgdns wrote for a zone's custom domain, against the domain as API Gateway
    has it now: a domain gone (its run sets it up again while the tags ask for one; otherwise apply
    deletes the aliases), a target that moved (apply points them at it), an alias gone missing
    (written again, in audit too). One changed by hand is left alone."""
    for account in world.accounts:
        if world.account(account.account_id) is None:
            continue
        for domain in account.domains:
            item = world.managed.get(domain.zone_name)
            if item is None or item.zone_name in orphans or item.account_id != account.account_id:
                continue
            aliases = [r for r in item.records if r.purpose == "Alias"]
            if aliases:
                _aliases(world, item, domain, aliases, findings, actions)


def _aliases(  # noqa: PLR0917  (the domain, its aliases, and where findings go)
    world: _World,
    item: ManagedZone,
    domain: ObservedDomain,
    aliases: list[RecordSpec],
    findings: list[Finding],
    actions: list[ReconcileAction],
) -> None:
    where = f"{domain.domain_name} ({domain.region})"
    observed = []
    for record in aliases:
        spec = record.model_copy(update=_where(record, item))
        read, there = world.observed(spec, item)
        if read:
            observed.append((spec, there))
    if not domain.exists:
        asked = (item.certificate_wants or "").rsplit("|", 1)[-1] not in {"", "none"}
        rerun = asked and _tag_driven(item)
        present = [(spec, there) for spec, there in observed if there is not None]
        if not present and not rerun:
            return
        ours = [there for spec, there in present if same_content(there, spec)]
        findings.append(
            Finding(
                type="AliasDrift",
                severity="high",
                account_id=item.account_id,
                zone_name=item.zone_name,
                record_name=item.zone_name,
                resource=domain.domain_name,
                evidence=f"the custom domain {where} that orgdns's alias records at {item.zone_name} point at "
                "no longer exists in API Gateway" + ("; the account's tags still ask for one" if asked else ""),
                remedy=f'start the subdomain workflow with {{"accountId": "{item.account_id}"}}: it sets the domain '
                "up again and points the aliases at it"
                if rerun
                else "; ".join(_record_text("DELETE", r) for r in [there for _, there in present if there]),
                fixed_by_apply=rerun or len(ours) == len(present),
                fixed_by_audit=rerun,
            )
        )
        if rerun:
            _plan_run(world, item, "AliasDrift", actions)
            return
        for spec, there in present:
            if there is not None and same_content(there, spec):
                actions.append(
                    _alias_action("delete", spec, item, f"{spec.type} {spec.name}: its custom domain is gone")
                )
        return
    target = domain.target
    problems: list[str] = []
    fixable = True
    for spec, there in observed:
        wanted = spec.model_copy(update={"alias_target": target})
        if there is None:
            problems.append(f"the {spec.type} alias at {spec.name} is missing")
            actions.append(
                _alias_action("add", wanted, item, f"{spec.type} {spec.name}: alias to {target}, written again", True)
            )
        elif same_content(there, wanted):
            continue
        elif same_content(there, spec):
            problems.append(f"the {spec.type} alias at {spec.name} points at {spec.alias_target}, not at {target}")
            action = _alias_action("change", wanted, item, f"{spec.type} {spec.name}: alias to {target}")
            action.observed = there.model_copy(update=_where(spec))
            actions.append(action)
        else:
            problems.append(
                f"the {spec.type} alias at {spec.name} was changed by hand (it points at "
                f"{there.alias_target or ' '.join(there.values) or 'nothing'}): orgdns leaves it"
            )
            fixable = False
    if not problems:
        return
    findings.append(
        Finding(
            type="AliasDrift",
            severity="high" if any("points at" in p or "by hand" in p for p in problems) else "medium",
            account_id=item.account_id,
            zone_name=item.zone_name,
            record_name=item.zone_name,
            resource=domain.domain_name,
            evidence=f"custom domain {where} is served at {target}: " + "; ".join(problems),
            remedy="; ".join(
                _record_text("UPSERT", spec.model_copy(update={"alias_target": target})) for spec, _ in observed
            ),
            fixed_by_apply=fixable,
            fixed_by_audit=fixable and all("missing" in p for p in problems),
        )
    )


def _alias_action(
    op: Op, record: RecordSpec, item: ManagedZone, detail: str, in_audit: bool = False
) -> ReconcileAction:
    return ReconcileAction(
        op=op,
        kind="record",
        finding="AliasDrift",
        account_id=record.account_id,
        zone_name=record.zone_name or item.zone_name,
        hosted_zone_id=record.hosted_zone_id,
        record=record,
        owner=item.zone_name,
        in_audit=in_audit,
        detail=detail,
    )


def _where(record: RecordSpec, item: ManagedZone | None = None) -> dict[str, str | None]:
    """Where a registry record lives (older records may leave the zone of their own item out)."""
    return {
        "account_id": record.account_id or (item.account_id if item else None),
        "hosted_zone_id": record.hosted_zone_id or (item.hosted_zone_id if item else None),
        "zone_name": record.zone_name or (item.zone_name if item else None),
    }


def _wants_text(wants: str) -> str:
    names, regions, domain = [*wants.split("|"), "", "", ""][:3]
    return f"names {names or '-'}, Regions {regions or '-'}, custom domain {domain or 'none'}"


def _record_text(action: str, record: RecordSpec) -> str:
    ttl = f" TTL {record.ttl}" if record.ttl is not None and not record.alias_target else ""
    values = f"ALIAS {record.alias_target}" if record.alias_target else " ".join(sorted(record.values))
    where = f" in {record.zone_name} ({record.hosted_zone_id}, account {record.account_id})"
    return f"{action} {record.name} {record.type}{ttl} {values}{where}"


def count(findings: Iterable[Finding], actions: Iterable[ReconcileAction], mode: str) -> ReconcileCounts:
    """What the mode does (plan: what apply would do) and what is left for a human. Once actions
    carry results (audit, apply), one that was skipped or failed counts as skipped, not as done."""
    counts = ReconcileCounts()
    for action in actions:
        if mode == "audit" and not action.in_audit:
            continue
        if action.result is not None and action.result.startswith(("skipped", "failed", "not written")):
            counts.skipped += 1
            continue
        setattr(counts, action.op, getattr(counts, action.op) + 1)
    for finding in findings:
        counts.findings += 1
        counts.by_type[finding.type] = counts.by_type.get(finding.type, 0) + 1
        settled = finding.fixed_by_audit if mode == "audit" else finding.fixed_by_apply
        if not settled:
            counts.need_human += 1
    return counts
