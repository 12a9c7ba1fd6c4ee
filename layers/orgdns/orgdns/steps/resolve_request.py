"""ResolveRequest: turn an event or a manual input into a plan, or a Skip/Reject decision.

Everything that can be refused is refused here, before anything is written. Three kinds of
request arrive: an account was created (the organization's administrators tagged it), a run was
started by hand, or a member account tagged one of its own hosted zones ``orgdns:delegate=true``
(self-service, where the ownership rules of ``orgdns.ownership`` apply).
"""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.aws.organizations import Account
from orgdns.aws.registry import now_ms
from orgdns.errors import RequestRejected, ZoneBeingTornDown
from orgdns.models import Decision, Plan, Trigger
from orgdns.names import normalise_domain_name
from orgdns.ownership import classify_certificate_names, may_claim, outstanding_requests, refused_names_message
from orgdns.request import (
    RECONCILE_SOURCE,
    TAG_NAMES,
    ManualInput,
    is_account_tag_event,
    is_event,
    is_zone_tag_event,
    naming_rule_name,
    parse_account_event,
    parse_account_tag_event,
    parse_manual_input,
    parse_reconcile_run,
    parse_zone_tag_event,
    tag_options,
    wanted_from,
)
from orgdns.steps.lookups import surroundings
from orgdns.zones import KnownZone, find_parent

DELEGATE_TAG = "delegate"


def resolve_request(raw: Any, execution: str, aws: AwsAccess) -> Decision:
    """Proceed with a plan, Skip (nothing asked for) or Reject (the request is wrong or not
    allowed), with the reason and the offending field."""
    decision = Decision(decision="Reject")
    try:
        decision = _decide(raw, execution, aws, decision)
    except RequestRejected as exc:
        decision.decision = "Reject"
        decision.reason, decision.message, decision.field = exc.reason, exc.message, exc.field
    return decision


def _decide(raw: Any, execution: str, aws: AwsAccess, decision: Decision) -> Decision:
    if not isinstance(raw, dict):
        raise RequestRejected("InvalidInput", f"the input must be a JSON object, got {type(raw).__name__}", "input")
    if is_zone_tag_event(raw):
        return _zone_request(raw, execution, aws, decision)

    manual: dict[str, Any] = {}
    if is_account_tag_event(raw):
        tag_event = parse_account_tag_event(raw)
        decision.trigger, decision.event_id, decision.account_id = (
            tag_event.trigger,
            tag_event.event_id,
            tag_event.account_id,
        )
        if tag_event.account_id is None:
            decision.decision, decision.reason = "Skip", "NotAnAccount"
            decision.message = f"{tag_event.resource_id} is not an account: orgdns reads tags of accounts only"
            return decision
        prefix = aws.settings.tag_prefix
        if not any(key.startswith(prefix) for key in tag_event.keys):
            decision.decision, decision.reason = "Skip", "NoOrgDnsTags"
            decision.message = f"the tags changed on account {tag_event.account_id} are not {prefix}* tags"
            return decision
        account_id = tag_event.account_id
        request_id = tag_event.event_id or execution
    elif raw.get("source") == RECONCILE_SOURCE:
        # A reconcile's run for an account (what it settles is in detail-type): as a manual run
        # with the account alone, everything else from its tags.
        account_id, event_id, _finding = parse_reconcile_run(raw)
        decision.trigger, decision.event_id, decision.account_id = Trigger.RECONCILE, event_id, account_id
        request_id = event_id or execution
    elif is_event(raw):
        event = parse_account_event(raw)
        decision.trigger, decision.event_id, decision.account_id = event.trigger, event.event_id, event.account_id
        if not event.succeeded:
            decision.decision, decision.reason = "Skip", "AccountCreationFailed"
            decision.message = f"the account was not created ({event.failure_reason}): nothing to set up"
            return decision
        account_id = event.account_id or ""
        request_id = event.event_id or execution
    else:
        manual_input = parse_manual_input(raw, complete=False)  # what it leaves out comes from the tags
        decision.trigger, decision.account_id = Trigger.MANUAL, manual_input.account_id
        account_id = manual_input.account_id
        manual = manual_input.model_dump(by_alias=True, exclude_none=True)
        request_id = execution

    account = _member_account(account_id, aws)
    settings = aws.settings
    # Tags and manual input are checked by the same model; a problem names the tag it came from.
    tagged = tag_options(account.tags, settings.tag_prefix)
    sources = {key: f"{settings.tag_prefix}{TAG_NAMES[key]}" for key in tagged}
    sources.update({key: key for key in manual})
    options = parse_manual_input({**tagged, **manual, "accountId": account_id}, sources)
    raw_name = options.zone_name
    if raw_name is None:
        raw_name = naming_rule_name(settings.naming_rule, account_id, account.name)
        sources["zoneName"] = "NamingRule"
    if raw_name is None:
        decision.decision, decision.reason = "Skip", "NoSubdomainRequested"
        decision.message = (
            f"account {account_id} ({account.name}) has no {settings.tag_prefix}subdomain tag "
            "and no naming rule applies"
        )
        return decision
    decision.zone_name = normalise_domain_name(raw_name, sources.get("zoneName", "zoneName"))
    return _plan(
        decision, account=account, options=options, sources=sources, request_id=request_id, aws=aws, hosted_zone_id=None
    )


def _zone_request(raw: dict[str, Any], execution: str, aws: AwsAccess, decision: Decision) -> Decision:
    """Self-service: trust nothing in the event but which account sent it and which zone it names;
    read the zone and its tags again from that account's Route 53."""
    settings = aws.settings
    event = parse_zone_tag_event(raw)
    decision.trigger, decision.event_id, decision.account_id = Trigger.ZONE_TAGGED, event.event_id, event.account_id
    decision.hosted_zone_id = event.hosted_zone_id
    account = _member_account(event.account_id, aws)
    route53 = aws.route53(event.account_id)
    zone = route53.zone(event.hosted_zone_id)
    if zone is None:
        raise RequestRejected(
            "ZoneNotFound",
            f"hosted zone {event.hosted_zone_id} does not exist in account {event.account_id}",
            "detail.requestParameters.resourceId",
        )
    decision.zone_name = zone.name
    if zone.private:
        raise RequestRejected("PrivateZone", f"{zone.name} is a private hosted zone: it cannot be delegated", "zone")
    tags = route53.tags(zone.hosted_zone_id)
    delegate_tag = settings.tag_prefix + DELEGATE_TAG
    if tags.get(delegate_tag, "").strip().lower() != "true":
        if delegate_tag in event.removed or delegate_tag not in event.added:
            decision.decision, decision.reason = "Skip", "NotTagged"
            decision.message = f"{zone.name} ({zone.hosted_zone_id}) does not carry {delegate_tag}=true"
            return decision
        raise RequestRejected(
            "ZoneNotTagged",
            f"the event says {delegate_tag} was set on {zone.name}, but the zone does not carry {delegate_tag}=true",
            delegate_tag,
        )
    tagged = tag_options({k: v for k, v in tags.items() if k != delegate_tag}, settings.tag_prefix, on="zone")
    sources = {key: f"{settings.tag_prefix}{TAG_NAMES[key]}" for key in tagged}
    options = parse_manual_input({**tagged, "accountId": event.account_id}, sources)
    decision.zone_name = normalise_domain_name(zone.name, "zone")
    return _plan(
        decision,
        account=account,
        options=options,
        sources=sources,
        request_id=event.event_id or execution,
        aws=aws,
        hosted_zone_id=zone.hosted_zone_id,
    )


def _member_account(account_id: str, aws: AwsAccess) -> Account:
    if account_id == aws.settings.management_account_id:
        raise RequestRejected(
            "ManagementAccount",
            f"{account_id} is the management account: its zones are roots, declared in configuration",
            "accountId",
        )
    account = aws.organizations().account(account_id)
    if account is None:
        raise RequestRejected(
            "AccountNotInOrganization", f"account {account_id} is not in this organization", "accountId"
        )
    if account.state != "ACTIVE":
        raise RequestRejected(
            "AccountNotActive",
            f"account {account_id} is {account.state}: orgdns sets up subdomains for ACTIVE accounts only",
            "accountId",
        )
    return account


def _plan(
    decision: Decision,
    *,
    account: Account,
    options: ManualInput,
    sources: dict[str, str],
    request_id: str,
    aws: AwsAccess,
    hosted_zone_id: str | None,
) -> Decision:
    settings = aws.settings
    zone_name = decision.zone_name or ""
    account_id = account.account_id
    self_service = hosted_zone_id is not None
    wanted = wanted_from(zone_name, options, sources, settings.default_certificate_regions, settings.ns_ttl)
    regions, custom_domain, ns_ttl, names = wanted.regions, wanted.custom_domain, wanted.ns_ttl, wanted.names

    around = surroundings(aws, [zone_name, *names])
    roots = around.roots
    if any(root.name == zone_name for root in roots):
        raise RequestRejected("NameIsRootZone", f"{zone_name} is a root zone of the organization", "zoneName")
    existing = around.managed.get(zone_name)
    if existing is not None and existing.account_id != account_id:
        raise RequestRejected(
            "NameOwnedByAnotherAccount",
            f"{zone_name} is already managed for account {existing.account_id}",
            "zoneName",
        )
    if existing is not None and existing.torn_down_by:
        raise ZoneBeingTornDown(
            f"{zone_name} is being torn down by run {existing.torn_down_by}: this run waits for it to finish"
        )
    if existing is not None and self_service and existing.hosted_zone_id != hosted_zone_id:
        raise RequestRejected(
            "NameAlreadyManaged",
            f"{zone_name} is already managed as hosted zone {existing.hosted_zone_id}, not {hosted_zone_id}",
            "zoneName",
        )
    parent = find_parent(zone_name, around.zones)
    if parent is None:
        managed = ", ".join(sorted(root.name for root in roots)) or "none configured"
        raise RequestRejected(
            "ParentZoneNotManaged",
            f"{zone_name} is not below any zone orgdns manages (roots: {managed})",
            "zoneName",
        )
    if self_service and not may_claim(zone_name, account_id, parent.account_id, settings.grants):
        raise RequestRejected(
            "NotGrantedByParentOwner",
            f"{zone_name} would be delegated from {parent.name}, owned by account {parent.account_id}, "
            f"which has not granted names there to account {account_id}",
            "zoneName",
        )
    if self_service and existing is None:
        pending = outstanding_requests(aws.registry().of_account(account_id), account_id)
        if pending >= settings.max_outstanding_requests:
            raise RequestRejected(
                "TooManyOutstandingRequests",
                f"account {account_id} already has {pending} self-service zones that have not succeeded "
                f"(at most {settings.max_outstanding_requests})",
                "accountId",
            )
    # A name that already holds records in the parent (A, CNAME, MX... or someone else's NS) is
    # taken: the record writer checks it next (ReserveName), reading the parent once for every
    # run that asks at the same time, before a hosted zone is created or delegated for it.

    # A certificate is a claim on every name it holds: each must be the account's, or granted.
    own = KnownZone(zone_name, account_id, hosted_zone_id or (existing.hosted_zone_id if existing else ""))
    claims = classify_certificate_names(names, account_id, [*around.zones, own], settings.grants)
    refused = [claim for claim in claims if not claim.allowed]
    if refused:
        raise RequestRejected(
            "CertificateNameNotAllowed",
            refused_names_message(refused, account_id),
            sources.get("extraNames", "extraNames"),
        )

    decision.decision = "Proceed"
    decision.plan = Plan(
        request_id=request_id,
        trigger=decision.trigger or Trigger.MANUAL,
        account_id=account_id,
        account_name=account.name,
        zone_name=zone_name,
        parent=parent.ref(),
        certificate_regions=regions,
        certificate_names=names,
        custom_domain=custom_domain,
        ns_ttl=ns_ttl,
        hosted_zone_id=hosted_zone_id,
        decided_at=now_ms(),
        named_by=_named_by(sources.get("zoneName"), self_service, aws.settings.tag_prefix),
    )
    return decision


def _named_by(source: str | None, self_service: bool, prefix: str) -> str:
    if self_service:
        return "zone"
    if source == "NamingRule":
        return "naming-rule"
    if source == prefix + TAG_NAMES["zoneName"]:
        return "tag"
    return "input"
