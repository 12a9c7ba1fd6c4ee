"""PublishStatus: one status document to SNS, and the outcome into the registry."""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.models import Outcome, WorkflowState
from orgdns.status import build_status, message_attributes


def publish_status(state: WorkflowState, outcome: Outcome, run_id: str, aws: AwsAccess) -> dict[str, Any]:
    """Every run ends here, success or failure, so nobody has to discover a failure by accident.

    The registry keeps the zone's last status first, so a status SNS will not take is not lost
    (the state machine then keeps it in the status dead-letter queue: KeepStatus)."""
    document = build_status(state, outcome, run_id)
    record_status(state, outcome, run_id, document, aws)
    subject = f"orgdns {outcome.value}: {document.get('zoneName') or document.get('accountId') or 'request'}"
    message_id = aws.status_topic().publish(document, message_attributes(document), subject)
    return {"outcome": outcome.value, "messageId": message_id}


def record_status(
    state: WorkflowState, outcome: Outcome, run_id: str, document: dict[str, Any], aws: AwsAccess
) -> None:
    """The run's outcome, conditions, certificates and custom domain into the zone's registry item
    (runs that were Rejected or Skipped have none)."""
    decision = state.decision
    plan = decision.plan if decision else None
    renewal = state.renewal
    if state.teardown is not None and outcome == Outcome.FAILED:
        # A teardown that failed gives its zones back: runs for them would otherwise wait for it
        # (ZoneBeingTornDown) and then fail. What it removed, a later run writes again.
        registry = aws.registry()
        for ref in state.teardown.forget:
            item = registry.get(ref.zone_name)
            if item is not None and item.torn_down_by == run_id:
                registry.put_if(item.model_copy(update={"torn_down_by": None}), exists=True)
        return
    if renewal is not None and decision is not None:
        # A warning was claimed when it was decided (CheckRenewal); renewal going on clears it, so
        # the next problem with the certificate is published again.
        if outcome == Outcome.SUCCEEDED and decision.account_id:
            aws.registry().clear_warning(renewal.zone_name, decision.account_id, renewal.certificate.arn)
        return
    if plan is not None and outcome not in {Outcome.REJECTED, Outcome.SKIPPED}:
        registry = aws.registry()
        item = registry.get(plan.zone_name)
        if item is not None and item.account_id == plan.account_id:
            updates: dict[str, Any] = {
                "last_outcome": outcome,
                "last_run": run_id,
                "conditions": document["conditions"],
                "updated_at": document["time"],
            }
            certificates = state.certificate_check or state.certificates
            if certificates is not None:
                # Every certificate set up for the zone until RetireCertificates deletes it: one a
                # run replaced but could not retire yet is retired by a later run.
                retired = {ref.arn for ref in (state.retire.retired + state.retire.kept)} if state.retire else set()
                ours = {ref.arn for ref in certificates.certificates}
                earlier = [ref for ref in item.certificates if ref.arn not in ours and ref.arn not in retired]
                updates["certificates"] = earlier + list(certificates.certificates)
            if state.custom_domain is not None:
                updates["custom_domain"] = state.custom_domain
            registry.put(item.model_copy(update=updates))
