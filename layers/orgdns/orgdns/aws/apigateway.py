"""API Gateway (REST, v1) custom domain names in one account and Region."""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code

EDGE_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"  # CloudFront, every Region


@dataclass(frozen=True)
class DomainName:
    name: str
    endpoint_type: str  # EDGE | REGIONAL
    certificate_arn: str
    target_domain_name: str
    target_hosted_zone_id: str
    status: str
    tags: dict[str, str]

    @property
    def set_up_by_orgdns(self) -> bool:
        return self.tags.get("orgdns:managed") == "true"


class ApiGateway:
    def __init__(self, client: Any) -> None:
        self._client = client

    def get(self, name: str) -> DomainName | None:
        try:
            with aws_errors("apigateway"):
                response = self._client.get_domain_name(domainName=name)
        except ClientError as exc:
            if error_code(exc) == "NotFoundException":
                return None
            raise
        return _domain(response)

    def create(self, name: str, endpoint_type: str, certificate_arn: str) -> DomainName:
        """CreateDomainName. Edge domains create a CloudFront distribution: about 40 minutes
        until AVAILABLE. API Gateway tolerates about 2 creations a minute per account."""
        args: dict[str, Any] = {
            "domainName": name,
            "endpointConfiguration": {"types": [endpoint_type]},
            "securityPolicy": "TLS_1_2",
            "tags": {"orgdns:managed": "true"},
        }
        if endpoint_type == "EDGE":
            args["certificateArn"] = certificate_arn
        else:
            args["regionalCertificateArn"] = certificate_arn
        with aws_errors("apigateway"):
            response = self._client.create_domain_name(**args)
        return _domain(response)

    def switch_certificate(self, name: str, endpoint_type: str, certificate_arn: str) -> DomainName | None:
        """UpdateDomainName replacing the certificate (``/certificateArn`` for an edge domain, served
        by CloudFront from us-east-1; ``/regionalCertificateArn`` for a regional one). The domain is
        UPDATING until it serves the new certificate (edge: up to about 40 minutes). None when an
        update is already in progress (ConflictException): look again later."""
        path = "/certificateArn" if endpoint_type == "EDGE" else "/regionalCertificateArn"
        try:
            with aws_errors("apigateway"):
                response = self._client.update_domain_name(
                    domainName=name, patchOperations=[{"op": "replace", "path": path, "value": certificate_arn}]
                )
        except ClientError as exc:
            if error_code(exc) == "ConflictException":
                return None
            raise
        return _domain(response)


def _domain(response: dict[str, Any]) -> DomainName:
    types = response.get("endpointConfiguration", {}).get("types", ["EDGE"])
    endpoint_type = types[0] if types else "EDGE"
    if endpoint_type == "EDGE":
        target = response.get("distributionDomainName", "")
        zone = response.get("distributionHostedZoneId") or EDGE_HOSTED_ZONE_ID
        cert = response.get("certificateArn", "")
    else:
        target = response.get("regionalDomainName", "")
        zone = response.get("regionalHostedZoneId", "")
        cert = response.get("regionalCertificateArn", "")
    return DomainName(
        name=response["domainName"],
        endpoint_type=endpoint_type,
        certificate_arn=cert,
        target_domain_name=target,
        target_hosted_zone_id=zone,
        status=response.get("domainNameStatus", "AVAILABLE"),
        tags=dict(response.get("tags") or {}),
    )
