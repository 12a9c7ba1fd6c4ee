"""CreateCustomDomain: the API Gateway custom domain for the zone name and its alias records."""

from orgdns.aws.access import AwsAccess
from orgdns.errors import CustomDomainFailed, ZoneWithdrawn
from orgdns.models import CustomDomainResult, CustomDomainType, RecordSpec, WorkflowState
from orgdns.records import merge_records, owned_records, plan_write


def create_custom_domain(state: WorkflowState, aws: AwsAccess) -> CustomDomainResult:
    """Create the domain (or find it from an earlier run) with the Region's certificate, then
    point A and AAAA alias records at its CloudFront or regional endpoint."""
    plan, zone, check = state.plan, state.zone, state.certificate_check
    spec = plan.custom_domain
    assert spec is not None and zone is not None and check is not None
    certificate = next(c for c in check.certificates if c.region == spec.region)
    endpoint = "EDGE" if spec.type == CustomDomainType.EDGE else "REGIONAL"
    apigateway = aws.apigateway(plan.account_id, spec.region)
    domain = apigateway.get(plan.zone_name)
    if domain is None:
        domain = apigateway.create(plan.zone_name, endpoint, certificate.arn)
    elif domain.endpoint_type != endpoint or domain.certificate_arn != certificate.arn:
        raise CustomDomainFailed(
            f"{plan.zone_name} already exists in API Gateway ({spec.region}) as a {domain.endpoint_type} domain with "
            f"certificate {domain.certificate_arn}; orgdns will not change a domain it did not set up this way"
        )

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
    registry = aws.registry()
    item = registry.get(plan.zone_name)
    if item is None:
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
        available=domain.status == "AVAILABLE",
        records=records,
    )
