"""Delegate: the zone's NS records in its parent zone, in whichever account hosts the parent."""

from orgdns.aws.access import AwsAccess
from orgdns.errors import NotGrantedByParentOwner, ZoneWithdrawn
from orgdns.models import DelegationResult, RecordSpec, WorkflowState
from orgdns.ownership import may_claim
from orgdns.records import key, merge_records, same_content
from orgdns.steps.lookups import surroundings
from orgdns.zones import find_parent


def delegate(state: WorkflowState, aws: AwsAccess) -> DelegationResult:
    """Plan the zone's NS record set in its nearest managed parent and register it as orgdns's
    (the ownership row goes in before the DNS change, as external-dns's registry does).

    Writes no DNS: WriteDelegation hands the record to the record writer (WriteChanges), which
    re-reads the parent, refuses (RecordConflict) to overwrite an NS or other record at that name
    that orgdns did not write, and writes the records of every run bound for the same zone in as
    few ChangeResourceRecordSets calls as Route 53 allows. The change is PENDING until Route 53's
    servers have it: the state machine waits for INSYNC before anything depends on the delegation.
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
    item = around.managed.get(plan.zone_name)
    if item is None or item.account_id != plan.account_id:  # a teardown removed the zone's entry since CreateZone
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while it was being delegated; nothing was written")
    replaced = [r for r in item.records if key(r) == key(record) and not same_content(r, record)]
    registered = registry.put_if(
        item.model_copy(
            update={
                "records": merge_records(item.records, [record]),
                "superseded": merge_records(item.superseded, replaced),
                "parent_zone_name": parent.zone_name,
                "parent_account_id": parent.account_id,
                "parent_hosted_zone_id": parent.hosted_zone_id,
            }
        ),
        exists=True,
    )
    if not registered:  # a teardown removed the zone's entry since it was read
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while it was being delegated; nothing was written")
    before = any(key(r) == key(record) and same_content(r, record) for r in item.records)
    checked = parent.hosted_zone_id == plan.parent.hosted_zone_id  # ReserveName looked there
    return DelegationResult(record=record, in_sync=False, written_before=before, name_checked=checked)
