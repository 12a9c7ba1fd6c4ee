"""CheckCustomDomain: is the API Gateway custom domain AVAILABLE yet?"""

from orgdns.aws.access import AwsAccess
from orgdns.errors import CustomDomainFailed
from orgdns.models import CustomDomainResult, WorkflowState
from orgdns.steps.create_custom_domain import claim_certificate, serve


def check_custom_domain(state: WorkflowState, aws: AwsAccess) -> CustomDomainResult:
    """Edge domains take about 40 minutes (a CloudFront distribution); regional ones less. A
    domain to switch to the run's certificate that was busy (UPDATING) is switched once it is
    AVAILABLE; it is ready when it is AVAILABLE and serves the run's certificate."""
    domain = state.custom_domain
    assert domain is not None
    apigateway = aws.apigateway(state.plan.account_id, domain.region)
    found = apigateway.get(domain.domain_name)
    if found is None:
        raise CustomDomainFailed(f"custom domain {domain.domain_name} disappeared from API Gateway in {domain.region}")
    if found.status == "FAILED":
        raise CustomDomainFailed(f"API Gateway reports custom domain {domain.domain_name} as FAILED")
    found = serve(apigateway, found, domain.certificate_arn, lambda: claim_certificate(aws, state.plan))
    ready = found.status == "AVAILABLE" and found.certificate_arn == domain.certificate_arn
    return domain.model_copy(update={"status": found.status, "available": ready})
