"""CreateZone: the child hosted zone in the member account, its NS TTL, and adopted children."""

import hashlib

from orgdns.aws.access import AwsAccess
from orgdns.errors import ZoneConflict, ZoneWithdrawn
from orgdns.models import ChangeRef, ChildMove, ManagedZone, Plan, RecordSpec, WorkflowState, ZoneRef, ZoneResult
from orgdns.records import merge_records, owned_records, plan_write
from orgdns.steps.lookups import zones_delegated_from_above


def caller_reference(plan: Plan) -> str:
    """Derived from what is asked for (this account's zone of this name), not from the run: a
    retried step, a rerun, or two runs racing for one account (Control Tower's CreateAccountResult
    and CreateManagedAccount arrive together) all send the same reference, and Route 53 creates
    one zone for it."""
    digest = hashlib.sha256(f"{plan.account_id}/{plan.zone_name}".encode()).hexdigest()
    return f"orgdns-{digest[:40]}"


# Route 53 gives a new zone's apex NS record this TTL (observed; AWS recommends it for NS records).
ROUTE53_APEX_NS_TTL = 172800


def create_zone(state: WorkflowState, aws: AwsAccess) -> ZoneResult:
    """Find or create the public hosted zone, then write, in one change batch, its NS TTL and the
    NS records of registered children that were delegated from further up before it existed.

    A zone this step has just created holds only what Route 53 put there: its apex NS record
    (the delegation set CreateHostedZone answered with) and SOA. So its NS TTL is written without
    reading the zone first: three Route 53 requests for a new account's zone instead of five,
    which in a burst is the difference between a step that waits a second for its account's
    Route 53 budget and one that waits three."""
    plan = state.plan
    route53 = aws.route53(plan.account_id)
    registry = aws.registry()
    item, torn_down_at = registry.get_with_tombstone(plan.zone_name)
    item = item if item is not None and item.account_id == plan.account_id else None
    if item is None and torn_down_at is not None and plan.decided_at and torn_down_at > plan.decided_at:
        # The plan predates a teardown of this name that has finished since (the account's tags
        # were removed meanwhile): registering it again would follow tags that are gone.
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down after this run read the tags; nothing was created")

    zone_id: str | None = None
    fresh: tuple[str, ...] | None = None  # the name servers of a zone created just now
    created = False
    created_by_orgdns = item.created_by_orgdns if item else True
    if plan.hosted_zone_id is not None:
        # Self-service: the member's own zone, read again (it may have gone since the request).
        own = route53.zone(plan.hosted_zone_id)
        if own is None or own.name != plan.zone_name:
            raise ZoneConflict(
                f"hosted zone {plan.hosted_zone_id} ({plan.zone_name}) is no longer in account {plan.account_id}"
            )
        zone_id, created_by_orgdns = own.hosted_zone_id, False
    elif item is not None and route53.name_servers(item.hosted_zone_id) is not None:
        zone_id = item.hosted_zone_id
    else:
        reference = caller_reference(plan)
        zones = route53.find_zones(plan.zone_name)
        ours = [z for z in zones if z.caller_reference == reference]
        if ours:
            zone_id = ours[0].hosted_zone_id
        elif len(zones) == 1:
            zone_id, created_by_orgdns = zones[0].hosted_zone_id, False  # the account made it itself
        elif len(zones) > 1:
            raise ZoneConflict(
                f"account {plan.account_id} has {len(zones)} public hosted zones named {plan.zone_name}; "
                "delete the extra ones or start the run by hand once only one remains"
            )
        else:
            new = route53.create_zone(plan.zone_name, reference, f"orgdns: {plan.request_id}")
            zone_id, fresh, created = new.hosted_zone_id, new.name_servers, True
    name_servers = list(fresh) if fresh else route53.name_servers(zone_id) or []

    registered = item or ManagedZone(
        zone_name=plan.zone_name, account_id=plan.account_id, hosted_zone_id=zone_id, request_id=plan.request_id
    )
    registered = registered.model_copy(
        update={
            "hosted_zone_id": zone_id,
            "parent_zone_name": plan.parent.zone_name,
            "parent_account_id": plan.parent.account_id,
            "parent_hosted_zone_id": plan.parent.hosted_zone_id,
            "name_servers": name_servers,
            "created_by_orgdns": created_by_orgdns,
            "self_service": plan.hosted_zone_id is not None or registered.self_service,
            "named_by": registered.named_by or plan.named_by,
            # a zone created again while the old one's teardown finishes is not being torn down
            "torn_down_by": registered.torn_down_by if item and item.hosted_zone_id == zone_id else None,
        }
    )
    # Registered before looking for children: a child's run that starts now sees this zone when it
    # delegates (Delegate re-reads the registry), and a child registered earlier is seen below.
    # Conditional: an item a teardown deleted since it was read is not brought back, and of two runs
    # registering the zone at once (Control Tower's two events) the second updates the first's.
    if not registry.put_if(registered, exists=item is not None):
        again = registry.get(plan.zone_name)
        if item is not None or again is None or again.account_id != plan.account_id or again.torn_down_by:
            raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its zone was being set up")
        registered = again.model_copy(update={"name_servers": name_servers, "hosted_zone_id": zone_id})
        if not registry.put_if(registered, exists=True):
            raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its zone was being set up")
    children = zones_delegated_from_above(aws, plan.zone_name)

    owned = owned_records(children)  # a child's NS record here, if an earlier run wrote it
    changes: list[tuple[str, RecordSpec]] = []
    if fresh:
        apex_ns = [RecordSpec(name=plan.zone_name, type="NS", ttl=ROUTE53_APEX_NS_TTL, values=list(fresh))]
    else:
        apex_ns = [r for r in route53.records_at(zone_id, plan.zone_name) if r.type == "NS"]
    if created_by_orgdns and apex_ns and apex_ns[0].ttl != plan.ns_ttl:
        changes.append(("UPSERT", apex_ns[0].model_copy(update={"ttl": plan.ns_ttl})))

    moves = []
    for child in children:
        record = RecordSpec(
            name=child.zone_name,
            type="NS",
            ttl=plan.ns_ttl,
            values=sorted(child.name_servers),
            zone_name=plan.zone_name,
            hosted_zone_id=zone_id,
            account_id=plan.account_id,
            purpose="Delegation",
        )
        if plan_write(record, route53.records_at(zone_id, child.zone_name), owned):
            changes.append(("UPSERT", record))
        moves.append(
            ChildMove(
                zone_name=child.zone_name,
                old_parent=ZoneRef(
                    zone_name=child.parent_zone_name or "",
                    account_id=child.parent_account_id or "",
                    hosted_zone_id=child.parent_hosted_zone_id or "",
                ),
                record=record,
            )
        )
    if moves:
        registered = registered.model_copy(
            update={"records": merge_records(registered.records, [m.record for m in moves])}
        )
    if not registry.put_if(registered, exists=True):  # before the write: known as orgdns's own
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its zone was being set up")

    change = None
    if changes:
        change_id = route53.change(zone_id, changes, f"orgdns {plan.request_id}: NS TTL and child delegations")
        change = ChangeRef(account_id=plan.account_id, change_id=change_id)
    return ZoneResult(hosted_zone_id=zone_id, name_servers=name_servers, created=created, change=change, children=moves)
