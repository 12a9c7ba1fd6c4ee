"""The contract between the ReconcileWorkflow's steps (the ASL's ``$``) and the files they keep
in the reconcile bucket (``reconciles/<run>/``). The state machine carries only small documents:
the accounts, the survey and the plan travel through S3, so the run's payloads stay far below
Step Functions' 256 KB whatever the organization's size."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orgdns.models import CamelModel, ChangesResult, RecordChange, RecordSpec, StepError

REPORT_SCHEMA_VERSION = "1.1"
ACCOUNTS_PER_BATCH = 20  # one ListAccounts page; one Map item (one SurveyAccount invocation)


def reconcile_time(started_at: str) -> float:
    """The reconcile's start (the execution's StartTime, ISO 8601) in epoch seconds: every account
    is judged at the same moment, whatever the time each batch is surveyed."""
    return datetime.fromisoformat(started_at.replace("Z", "+00:00")).timestamp()


class ReconcileMode(StrEnum):
    PLAN = "plan"  # reads only: what audit or apply would do
    AUDIT = "audit"  # the scheduled mode: safe, additive repairs; everything else reported
    APPLY = "apply"  # on demand: also changes and deletes what orgdns owns and no longer needs


class ReconcileInput(BaseModel):
    """The execution input (console, CLI, or the schedule): ``{"mode": "plan" | "audit" | "apply"}``."""

    model_config = ConfigDict(extra="forbid")

    mode: ReconcileMode = ReconcileMode.PLAN


class AccountRef(CamelModel):
    account_id: str
    name: str = ""
    state: str = "ACTIVE"
    management: bool = False  # the management account: its zones are surveyed, it gets no subdomain


class AccountBatch(CamelModel):
    """One item of the SurveyAccounts Map: up to 20 accounts."""

    index: int
    accounts: list[AccountRef]


class ObservedZone(CamelModel):
    account_id: str
    hosted_zone_id: str
    zone_name: str
    name_servers: list[str] = Field(default_factory=list)
    # Read for root and managed zones only (every record set but SOA); None: not read.
    records: list[RecordSpec] | None = None


class ObservedCertificate(CamelModel):
    """A certificate the registry records for one of the account's zones, as ACM lists it
    (ListCertificates) and, when it may be at risk, describes it (DescribeCertificate)."""

    arn: str
    region: str
    zone_name: str  # the registry item that records it
    exists: bool = True  # False: in none of ACM's listings of its Region
    status: str = ""
    names: list[str] = Field(default_factory=list)
    not_after: float | None = None  # epoch seconds
    in_use: bool = False
    described: bool = False  # DescribeCertificate was read: the renewal fields below are known
    renewal_status: str | None = None
    renewal_reason: str | None = None


class ObservedDomain(CamelModel):
    """The API Gateway custom domain the registry records for one of the account's zones (GetDomainName)."""

    zone_name: str
    domain_name: str
    region: str
    exists: bool = True
    endpoint_type: str = ""
    certificate_arn: str = ""
    target: str = ""  # the alias target orgdns writes: "<hosted zone id>/<domain name>"
    status: str = ""


class ObservedAccount(CamelModel):
    account_id: str
    name: str = ""
    state: str = "ACTIVE"
    management: bool = False
    tags: dict[str, str] = Field(default_factory=dict)
    zones: list[ObservedZone] = Field(default_factory=list)
    # Read for accounts with zones orgdns manages: the certificates and custom domains it recorded,
    # and the names every live certificate of the account covers in the Regions read (which
    # validation records are still needed).
    certificates: list[ObservedCertificate] = Field(default_factory=list)
    domains: list[ObservedDomain] = Field(default_factory=list)
    certified_names: dict[str, list[str]] | None = None  # Region -> names; None: not listed
    # For an account whose tags ask for a zone orgdns has put no certificate in service for yet (a
    # zone to adopt, a backfill): the live certificates in the Regions wanted that name the zone,
    # and a custom domain of the zone's name if the tags ask for one (made by hand before orgdns).
    hand_made_certificates: list[ObservedCertificate] = Field(default_factory=list)
    hand_made_domain: ObservedDomain | None = None
    acm_regions: list[str] = Field(default_factory=list)  # the Regions ACM was listed in (once each)
    error: str | None = None  # the account could not be read (role refused...): nothing is decided for it


FindingType = Literal[
    "DanglingDelegation",
    "DelegationMismatch",
    "MissingDelegation",
    "Adoptable",
    "Backfill",
    "RegistryOrphan",
    "TagDrift",
    "OrphanedValidationRecord",
    "CertificateAtRisk",
    "AliasDrift",
    "AccountUnreachable",
]


class Finding(CamelModel):
    type: FindingType
    severity: Literal["high", "medium", "low"]
    account_id: str | None = None
    zone_name: str | None = None
    record_name: str | None = None
    evidence: str  # what was observed
    remedy: str  # the exact change that settles it
    fixed_by_apply: bool = False
    fixed_by_audit: bool = False
    resource: str | None = None  # a certificate's ARN or a custom domain's name, when the finding is about one

    @property
    def key(self) -> str:
        """Stable across reconciles: one ActionRequired status per finding, not one per day."""
        parts = [self.type, self.account_id or "", self.zone_name or "", self.record_name or ""]
        return "|".join([*parts, self.resource] if self.resource else parts)


class ReconcileAction(CamelModel):
    op: Literal["add", "change", "delete", "adopt"]
    # "certificate" and "domain": made by hand, adopted by the account's run (which reuses them)
    kind: Literal["record", "registry", "run", "teardown", "certificate", "domain"]
    finding: FindingType
    account_id: str | None = None
    zone_name: str  # the zone written to (record), adopted (registry), set up (run) or torn down
    hosted_zone_id: str | None = None
    record: RecordSpec | None = None  # record actions: the record to write, or exactly as it is to delete
    owner: str | None = None  # record actions: the managed zone the record belongs to
    observed: RecordSpec | None = None  # change: the record as the survey saw it (apply writes only over that)
    adopted_records: list[RecordSpec] = Field(default_factory=list)  # adopt: what was observed
    name_servers: list[str] = Field(default_factory=list)  # adopt: the zone's delegation set
    parent: str | None = None  # adopt: the parent zone the delegation was found in
    resource: str | None = None  # certificate, domain: its ARN or name
    # An orphaned validation record: the account whose certificates it validated, and the Regions listed.
    owner_account: str | None = None
    regions: list[str] = Field(default_factory=list)
    in_audit: bool = False  # safe and additive: audit does it too
    detail: str = ""
    result: str | None = None  # apply/audit: done, skipped (why), failed (why)


class ReconcileCounts(CamelModel):
    add: int = 0
    change: int = 0
    delete: int = 0
    adopt: int = 0
    skipped: int = 0  # audit, apply: actions not made (changed since the plan, registered meanwhile...)
    findings: int = 0
    need_human: int = 0  # findings the mode that ran does not settle
    by_type: dict[str, int] = Field(default_factory=dict)


class ReconcilePlan(CamelModel):
    """plan.json: every finding and action (PlanReconcile); ApplyReconcile fills in the results."""

    run_id: str
    mode: ReconcileMode
    findings: list[Finding] = Field(default_factory=list)
    actions: list[ReconcileAction] = Field(default_factory=list)
    accounts: int = 0
    zones: int = 0


class ReconcileStart(CamelModel):
    decision: Literal["Proceed", "Reject"] = "Proceed"
    reason: str | None = None
    message: str | None = None
    field: str | None = None
    mode: ReconcileMode = ReconcileMode.PLAN
    bucket: str = ""
    prefix: str = ""
    accounts_key: str = ""
    batches: int = 0
    accounts: int = 0
    started_at: str = ""  # the execution's StartTime: the moment certificates are judged at


class ReconcileSummary(CamelModel):
    plan_key: str
    counts: ReconcileCounts
    summary: str  # Plan: 3 to add, 1 to change, 2 to delete, 4 to adopt; 5 findings need a human.


class OwnerChanges(CamelModel):
    """The record changes of one managed zone: one request to the record writer."""

    owner: str
    changes: list[RecordChange]
    written: ChangesResult | None = None  # the writer's answer (WriteReconcileChanges)
    error: StepError | None = None  # ... or why the request failed


class ReconcileApply(CamelModel):
    batches: list[OwnerChanges] = Field(default_factory=list)  # for the record writer, one per owner
    adopted: int = 0
    runs_started: int = 0
    teardowns_started: int = 0
    skipped: int = 0


class ReconcileState(CamelModel):
    input: Any = None
    start: ReconcileStart | None = None
    plan: ReconcileSummary | None = None
    apply: ReconcileApply | None = None
    written: list[OwnerChanges] | None = None  # what the record writer did with each of ``apply.batches``
    error: StepError | None = None


class ReconcileStepInput(CamelModel):
    execution: str
    started_at: str | None = None  # the execution's StartTime (ISO 8601)
    state: ReconcileState = Field(default_factory=ReconcileState)
    batch: AccountBatch | None = None  # SurveyAccount only
    outcome: str | None = None  # ReportReconcile only: set by the ASL for Rejected and Failed
