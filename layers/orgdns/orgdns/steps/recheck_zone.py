"""RecheckZone: write, then look. A self-service zone deleted or untagged while its run was on its
way must not keep the delegation just written."""

from orgdns.aws.access import AwsAccess
from orgdns.errors import ZoneWithdrawn
from orgdns.models import DelegationResult, WorkflowState
from orgdns.records import same_content


def recheck_zone(state: WorkflowState, aws: AwsAccess) -> DelegationResult:
    """If the member's zone is gone or no longer tagged ``orgdns:delegate=true``, take the
    delegation back (only if it is still exactly as written) and its registry entry, and fail the
    run ZoneWithdrawn. If the zone went after this look, the teardown its event starts finds the
    delegation in the registry."""
    plan, delegation = state.plan, state.delegation
    assert delegation is not None and plan.hosted_zone_id is not None, "RecheckZone follows a self-service delegation"
    record, zone_id = delegation.record, plan.hosted_zone_id
    member = aws.route53(plan.account_id)
    zone = member.zone(zone_id)
    delegate_tag = aws.settings.tag_prefix + "delegate"
    if zone is not None and member.tags(zone_id).get(delegate_tag, "").strip().lower() == "true":
        return delegation
    parent = aws.route53(record.account_id or aws.settings.management_account_id)
    current = [r for r in parent.records_at(record.hosted_zone_id or "", record.name) if r.type == "NS"]
    if current and same_content(current[0], record):
        parent.change(
            record.hosted_zone_id or "",
            [("DELETE", current[0].model_copy(update={"hosted_zone_id": record.hosted_zone_id}))],
            f"orgdns: {record.name} was withdrawn",
        )
    aws.registry().delete(record.name, zone_id)
    raise ZoneWithdrawn(
        f"{record.name} ({zone_id}) in account {plan.account_id} was deleted or untagged while it was being "
        "delegated; the delegation was taken back"
    )
