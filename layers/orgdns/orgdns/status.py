"""The status document every run publishes, in cert-manager's shape (pure)."""

from datetime import UTC, datetime
from typing import Any

from orgdns import SCHEMA_VERSION
from orgdns.models import Outcome, WorkflowState
from orgdns.request import summarise_input

_FAILURE_REASONS = {
    "Route53Throttling": "Throttled",
    "ApiThrottling": "Throttled",
    "States.Timeout": "TimedOut",
    "States.TaskFailed": "TaskFailed",
}


def condition(type_: str, status: str, reason: str, message: str, now: str, **extra: str) -> dict[str, Any]:
    return {"type": type_, "status": status, "reason": reason, "message": message, "lastTransitionTime": now, **extra}


def build_status(state: WorkflowState, outcome: Outcome, run_id: str, now: datetime | None = None) -> dict[str, Any]:
    """One JSON document describing the run: outcome, per-step conditions, what a human must do."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    decision = state.decision
    plan = decision.plan if decision else None
    error = _error(state, outcome)
    conditions: list[dict[str, Any]] = []
    renewal = state.renewal
    if plan is not None:
        conditions = _conditions(state, outcome, error, stamp)
    elif state.teardown is not None and outcome in {Outcome.SUCCEEDED, Outcome.ACTION_REQUIRED}:
        conditions = [_teardown_condition(state, stamp)]
    elif renewal is not None and outcome != Outcome.SKIPPED:
        ready = "True" if renewal.outcome == "Succeeded" and outcome == Outcome.SUCCEEDED else "False"
        extra = {"notAfter": renewal.not_after} if renewal.not_after else {}
        conditions = [
            condition(
                "RenewalReady",
                ready,
                renewal.reason,
                renewal.message,
                stamp,
                region=renewal.certificate.region,
                **extra,
            )
        ]
    certificates = []
    if state.certificate_check:
        certificates = state.certificate_check.certificates
    elif state.certificates:
        certificates = state.certificates.certificates
    elif renewal is not None:
        certificates = [renewal.certificate]
    domain = state.custom_domain
    # What the run was about: as decided, else (a run that failed before deciding) as the input says.
    given = summarise_input(state.input)
    trigger = (decision.trigger if decision else None) or given.trigger
    hosted_zone_id = (
        (plan.hosted_zone_id if plan else None)
        or (state.zone.hosted_zone_id if state.zone else None)
        or (decision.hosted_zone_id if decision else None)
        or given.hosted_zone_id
    )
    return {
        "schemaVersion": SCHEMA_VERSION,
        "runId": run_id,
        "time": stamp,
        "trigger": trigger.value if trigger else None,
        "eventId": (decision.event_id if decision else None) or given.event_id,
        "accountId": (decision.account_id if decision else None) or given.account_id,
        "zoneName": (decision.zone_name if decision else None) or given.zone_name,
        "hostedZoneId": hosted_zone_id,
        "outcome": outcome.value,
        "conditions": conditions,
        "parentZone": (state.delegation.record.zone_name if state.delegation else None)
        or (plan.parent.zone_name if plan else None),
        "nameServers": state.zone.name_servers if state.zone else [],
        "certificates": [
            {"region": c.region, "arn": c.arn, "status": c.status, "reused": c.reused} for c in certificates
        ],
        "customDomain": (
            {
                "domainName": domain.domain_name,
                "type": domain.type.value,
                "region": domain.region,
                "targetDomainName": domain.target_domain_name,
                "status": domain.status,
                "certificateArn": domain.certificate_arn,
                **(
                    {"previousCertificateArn": domain.previous_certificate_arn}
                    if domain.previous_certificate_arn
                    else {}
                ),
            }
            if domain
            else None
        ),
        "actionRequired": [
            {"zoneName": r.zone_name, "name": r.name, "type": r.type, "value": r.values[0] if r.values else ""}
            for r in (state.validation.action_required if state.validation else [])
            if not (state.certificate_check and state.certificate_check.all_issued)  # done: ACM issued
        ]
        + [
            {
                "zoneName": r.zone_name,
                "name": r.name,
                "type": r.type,
                "value": ", ".join(r.values) or r.alias_target or "",
                "action": "changed since orgdns wrote it: delete it by hand if nothing needs it",
            }
            for r in (state.teardown.left if state.teardown else [])
        ]
        + [
            {
                "zoneName": decision.zone_name if decision else None,
                "name": c.arn,
                "type": "Certificate",
                "value": ", ".join(c.in_use_by),
                "action": "replaced by a new certificate but still in use: switch what uses it to the new "
                "certificate, then delete it",
            }
            for c in (state.retire.in_use if state.retire else [])
        ]
        + _renewal_actions(state)
        if outcome in {Outcome.ACTION_REQUIRED, Outcome.FAILED}
        else [],
        "error": error,
    }


def _error(state: WorkflowState, outcome: Outcome) -> dict[str, str] | None:
    if outcome == Outcome.REJECTED and state.decision:
        return {
            "reason": state.decision.reason or "Rejected",
            "message": state.decision.message or "",
            **({"field": state.decision.field} if state.decision.field else {}),
        }
    if outcome == Outcome.FAILED and state.error:
        reason, message = _parse_cause(state.error.error, state.error.cause)
        return {"reason": reason, "message": message}
    if outcome == Outcome.FAILED and state.renewal is not None:
        return {"reason": state.renewal.reason, "message": state.renewal.message}
    if outcome == Outcome.SKIPPED and state.error:  # overtaken by a later run (Superseded)
        reason, message = _parse_cause(state.error.error, state.error.cause)
        return {"reason": reason, "message": message}
    if outcome == Outcome.SKIPPED and state.decision:
        return None
    return None


def _renewal_actions(state: WorkflowState) -> list[dict[str, Any]]:
    """A renewal that needs a human: the validation records to add back, or the certificate itself."""
    renewal = state.renewal
    if renewal is None or renewal.outcome == "Succeeded":
        return []
    records = [
        {"zoneName": r.zone_name, "name": r.name, "type": r.type, "value": r.values[0] if r.values else ""}
        for r in renewal.action_required
    ]
    if records:
        return records
    return [
        {
            "zoneName": renewal.zone_name,
            "name": renewal.certificate.arn,
            "type": "Certificate",
            "value": renewal.not_after or "",
            "action": renewal.message,
        }
    ]


def _parse_cause(error: str, cause: str | None) -> tuple[str, str]:
    """A Lambda error's Cause is JSON {errorType, errorMessage, ...}; States.* causes are text."""
    import json

    message = cause or ""
    try:
        parsed = json.loads(cause) if cause else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        message = str(parsed.get("errorMessage", message))
    return _FAILURE_REASONS.get(error, error.rsplit(".", 1)[-1] if error.startswith("Lambda.") else error), message


def _conditions(state: WorkflowState, outcome: Outcome, error: dict[str, str] | None, now: str) -> list[dict[str, Any]]:
    plan = state.plan
    failed_message = error["message"] if error else ""
    failed_reason = error["reason"] if error else "Failed"
    pending = "False" if outcome == Outcome.FAILED else "Unknown"
    out = []

    if state.zone:
        verb = "Created" if state.zone.created else "Found"
        out.append(
            condition("ZoneReady", "True", verb, f"hosted zone {state.zone.hosted_zone_id} in {plan.account_id}", now)
        )
    else:
        out.append(
            condition("ZoneReady", pending, failed_reason if pending == "False" else "Pending", failed_message, now)
        )

    if state.delegation and state.delegation.in_sync:
        out.append(
            condition(
                "Delegated",
                "True",
                "InSync",
                f"NS records in {state.delegation.record.zone_name} ({state.delegation.record.account_id})",
                now,
            )
        )
    elif state.zone:
        out.append(
            condition("Delegated", pending, failed_reason if pending == "False" else "Pending", failed_message, now)
        )

    certs = {c.region: c for c in (state.certificates.certificates if state.certificates else [])}
    if state.certificate_check:
        certs.update({c.region: c for c in state.certificate_check.certificates})
    for region in plan.certificate_regions:
        cert = certs.get(region)
        if cert and cert.status == "ISSUED":
            out.append(condition("CertificateIssued", "True", "Issued", cert.arn, now, region=region))
        elif cert and cert.status in {"FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE"}:
            out.append(
                condition(
                    "CertificateIssued", "False", cert.status, cert.failure_reason or cert.arn, now, region=region
                )
            )
        elif outcome == Outcome.ACTION_REQUIRED:
            out.append(
                condition(
                    "CertificateIssued",
                    "False",
                    "WaitingForValidationRecords",
                    "validation records outside orgdns's zones must be added by hand: see actionRequired",
                    now,
                    region=region,
                )
            )
        elif state.delegation and state.delegation.in_sync:
            out.append(
                condition(
                    "CertificateIssued",
                    pending,
                    failed_reason if pending == "False" else "PendingValidation",
                    failed_message if pending == "False" else (cert.arn if cert else ""),
                    now,
                    region=region,
                )
            )

    replaced = state.certificates.replaces if state.certificates else []
    if replaced and state.retire is not None:
        retire = state.retire
        done = ", ".join(c.arn for c in retire.retired) or "none"
        kept = f"; kept (not requested by orgdns): {', '.join(c.arn for c in retire.kept)}" if retire.kept else ""
        if retire.in_use:
            busy = "; ".join(f"{c.arn} (used by {', '.join(c.in_use_by)})" for c in retire.in_use)
            out.append(
                condition("CertificatesRetired", "False", "InUse", f"deleted: {done}; still in use: {busy}{kept}", now)
            )
        else:
            out.append(condition("CertificatesRetired", "True", "Retired", f"deleted: {done}{kept}", now))

    if plan.custom_domain:
        domain = state.custom_domain
        if domain and domain.available:
            out.append(
                condition(
                    "DomainAvailable", "True", "Available", f"{domain.domain_name} -> {domain.target_domain_name}", now
                )
            )
        elif state.certificate_check and state.certificate_check.all_issued:
            out.append(
                condition(
                    "DomainAvailable", pending, failed_reason if pending == "False" else "Pending", failed_message, now
                )
            )
    return out


def _teardown_condition(state: WorkflowState, now: str) -> dict[str, Any]:
    teardown = state.teardown
    assert teardown is not None
    removed = ", ".join(f"{r.type} {r.name} in {r.zone_name}" for r in teardown.removed) or "nothing left to remove"
    if teardown.left:
        return condition(
            "DelegationRemoved", "False", "RecordsChanged",
            f"removed {removed}; {len(teardown.left)} record(s) changed since orgdns wrote them were left",
            now,
        )  # fmt: skip
    moved = f"; children re-delegated: {', '.join(teardown.children_moved)}" if teardown.children_moved else ""
    return condition("DelegationRemoved", "True", "Removed", f"removed {removed}{moved}", now)


def message_attributes(document: dict[str, Any]) -> dict[str, str]:
    return {
        "outcome": document.get("outcome") or "",
        "accountId": document.get("accountId") or "",
        "zoneName": document.get("zoneName") or "",
        "trigger": document.get("trigger") or "",
    }
