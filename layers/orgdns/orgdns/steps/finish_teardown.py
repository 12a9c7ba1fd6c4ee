"""FinishTeardown: once the record writer has removed what orgdns wrote for the torn-down zones
(and delegated their children from above), record the children's new parents and remove the
torn-down zones' registry entries: the ownership rows change after the DNS changes, so a
teardown that fails before leaves the registry as it was, for a second run to finish."""

from orgdns.aws.access import AwsAccess
from orgdns.models import TeardownResult, WorkflowState
from orgdns.records import merge_records


def finish_teardown(state: WorkflowState, aws: AwsAccess) -> TeardownResult:
    teardown = state.teardown
    assert teardown is not None, "RemoveDelegation must run before FinishTeardown"
    written = teardown.written
    registry = aws.registry()
    gone = {zone.hosted_zone_id for zone in teardown.forget}
    for change in teardown.changes:
        if change.action != "UPSERT" or change.owner is None:
            continue
        child = registry.get(change.owner)
        if child is None or child.account_id != change.owner_account_id:
            continue  # torn down itself meanwhile
        record = change.record
        kept = [r for r in child.records if r.hosted_zone_id not in gone]
        registry.put(
            child.model_copy(
                update={
                    "parent_zone_name": record.zone_name,
                    "parent_account_id": record.account_id,
                    "parent_hosted_zone_id": record.hosted_zone_id,
                    "records": merge_records(kept, [record]),
                }
            )
        )
    for zone in teardown.forget:
        # The tombstone first, then the item: a run planned before now that finds no item must find
        # the tombstone (CreateZone: ZoneWithdrawn), never neither, or it would register the zone
        # again and follow tags that are gone. Deleted first, a CreateZone reading between the two
        # requests saw a name never managed and set it up again.
        registry.mark_torn_down(zone.zone_name)
        registry.delete(zone.zone_name, zone.hosted_zone_id)  # only if still that hosted zone's
    return teardown.model_copy(
        update={
            "removed": list(written.removed) if written else [],
            "left": list(written.left) if written else [],
            "changes": [],
            "forget": [],
        }
    )
