"""ACM: find, request and describe DNS-validated certificates in one account and Region."""

from dataclasses import dataclass
from typing import Any

from orgdns.aws.clients import aws_errors
from orgdns.names import bare

LIVE_STATUSES = ["PENDING_VALIDATION", "ISSUED"]


@dataclass(frozen=True)
class ValidationOption:
    domain_name: str
    status: str
    record_name: str | None  # None until ACM has generated the record (a few seconds)
    record_value: str | None


@dataclass(frozen=True)
class Certificate:
    arn: str
    status: str
    names: frozenset[str]
    failure_reason: str | None
    options: tuple[ValidationOption, ...]


class Acm:
    def __init__(self, client: Any) -> None:
        self._client = client

    def live_certificates(self) -> list[tuple[str, str, str]]:
        """(arn, domain name, status) of every PENDING_VALIDATION or ISSUED certificate."""
        found = []
        with aws_errors("acm"):
            paginator = self._client.get_paginator("list_certificates")
            for page in paginator.paginate(CertificateStatuses=LIVE_STATUSES):
                for summary in page.get("CertificateSummaryList", []):
                    found.append((summary["CertificateArn"], summary["DomainName"], summary.get("Status", "")))
        return found

    def request(self, domain_name: str, alternative_names: list[str], idempotency_token: str) -> str:
        """RequestCertificate with DNS validation.

        ACM returns the same ARN for the same IdempotencyToken within one hour; after that a
        retry would make a second certificate, so callers first look for one to reuse.
        """
        with aws_errors("acm"):
            response = self._client.request_certificate(
                DomainName=domain_name,
                **({"SubjectAlternativeNames": alternative_names} if alternative_names else {}),
                ValidationMethod="DNS",
                IdempotencyToken=idempotency_token,
                Options={"CertificateTransparencyLoggingPreference": "ENABLED"},
                Tags=[{"Key": "orgdns:managed", "Value": "true"}],
            )
        return str(response["CertificateArn"])

    def describe(self, arn: str) -> Certificate:
        """DescribeCertificate. ResourceRecord is missing for several seconds after the request."""
        with aws_errors("acm"):
            detail = self._client.describe_certificate(CertificateArn=arn)["Certificate"]
        options = tuple(
            ValidationOption(
                domain_name=option["DomainName"],
                status=option.get("ValidationStatus", "PENDING_VALIDATION"),
                record_name=bare(option["ResourceRecord"]["Name"]) if "ResourceRecord" in option else None,
                record_value=bare(option["ResourceRecord"]["Value"]) if "ResourceRecord" in option else None,
            )
            for option in detail.get("DomainValidationOptions", [])
        )
        names = {detail["DomainName"], *detail.get("SubjectAlternativeNames", [])}
        return Certificate(
            arn=arn,
            status=detail["Status"],
            names=frozenset(names),
            failure_reason=detail.get("FailureReason"),
            options=options,
        )
