"""The contract between the state machines and the step functions.

Every Lambda step receives ``{"execution": <execution name>, "state": <WorkflowState>}`` and
returns one section of the state, which the ASL stores under a ResultPath of the same name.
JSON keys are camelCase, as in the rest of the Step Functions console.
"""

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    # defer_build: a model's validator is built when it is first used, not at import: a step's
    # cold start builds the few models it reads and writes, not all of them.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Trigger(StrEnum):
    CREATE_ACCOUNT_RESULT = "CreateAccountResult"
    CREATE_MANAGED_ACCOUNT = "CreateManagedAccount"
    ZONE_TAGGED = "ChangeTagsForResource"  # self-service: a member account tagged its own zone
    ZONE_DELETED = "DeleteHostedZone"  # teardown
    ACCOUNT_CLOSED = "CloseAccountResult"  # teardown
    ACCOUNT_TAGGED = "TagResource"  # an administrator set orgdns:* tags on an account
    ACCOUNT_UNTAGGED = "UntagResource"  # ... or removed some (orgdns:subdomain: teardown)
    CERTIFICATE_EXPIRING = "CertificateApproachingExpiration"  # ACM's events: renewal watch
    CERTIFICATE_ACTION_REQUIRED = "CertificateRenewalActionRequired"
    CERTIFICATE_EXPIRED = "CertificateExpired"
    MANUAL = "Manual"
    RECONCILE = "Reconcile"  # teardown of a registry orphan a reconcile found


class Outcome(StrEnum):
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    ACTION_REQUIRED = "ActionRequired"
    REJECTED = "Rejected"
    SKIPPED = "Skipped"


class CustomDomainType(StrEnum):
    EDGE = "edge"
    REGIONAL = "regional"

    @property
    def endpoint_type(self) -> str:
        """API Gateway's name for it (endpointConfiguration.types): EDGE or REGIONAL."""
        return self.value.upper()


class ZoneRef(CamelModel):
    zone_name: str
    account_id: str
    hosted_zone_id: str


class CustomDomainSpec(CamelModel):
    type: CustomDomainType
    region: str  # us-east-1 for edge


class Plan(CamelModel):
    """What one run will do, decided once by ResolveRequest and never re-derived."""

    request_id: str
    trigger: Trigger
    account_id: str
    account_name: str | None = None
    zone_name: str
    parent: ZoneRef
    certificate_regions: list[str]
    certificate_names: list[str]
    custom_domain: CustomDomainSpec | None = None
    ns_ttl: int
    hosted_zone_id: str | None = None  # self-service: the member's own zone, used as it is
    # When ResolveRequest read the tags (registry.now_ms): of two runs for one zone, the one decided
    # later has the newer names, and the custom domain ends on its certificate.
    decided_at: int = 0
    # Where the zone's name came from: "tag" (orgdns:subdomain), "naming-rule", "input" (a manual
    # run's zoneName) or "zone" (self-service): a tag change retires only zones named by tags or rule.
    named_by: str | None = None

    @property
    def certificate_wants(self) -> str:
        """What the run puts in service, in one string: two runs that want the same may both finish."""
        return certificate_wants(self.certificate_names, self.certificate_regions, self.custom_domain)


def certificate_wants(names: list[str], regions: list[str], custom_domain: CustomDomainSpec | None) -> str:
    """A zone's certificate names, Regions and custom domain in one string (the registry keeps the
    last run's: ``certificateWants``)."""
    domain = f"{custom_domain.type.value}@{custom_domain.region}" if custom_domain else "none"
    return f"{' '.join(sorted(names))}|{' '.join(sorted(regions))}|{domain}"


class Decision(CamelModel):
    decision: Literal["Proceed", "Skip", "Reject"]
    trigger: Trigger | None = None
    event_id: str | None = None
    account_id: str | None = None
    zone_name: str | None = None
    hosted_zone_id: str | None = None  # a zone event's zone, or the zone a teardown removes
    reason: str | None = None
    message: str | None = None
    field: str | None = None
    plan: Plan | None = None


class ChangeRef(CamelModel):
    account_id: str
    change_id: str


class RecordSpec(CamelModel):
    """One record set: where it lives and what it holds."""

    name: str
    type: str
    ttl: int | None = None
    values: list[str] = Field(default_factory=list)
    alias_target: str | None = None  # "<hosted zone id>/<dns name>" for alias records
    zone_name: str | None = None
    hosted_zone_id: str | None = None
    account_id: str | None = None
    purpose: str | None = None  # Delegation | Validation | Alias


class ChildMove(CamelModel):
    """A registered zone set up before its nearer parent existed, moving under it."""

    zone_name: str
    old_parent: ZoneRef
    record: RecordSpec  # its NS record, now also written into the new zone


class ZoneResult(CamelModel):
    hosted_zone_id: str
    name_servers: list[str]
    created: bool
    change: ChangeRef | None = None  # NS TTL and adopted children, written in one batch
    children: list[ChildMove] = Field(default_factory=list)


class DelegationResult(CamelModel):
    record: RecordSpec
    change: ChangeRef | None = None  # None: the parent already held exactly this record
    in_sync: bool
    written_before: bool = False  # the registry had this record before (a rerun)
    name_checked: bool = False  # the parent is the zone ReserveName checked the name in


class RecordChange(CamelModel):
    """One record a run hands the writer: UPSERTed (if orgdns may write it: ``owner`` is the
    registered zone it belongs to, which must still be registered for ``owner_account_id``), or
    DELETEd (only if the zone still holds it exactly as given: what orgdns wrote)."""

    action: Literal["UPSERT", "DELETE"] = "UPSERT"
    record: RecordSpec  # with its zone name, hosted zone id and account
    owner: str | None = None
    owner_account_id: str | None = None
    # The registry had it before this run: probably in the zone already (a rerun), so the writer
    # reads the zone first instead of sending a CREATE Route 53 would refuse.
    written_before: bool = False
    # The writer found the name free of records in this zone for this run (ReserveName): an NS
    # record may go as a CREATE without reading the zone again. (Route 53 refuses a CNAME beside
    # other records itself, but takes an NS record beside them: unchecked, it is read first.)
    name_checked: bool = False


class RecordRequest(CamelModel):
    """One message on the record queue: a run asking the writer (WriteChanges) to check a name
    in a zone, or to write records into zones. ``task_token`` is the run's Step Functions task
    token: the writer answers each request with SendTaskSuccess or SendTaskFailure.

    - ``check``: ``decision`` is the run's Proceed decision; the answer is that decision, or a
      Reject (NameInUse) when the parent zone holds records at the name that orgdns did not write.
    - ``change`` with ``record``: the record (a delegation) is UPSERTed as a RecordChange with
      ``owner`` and ``owner_account_id``; the answer is a DelegationResult with the change id.
    - ``change`` with ``changes``: every change, in whichever zones they are; the answer is a
      ChangesResult once all are done (one refused change fails the request, with its reason).
    """

    kind: Literal["check", "change"]
    task_token: str
    execution: str = ""
    decision: Decision | None = None
    record: RecordSpec | None = None
    owner: str | None = None
    owner_account_id: str | None = None
    written_before: bool = False
    name_checked: bool = False
    changes: list[RecordChange] = Field(default_factory=list)

    def all_changes(self) -> list[RecordChange]:
        if self.kind != "change":
            return []
        if self.record is not None:
            single = RecordChange(
                record=self.record,
                owner=self.owner,
                owner_account_id=self.owner_account_id,
                written_before=self.written_before,
                name_checked=self.name_checked,
            )
            return [single, *self.changes]
        return list(self.changes)

    def targets(self) -> list[tuple[str, str, str]]:
        """(account id, hosted zone id, zone name) of each zone this request reads or writes."""
        if self.kind == "check":
            plan = self.decision.plan if self.decision else None
            if plan is None:
                raise ValueError("a check request carries a Proceed decision with its plan")
            return [(plan.parent.account_id, plan.parent.hosted_zone_id, plan.parent.zone_name)]
        changes = self.all_changes()
        if not changes:
            raise ValueError("a change request carries a record or changes")
        found = []
        for change in changes:
            record = change.record
            if not record.hosted_zone_id or not record.account_id:
                raise ValueError("a change request's records carry their hosted zone id and account")
            target = (record.account_id, record.hosted_zone_id, record.zone_name or "")
            if target not in found:
                found.append(target)
        return found

    @property
    def name(self) -> str:
        """The name a check asks about."""
        return self.decision.plan.zone_name if self.decision and self.decision.plan else ""


class ChangesResult(CamelModel):
    """The writer's answer to a request of several changes."""

    written: list[RecordSpec] = Field(default_factory=list)  # UPSERTed, or already exactly so
    removed: list[RecordSpec] = Field(default_factory=list)  # DELETEd, or already gone
    left: list[RecordSpec] = Field(default_factory=list)  # changed since orgdns wrote them: not deleted
    changes: list[ChangeRef] = Field(default_factory=list)  # the Route 53 changes made


class ChildrenResult(CamelModel):
    moved: list[str] = Field(default_factory=list)
    left_in_old_parent: list[RecordSpec] = Field(default_factory=list)


class CertificateRef(CamelModel):
    region: str
    arn: str
    status: str
    reused: bool = False
    failure_reason: str | None = None
    in_use_by: list[str] = Field(default_factory=list)  # RetireCertificates: what still uses it


class CertificatesResult(CamelModel):
    certificates: list[CertificateRef]
    # Certificates an earlier run set up for the zone that these replace (other names or
    # Regions): retired once the new ones are ISSUED and the custom domain serves them.
    replaces: list[CertificateRef] = Field(default_factory=list)


class ParameterRef(CamelModel):
    """One SSM parameter orgdns wrote in the zone's account (see steps/write_outputs.py)."""

    region: str
    name: str
    value: str = ""


class OutputsResult(CamelModel):
    written: list[ParameterRef] = Field(default_factory=list)  # every output, as it is now
    changed: int = 0  # PutParameter calls made (values that were missing or different)
    deleted: list[ParameterRef] = Field(default_factory=list)  # outputs no longer wanted


class RetireResult(CamelModel):
    """What RetireCertificates did with the certificates the run's new ones replace."""

    retired: list[CertificateRef] = Field(default_factory=list)  # deleted (or already gone)
    in_use: list[CertificateRef] = Field(default_factory=list)  # still in use: tried again, then a human
    kept: list[CertificateRef] = Field(default_factory=list)  # not requested by orgdns: never deleted


class ValidationResult(CamelModel):
    records_ready: bool
    written: list[RecordSpec] = Field(default_factory=list)  # in the run's own zone
    shared: list[RecordChange] = Field(default_factory=list)  # for the record writer: zones other runs write to
    action_required: list[RecordSpec] = Field(default_factory=list)
    changes: ChangesResult | None = None  # what the record writer did with ``shared``


class CertificateCheck(CamelModel):
    all_issued: bool
    certificates: list[CertificateRef]


class CustomDomainResult(CamelModel):
    domain_name: str
    type: CustomDomainType
    region: str
    certificate_arn: str
    target_domain_name: str
    target_hosted_zone_id: str
    status: str
    available: bool  # AVAILABLE, and serving the run's certificate
    records: list[RecordSpec] = Field(default_factory=list)
    previous_certificate_arn: str | None = None  # the certificate the run switched the domain from


class TeardownResult(CamelModel):
    """What removing a zone's delegation did: orgdns deletes only records exactly as it wrote them."""

    zones: list[str] = Field(default_factory=list)  # registry entries removed
    removed: list[RecordSpec] = Field(default_factory=list)
    left: list[RecordSpec] = Field(default_factory=list)  # changed since orgdns wrote them: a human decides
    children_moved: list[str] = Field(default_factory=list)  # re-delegated from the nearest ancestor
    changes: list[RecordChange] = Field(default_factory=list)  # planned, for the record writer
    written: ChangesResult | None = None  # what the record writer did with ``changes``
    forget: list[ZoneRef] = Field(default_factory=list)  # registry entries to remove once the writer is done


class RenewalResult(CamelModel):
    """What CheckRenewal found about one certificate after one of ACM's events."""

    certificate: CertificateRef
    zone_name: str
    hosted_zone_id: str
    not_after: str | None = None  # ISO 8601
    in_use_by: list[str] = Field(default_factory=list)
    renewal_status: str | None = None  # RenewalSummary.RenewalStatus
    outcome: Literal["Succeeded", "ActionRequired", "Failed"] = "Succeeded"
    reason: str = "Renewing"  # the RenewalReady condition's reason
    message: str = ""
    rewrite: list[RecordChange] = Field(default_factory=list)  # orgdns's validation records gone missing
    action_required: list[RecordSpec] = Field(default_factory=list)  # records outside orgdns's zones
    refused: list[str] = Field(default_factory=list)  # names the account may no longer certify
    changes: ChangesResult | None = None  # what the record writer did with ``rewrite``


class StepError(CamelModel):
    """What a Catch puts under ``$.error``: Step Functions' own {Error, Cause} keys."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    error: str = Field(alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


class WorkflowState(CamelModel):
    """Everything the subdomain workflow has learnt so far (the ASL's ``$``)."""

    input: Any = None  # the execution input as given: an event or a manual input, valid or not
    decision: Decision | None = None
    zone: ZoneResult | None = None
    delegation: DelegationResult | None = None
    children: ChildrenResult | None = None
    certificates: CertificatesResult | None = None
    validation: ValidationResult | None = None
    certificate_check: CertificateCheck | None = None
    custom_domain: CustomDomainResult | None = None
    outputs: OutputsResult | None = None
    retire: RetireResult | None = None
    renewal: RenewalResult | None = None
    teardown: TeardownResult | None = None
    error: StepError | None = None

    @property
    def plan(self) -> Plan:
        if self.decision is None or self.decision.plan is None:
            raise ValueError("the workflow state has no plan: ResolveRequest must run first")
        return self.decision.plan


class StepInput(CamelModel):
    execution: str
    state: WorkflowState = Field(default_factory=WorkflowState)
    outcome: Outcome | None = None  # PublishStatus only
    change: ChangeRef | None = None  # CheckDelegationSync only


class ManagedZone(CamelModel):
    """One registry item: a zone orgdns manages, where it hangs, and what orgdns wrote for it."""

    zone_name: str
    account_id: str
    hosted_zone_id: str
    parent_zone_name: str | None = None  # None for a root zone
    parent_account_id: str | None = None
    parent_hosted_zone_id: str | None = None
    name_servers: list[str] = Field(default_factory=list)
    records: list[RecordSpec] = Field(default_factory=list)
    # Earlier contents of ``records`` that a later run replaces (a new NS TTL): still orgdns's
    # own writing, so the record writer may overwrite them with the new content.
    superseded: list[RecordSpec] = Field(default_factory=list)
    certificates: list[CertificateRef] = Field(default_factory=list)
    custom_domain: CustomDomainResult | None = None
    parameters: list[ParameterRef] = Field(default_factory=list)  # SSM outputs written in the account
    renewal_warnings: dict[str, str] = Field(default_factory=dict)  # certificate ARN -> reason last warned about
    certificate_decided_at: int | None = None  # decided_at of the run that last set the domain's certificate
    certificate_wants: str | None = None  # that run's Plan.certificate_wants
    named_by: str | None = None  # the plan's named_by when the zone was registered (None: before 1.2)
    created_by_orgdns: bool = True
    self_service: bool = False  # requested by the member account tagging its own zone
    # Made by hand before orgdns and adopted by a reconcile (with what it observed): managed like
    # orgdns's own from then on, teardown included.
    adopted: bool = False
    adopted_evidence: str | None = None
    request_id: str | None = None
    last_outcome: Outcome | None = None
    last_run: str | None = None
    conditions: list[dict[str, Any]] = Field(default_factory=list)
    updated_at: str | None = None
    # The teardown run removing this zone, from its plan until FinishTeardown deletes the item:
    # the record writer writes nothing more for it (a run still on its way gets ZoneWithdrawn).
    torn_down_by: str | None = None

    @property
    def origin(self) -> str:
        """How the zone came under orgdns: ``created`` by orgdns, ``found`` (the account made it
        itself, orgdns uses it), ``adopted`` (zone and delegation made by hand, adopted by a
        reconcile), or ``self-service`` (the member tagged it)."""
        if self.created_by_orgdns:
            return "created"
        if self.adopted:
            return "adopted"
        return "self-service" if self.self_service else "found"

    def ref(self) -> ZoneRef:
        return ZoneRef(zone_name=self.zone_name, account_id=self.account_id, hosted_zone_id=self.hosted_zone_id)
