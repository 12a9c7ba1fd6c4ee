"""ResolveRequest: turn an event or a manual input into a plan, or a Skip/Reject decision.

Everything that can be refused is refused here, before anything is written.
"""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.certificates import certificate_names
from orgdns.errors import RequestRejected
from orgdns.models import CustomDomainSpec, CustomDomainType, Decision, Plan, Trigger
from orgdns.names import normalise_domain_name
from orgdns.records import owned_records
from orgdns.request import (
    TAG_NAMES,
    is_event,
    naming_rule_name,
    parse_account_event,
    parse_manual_input,
    tag_options,
)
from orgdns.zones import find_parent, known_zones


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
    settings = aws.settings
    if not isinstance(raw, dict):
        raise RequestRejected("InvalidInput", f"the input must be a JSON object, got {type(raw).__name__}", "input")

    manual: dict[str, Any] = {}
    if is_event(raw):
        event = parse_account_event(raw)
        decision.trigger, decision.event_id, decision.account_id = event.trigger, event.event_id, event.account_id
        if not event.succeeded:
            decision.decision, decision.reason = "Skip", "AccountCreationFailed"
            decision.message = f"the account was not created ({event.failure_reason}): nothing to set up"
            return decision
        account_id = event.account_id or ""
        request_id = event.event_id or execution
    else:
        manual_input = parse_manual_input(raw)
        decision.trigger, decision.account_id = Trigger.MANUAL, manual_input.account_id
        account_id = manual_input.account_id
        manual = manual_input.model_dump(by_alias=True, exclude_none=True)
        request_id = execution

    if account_id == settings.management_account_id:
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
    if account.status != "ACTIVE":
        raise RequestRejected("AccountNotActive", f"account {account_id} is {account.status}", "accountId")

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
    zone_name = normalise_domain_name(raw_name, sources.get("zoneName", "zoneName"))
    decision.zone_name = zone_name

    regions = list(dict.fromkeys(options.certificate_regions or settings.default_certificate_regions))
    custom_domain = None
    if options.custom_domain == "edge":
        custom_domain = CustomDomainSpec(type=CustomDomainType.EDGE, region="us-east-1")
    elif options.custom_domain == "regional":
        custom_domain = CustomDomainSpec(
            type=CustomDomainType.REGIONAL, region=options.custom_domain_region or regions[0]
        )
    if custom_domain and custom_domain.region not in regions:
        regions.append(custom_domain.region)
    ns_ttl = settings.ns_ttl if options.ns_ttl is None else options.ns_ttl
    names = certificate_names(zone_name, options.extra_names or [], sources.get("extraNames", "extraNames"))

    registry = aws.registry().all()
    roots = aws.root_zones()
    if any(root.name == zone_name for root in roots):
        raise RequestRejected("NameIsRootZone", f"{zone_name} is a root zone of the organization", "zoneName")
    existing = next((item for item in registry if item.zone_name == zone_name), None)
    if existing is not None and existing.account_id != account_id:
        raise RequestRejected(
            "NameOwnedByAnotherAccount",
            f"{zone_name} is already managed for account {existing.account_id}",
            "zoneName",
        )
    parent = find_parent(zone_name, known_zones(roots, registry))
    if parent is None:
        managed = ", ".join(sorted(root.name for root in roots)) or "none configured"
        raise RequestRejected(
            "ParentZoneNotManaged",
            f"{zone_name} is not below any zone orgdns manages (roots: {managed})",
            "zoneName",
        )
    # A name that already holds records in the parent (A, CNAME, MX... or someone else's NS) is
    # taken: refuse now, before a hosted zone is created for it.
    in_parent = aws.route53(parent.account_id).records_at(parent.hosted_zone_id, zone_name)
    owned = owned_records(registry)
    foreign = [r for r in in_parent if (parent.hosted_zone_id, r.name, r.type) not in owned]
    if foreign:
        taken = ", ".join(sorted({r.type for r in foreign}))
        raise RequestRejected(
            "NameInUse",
            f"{parent.name} already has {taken} records at {zone_name} that orgdns did not write",
            "zoneName",
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
    )
    return decision
