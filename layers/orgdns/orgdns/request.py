"""What a run was asked to do: parsing events, manual input and account tags (pure)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from orgdns.certificates import certificate_names
from orgdns.errors import RequestRejected
from orgdns.models import CustomDomainSpec, CustomDomainType, Trigger, certificate_wants
from orgdns.names import split_list
from orgdns.settings import REGION_PATTERN

ACCOUNT_ID = r"^\d{12}$"


class ManualInput(BaseModel):
    """Input of a run started by hand (console or ``aws stepfunctions start-execution``).

    Only ``accountId`` is required: the other fields default to the account's ``orgdns:*`` tags,
    then to the stack's configuration. ``events/manual-input.schema.json`` is generated from it.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        # What the input alone can tell: customDomainRegion only with a regional custom domain.
        json_schema_extra={
            "if": {"required": ["customDomain"], "properties": {"customDomain": {"not": {"const": "regional"}}}},
            "then": {"not": {"required": ["customDomainRegion"]}},
        },
    )

    account_id: str = Field(pattern=ACCOUNT_ID, description="The member account that gets the subdomain.")
    zone_name: str | None = Field(
        default=None,
        description="The subdomain, e.g. staging.demo.example.org. Default: the account's orgdns:subdomain tag.",
        max_length=254,
    )
    certificate_regions: list[str] | None = Field(
        default=None,
        description="Regions to request certificates in. us-east-1 is added for an edge custom domain.",
        max_length=20,
        json_schema_extra={"items": {"type": "string", "pattern": REGION_PATTERN}},
    )
    extra_names: list[str] | None = Field(
        default=None,
        description="More names for the certificates (the zone and its wildcard are always in).",
        max_length=8,
    )
    custom_domain: Literal["edge", "regional", "none"] | None = Field(
        default=None, description="Create an API Gateway custom domain for the zone name."
    )
    custom_domain_region: str | None = Field(
        default=None,
        description="Region of a regional custom domain. Default: the first certificate Region.",
        json_schema_extra={"pattern": REGION_PATTERN},
    )
    ns_ttl: int | None = Field(default=None, ge=0, le=172800, description="TTL of the zone's NS records, seconds.")

    @field_validator("certificate_regions")
    @classmethod
    def _regions(cls, value: list[str] | None) -> list[str] | None:
        for region in value or []:
            if not re.match(REGION_PATTERN, region):
                raise ValueError(f"{region!r} is not an AWS Region name")
        return value

    @field_validator("custom_domain_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not re.match(REGION_PATTERN, value):
            raise ValueError(f"{value!r} is not an AWS Region name")
        return value


class AccountEvent(BaseModel):
    """An account-creation event reduced to what a run needs."""

    trigger: Trigger
    event_id: str | None
    account_id: str | None
    account_name: str | None
    succeeded: bool
    failure_reason: str | None = None


def parse_manual_input(
    raw: dict[str, Any], sources: dict[str, str] | None = None, *, complete: bool = True
) -> ManualInput:
    """Validate strictly (a string is not an integer, as in the JSON Schema); the first problem
    becomes a Rejected naming the field (or the tag it came from). Tag values reach here already
    converted by ``tag_options``. An option that does not apply is Rejected too, saying why.
    ``complete=False``: a manual input whose missing options still come from the account's tags,
    so an option left out is not judged yet (as in the JSON Schema)."""
    sources = sources or {}
    try:
        parsed = ManualInput.model_validate(raw, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        top = str(err["loc"][0]) if err["loc"] else "input"
        source = sources.get(top, top)
        field = ".".join([source, *(str(part) for part in err["loc"][1:])])
        problem = "is not a field of the manual input" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] not in {"extra_forbidden", "missing"} and "input" in err:
            given = repr(err["input"])
            given = given if len(given) <= 80 else given[:77] + "..."
            problem += f" (got {_json_type(err['input'])} {given})"
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        reason = "InvalidTag" if source != top else "InvalidInput"
        raise RequestRejected(reason, f"{field}: {problem}{more}", field) from None
    judged = complete or parsed.custom_domain is not None
    if parsed.custom_domain_region is not None and parsed.custom_domain != "regional" and judged:
        field = sources.get("customDomainRegion", "customDomainRegion")
        kind = f"an {parsed.custom_domain} custom domain" if parsed.custom_domain == "edge" else "no custom domain"
        why = (
            "an edge custom domain is served by CloudFront, with its certificate in us-east-1"
            if parsed.custom_domain == "edge"
            else "it is the Region of a regional custom domain"
        )
        raise RequestRejected(
            "OptionNotApplicable",
            f"{field} does not apply to {kind} ({sources.get('customDomain', 'customDomain')} is "
            f"{parsed.custom_domain or 'not set'}): {why}; remove it or set customDomain to regional",
            field,
        )
    return parsed


def _json_type(value: object) -> str:
    """The JSON name of a value's type, for messages about the console's input."""
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def is_event(raw: dict[str, Any]) -> bool:
    return "detail-type" in raw or "source" in raw or "detail" in raw


def parse_account_event(raw: dict[str, Any]) -> AccountEvent:
    """CreateAccountResult (Organizations, us-east-1) or CreateManagedAccount (Control Tower)."""
    detail = raw.get("detail")
    event_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    if not isinstance(detail, dict):
        raise RequestRejected("MalformedEvent", "the event has no 'detail' object", "detail")
    name = detail.get("eventName")
    service = detail.get("serviceEventDetails")
    if not isinstance(service, dict):
        raise RequestRejected(
            "MalformedEvent",
            f"event {name or '?'} has no 'detail.serviceEventDetails' object",
            "detail.serviceEventDetails",
        )
    if raw.get("source") == "aws.organizations" and name == "CreateAccountResult":
        status = service.get("createAccountStatus")
        if not isinstance(status, dict):
            raise RequestRejected(
                "MalformedEvent",
                "CreateAccountResult has no serviceEventDetails.createAccountStatus",
                "detail.serviceEventDetails.createAccountStatus",
            )
        succeeded = status.get("state") == "SUCCEEDED"
        account_id = status.get("accountId")
        if succeeded:
            _check_account_id(account_id, "detail.serviceEventDetails.createAccountStatus.accountId")
        return AccountEvent(
            trigger=Trigger.CREATE_ACCOUNT_RESULT,
            event_id=event_id,
            account_id=account_id if isinstance(account_id, str) else None,
            account_name=None,  # masked as "****" in this event: read it from DescribeAccount
            succeeded=succeeded,
            failure_reason=str(status.get("failureReason") or status.get("state") or "unknown"),
        )
    if raw.get("source") == "aws.controltower" and name == "CreateManagedAccount":
        status = service.get("createManagedAccountStatus")
        if not isinstance(status, dict) or not isinstance(status.get("account"), dict):
            raise RequestRejected(
                "MalformedEvent",
                "CreateManagedAccount has no serviceEventDetails.createManagedAccountStatus.account",
                "detail.serviceEventDetails.createManagedAccountStatus.account",
            )
        succeeded = status.get("state") == "SUCCEEDED"
        account_id = status["account"].get("accountId")
        if succeeded:
            _check_account_id(account_id, "detail.serviceEventDetails.createManagedAccountStatus.account.accountId")
        return AccountEvent(
            trigger=Trigger.CREATE_MANAGED_ACCOUNT,
            event_id=event_id,
            account_id=account_id if isinstance(account_id, str) else None,
            account_name=_account_name(status["account"].get("accountName")),
            succeeded=succeeded,
            failure_reason=str(status.get("message") or status.get("state") or "unknown"),
        )
    raise RequestRejected(
        "UnsupportedEvent",
        f"orgdns does not handle {raw.get('source')!r} {name!r} events "
        "(expected aws.organizations CreateAccountResult or aws.controltower CreateManagedAccount)",
        "detail.eventName",
    )


class ZoneTagEvent(BaseModel):
    """A member account tagged (or untagged) one of its hosted zones: CloudTrail's
    ChangeTagsForResource, forwarded from the member account to orgdns's event bus."""

    event_id: str | None
    account_id: str  # EventBridge sets ``account`` to the account the event came from
    hosted_zone_id: str
    added: dict[str, str]
    removed: list[str]


def is_zone_tag_event(raw: dict[str, Any]) -> bool:
    detail = raw.get("detail")
    return raw.get("source") == "aws.route53" and isinstance(detail, dict) and "eventName" in detail


def parse_zone_tag_event(raw: dict[str, Any]) -> ZoneTagEvent:
    """Only the envelope's ``account`` and the zone id are taken from the event; the zone, its
    owner and its tags are read again from Route 53 before anything is decided."""
    detail = raw["detail"]
    if detail.get("eventName") != "ChangeTagsForResource":
        raise RequestRejected(
            "UnsupportedEvent",
            f"orgdns does not start a delegation on Route 53 {detail.get('eventName')!r} events",
            "detail.eventName",
        )
    params = detail.get("requestParameters")
    if not isinstance(params, dict) or params.get("resourceType") != "hostedzone":
        raise RequestRejected(
            "MalformedEvent",
            "ChangeTagsForResource must name a hosted zone in detail.requestParameters",
            "detail.requestParameters.resourceType",
        )
    zone_id = _hosted_zone_id(params.get("resourceId"), "detail.requestParameters.resourceId")
    account_id = raw.get("account")
    _check_account_id(account_id, "account")
    added = {
        str(tag.get("key")): str(tag.get("value", ""))
        for tag in params.get("addTags") or []
        if isinstance(tag, dict) and tag.get("key")
    }
    removed = [str(key) for key in params.get("removeTagKeys") or params.get("tagKeys") or []]
    return ZoneTagEvent(
        event_id=raw.get("id") if isinstance(raw.get("id"), str) else None,
        account_id=str(account_id),
        hosted_zone_id=zone_id,
        added=added,
        removed=removed,
    )


class AccountTagEvent(BaseModel):
    """An administrator tagged or untagged an account: Organizations' TagResource or UntagResource
    (CloudTrail, us-east-1, the management account's default bus). Only which account it names is
    taken from it: the account's tags are read again before anything is decided."""

    trigger: Trigger
    event_id: str | None
    account_id: str | None  # None: the tagged resource is not an account (an OU, a root, a policy)
    resource_id: str
    keys: list[str]  # the tag keys the call set or removed


def is_account_tag_event(raw: dict[str, Any]) -> bool:
    detail = raw.get("detail")
    return (
        raw.get("source") == "aws.organizations"
        and isinstance(detail, dict)
        and detail.get("eventName") in {"TagResource", "UntagResource"}
    )


def parse_account_tag_event(raw: dict[str, Any]) -> AccountTagEvent:
    detail = raw["detail"]
    name = detail.get("eventName")
    params = detail.get("requestParameters")
    if not isinstance(params, dict):
        raise RequestRejected(
            "MalformedEvent", f"{name} has no 'detail.requestParameters' object", "detail.requestParameters"
        )
    resource = params.get("resourceId")
    if not isinstance(resource, str) or not resource:
        raise RequestRejected(
            "MalformedEvent",
            f"{name} must name the tagged resource in detail.requestParameters.resourceId, got {resource!r}",
            "detail.requestParameters.resourceId",
        )
    if name == "TagResource":
        tags = params.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, dict) and isinstance(t.get("key"), str) for t in tags):
            raise RequestRejected(
                "MalformedEvent",
                "TagResource must list its tags as [{key, value}] in detail.requestParameters.tags",
                "detail.requestParameters.tags",
            )
        keys = [str(t["key"]) for t in tags]
        trigger = Trigger.ACCOUNT_TAGGED
    else:
        tag_keys = params.get("tagKeys")
        if not isinstance(tag_keys, list) or not all(isinstance(k, str) for k in tag_keys):
            raise RequestRejected(
                "MalformedEvent",
                "UntagResource must list the removed keys in detail.requestParameters.tagKeys",
                "detail.requestParameters.tagKeys",
            )
        keys = list(tag_keys)
        trigger = Trigger.ACCOUNT_UNTAGGED
    return AccountTagEvent(
        trigger=trigger,
        event_id=raw.get("id") if isinstance(raw.get("id"), str) else None,
        account_id=resource if re.fullmatch(ACCOUNT_ID, resource) else None,
        resource_id=resource,
        keys=keys,
    )


def account_tag_workflows(raw: dict[str, Any], prefix: str) -> list[str]:
    """Which workflows an account's tag change starts (at face value; each run reads the tags
    again): "subdomain" when it sets or removes an orgdns tag (options change), "teardown" when
    it touches the subdomain tag (removed, or renamed: the name the tags no longer ask for is
    torn down). Removing the subdomain tag starts both too: with a NamingRule, the account is
    then named by the rule (without one, the subdomain run ends Skipped)."""
    try:
        event = parse_account_tag_event(raw)
    except RequestRejected:
        return ["subdomain"]  # malformed: ResolveRequest rejects it, with a published status
    ours = [key for key in event.keys if key.startswith(prefix)]
    if not ours or event.account_id is None:
        return ["subdomain"]  # the rule filters other tags out; ResolveRequest skips what gets through
    subdomain = prefix + TAG_NAMES["zoneName"]
    if event.trigger == Trigger.ACCOUNT_UNTAGGED and subdomain in ours:
        return ["teardown", "subdomain"]  # the subdomain run: a NamingRule may name the account now
    if event.trigger == Trigger.ACCOUNT_TAGGED and subdomain in ours:
        return ["subdomain", "teardown"]
    return ["subdomain"]


CERTIFICATE_EVENTS = {
    "ACM Certificate Approaching Expiration": Trigger.CERTIFICATE_EXPIRING,
    "ACM Certificate Renewal Action Required": Trigger.CERTIFICATE_ACTION_REQUIRED,
    "ACM Certificate Expired": Trigger.CERTIFICATE_EXPIRED,
}
CERTIFICATE_ARN = r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[A-Za-z0-9-]+$"


class CertificateEvent(BaseModel):
    """One of ACM's events about a certificate, forwarded from the member account's Region."""

    trigger: Trigger
    event_id: str | None
    account_id: str
    region: str
    certificate_arn: str


def is_certificate_event(raw: dict[str, Any]) -> bool:
    return raw.get("source") == "aws.acm"


def parse_certificate_event(raw: dict[str, Any]) -> CertificateEvent:
    """Only which certificate it names, in which account, is taken from the event (and checked to
    agree): the certificate is read again from ACM before anything is decided."""
    kind = raw.get("detail-type")
    trigger = CERTIFICATE_EVENTS.get(kind) if isinstance(kind, str) else None
    if trigger is None:
        raise RequestRejected(
            "UnsupportedEvent",
            f"orgdns does not handle ACM {kind!r} events (expected one of {', '.join(sorted(CERTIFICATE_EVENTS))})",
            "detail-type",
        )
    account_id = raw.get("account")
    _check_account_id(account_id, "account")
    resources = raw.get("resources")
    arn = resources[0] if isinstance(resources, list) and len(resources) == 1 else None
    match = re.match(CERTIFICATE_ARN, arn) if isinstance(arn, str) else None
    if match is None:
        raise RequestRejected(
            "MalformedEvent", f"resources must hold one ACM certificate ARN, got {resources!r}", "resources"
        )
    if match.group(2) != account_id:
        raise RequestRejected(
            "MalformedEvent",
            f"certificate {arn} is not in account {account_id}, which sent the event",
            "resources",
        )
    return CertificateEvent(
        trigger=trigger,
        event_id=raw.get("id") if isinstance(raw.get("id"), str) else None,
        account_id=str(account_id),
        region=match.group(1),
        certificate_arn=str(arn),
    )


# A reconcile starting the teardown of a registry orphan: its zone is gone (the delete event was lost),
# {"source": "orgdns.reconcile", "detail-type": "RegistryOrphan", "detail": {"accountId", "hostedZoneId"}},
# or its account is closed (the closure event was lost): the same without hostedZoneId. With
# "detail-type": "TagDrift", the account's zones its tags no longer ask for (a rename's event was lost).
RECONCILE_SOURCE = "orgdns.reconcile"


def parse_reconcile_run(raw: dict[str, Any]) -> tuple[str, str | None, str]:
    """A reconcile starting an account's subdomain run (a backfill, an adoption's follow-up, tags or a
    certificate or custom domain that drifted): ``{"source": "orgdns.reconcile", "detail-type":
    FINDING, "id", "detail": {"accountId"}}``. Returns (account id, event id, finding)."""
    detail = raw.get("detail")
    if not isinstance(detail, dict):
        raise RequestRejected("MalformedEvent", "the event has no 'detail' object", "detail")
    account_id = detail.get("accountId")
    _check_account_id(account_id, "detail.accountId")
    event_id, finding = raw.get("id"), raw.get("detail-type")
    return (
        str(account_id),
        event_id if isinstance(event_id, str) else None,
        finding if isinstance(finding, str) else "",
    )


class TeardownEvent(BaseModel):
    """Something that ends delegations: a member deleted or untagged a zone, or an account closed."""

    trigger: Trigger
    event_id: str | None
    account_id: str
    hosted_zone_id: str | None  # None: every zone of the account
    # The account's zones its tags, read again, no longer ask for (a tag event, or a reconcile that
    # found a subdomain tag renamed whose event was lost).
    by_tags: bool = False


def parse_teardown_event(raw: dict[str, Any]) -> TeardownEvent:
    detail = raw.get("detail")
    if not isinstance(detail, dict):
        raise RequestRejected("MalformedEvent", "the event has no 'detail' object", "detail")
    event_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    name = detail.get("eventName")
    if raw.get("source") == "aws.route53" and name == "ChangeTagsForResource":
        tagged = parse_zone_tag_event(raw)
        return TeardownEvent(
            trigger=Trigger.ZONE_TAGGED, event_id=event_id, account_id=tagged.account_id,
            hosted_zone_id=tagged.hosted_zone_id,
        )  # fmt: skip
    if raw.get("source") == "aws.route53" and name == "DeleteHostedZone":
        params = detail.get("requestParameters")
        zone_id = _hosted_zone_id(params.get("id") if isinstance(params, dict) else None, "detail.requestParameters.id")
        account_id = raw.get("account")
        _check_account_id(account_id, "account")
        return TeardownEvent(
            trigger=Trigger.ZONE_DELETED, event_id=event_id, account_id=str(account_id),
            hosted_zone_id=zone_id,
        )  # fmt: skip
    if is_account_tag_event(raw):
        tagged_account = parse_account_tag_event(raw)
        if tagged_account.account_id is None:
            raise RequestRejected(
                "NotAnAccount",
                f"{tagged_account.resource_id} is not an account: orgdns reads tags of accounts only",
                "detail.requestParameters.resourceId",
            )
        return TeardownEvent(
            trigger=tagged_account.trigger, event_id=event_id, account_id=tagged_account.account_id,
            hosted_zone_id=None,
        )  # fmt: skip
    if raw.get("source") == RECONCILE_SOURCE and raw.get("detail-type") == "TagDrift":
        drifted = detail.get("accountId")
        _check_account_id(drifted, "detail.accountId")
        return TeardownEvent(
            trigger=Trigger.RECONCILE, event_id=event_id, account_id=str(drifted), hosted_zone_id=None, by_tags=True
        )
    if raw.get("source") == RECONCILE_SOURCE:
        orphan_account = detail.get("accountId")
        _check_account_id(orphan_account, "detail.accountId")
        orphan_zone = detail.get("hostedZoneId")  # absent: every zone of a closed account
        return TeardownEvent(
            trigger=Trigger.RECONCILE, event_id=event_id, account_id=str(orphan_account),
            hosted_zone_id=None if orphan_zone is None else _hosted_zone_id(orphan_zone, "detail.hostedZoneId"),
        )  # fmt: skip
    if raw.get("source") == "aws.organizations" and name == "CloseAccountResult":
        service = detail.get("serviceEventDetails")
        status = service.get("closeAccountStatus") if isinstance(service, dict) else None
        if not isinstance(status, dict):
            raise RequestRejected(
                "MalformedEvent",
                "CloseAccountResult has no serviceEventDetails.closeAccountStatus",
                "detail.serviceEventDetails.closeAccountStatus",
            )
        account_id = status.get("accountId")
        _check_account_id(account_id, "detail.serviceEventDetails.closeAccountStatus.accountId")
        return TeardownEvent(
            trigger=Trigger.ACCOUNT_CLOSED, event_id=event_id, account_id=str(account_id), hosted_zone_id=None
        )
    raise RequestRejected(
        "UnsupportedEvent",
        f"orgdns does not remove delegations on {raw.get('source')!r} {name!r} events",
        "detail.eventName",
    )


def _hosted_zone_id(value: object, field: str) -> str:
    """A hosted zone id from an event, without its "/hostedzone/" prefix."""
    if not isinstance(value, str) or not re.fullmatch(r"(/hostedzone/)?[A-Z0-9]{1,32}", value):
        raise RequestRejected("MalformedEvent", f"{field} must be a hosted zone id, got {value!r}", field)
    return value.rsplit("/", 1)[-1]


def _account_name(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RequestRejected(
        "MalformedEvent",
        f"detail.serviceEventDetails.createManagedAccountStatus.account.accountName must be a string, got {value!r}",
        "detail.serviceEventDetails.createManagedAccountStatus.account.accountName",
    )


def _check_account_id(value: object, field: str) -> None:
    if not isinstance(value, str) or not re.match(ACCOUNT_ID, value):
        raise RequestRejected("MalformedEvent", f"{field} must be a 12-digit account id, got {value!r}", field)


class Options(BaseModel):
    """Per-account options, from tags or manual input, validated and defaulted."""

    zone_name: str
    certificate_regions: list[str]
    extra_names: list[str]
    custom_domain: CustomDomainType | None
    custom_domain_region: str | None
    ns_ttl: int


TAG_NAMES = {
    "zoneName": "subdomain",
    "certificateRegions": "certificate-regions",
    "extraNames": "extra-names",
    "customDomain": "custom-domain",
    "customDomainRegion": "custom-domain-region",
    "nsTtl": "ns-ttl",
}


ACCOUNT_ONLY = {"subdomain"}  # on a hosted zone, the zone's name is the subdomain
ZONE_ONLY = {"delegate"}  # an account's subdomain comes from orgdns:subdomain


def tag_options(tags: dict[str, str], prefix: str, on: Literal["account", "zone"] = "account") -> dict[str, Any]:
    """``orgdns:*`` tags of an account or a zone -> the manual input's keys (lists in tags are
    space-separated; the NS TTL is a whole number of seconds). A tag of the other kind is
    Rejected (OptionNotApplicable); tags orgdns does not know are left alone."""
    misplaced = ACCOUNT_ONLY if on == "zone" else ZONE_ONLY
    for suffix in sorted(misplaced):
        if prefix + suffix in tags:
            where = (
                "a hosted zone: the zone's name is its subdomain"
                if on == "zone"
                else "an account: it asks for a hosted zone's delegation (self-service); an account's subdomain "
                f"is {prefix}subdomain"
            )
            raise RequestRejected(
                "OptionNotApplicable", f"tag {prefix}{suffix} does not apply to {where}; remove it", prefix + suffix
            )
    out: dict[str, Any] = {}
    for key, suffix in TAG_NAMES.items():
        value = tags.get(prefix + suffix)
        if value is None:
            continue
        if key in {"certificateRegions", "extraNames"}:
            if "," in value or "*" in value:
                raise RequestRejected(
                    "InvalidTag",
                    f"tag {prefix}{suffix} holds ',' or '*': separate names with spaces; "
                    "orgdns adds the wildcard itself",
                    prefix + suffix,
                )
            out[key] = split_list(value)
        elif key == "nsTtl":
            if not re.fullmatch(r"[0-9]+", value.strip()):
                raise RequestRejected(
                    "InvalidTag",
                    f"tag {prefix}{suffix} must be a whole number of seconds, got {value!r}",
                    prefix + suffix,
                )
            out[key] = int(value.strip())
        else:
            out[key] = value.strip()
    return out


@dataclass(frozen=True)
class Wanted:
    """What a zone's run puts in service, from its options: the certificate's names and Regions,
    the custom domain (None: none) and the NS TTL."""

    names: list[str]
    regions: list[str]
    custom_domain: CustomDomainSpec | None
    ns_ttl: int

    @property
    def certificate_wants(self) -> str:
        return certificate_wants(self.names, self.regions, self.custom_domain)


def wanted_from(
    zone_name: str, options: ManualInput, sources: dict[str, str], default_regions: Iterable[str], default_ns_ttl: int
) -> Wanted:
    """The certificate's names and Regions and the custom domain a zone's options ask for (Rejected,
    naming the field, when they cannot be met): the same for a run and for a reconcile."""
    regions = list(dict.fromkeys(options.certificate_regions or list(default_regions)))
    custom_domain = None
    if options.custom_domain == "edge":
        custom_domain = CustomDomainSpec(type=CustomDomainType.EDGE, region="us-east-1")
    elif options.custom_domain == "regional":
        custom_domain = CustomDomainSpec(
            type=CustomDomainType.REGIONAL, region=options.custom_domain_region or regions[0]
        )
    if custom_domain and custom_domain.region not in regions:
        regions.append(custom_domain.region)
    ns_ttl = default_ns_ttl if options.ns_ttl is None else options.ns_ttl
    names = certificate_names(zone_name, options.extra_names or [], sources.get("extraNames", "extraNames"))
    return Wanted(names, regions, custom_domain, ns_ttl)


def naming_rule_name(rule: str, account_id: str, account_name: str) -> str | None:
    """``{account_name}.example.org`` -> ``staging.example.org`` (names made DNS-safe)."""
    if not rule:
        return None
    if "{account_name}" in rule:
        label = re.sub(r"[^a-z0-9-]+", "-", account_name.lower()).strip("-")[:63].strip("-")
        if not label:
            return None
        rule = rule.replace("{account_name}", label)
    return rule.replace("{account_id}", account_id)


class InputSummary(BaseModel):
    """What a run's input tells at face value: enough to name a status when nothing was decided."""

    trigger: Trigger | None = None
    event_id: str | None = None
    account_id: str | None = None
    zone_name: str | None = None
    hosted_zone_id: str | None = None


def summarise_input(raw: Any) -> InputSummary:
    """Trigger, event id, account and zone as the input gives them; never raises.

    Used when a run fails before ResolveRequest (or RemoveDelegation) decided anything, so that
    its Failed status still says what it was about. Nothing here is trusted for a decision."""
    if not isinstance(raw, dict):
        return InputSummary()

    def obj(value: object) -> dict[str, Any]:
        return value if isinstance(value, dict) else {}

    detail = obj(raw.get("detail"))
    event_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    name = detail.get("eventName")
    params, service = obj(detail.get("requestParameters")), obj(detail.get("serviceEventDetails"))

    def text(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    def zone_id(value: object) -> str | None:
        return value.rsplit("/", 1)[-1] if isinstance(value, str) and value else None

    if name == "CreateAccountResult":
        status = obj(service.get("createAccountStatus"))
        return InputSummary(
            trigger=Trigger.CREATE_ACCOUNT_RESULT, event_id=event_id, account_id=text(status.get("accountId"))
        )
    if name == "CreateManagedAccount":
        account = obj(obj(service.get("createManagedAccountStatus")).get("account"))
        return InputSummary(
            trigger=Trigger.CREATE_MANAGED_ACCOUNT, event_id=event_id, account_id=text(account.get("accountId"))
        )
    if name == "CloseAccountResult":
        status = obj(service.get("closeAccountStatus"))
        return InputSummary(trigger=Trigger.ACCOUNT_CLOSED, event_id=event_id, account_id=text(status.get("accountId")))
    if name == "ChangeTagsForResource":
        return InputSummary(
            trigger=Trigger.ZONE_TAGGED, event_id=event_id, account_id=text(raw.get("account")),
            hosted_zone_id=zone_id(params.get("resourceId")),
        )  # fmt: skip
    if name in {"TagResource", "UntagResource"} and raw.get("source") == "aws.organizations":
        resource = text(params.get("resourceId"))
        return InputSummary(
            trigger=Trigger.ACCOUNT_TAGGED if name == "TagResource" else Trigger.ACCOUNT_UNTAGGED,
            event_id=event_id, account_id=resource if resource and re.fullmatch(ACCOUNT_ID, resource) else None,
        )  # fmt: skip
    if raw.get("source") == "aws.acm":
        kind = raw.get("detail-type")
        return InputSummary(
            trigger=CERTIFICATE_EVENTS.get(kind) if isinstance(kind, str) else None,
            event_id=event_id, account_id=text(raw.get("account")),
        )  # fmt: skip
    if name == "DeleteHostedZone":
        return InputSummary(
            trigger=Trigger.ZONE_DELETED, event_id=event_id, account_id=text(raw.get("account")),
            hosted_zone_id=zone_id(params.get("id")),
        )  # fmt: skip
    if is_event(raw):
        return InputSummary(event_id=event_id, account_id=text(raw.get("account")))
    return InputSummary(
        trigger=Trigger.MANUAL, account_id=text(raw.get("accountId")), zone_name=text(raw.get("zoneName"))
    )
