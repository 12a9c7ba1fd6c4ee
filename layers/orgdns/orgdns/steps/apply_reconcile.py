"""ApplyReconcile: carry out plan.json's actions (audit: the safe, additive ones only).

Each action is checked again against what is there now before it is made: a record that changed
since the plan is left alone (reported ``skipped``), a zone registered meanwhile is not adopted
over, an orphan a teardown already took is not torn down twice. DNS changes go to the record
writer (WriteReconcileChanges), which checks each once more at write time; adoptions are
conditional registry puts; backfills and teardowns are runs of the subdomain and teardown
workflows, named after this reconcile so a retried step starts nothing twice."""

from collections import defaultdict

from orgdns.aws.access import AwsAccess
from orgdns.models import ManagedZone, RecordChange, RecordSpec
from orgdns.reconcile.models import ReconcileAction, ReconcileApply, ReconcileMode, ReconcilePlan, ReconcileStart
from orgdns.records import same_content
from orgdns.request import RECONCILE_SOURCE


def apply_reconcile(start: ReconcileStart, plan_key: str, execution: str, aws: AwsAccess) -> ReconcileApply:
    store = aws.reconcile_store()
    plan = ReconcilePlan.model_validate(store.get_json(plan_key))
    chosen = [a for a in plan.actions if start.mode == ReconcileMode.APPLY or a.in_audit]
    result = ReconcileApply()
    registry = aws.registry()
    owners = registry.get_many({a.owner for a in chosen if a.owner})
    _check_records([a for a in chosen if a.kind == "record"], aws)
    for action in chosen:
        if action.result is not None:  # settled by the re-read
            result.skipped += 1
        elif action.kind == "record":
            _record_change(action, owners, result)
        elif action.kind == "registry":
            _adopt(action, execution, aws, result)
        elif action.kind == "run":
            _start_run(action, execution, aws, result)
        elif action.kind == "teardown":
            _start_teardown(action, execution, aws, result)
    store.put_json(plan_key, plan.dump())  # with each action's result, for ReportReconcile
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


def _record_change(action: ReconcileAction, owners: dict[str, ManagedZone], result: ReconcileApply) -> None:
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
    result.changes.append(
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
    if not aws.registry().put_if(item, exists=False):
        action.result = "skipped: registered since the plan"
        result.skipped += 1
        return
    result.adopted += 1
    # The rest of what the tags ask for (certificates, custom domain, outputs) is the account's run.
    started = _start_subdomain(action, execution, "adopt", aws)
    action.result = "adopted; subdomain run started" if started else "adopted"


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
    return aws.executions().start(arn, f"{execution[:50]}-{what}-{action.account_id}", {"accountId": action.account_id})


def _start_teardown(action: ReconcileAction, execution: str, aws: AwsAccess, result: ReconcileApply) -> None:
    item = aws.registry().get(action.zone_name)
    if item is None or item.hosted_zone_id != action.hosted_zone_id or item.torn_down_by:
        action.result = "skipped: no longer in the registry as planned"
        result.skipped += 1
        return
    arn = aws.settings.teardown_workflow_arn
    if not arn:
        raise ValueError("ORGDNS_TEARDOWN_WORKFLOW_ARN is not set: the reconcile cannot start teardowns")
    event = {
        "source": RECONCILE_SOURCE,
        "detail-type": "Registry orphan",
        "id": f"{execution}-{action.hosted_zone_id}",
        "detail": {"accountId": action.account_id, "hostedZoneId": action.hosted_zone_id, "zoneName": action.zone_name},
    }
    if aws.executions().start(arn, f"{execution[:50]}-orphan-{action.hosted_zone_id}", event):
        result.teardowns_started += 1
        action.result = "teardown started"
    else:
        action.result = "skipped: this reconcile started it already"
        result.skipped += 1
