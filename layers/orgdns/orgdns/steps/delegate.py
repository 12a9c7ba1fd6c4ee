"""Delegate: the zone's NS records in its parent zone, in whichever account hosts the parent."""

from orgdns.aws.access import AwsAccess
from orgdns.errors import HostedZoneNotFound, NotGrantedByParentOwner, ParentZoneMissing, ZoneWithdrawn
from orgdns.models import ChangeRef, DelegationResult, RecordSpec, WorkflowState
from orgdns.ownership import may_claim
from orgdns.records import merge_records, owned_records, plan_write, same_content
from orgdns.steps.lookups import surroundings
from orgdns.zones import find_parent


def delegate(state: WorkflowState, aws: AwsAccess) -> DelegationResult:
    """UPSERT the NS record set in the parent unless it already holds exactly these name servers.

    Refuses (RecordConflict) to overwrite an NS or other record at that name that orgdns did not
    write. The change is PENDING until Route 53's servers have it: the state machine waits for
    INSYNC before anything depends on the delegation.
    """
    plan, zone = state.plan, state.zone
    assert zone is not None, "CreateZone must run before Delegate"
    registry = aws.registry()
    around = surroundings(aws, [plan.zone_name])
    # The nearest managed zone above, now: a parent registered by a concurrent run since
    # ResolveRequest must delegate this zone, or its NS records in a zone further up would be
    # occluded by the parent's own delegation and the name would stop resolving.
    nearest = find_parent(plan.zone_name, around.zones)
    parent = nearest.ref() if nearest is not None else plan.parent
    if (
        plan.hosted_zone_id is not None
        and parent.zone_name != plan.parent.zone_name
        and not may_claim(plan.zone_name, plan.account_id, parent.account_id, aws.settings.grants)
    ):
        # Self-service was allowed under the parent ResolveRequest saw; the nearer one is someone else's.
        raise NotGrantedByParentOwner(
            f"{plan.zone_name} is now below {parent.zone_name}, owned by account {parent.account_id}, "
            f"which has not granted names there to account {plan.account_id}; nothing was written"
        )
    route53 = aws.route53(parent.account_id)
    record = RecordSpec(
        name=plan.zone_name,
        type="NS",
        ttl=plan.ns_ttl,
        values=sorted(zone.name_servers),
        zone_name=parent.zone_name,
        hosted_zone_id=parent.hosted_zone_id,
        account_id=parent.account_id,
        purpose="Delegation",
    )
    try:
        existing = route53.records_at(parent.hosted_zone_id, plan.zone_name)
    except HostedZoneNotFound:
        raise ParentZoneMissing(
            f"parent zone {parent.zone_name} ({parent.hosted_zone_id}) no longer exists in account {parent.account_id}"
        ) from None
    item = around.managed.get(plan.zone_name)
    item = item if item is not None and item.account_id == plan.account_id else None
    needed = plan_write(record, existing, owned_records([item] if item else []))

    if item is None:  # a teardown removed the zone's entry since CreateZone: write nothing
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while it was being delegated; nothing was written")
    registry.put(
        item.model_copy(
            update={
                "records": merge_records(item.records, [record]),
                "parent_zone_name": parent.zone_name,
                "parent_account_id": parent.account_id,
                "parent_hosted_zone_id": parent.hosted_zone_id,
            }
        )
    )
    change = None
    if needed:
        change_id = route53.change(
            parent.hosted_zone_id, [("UPSERT", record)], f"orgdns {plan.request_id}: delegate {plan.zone_name}"
        )
        change = ChangeRef(account_id=parent.account_id, change_id=change_id)
    if plan.hosted_zone_id is not None:
        _withdraw_if_gone(plan.account_id, plan.hosted_zone_id, record, aws)
    return DelegationResult(record=record, change=change, in_sync=change is None)


def _withdraw_if_gone(account_id: str, zone_id: str, record: RecordSpec, aws: AwsAccess) -> None:
    """Write, then look: a self-service zone deleted or untagged while this run was on its way
    must not keep the delegation just written. If the zone went before this look, this run takes
    the delegation back; if after, the teardown that follows finds it in the registry."""
    member = aws.route53(account_id)
    zone = member.zone(zone_id)
    delegate_tag = aws.settings.tag_prefix + "delegate"
    if zone is not None and member.tags(zone_id).get(delegate_tag, "").strip().lower() == "true":
        return
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
        f"{record.name} ({zone_id}) in account {account_id} was deleted or untagged while it was being "
        "delegated; the delegation was taken back"
    )
