"""ApplyReconcile: carry out plan.json's actions (audit: the safe, additive ones only).

Each action is checked again against what is there now before it is made: a record that changed
since the plan is left alone (reported ``skipped``), a zone registered meanwhile is not adopted
over, an orphan a teardown already took is not torn down twice. DNS changes go to the record
writer (WriteReconcileChanges), which checks each once more at write time; adoptions are
conditional registry puts; backfills and teardowns are runs of the subdomain and teardown
workflows, named after this reconcile so a retried step starts nothing twice."""

import hashlib
from collections import defaultdict

from orgdns.aws.access import AwsAccess
from orgdns.aws.acm import LIVE_STATUSES, acm_regions
from orgdns.certificates import validation_record_domain
from orgdns.models import ManagedZone, RecordChange, RecordSpec
from orgdns.reconcile.models import (
    OwnerChanges,
    ReconcileAction,
    ReconcileApply,
    ReconcileMode,
    ReconcilePlan,
    ReconcileStart,
)
from orgdns.records import same_content
from orgdns.request import RECONCILE_SOURCE

MAX_EXECUTION_NAME = 80  # Step Functions' limit


def apply_reconcile(start: ReconcileStart, plan_key: str, execution: str, aws: AwsAccess) -> ReconcileApply:
    store = aws.reconcile_store()
    plan = ReconcilePlan.model_validate(store.get_json(plan_key))
    chosen = [a for a in plan.actions if start.mode == ReconcileMode.APPLY or a.in_audit]
    result = ReconcileApply()
    registry = aws.registry()
    owners = registry.get_many({a.owner for a in chosen if a.owner})
    pending: list[RecordChange] = []
    _check_records([a for a in chosen if a.kind == "record"], aws)
    _check_certified([a for a in chosen if a.finding == "OrphanedValidationRecord" and a.result is None], aws)
    for action in chosen:
        if action.result is not None:  # settled by the re-read
            result.skipped += 1
        elif action.kind == "record":
            _record_change(action, owners, pending, result)
        elif action.kind == "registry":
            _adopt(action, execution, aws, result)
        elif action.kind == "run":
            _start_run(action, execution, aws, result)
        elif action.kind == "teardown":
            _start_teardown(action, execution, aws, result)
        else:  # certificate, domain: the account's run (started above) reuses it
            action.result = "left to the account's run, which reuses it"
    store.put_json(plan_key, plan.dump())  # with each action's result, for ReportReconcile
    by_owner: dict[str, list[RecordChange]] = defaultdict(list)
    for change in pending:
        by_owner[change.owner or ""].append(change)
    result.batches = [OwnerChanges(owner=owner, changes=changes) for owner, changes in sorted(by_owner.items())]
    return result


def _check_records(actions: list[ReconcileAction], aws: AwsAccess) -> None:
    """Read each zone's records at the actions' names once, and settle the actions whose record is
    no longer as the plan saw it."""
    by_zone: dict[tuple[str, str], list[ReconcileAction]] = defaultdict(list)
    for action in actions:
        by_zone[(action.account_id or "", action.hosted_zone_id or "")].append(action)
    for (account_id, zone_id), in_zone in by_zone.items():
        current = aws.route53(account_id).records_named(zone_id, [a.record.name for a in in_zone if a.record])
        for action in in_zone:
            assert action.record is not None
            there = [r for r in current.get(action.record.name.lower(), []) if r.type == action.record.type]
            if action.op == "add" and there:
                action.result = "skipped: a record appeared there since the plan; reconcile again"
            elif action.op == "change" and not (there and action.observed and same_content(there[0], action.observed)):
                action.result = "skipped: the record changed since the plan; reconcile again"
            elif action.op == "delete" and not (there and same_content(there[0], action.record)):
                action.result = "skipped: the record changed or went since the plan"


def _check_certified(actions: list[ReconcileAction], aws: AwsAccess) -> None:
    """A validation record is deleted only while no certificate of its account names it in any
    Region (the record is the account's for the name, in every Region, and a certificate may be in
    one the survey did not list, or requested by a run since): ACM is listed again in every Region
    it runs in, once per account (a Region the account has not enabled holds none). Any other
    error fails the step before anything is changed."""
    by_account: dict[str, list[ReconcileAction]] = defaultdict(list)
    for action in actions:
        by_account[action.owner_account or ""].append(action)
    for account_id, of_account in by_account.items():
        live: set[str] = set()
        for region in sorted(set(acm_regions()) | {r for a in of_account for r in a.regions}):
            listed = aws.acm(account_id, region).certificates_if_enabled() or []
            live |= {name for s in listed if s.status in LIVE_STATUSES for name in s.names}
        for action in of_account:
            assert action.record is not None
            domain = validation_record_domain(action.record.name)
            if domain in live or f"*.{domain}" in live:
                action.result = "skipped: a certificate of the account names it again"


def _record_change(
    action: ReconcileAction, owners: dict[str, ManagedZone], pending: list[RecordChange], result: ReconcileApply
) -> None:
    assert action.record is not None
    owner = owners.get(action.owner or "")
    if owner is None or owner.torn_down_by:
        action.result = f"skipped: {action.owner} is no longer managed"
        result.skipped += 1
        return
    record = action.record.model_copy(
        update={
            "zone_name": action.zone_name,
            "hosted_zone_id": action.hosted_zone_id,
            "account_id": action.account_id,
            "purpose": action.record.purpose or "Delegation",
        }
    )
    pending.append(
        RecordChange(
            action="DELETE" if action.op == "delete" else "UPSERT",
            record=record,
            owner=owner.zone_name,
            owner_account_id=owner.account_id,
            written_before=True,
        )
    )
    action.result = "sent to the record writer"


def _adopt(action: ReconcileAction, execution: str, aws: AwsAccess, result: ReconcileApply) -> None:
    """Record the hand-made zone and its delegation as orgdns's: no DNS change. Conditional: a zone
    registered since the plan (a run got there first) is not adopted over."""
    delegation: list[RecordSpec] = action.adopted_records
    parent = delegation[0] if delegation else None
    if not _still_as_planned(action, parent, aws):
        action.result = "skipped: the zone or its delegation changed since the plan; reconcile again"
        result.skipped += 1
        return
    item = ManagedZone(
        zone_name=action.zone_name,
        account_id=action.account_id or "",
        hosted_zone_id=action.hosted_zone_id or "",
        parent_zone_name=action.parent,
        parent_account_id=parent.account_id if parent else None,
        parent_hosted_zone_id=parent.hosted_zone_id if parent else None,
        name_servers=action.name_servers,
        records=delegation,
        created_by_orgdns=False,
        adopted=True,
        adopted_evidence=action.detail,
        request_id=execution,
        last_run=execution,
    )
    registry = aws.registry()
    if not registry.put_if(item, exists=False):
        again = registry.get(action.zone_name)
        if again is None or not again.adopted or again.request_id != execution:
            action.result = "skipped: registered since the plan"
            result.skipped += 1
            return
        # This step, tried again after a timeout, adopted it already: its run may not have started.
    result.adopted += 1
    # The rest of what the tags ask for (certificates, custom domain, outputs) is the account's run.
    started = _start_subdomain(action, execution, "adopt", aws)
    action.result = "adopted; subdomain run started" if started else "adopted"


def _still_as_planned(action: ReconcileAction, delegation: RecordSpec | None, aws: AwsAccess) -> bool:
    """The hand-made delegation is still exactly as observed: adoption records only what is there
    now. The zone is not read again: a hosted zone's name servers never change while it exists, and
    the account's run, started right after the adoption, reads it before anything else (a zone
    deleted meanwhile is set up again for the tags that ask for it)."""
    if delegation is None or not action.hosted_zone_id or not action.account_id:
        return False
    parent = aws.route53(delegation.account_id or "")
    there = parent.records_named(delegation.hosted_zone_id or "", [delegation.name]).get(delegation.name.lower(), [])
    return any(r.type == "NS" and same_content(r, delegation) for r in there)


def run_name(execution: str, what: str, target: str) -> str:
    """The name of a run a reconcile starts: the same for a retried step (so nothing starts twice),
    within Step Functions' 80 characters whatever the reconcile's own name and the target's length."""
    name = f"{execution[:50]}-{what}-{target}"
    if len(name) <= MAX_EXECUTION_NAME:
        return name
    digest = hashlib.sha256(f"{execution}/{what}/{target}".encode()).hexdigest()[:20]
    return f"{execution[: MAX_EXECUTION_NAME - len(what) - 22]}-{what}-{digest}"


def _start_run(action: ReconcileAction, execution: str, aws: AwsAccess, result: ReconcileApply) -> None:
    if _start_subdomain(action, execution, "run", aws):
        result.runs_started += 1
        action.result = "run started"
    else:
        action.result = "skipped: this reconcile started it already"
        result.skipped += 1


def _start_subdomain(action: ReconcileAction, execution: str, what: str, aws: AwsAccess) -> bool:
    arn = aws.settings.subdomain_workflow_arn
    if not arn:
        raise ValueError("ORGDNS_SUBDOMAIN_WORKFLOW_ARN is not set: the reconcile cannot start runs")
    name = run_name(execution, what, action.account_id or "")
    event = {
        "source": RECONCILE_SOURCE,
        "detail-type": action.finding,
        "id": name,
        "detail": {"accountId": action.account_id},
    }
    return aws.executions().start(arn, name, event)


def _start_teardown(action: ReconcileAction, execution: str, aws: AwsAccess, result: ReconcileApply) -> None:
    """The teardown of a zone that is gone, or (no hosted zone id) of every zone of a closed account;
    the teardown reads again that the zone is gone, or that the account is closed."""
    registry = aws.registry()
    if action.hosted_zone_id is None:
        still = [z for z in registry.of_account(action.account_id or "") if not z.torn_down_by]
    else:
        item = registry.get(action.zone_name)
        ok = item is not None and item.hosted_zone_id == action.hosted_zone_id and not item.torn_down_by
        still = [item] if ok and item is not None else []
    if not still:
        action.result = "skipped: no longer in the registry as planned"
        result.skipped += 1
        return
    arn = aws.settings.teardown_workflow_arn
    if not arn:
        raise ValueError("ORGDNS_TEARDOWN_WORKFLOW_ARN is not set: the reconcile cannot start teardowns")
    detail = {"accountId": action.account_id, "zoneName": action.zone_name}
    if action.hosted_zone_id is not None and action.finding != "TagDrift":
        detail["hostedZoneId"] = action.hosted_zone_id
    target = action.hosted_zone_id or f"account-{action.account_id}"
    name = run_name(execution, "renamed" if action.finding == "TagDrift" else "orphan", target)
    event = {"source": RECONCILE_SOURCE, "detail-type": action.finding, "id": name, "detail": detail}
    if aws.executions().start(arn, name, event):
        result.teardowns_started += 1
        action.result = "teardown started"
    else:
        action.result = "skipped: this reconcile started it already"
        result.skipped += 1
