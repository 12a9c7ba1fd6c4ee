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

from collections.abc import Iterable

from orgdns.models import ManagedZone, RecordSpec
from orgdns.names import is_subdomain
from orgdns.reconcile.models import (
    Finding,
    ObservedAccount,
    ObservedZone,
    ReconcileAction,
    ReconcileCounts,
)
from orgdns.reconcile.serving import alias_drift, certificates_at_risk, hand_made, orphaned_validation_records
from orgdns.reconcile.world import Naming, World, is_route53_name_server, plan_run, record_text
from orgdns.zones import KnownZone, find_parent

__all__ = ["Naming", "count", "is_route53_name_server", "plan_reconcile"]


def plan_reconcile(
    accounts: list[ObservedAccount],
    registry: list[ManagedZone],
    roots: list[KnownZone],
    naming: Naming,
    now: float = 0.0,
) -> tuple[list[Finding], list[ReconcileAction]]:
    world = World(accounts, [z for z in registry if z.torn_down_by is None], roots)
    findings: list[Finding] = []
    actions: list[ReconcileAction] = []
    orphans = _registry_orphans(world, findings, actions)
    adopted = _delegations(world, naming, orphans, findings, actions)
    _missing_delegations(world, orphans, findings, actions)
    _backfill(world, naming, adopted, findings, actions)
    hand_made(world, naming, adopted, findings, actions)
    _tag_drift(world, naming, orphans, findings, actions)
    certificates_at_risk(world, now, orphans, findings, actions)
    orphaned_validation_records(world, orphans, findings, actions)
    alias_drift(world, orphans, findings, actions)
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


def _registry_orphans(world: World, findings: list[Finding], actions: list[ReconcileAction]) -> set[str]:
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
    world: World, naming: Naming, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
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


def _registered_zone(world: World, item: ManagedZone | None, orphans: set[str]) -> ObservedZone | None:
    """The hosted zone the registry holds for a name, as the survey saw it (None: no registry item,
    an orphan, or its account not read)."""
    if item is None or item.zone_name in orphans:
        return None
    return world.by_id.get((item.account_id, item.hosted_zone_id))


def _dangling(  # noqa: PLR0917  (the record, where it is, who owns it, and where findings go)
    world: World,
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
            remedy=record_text("DELETE", record),
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
            remedy=record_text("UPSERT", exact),
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
                remedy=f"{record_text('DELETE', record)}, then delegate the name to the one zone meant",
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
            remedy=record_text("UPSERT", exact),
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
    world: World, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
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
                    remedy=record_text("CREATE", wanted),
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
    world: World, naming: Naming, adopted: set[str], findings: list[Finding], actions: list[ReconcileAction]
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


def _taken_in_parent(world: World, name: str) -> list[RecordSpec]:
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
    world: World, naming: Naming, orphans: set[str], findings: list[Finding], actions: list[ReconcileAction]
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
        plan_run(world, item, "TagDrift", actions)


def _wants_text(wants: str) -> str:
    names, regions, domain = [*wants.split("|"), "", "", ""][:3]
    return f"names {names or '-'}, Regions {regions or '-'}, custom domain {domain or 'none'}"


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
