"""ReleaseChildren: after the new zone is delegated, remove adopted children's NS records from
their old parent, but only records exactly as orgdns wrote them."""

from orgdns.aws.access import AwsAccess
from orgdns.errors import PriorRequestNotComplete
from orgdns.models import ChildrenResult, WorkflowState
from orgdns.records import merge_records, same_content


def release_children(state: WorkflowState, aws: AwsAccess) -> ChildrenResult:
    plan, zone = state.plan, state.zone
    assert zone is not None
    if zone.change is not None and not aws.route53(zone.change.account_id).change_in_sync(zone.change.change_id):
        # The children's NS records in the new zone are not everywhere yet: retried by the ASL.
        raise PriorRequestNotComplete(f"change {zone.change.change_id} in {plan.zone_name} is not INSYNC yet")
    registry = aws.registry()
    entries = registry.get_many(move.zone_name for move in zone.children)
    moved, left = [], []
    for move in zone.children:
        child = entries.get(move.zone_name)
        if child is None:
            continue
        old = move.old_parent
        recorded = next(
            (
                r
                for r in child.records
                if r.hosted_zone_id == old.hosted_zone_id and r.name == move.zone_name and r.type == "NS"
            ),
            None,
        )
        route53 = aws.route53(old.account_id)
        current = [r for r in route53.records_at(old.hosted_zone_id, move.zone_name) if r.type == "NS"]
        if current and recorded is not None and same_content(current[0], recorded):
            route53.change(
                old.hosted_zone_id,
                [("DELETE", current[0].model_copy(update={"hosted_zone_id": old.hosted_zone_id}))],
                f"orgdns {plan.request_id}: {move.zone_name} is now delegated from {plan.zone_name}",
            )
        elif current:
            left.append(
                current[0].model_copy(update={"zone_name": old.zone_name, "hosted_zone_id": old.hosted_zone_id})
            )
        remaining = [
            r for r in child.records if not (r.hosted_zone_id == old.hosted_zone_id and r.name == move.zone_name)
        ]
        registry.put(
            child.model_copy(
                update={
                    "parent_zone_name": plan.zone_name,
                    "parent_account_id": plan.account_id,
                    "parent_hosted_zone_id": zone.hosted_zone_id,
                    "records": merge_records(remaining, [move.record]),
                }
            )
        )
        moved.append(move.zone_name)
    # The moved NS records belong to the children now, not to this zone's own entry.
    own = registry.get(plan.zone_name)
    if own is not None:
        keys = {(m.record.hosted_zone_id, m.record.name, m.record.type) for m in zone.children}
        registry.put(
            own.model_copy(
                update={"records": [r for r in own.records if (r.hosted_zone_id, r.name, r.type) not in keys]}
            )
        )
    return ChildrenResult(moved=moved, left_in_old_parent=left)
