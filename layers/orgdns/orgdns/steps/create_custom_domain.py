"""CreateCustomDomain: the API Gateway custom domain for the zone name and its alias records; a
domain orgdns set up earlier is switched to the run's certificate (names or Regions changed)."""

from collections.abc import Callable

from orgdns.aws.access import AwsAccess
from orgdns.aws.apigateway import ApiGateway, DomainName
from orgdns.errors import CustomDomainFailed, Superseded, ZoneWithdrawn
from orgdns.models import CustomDomainResult, Plan, RecordSpec, WorkflowState
from orgdns.records import merge_records, owned_records, plan_write


def create_custom_domain(state: WorkflowState, aws: AwsAccess) -> CustomDomainResult:
    """Create the domain (or find it from an earlier run) with the Region's certificate, then
    point A and AAAA alias records at its CloudFront or regional endpoint."""
    plan, zone, check = state.plan, state.zone, state.certificate_check
    spec = plan.custom_domain
    assert spec is not None and zone is not None and check is not None
    certificate = next(c for c in check.certificates if c.region == spec.region)
    endpoint = spec.type.endpoint_type
    registry = aws.registry()
    item = registry.get(plan.zone_name)
    if item is None or item.account_id != plan.account_id or item.torn_down_by:
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its custom domain was being set up")
    apigateway = aws.apigateway(plan.account_id, spec.region)
    domain = apigateway.get(plan.zone_name)
    previous = None
    if domain is None:
        claim_certificate(aws, plan)
        domain = apigateway.create(plan.zone_name, endpoint, certificate.arn)
    elif domain.endpoint_type != endpoint:
        raise CustomDomainFailed(
            f"{plan.zone_name} already exists in API Gateway ({spec.region}) as a {domain.endpoint_type} domain; "
            f"orgdns does not change a custom domain's endpoint type (asked for {endpoint}): create the new domain "
            "by hand and move the alias records, or set orgdns:custom-domain back"
        )
    elif domain.certificate_arn != certificate.arn:
        previous = domain.certificate_arn
        domain = serve(apigateway, domain, certificate.arn, lambda: claim_certificate(aws, plan))

    records = [
        RecordSpec(
            name=plan.zone_name,
            type=rtype,
            alias_target=f"{domain.target_hosted_zone_id}/{domain.target_domain_name}",
            zone_name=plan.zone_name,
            hosted_zone_id=zone.hosted_zone_id,
            account_id=plan.account_id,
            purpose="Alias",
        )
        for rtype in ("A", "AAAA")
    ]
    item = registry.get(plan.zone_name)
    if item is None or item.account_id != plan.account_id or item.torn_down_by:
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its custom domain was being set up")
    route53 = aws.route53(plan.account_id)
    existing = route53.records_at(zone.hosted_zone_id, plan.zone_name)
    owned = owned_records([item])  # the alias records at the zone's apex are its own
    changes = [("UPSERT", r) for r in records if plan_write(r, existing, owned)]
    registry.put(item.model_copy(update={"records": merge_records(item.records, records)}))
    if changes:
        route53.change(zone.hosted_zone_id, changes, f"orgdns {plan.request_id}: custom domain {plan.zone_name}")
    return CustomDomainResult(
        domain_name=plan.zone_name,
        type=spec.type,
        region=spec.region,
        certificate_arn=certificate.arn,
        target_domain_name=domain.target_domain_name,
        target_hosted_zone_id=domain.target_hosted_zone_id,
        status=domain.status,
        available=domain.status == "AVAILABLE" and domain.certificate_arn == certificate.arn,
        records=records,
        previous_certificate_arn=previous,
    )


def claim_certificate(aws: AwsAccess, plan: Plan) -> None:
    """This run is about to set the domain's certificate: only if no run that read the tags later
    has set it already (Superseded), and only while the zone is still the account's (ZoneWithdrawn)."""
    registry = aws.registry()
    if registry.claim_domain_certificate(plan.zone_name, plan.account_id, plan.decided_at, plan.certificate_wants):
        return
    item = registry.get(plan.zone_name)
    if item is None or item.account_id != plan.account_id or item.torn_down_by:
        raise ZoneWithdrawn(f"{plan.zone_name} was torn down while its custom domain was being set up")
    raise Superseded(
        f"a run that read {plan.account_id}'s tags after this one has set {plan.zone_name}'s custom domain "
        "certificate: the domain stays on that run's certificate"
    )


def serve(apigateway: ApiGateway, domain: DomainName, certificate_arn: str, claim: Callable[[], None]) -> DomainName:
    """Switch an AVAILABLE domain orgdns set up to ``certificate_arn`` (UpdateDomainName); a domain
    that is PENDING or UPDATING cannot be changed yet, so it is left for the next look. The domain
    keeps serving its old certificate until the switch is done: it is never without one. ``claim``
    raises when a later run owns the switch (Superseded) or the zone is going (ZoneWithdrawn).
    A domain orgdns did not create (no ``orgdns:managed`` tag) is never changed."""
    if domain.certificate_arn == certificate_arn or domain.status != "AVAILABLE":
        return domain
    if not domain.set_up_by_orgdns:
        raise CustomDomainFailed(
            f"{domain.name} serves certificate {domain.certificate_arn}, and orgdns did not set the domain up "
            "(no orgdns:managed tag): orgdns will not change its certificate"
        )
    claim()
    switched = apigateway.switch_certificate(domain.name, domain.endpoint_type, certificate_arn)
    return switched if switched is not None else domain
