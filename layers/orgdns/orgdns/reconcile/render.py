"""A reconcile for humans: the plan in Terraform's shape, the report as Markdown (pure)."""

from typing import Any

from orgdns.reconcile.models import Finding, ReconcileAction, ReconcileCounts, ReconcileMode

SYMBOLS = {"add": "+", "change": "~", "delete": "-", "adopt": "="}
RUN_REASONS = {
    "TagDrift": ": its tags changed",
    "CertificateAtRisk": ": a certificate it put in service is gone or ended",
    "AliasDrift": ": its custom domain is gone",
}


def summary_line(counts: ReconcileCounts, mode: ReconcileMode) -> str:
    """``Plan: 3 to add, 1 to change, 2 to delete, 4 to adopt; 5 findings need a human.`` (plan), or
    ``Apply: 3 added, 1 changed, 2 deleted, 4 adopted, 0 skipped; 5 findings need a human.``"""
    human = "finding needs" if counts.need_human == 1 else "findings need"
    if mode == ReconcileMode.PLAN:
        done = f"{counts.add} to add, {counts.change} to change, {counts.delete} to delete, {counts.adopt} to adopt"
    else:
        done = (
            f"{counts.add} added, {counts.change} changed, {counts.delete} deleted, {counts.adopt} adopted, "
            f"{counts.skipped} skipped"
        )
    head = "Plan" if mode == ReconcileMode.PLAN else ("Audit" if mode == ReconcileMode.AUDIT else "Apply")
    return f"{head}: {done}; {counts.need_human} {human} a human."


def action_line(action: ReconcileAction) -> str:
    symbol = SYMBOLS[action.op]
    if action.kind == "record" and action.record is not None:
        record = action.record
        values = f"ALIAS {record.alias_target}" if record.alias_target else " ".join(sorted(record.values))
        what = f"{record.type} {record.name} in {action.zone_name}: {values}"
    elif action.kind == "run":
        why = RUN_REASONS.get(action.finding, "") if action.op == "change" else ""
        what = f"subdomain run for account {action.account_id} ({action.zone_name}){why}"
    elif action.kind == "teardown":
        why = ": its subdomain tag names another zone now" if action.finding == "TagDrift" else ""
        what = f"teardown of {action.zone_name} (account {action.account_id}, {action.hosted_zone_id}){why}"
    elif action.kind in {"certificate", "domain"}:
        what = f"{action.kind} {action.resource} of account {action.account_id} for {action.zone_name}: {action.detail}"
    else:
        what = f"{action.zone_name} (account {action.account_id}, {action.hosted_zone_id}) from {action.parent}"
    result = f"  [{action.result}]" if action.result else ""
    return f"  {symbol} {what}{result}"


def finding_line(finding: Finding) -> str:
    where = finding.resource or finding.record_name or finding.zone_name or finding.account_id or ""
    return f"  ! {finding.type} ({finding.severity}) {where}: {finding.evidence}\n      remedy: {finding.remedy}"


def plan_text(
    mode: ReconcileMode, findings: list[Finding], actions: list[ReconcileAction], counts: ReconcileCounts
) -> str:
    """What ``orgdns local run`` prints for each reconcile, and the top of the Markdown report."""
    shown = [a for a in actions if mode != ReconcileMode.AUDIT or a.in_audit]
    lines = [action_line(a) for a in shown]
    settled_by = "fixed_by_audit" if mode == ReconcileMode.AUDIT else "fixed_by_apply"
    lines += [finding_line(f) for f in findings if not getattr(f, settled_by)]
    if not lines:
        lines = ["  No changes. The organization matches what orgdns owns and what the tags ask for."]
    return "\n".join([*lines, summary_line(counts, mode)])


def markdown(report: dict[str, Any], text: str) -> str:
    counts = report.get("counts", {})
    rows = "\n".join(f"| {kind} | {number} |" for kind, number in sorted(counts.get("byType", {}).items()))
    findings = "\n".join(
        f"| {f['type']} | {f['severity']} | {f.get('accountId', '')} | {f.get('recordName') or f.get('zoneName', '')} "
        f"| {f['evidence']} | `{f['remedy']}` | {'yes' if f.get('fixedByApply') else 'no'} |"
        for f in report.get("findings", [])
    )
    return (
        f"# orgdns reconcile {report['runId']} ({report['mode']})\n\n"
        f"Started {report.get('startedAt', '')}, finished {report.get('finishedAt', '')}; "
        f"{report.get('accounts', 0)} accounts, {report.get('zones', 0)} zones surveyed. Outcome: "
        f"**{report.get('outcome', '')}**.\n\n```\n{text}\n```\n\n"
        "## Findings by type\n\n| type | count |\n|---|---|\n" + (rows or "| (none) | 0 |") + "\n\n"
        "## Findings\n\n| type | severity | account | name | evidence | remedy | fixed by apply |\n"
        "|---|---|---|---|---|---|---|\n" + (findings or "| (none) | | | | | | |") + "\n"
    )
