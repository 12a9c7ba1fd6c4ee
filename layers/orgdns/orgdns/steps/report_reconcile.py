"""ReportReconcile: every reconcile ends here, whatever happened. It records in the registry what
the record writer did, writes the report (report.json, versioned schema: docs/reconcile-report.md,
and report.md beside it), and publishes one status for the reconcile plus one ActionRequired per
finding a human must act on, sent again only when that finding changes."""

from datetime import UTC, datetime
from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.reconcile.models import (
    REPORT_SCHEMA_VERSION,
    Finding,
    ReconcileMode,
    ReconcilePlan,
    ReconcileState,
)
from orgdns.reconcile.plan import count
from orgdns.reconcile.render import markdown, plan_text, summary_line
from orgdns.reconcile.status import finding_status, fingerprint, reconcile_status
from orgdns.records import key, merge_records
from orgdns.status import message_attributes


def report_reconcile(state: ReconcileState, outcome: str | None, execution: str, aws: AwsAccess) -> dict[str, Any]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    start = state.start
    error = _error(state, outcome)
    if start is None or start.decision == "Reject" or outcome == "Rejected":
        document = reconcile_status(
            run_id=execution,
            time=now,
            mode=start.mode.value if start else None,
            outcome="Rejected",
            summary=None,
            counts=None,
            report=None,
            error=error,
        )
        return _publish(document, aws)
    store = aws.reconcile_store()
    plan_key = state.plan.plan_key if state.plan else None
    raw = store.get_json(plan_key) if plan_key else None
    plan = ReconcilePlan.model_validate(raw) if raw else None
    if plan is not None and state.apply is not None:
        _settle_registry(state, plan, aws)
    counts = count(plan.findings, plan.actions, start.mode.value) if plan else None
    if error is not None:
        final = "Failed"
    elif start.mode == ReconcileMode.PLAN or counts is None or counts.need_human == 0:
        final = "Succeeded"
    else:
        final = "ActionRequired"
    report_ref = None
    summary = summary_line(counts, start.mode) if counts else None
    if plan is not None and counts is not None:
        text = plan_text(start.mode, plan.findings, plan.actions, counts)
        report = {
            "schemaVersion": REPORT_SCHEMA_VERSION,
            "runId": execution,
            "mode": start.mode.value,
            "startedAt": start.started_at,
            "finishedAt": now,
            "outcome": final,
            "summary": summary,
            "accounts": plan.accounts,
            "zones": plan.zones,
            "counts": counts.dump(),
            "findings": [f.dump() for f in plan.findings],
            "actions": [a.dump() for a in plan.actions],
            "planText": text,
            "error": error,
        }
        report_ref = {
            "bucket": store.bucket,
            "key": start.prefix + "report.json",
            "markdown": start.prefix + "report.md",
        }
        store.put_json(report_ref["key"], report)
        store.put(report_ref["markdown"], markdown(report, text).encode(), "text/markdown; charset=utf-8")
        if start.mode != ReconcileMode.PLAN:
            _warn(plan.findings, start.mode, execution, now=now, report=report_ref, aws=aws)
    document = reconcile_status(
        run_id=execution,
        time=now,
        mode=start.mode.value,
        outcome=final,
        summary=summary,
        counts=counts.dump() if counts else None,
        report=report_ref,
        error=error,
    )
    return _publish(document, aws)


def _publish(document: dict[str, Any], aws: AwsAccess) -> dict[str, Any]:
    subject = f"orgdns reconcile {document['outcome']}: {document.get('summary') or document.get('mode') or ''}"
    message_id = aws.status_topic().publish(document, message_attributes(document), subject)
    return {"outcome": document["outcome"], "messageId": message_id, "report": document.get("report")}


def _error(state: ReconcileState, outcome: str | None) -> dict[str, str] | None:
    start = state.start
    if start is not None and start.decision == "Reject":
        return {"reason": start.reason or "InvalidInput", "message": start.message or "", "field": start.field or ""}
    if state.error is not None or outcome == "Failed":
        error = state.error
        return {"reason": error.error if error else "Failed", "message": (error.cause or "")[:2000] if error else ""}
    return None


def _settle_registry(state: ReconcileState, plan: ReconcilePlan, aws: AwsAccess) -> None:
    """What the record writer wrote or removed becomes (or stops being) orgdns's in the registry,
    in the item of the zone the records belong to, request by request; what it left (changed
    meanwhile) is reported, and a request that failed changes nothing in the registry (the next
    reconcile reads the zones again)."""
    assert state.apply is not None
    registry = aws.registry()
    outcome: dict[tuple[str, str, str], str] = {}  # record key -> result
    answered = {batch.owner: batch for batch in state.written or []}
    for batch in state.apply.batches:
        done = answered.get(batch.owner)
        if done is None or done.written is None:
            why = done.error.cause or done.error.error if done is not None and done.error else "no answer"
            for change in batch.changes:
                outcome[key(change.record)] = f"failed: {why}"[:300]
            continue
        written = {key(r) for r in done.written.written}
        removed = {key(r) for r in done.written.removed}
        left = {key(r) for r in done.written.left}
        for change in batch.changes:
            k = key(change.record)
            if k in left:
                outcome[k] = "skipped: changed since the plan (left as it is)"
            elif k in (removed if change.action == "DELETE" else written):
                outcome[k] = "done"
            else:
                outcome[k] = "not written"
        item = registry.get(batch.owner)
        if item is None or item.torn_down_by:
            continue
        add = [c.record for c in batch.changes if c.action == "UPSERT" and key(c.record) in written]
        gone = {key(c.record) for c in batch.changes if c.action == "DELETE" and key(c.record) in removed}
        if add or gone:
            records = merge_records([r for r in item.records if key(r) not in gone], add)
            registry.put_if(item.model_copy(update={"records": records}), exists=True)
    for action in plan.actions:
        if action.result != "sent to the record writer" or action.record is None:
            continue
        record = action.record.model_copy(update={"hosted_zone_id": action.hosted_zone_id})
        action.result = outcome.get(key(record), "not written")
    aws.reconcile_store().put_json(state.plan.plan_key if state.plan else "", plan.dump())


def _warn(
    findings: list[Finding], mode: ReconcileMode, execution: str, *, now: str, report: dict[str, str], aws: AwsAccess
) -> list[str]:
    """One ActionRequired per finding this mode does not settle, unless the same finding (same
    evidence, same remedy) was published before; findings that went away are forgotten, so one that
    comes back is published again."""
    registry = aws.registry()
    before = registry.reconcile_warnings()
    now_warned: dict[str, str] = {}
    sent: list[str] = []
    for finding in findings:
        settled = finding.fixed_by_audit if mode == ReconcileMode.AUDIT else finding.fixed_by_apply
        if settled:
            continue
        mark = fingerprint(finding)
        now_warned[finding.key] = mark
        if before.get(finding.key) != mark:
            sent.append(_publish_finding(finding_status(finding, run_id=execution, time=now, report=report), aws))
    if now_warned != before:
        registry.set_reconcile_warnings(now_warned, before)
    return sent


def _publish_finding(document: dict[str, Any], aws: AwsAccess) -> str:
    finding = document["finding"]
    subject = f"orgdns ActionRequired: {finding['type']} {finding.get('recordName') or finding.get('zoneName') or ''}"
    return aws.status_topic().publish(document, message_attributes(document), subject)
