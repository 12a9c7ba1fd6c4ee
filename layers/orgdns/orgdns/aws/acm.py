"""ACM: find, request and describe DNS-validated certificates in one account and Region."""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code
from orgdns.names import bare

MANAGED_TAG = "orgdns:managed"  # on every certificate orgdns requests: the only ones it deletes

LIVE_STATUSES = ["PENDING_VALIDATION", "ISSUED"]
# ListCertificates answers only RSA_1024 and RSA_2048 certificates unless asked for the others
# (ACM API reference, Filters.keyTypes): a hand-made ECDSA or RSA_4096 certificate counts too.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


# ListCertificates in a Region the account has not enabled (an opt-in Region): no certificate can
# be there.
REGION_NOT_ENABLED = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}


def acm_regions() -> list[str]:
    """Every Region of the partition where ACM runs (botocore's endpoint data, no request)."""
    import botocore.session

    return list(botocore.session.get_session().get_available_regions("acm"))


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
    in_use_by: tuple[str, ...] = ()
    created_at: float | None = None  # CreatedAt, epoch seconds
    not_after: float | None = None  # NotAfter, epoch seconds
    renewal_eligibility: str | None = None  # ELIGIBLE | INELIGIBLE
    renewal_status: str | None = None  # RenewalSummary.RenewalStatus
    renewal_reason: str | None = None  # RenewalSummary.RenewalStatusReason
    # RenewalSummary.DomainValidationOptions: the domains renewal could not validate yet
    renewal_pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificateSummary:
    """One entry of ListCertificates: enough to tell which names the account's certificates cover
    and which may be at risk, without a DescribeCertificate each."""

    arn: str
    status: str
    names: frozenset[str]  # DomainName and SubjectAlternativeNameSummaries (the first 100)
    not_after: float | None = None
    in_use: bool = False
    complete: bool = True  # False: more names than the summary holds (HasAdditionalSubjectAlternativeNames)


class Acm:
    def __init__(self, client: Any) -> None:
        self._client = client

    def live_certificates(self) -> list[tuple[str, str, str]]:
        """(arn, domain name, status) of every PENDING_VALIDATION or ISSUED certificate."""
        found = []
        with aws_errors("acm"):
            paginator = self._client.get_paginator("list_certificates")
            for page in paginator.paginate(CertificateStatuses=LIVE_STATUSES, Includes={"keyTypes": KEY_TYPES}):
                for summary in page.get("CertificateSummaryList", []):
                    found.append((summary["CertificateArn"], summary["DomainName"], summary.get("Status", "")))
        return found

    def certificates(self) -> list[CertificateSummary]:
        """Every certificate of the account in this Region, whatever its status and key type
        (ListCertificates paged to the end). A certificate with more names than its summary holds is
        described, so ``names`` is always whole."""
        found = []
        with aws_errors("acm"):
            paginator = self._client.get_paginator("list_certificates")
            for page in paginator.paginate(Includes={"keyTypes": KEY_TYPES}):
                for summary in page.get("CertificateSummaryList", []):
                    names = {summary["DomainName"], *summary.get("SubjectAlternativeNameSummaries", [])}
                    found.append(
                        CertificateSummary(
                            arn=summary["CertificateArn"],
                            status=summary.get("Status", ""),
                            names=frozenset(name.lower() for name in names),
                            not_after=_epoch(summary.get("NotAfter")),
                            in_use=bool(summary.get("InUse")),
                            complete=not summary.get("HasAdditionalSubjectAlternativeNames", False),
                        )
                    )
        return [self._whole(summary) for summary in found]

    def certificates_if_enabled(self) -> list[CertificateSummary] | None:
        """``certificates()``, or None when the account has not enabled this Region (an opt-in
        Region refuses the credentials: no certificate can be there)."""
        try:
            return self.certificates()
        except ClientError as exc:
            if error_code(exc) in REGION_NOT_ENABLED:
                return None
            raise

    def _whole(self, summary: CertificateSummary) -> CertificateSummary:
        if summary.complete:
            return summary
        described = self.find(summary.arn)
        if described is None:
            return summary
        names = frozenset(name.lower() for name in described.names)
        return CertificateSummary(summary.arn, summary.status, names, summary.not_after, summary.in_use, True)

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
                Tags=[{"Key": MANAGED_TAG, "Value": "true"}],
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
            in_use_by=tuple(detail.get("InUseBy") or ()),
            created_at=_epoch(detail.get("CreatedAt")),
            not_after=_epoch(detail.get("NotAfter")),
            renewal_eligibility=detail.get("RenewalEligibility"),
            renewal_status=(detail.get("RenewalSummary") or {}).get("RenewalStatus"),
            renewal_reason=(detail.get("RenewalSummary") or {}).get("RenewalStatusReason"),
            renewal_pending=tuple(
                option["DomainName"]
                for option in (detail.get("RenewalSummary") or {}).get("DomainValidationOptions", [])
                if option.get("ValidationStatus") not in {None, "SUCCESS"}
            ),
        )

    def find(self, arn: str) -> Certificate | None:
        """DescribeCertificate, or None when the certificate no longer exists."""
        try:
            return self.describe(arn)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise

    def requested_by_orgdns(self, arn: str) -> bool:
        """The certificate carries orgdns's tag (ListTagsForCertificate): orgdns requested it."""
        with aws_errors("acm"):
            tags = self._client.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
        return any(tag.get("Key") == MANAGED_TAG and tag.get("Value") == "true" for tag in tags)

    def delete(self, arn: str) -> bool:
        """DeleteCertificate: True when deleted (or already gone), False while it is in use
        (ResourceInUseException: ACM clears InUseBy some minutes after a custom domain switches)."""
        try:
            with aws_errors("acm"):
                self._client.delete_certificate(CertificateArn=arn)
        except ClientError as exc:
            if error_code(exc) in {"ResourceInUseException", "ConflictException"}:
                return False  # in use, or another operation on it under way: try again later
            if error_code(exc) == "ResourceNotFoundException":
                return True
            raise
        return True


def _epoch(value: Any) -> float | None:
    """botocore parses timestamps into datetimes; the emulator may hand back numbers."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return float(value.timestamp())
