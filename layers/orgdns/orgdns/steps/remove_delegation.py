"""RemoveDelegation: a zone was deleted or untagged, or its account closed; plan taking down what
orgdns wrote for it, parent NS records first, so no delegation is left pointing at name servers
that nobody controls (that is how subdomains are taken over).

The plan is a list of record changes for the record writer (WriteTeardownChanges -> WriteChanges),
which batches them with every other run's changes to the same zones: a DELETE of each record
orgdns wrote outside the zone (the writer deletes it only while it is exactly as orgdns wrote it;
a record changed since is left in place and reported, ActionRequired), and an UPSERT for each
child of a removed zone, re-delegated from the nearest managed zone above it so its name keeps
resolving (its NS record in the removed zone would otherwise dangle or vanish). FinishTeardown
then removes the registry entries: the ownership rows go after the DNS changes. The zone's SSM
outputs (WriteOutputs) are deleted here, in its account, unless the account is closed.
"""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.aws.organizations import CLOSED_STATES
from orgdns.errors import RequestRejected
from orgdns.models import Decision, ManagedZone, RecordChange, RecordSpec, TeardownResult, Trigger, ZoneRef
from orgdns.names import normalise_domain_name
from orgdns.records import key, owned_records, same_content
from orgdns.request import TAG_NAMES, naming_rule_name, parse_teardown_event
from orgdns.steps.lookups import surroundings
from orgdns.steps.resolve_request import DELEGATE_TAG
from orgdns.zones import find_parent


def remove_delegation(raw: Any, execution: str, aws: AwsAccess) -> dict[str, Any]:
    """Returns the workflow state: ``decision`` (Proceed, Skip or Reject) and ``teardown``."""
    decision = Decision(decision="Reject")
    result = TeardownResult()
    try:
        if not isinstance(raw, dict):
            raise RequestRejected("InvalidInput", "the input must be a JSON object", "input")
        _teardown(raw, execution, aws, decision, result)
    except RequestRejected as exc:
        decision.decision = "Reject"
        decision.reason, decision.message, decision.field = exc.reason, exc.message, exc.field
    return {
        "input": raw,
        "decision": decision.model_dump(mode="json", by_alias=True, exclude_none=True),
        "teardown": result.model_dump(mode="json", by_alias=True, exclude_none=True),
    }


def _teardown(raw: dict[str, Any], execution: str, aws: AwsAccess, decision: Decision, result: TeardownResult) -> None:
    event = parse_teardown_event(raw)
    decision.trigger, decision.event_id, decision.account_id = event.trigger, event.event_id, event.account_id
    decision.hosted_zone_id = event.hosted_zone_id
    registry = aws.registry()
    entries = registry.of_account(event.account_id)
    if event.by_tags:
        targets = _no_longer_asked_for(event.account_id, entries, aws, decision)
        if not targets:
            return
    elif event.hosted_zone_id is not None:
        targets = [z for z in entries if z.hosted_zone_id == event.hosted_zone_id]
        if not targets:
            decision.decision, decision.reason = "Skip", "NotManaged"
            decision.message = f"hosted zone {event.hosted_zone_id} of account {event.account_id} is not managed"
            return
        decision.zone_name = targets[0].zone_name
        _check_zone_event(event.trigger, targets[0], aws)
    elif event.trigger in {Trigger.ACCOUNT_TAGGED, Trigger.ACCOUNT_UNTAGGED}:
        targets = _no_longer_asked_for(event.account_id, entries, aws, decision)
        if not targets:
            return
    else:
        state = aws.organizations().state(event.account_id)
        if state is not None and state not in CLOSED_STATES:
            raise RequestRejected(
                "AccountStillActive",
                f"account {event.account_id} is {state}, not closed (PENDING_CLOSURE, SUSPENDED or CLOSED): "
                "nothing to tear down",
                "accountId",
            )
        targets = entries
        if not targets:
            decision.decision, decision.reason = "Skip", "NotManaged"
            decision.message = f"account {event.account_id} has no managed zones"
            return
    decision.decision = "Proceed"
    removed = {z.zone_name for z in targets}
    # What the account's other zones still need (validation CNAMEs are per account and name).
    remaining = [z for z in entries if z.zone_name not in removed]
    # AWS refuses AssumeRole into a closed (SUSPENDED) account: a closure is torn down from the
    # parents' side only. Records inside the closed account's own zones go with the account.
    account_wide = event.trigger == Trigger.ACCOUNT_CLOSED or (
        event.trigger == Trigger.RECONCILE and event.hosted_zone_id is None and not event.by_tags
    )
    closed = event.account_id if account_wide else None
    for zone in sorted(targets, key=lambda z: -z.zone_name.count(".")):  # deepest first
        # Marked first: from now on the record writer writes nothing more for it (a run on its way
        # would otherwise write a delegation back after this teardown's DELETE).
        registry.put(zone.model_copy(update={"torn_down_by": execution}))
        if closed is None:  # a closed account's parameters go with it (and orgdns cannot enter it)
            _remove_outputs(zone, aws)
        _remove_records(zone, remaining, result, closed)
        _move_children(zone, removed, aws, registry, result)
        result.zones.append(zone.zone_name)
        result.forget.append(ZoneRef(zone_name=zone.zone_name, account_id=zone.account_id,
                                     hosted_zone_id=zone.hosted_zone_id))  # fmt: skip


def _remove_outputs(zone: ManagedZone, aws: AwsAccess) -> None:
    """Delete the SSM parameters WriteOutputs wrote for the zone in its account (they name a zone
    and certificates that are no longer orgdns's to vouch for)."""
    for region in sorted({p.region for p in zone.parameters}):
        aws.parameters(zone.account_id, region).delete([p.name for p in zone.parameters if p.region == region])


def _no_longer_asked_for(
    account_id: str, entries: list[ManagedZone], aws: AwsAccess, decision: Decision
) -> list[ManagedZone]:
    """The account's zones set up from its tags (or the NamingRule) that its tags, read again now,
    no longer ask for: the subdomain tag removed, or set to another name. Self-service zones answer
    to their own tags, and zones a manual run named to nobody's tags: they stay. Tags that cannot
    be read as a name (an invalid value) tear nothing down."""
    settings = aws.settings
    account = aws.organizations().account(account_id)
    if account is None:
        raise RequestRejected(
            "AccountNotInOrganization", f"account {account_id} is not in this organization", "accountId"
        )
    raw = account.tags.get(settings.tag_prefix + TAG_NAMES["zoneName"])
    wanted: str | None = None
    if raw is not None:
        try:
            wanted = normalise_domain_name(raw, settings.tag_prefix + TAG_NAMES["zoneName"])
        except RequestRejected as exc:
            decision.decision, decision.reason = "Skip", "InvalidTag"
            decision.message = f"{exc.message}: nothing is torn down until the tag is valid or removed"
            return []
    else:
        rule_name = naming_rule_name(settings.naming_rule, account_id, account.name)
        wanted = normalise_domain_name(rule_name, "NamingRule") if rule_name else None
    # Zones a manual run named (zoneName in its input) answer to no tag; zones registered before
    # orgdns recorded where names came from (named_by None) are taken as named by the tag.
    targets = [
        z for z in entries
        if not z.self_service and z.zone_name != wanted and z.named_by in {None, "tag", "naming-rule"}
    ]  # fmt: skip
    if not targets:
        decision.decision, decision.reason = "Skip", "StillTagged"
        decision.message = (
            f"account {account_id}'s tags ask for {wanted}, which stays" if wanted
            else f"account {account_id} has no subdomain set up from its tags"
        )  # fmt: skip
        return []
    decision.zone_name = targets[0].zone_name
    return targets


def _check_zone_event(trigger: Trigger, zone: ManagedZone, aws: AwsAccess) -> None:
    """Re-read the zone: the event alone proves nothing."""
    route53 = aws.route53(zone.account_id)
    current = route53.zone(zone.hosted_zone_id)
    if trigger in {Trigger.ZONE_DELETED, Trigger.RECONCILE} and current is not None:
        raise RequestRejected(
            "ZoneStillExists", f"{zone.zone_name} ({zone.hosted_zone_id}) still exists: its delegation stays", "zone"
        )
    if trigger == Trigger.ZONE_TAGGED and current is not None:
        if not zone.self_service:
            raise RequestRejected(
                "NotSelfService",
                f"{zone.zone_name} was set up for the account, not by tagging it: removing a tag does not end it",
                "zone",
            )
        tags = route53.tags(zone.hosted_zone_id)
        if tags.get(aws.settings.tag_prefix + DELEGATE_TAG, "").strip().lower() == "true":
            raise RequestRejected(
                "StillTagged", f"{zone.zone_name} still carries {aws.settings.tag_prefix}{DELEGATE_TAG}=true", "zone"
            )


def _remove_records(
    zone: ManagedZone, remaining: list[ManagedZone], result: TeardownResult, closed: str | None
) -> None:
    """Plan the DELETE of what orgdns wrote for ``zone`` outside it, the delegation first; never a
    record another managed zone still needs, never one in a zone of the closed account ``closed``
    (which orgdns cannot enter). The writer deletes each only if it is still exactly as written."""
    still_needed = owned_records(remaining)
    outside = [
        r
        for r in zone.records
        if r.hosted_zone_id != zone.hosted_zone_id and (closed is None or (r.account_id or zone.account_id) != closed)
    ]
    outside.sort(key=lambda r: not (r.type == "NS" and r.name == zone.zone_name))
    for record in outside:
        other = still_needed.get(key(record))
        if other is not None and same_content(other, record):
            continue
        account_id = record.account_id or zone.account_id
        result.changes.append(
            RecordChange(action="DELETE", record=record.model_copy(update={"account_id": account_id}))
        )


def _move_children(zone: ManagedZone, removed: set[str], aws: AwsAccess, registry: Any, result: TeardownResult) -> None:
    """Re-delegate the zone's registered children from the nearest managed zone above them that
    stays (the zones this teardown removes do not)."""
    children = [z for z in registry.children(zone.zone_name) if z.zone_name not in removed]
    if not children:
        return
    around = surroundings(aws, [child.zone_name for child in children])
    others = [z for z in around.zones if z.name not in removed]
    for child in children:
        parent = find_parent(child.zone_name, others)
        if parent is None:
            continue
        record = RecordSpec(
            name=child.zone_name, type="NS",
            ttl=next((r.ttl for r in child.records if r.type == "NS"), aws.settings.ns_ttl),
            values=sorted(child.name_servers), zone_name=parent.name, hosted_zone_id=parent.hosted_zone_id,
            account_id=parent.account_id, purpose="Delegation",
        )  # fmt: skip
        # The child's item is updated by FinishTeardown, once the record is written: until then it
        # stays a child of this zone, so a teardown that fails or is retried plans its move again.
        result.changes.append(RecordChange(record=record, owner=child.zone_name, owner_account_id=child.account_id))
        result.children_moved.append(child.zone_name)
