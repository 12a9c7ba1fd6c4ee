"""CheckCustomDomain: is the API Gateway custom domain AVAILABLE yet?"""

from orgdns.aws.access import AwsAccess
from orgdns.errors import CustomDomainFailed
from orgdns.models import CustomDomainResult, WorkflowState


def check_custom_domain(state: WorkflowState, aws: AwsAccess) -> CustomDomainResult:
    """Edge domains take about 40 minutes (a CloudFront distribution); regional ones less."""
    domain = state.custom_domain
    assert domain is not None
    found = aws.apigateway(state.plan.account_id, domain.region).get(domain.domain_name)
    if found is None:
        raise CustomDomainFailed(f"custom domain {domain.domain_name} disappeared from API Gateway in {domain.region}")
    if found.status == "FAILED":
        raise CustomDomainFailed(f"API Gateway reports custom domain {domain.domain_name} as FAILED")
    return domain.model_copy(update={"status": found.status, "available": found.status == "AVAILABLE"})
