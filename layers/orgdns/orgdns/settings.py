"""Configuration: template Parameters -> function environment -> one validated object.

Every handler builds its ``Settings`` once, at cold start, and passes it down; domain code never
reads ``os.environ``. A bad value fails the cold start with a message naming the variable.
"""

from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orgdns.names import normalise_domain_name, split_list
from orgdns.ownership import Grant, parse_grants

REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"


class RootZone(BaseModel):
    """A top-level zone hosted in the management account, declared in configuration."""

    model_config = ConfigDict(frozen=True)

    name: str
    hosted_zone_id: str | None = None  # looked up by name when not given


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    management_account_id: str = Field(pattern=r"^\d{12}$")
    home_region: str = Field(pattern=REGION_PATTERN)
    registry_table: str = Field(min_length=3)
    status_topic_arn: str = Field(pattern=r"^arn:aws[a-z-]*:sns:")
    status_dead_letter_queue_url: str = Field(default="", pattern=r"^(https://sqs\.[^/]+/\d{12}/[\w-]+)?$")
    record_queue_url: str = Field(default="", pattern=r"^(https://sqs\.[^/]+/\d{12}/[\w-]+)?$")
    member_role_name: str = Field(default="OrgDnsExecution", min_length=1, max_length=64)
    fallback_member_role_name: str = Field(default="OrganizationAccountAccessRole", max_length=64)
    root_zones: tuple[RootZone, ...] = ()
    ns_ttl: int = Field(default=60, ge=0, le=172800)
    default_certificate_regions: tuple[str, ...] = ("us-east-1",)
    naming_rule: str = ""
    tag_prefix: str = "orgdns:"
    subdomain_workflow_arn: str = ""
    teardown_workflow_arn: str = ""
    renewal_workflow_arn: str = ""
    reconcile_bucket: str = ""
    rate_limit_table: str = Field(min_length=3)
    grants: tuple[Grant, ...] = ()
    max_outstanding_requests: int = Field(default=5, ge=1, le=100)
    route53_requests_per_second: int = Field(default=2, ge=1, le=5)

    @field_validator("default_certificate_regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import re

        for region in value:
            if not re.match(REGION_PATTERN, region):
                raise ValueError(f"{region!r} is not an AWS Region name")
        return value

    @field_validator("naming_rule")
    @classmethod
    def _naming_rule(cls, value: str) -> str:
        if value and "{account_name}" not in value and "{account_id}" not in value:
            raise ValueError("must contain {account_name} or {account_id}, or be empty (off)")
        return value

    @property
    def member_role_names(self) -> tuple[str, ...]:
        """The roles tried in a member account, in order."""
        names = [self.member_role_name]
        if self.fallback_member_role_name and self.fallback_member_role_name != self.member_role_name:
            names.append(self.fallback_member_role_name)
        return tuple(names)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """Build settings from ``ORGDNS_*`` variables; raise ValueError naming the bad variable."""
        raw: dict[str, object] = {
            "management_account_id": environ.get("ORGDNS_MANAGEMENT_ACCOUNT_ID", ""),
            "home_region": environ.get("AWS_REGION", environ.get("AWS_DEFAULT_REGION", "")),
            "registry_table": environ.get("ORGDNS_REGISTRY_TABLE", ""),
            "status_topic_arn": environ.get("ORGDNS_STATUS_TOPIC_ARN", ""),
            "status_dead_letter_queue_url": environ.get("ORGDNS_STATUS_DEAD_LETTER_QUEUE_URL", ""),
            "record_queue_url": environ.get("ORGDNS_RECORD_QUEUE_URL", ""),
            "member_role_name": environ.get("ORGDNS_MEMBER_ROLE_NAME", "OrgDnsExecution"),
            "fallback_member_role_name": environ.get(
                "ORGDNS_FALLBACK_MEMBER_ROLE_NAME", "OrganizationAccountAccessRole"
            ),
            "root_zones": tuple(_parse_root_zones(environ.get("ORGDNS_ROOT_ZONES", ""))),
            "ns_ttl": environ.get("ORGDNS_NS_TTL", "60"),
            "default_certificate_regions": tuple(
                split_list(environ.get("ORGDNS_DEFAULT_CERTIFICATE_REGIONS", "us-east-1"))
            ),
            "naming_rule": environ.get("ORGDNS_NAMING_RULE", ""),
            "tag_prefix": environ.get("ORGDNS_TAG_PREFIX", "orgdns:"),
            "subdomain_workflow_arn": environ.get("ORGDNS_SUBDOMAIN_WORKFLOW_ARN", ""),
            "teardown_workflow_arn": environ.get("ORGDNS_TEARDOWN_WORKFLOW_ARN", ""),
            "renewal_workflow_arn": environ.get("ORGDNS_RENEWAL_WORKFLOW_ARN", ""),
            "reconcile_bucket": environ.get("ORGDNS_RECONCILE_BUCKET", ""),
            "rate_limit_table": environ.get("ORGDNS_RATE_LIMIT_TABLE", ""),
            "route53_requests_per_second": environ.get("ORGDNS_ROUTE53_REQUESTS_PER_SECOND", "2"),
            "grants": _parse_grants(environ.get("ORGDNS_GRANTS", "")),
            "max_outstanding_requests": environ.get("ORGDNS_MAX_OUTSTANDING_REQUESTS", "5"),
        }
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{_ENV_NAMES.get(str(err['loc'][0]), err['loc'][0])}: {err['msg']}" for err in exc.errors()
            )
            raise ValueError(f"invalid orgdns configuration: {problems}") from None


_ENV_NAMES = {
    "management_account_id": "ORGDNS_MANAGEMENT_ACCOUNT_ID",
    "home_region": "AWS_REGION",
    "registry_table": "ORGDNS_REGISTRY_TABLE",
    "status_topic_arn": "ORGDNS_STATUS_TOPIC_ARN",
    "status_dead_letter_queue_url": "ORGDNS_STATUS_DEAD_LETTER_QUEUE_URL",
    "record_queue_url": "ORGDNS_RECORD_QUEUE_URL",
    "member_role_name": "ORGDNS_MEMBER_ROLE_NAME",
    "fallback_member_role_name": "ORGDNS_FALLBACK_MEMBER_ROLE_NAME",
    "root_zones": "ORGDNS_ROOT_ZONES",
    "ns_ttl": "ORGDNS_NS_TTL",
    "default_certificate_regions": "ORGDNS_DEFAULT_CERTIFICATE_REGIONS",
    "naming_rule": "ORGDNS_NAMING_RULE",
    "tag_prefix": "ORGDNS_TAG_PREFIX",
    "subdomain_workflow_arn": "ORGDNS_SUBDOMAIN_WORKFLOW_ARN",
    "teardown_workflow_arn": "ORGDNS_TEARDOWN_WORKFLOW_ARN",
    "renewal_workflow_arn": "ORGDNS_RENEWAL_WORKFLOW_ARN",
    "reconcile_bucket": "ORGDNS_RECONCILE_BUCKET",
    "rate_limit_table": "ORGDNS_RATE_LIMIT_TABLE",
    "route53_requests_per_second": "ORGDNS_ROUTE53_REQUESTS_PER_SECOND",
    "grants": "ORGDNS_GRANTS",
    "max_outstanding_requests": "ORGDNS_MAX_OUTSTANDING_REQUESTS",
}


def _parse_grants(value: str) -> tuple[Grant, ...]:
    try:
        return parse_grants(value)
    except Exception as exc:
        raise ValueError(f"invalid orgdns configuration: ORGDNS_GRANTS: {exc}") from None


def _parse_root_zones(value: str) -> list[RootZone]:
    """``example.org example.net=Z0123`` -> two roots, the second with its hosted zone id."""
    zones = []
    for item in split_list(value):
        name, _, zone_id = item.partition("=")
        try:
            zones.append(
                RootZone(name=normalise_domain_name(name, "ORGDNS_ROOT_ZONES"), hosted_zone_id=zone_id or None)
            )
        except Exception as exc:
            raise ValueError(f"invalid orgdns configuration: ORGDNS_ROOT_ZONES: {exc}") from None
    return zones
