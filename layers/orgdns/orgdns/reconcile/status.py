"""The status documents a reconcile publishes (pure): one per reconcile, and one ActionRequired per
finding a human must act on (sent again only when the finding changes)."""

import hashlib
from typing import Any

from orgdns import SCHEMA_VERSION
from orgdns.reconcile.models import Finding


def fingerprint(finding: Finding) -> str:
    """Changes when what was observed or what to do changes, not from one day to the next."""
    text = "\n".join([finding.severity, finding.evidence, finding.remedy])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reconcile_status(
    *,
    run_id: str,
    time: str,
    mode: str | None,
    outcome: str,
    summary: str | None,
    counts: dict[str, Any] | None,
    report: dict[str, str] | None,
    error: dict[str, str] | None,
) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "kind": "reconcile",
        "runId": run_id,
        "time": time,
        "trigger": "Reconcile",
        "mode": mode,
        "outcome": outcome,
        "summary": summary,
        "counts": counts or {},
        "report": report,
        "error": error,
    }


def finding_status(finding: Finding, *, run_id: str, time: str, report: dict[str, str] | None) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "kind": "reconcileFinding",
        "runId": run_id,
        "time": time,
        "trigger": "Reconcile",
        "outcome": "ActionRequired",
        "accountId": finding.account_id,
        "zoneName": finding.zone_name,
        "finding": finding.dump(),
        "actionRequired": [
            {
                "zoneName": finding.zone_name,
                "name": finding.record_name or finding.zone_name,
                "type": finding.type,
                "value": finding.evidence,
                "action": finding.remedy,
            }
        ],
        "report": report,
    }
