"""Scenario files: the organization to build, the story to play, the faults to inject.

See docs/local-organization.md for the format. Account ids are generated, so inputs and events
refer to accounts as ``${account:NAME}`` (and to the management account as ``${account:management}``).
"""

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordInput(Strict):
    """A record set. A value ``${nameservers:ACCOUNT:ZONE}`` stands for that zone's four name servers
    (a hand-made delegation); ACCOUNT is a scenario account's name, or ``management``."""

    name: str
    type: str
    ttl: int = 300
    values: list[str]


class ZoneInput(Strict):
    name: str
    records: list[RecordInput] = Field(default_factory=list)
    top_level: bool = False  # a trust anchor for the emulated DNS (roots are, automatically)


class CertificateInput(Strict):
    """A certificate the account requested by hand before orgdns (DNS validation; PENDING_VALIDATION
    until a validation record for it resolves)."""

    names: list[str] = Field(min_length=1)  # the first is the domain name
    region: str = "us-east-1"


class AccountInput(Strict):
    name: str
    id: str | None = Field(default=None, pattern=r"^\d{12}$")  # default: a random id, as Organizations gives
    tags: dict[str, str] = Field(default_factory=dict)
    zones: list[ZoneInput] = Field(default_factory=list)
    certificates: list[CertificateInput] = Field(default_factory=list)


class Timing(Strict):
    route53_propagation_seconds: float = 20
    acm_record_delay_seconds: float = 10
    acm_validation_seconds: float = 60
    apigw_edge_pending_seconds: float = 2400
    apigw_regional_pending_seconds: float = 60
    apigw_edge_update_seconds: float = 1800  # UpdateDomainName: UPDATING this long (edge)
    apigw_regional_update_seconds: float = 60
    acm_in_use_release_seconds: float = 900  # InUseBy keeps a domain this long after it switched away
    baseline_seconds: float = 120  # how long after an account is created the StackSet reaches it
    account_closure_seconds: float = 300  # CloseAccount: PENDING_CLOSURE this long, then SUSPENDED


class FaultInput(Strict):
    """One fault. ``new_account_seconds``: AssumeRole into an account younger than this is denied."""

    service: str
    operation: str | None = None
    error: str
    message: str | None = None
    http_status: int = 400
    count: int | None = None
    account: str | None = None  # the account making the call (a name from the scenario)
    target_account: str | None = None  # sts AssumeRole: the account entered
    domain: str | None = None  # acm Issuance: the certificate's domain
    between_seconds: tuple[float, float] | None = None
    new_account_seconds: float | None = None


class CreateAccount(Strict):
    name: str
    id: str | None = Field(default=None, pattern=r"^\d{12}$")  # e.g. to name the account in Grants
    email: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    via: Literal["organizations", "controltower"] = "organizations"
    fail: str | None = None  # e.g. EMAIL_ALREADY_EXISTS: the creation fails and no account exists
    deliveries: int = Field(default=1, ge=1, le=5)  # EventBridge delivers at least once


class StartExecution(Strict):
    name: str | None = None
    input: Any


class SendEvent(Strict):
    event: dict[str, Any]
    deliveries: int = Field(default=1, ge=1, le=5)
    bus: Literal["default", "member"] = "default"  # member: the bus member accounts forward to


class CreateZone(Strict):
    """Someone in a member account creates a public hosted zone (no orgdns involved)."""

    account: str
    name: str
    records: list[RecordInput] = Field(default_factory=list)


class TagZone(Strict):
    """Someone in a member account tags (or untags) one of its zones; the member account's
    forwarding rule delivers the CloudTrail event to orgdns's member bus."""

    account: str
    zone: str
    tags: dict[str, str] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)


class AddRecords(Strict):
    account: str = "outside"
    zone: str
    records: list[RecordInput]


class DeleteRecords(Strict):
    """Someone deletes record sets by hand: every record set of these types at ``name``
    (``CNAME`` and ``_*`` names: ACM's validation records, say). Names may start with ``*`` to
    match a label, e.g. ``_*.demo.example.org``."""

    account: str
    zone: str
    name: str
    types: list[str] = Field(default_factory=lambda: ["CNAME"])


class AnswerActionRequired(Strict):
    """Plays the human: adds every record a status asked for into the outside zone that holds it."""

    account: str


class TagAccount(Strict):
    """An administrator sets (``tags``) or removes (``remove``) tags on an account in the management
    account; CloudTrail's TagResource / UntagResource event goes to its default bus."""

    account: str
    tags: dict[str, str] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)
    deliveries: int = Field(default=1, ge=0, le=5)  # at least once; 0: the event is lost

    @model_validator(mode="after")
    def _something(self) -> "TagAccount":
        if not self.tags and not self.remove:
            raise ValueError("tag_account sets tags, removes them, or both")
        return self


class Reconcile(Strict):
    """Starts the ReconcileWorkflow by hand (as its schedule would, in audit mode). ``input`` gives
    the execution input as it is, instead of ``{"mode": mode}`` (to try bad input)."""

    mode: Literal["plan", "audit", "apply"] = "plan"
    input: Any = None


ACTIONS = (
    "create_account",
    "start_execution",
    "send_event",
    "add_records",
    "delete_records",
    "answer_action_required",
    "tag_account",
    "create_zone",
    "tag_zone",
    "delete_zone",
    "delete_custom_domain",
    "close_account",
    "reconcile",
    "note",
)


class DeleteZone(Strict):
    """Someone in a member account deletes one of its zones (its records first, as Route 53 requires).
    ``deliveries: 0``: the event never reaches orgdns (a delivery failure, a baseline not there yet)."""

    account: str
    zone: str
    deliveries: int = Field(default=1, ge=0, le=5)


class DeleteCustomDomain(Strict):
    """Someone in a member account deletes an API Gateway custom domain by hand (DeleteDomainName):
    orgdns hears nothing of it; its alias records point at nothing until a reconcile looks."""

    account: str
    domain: str
    region: str = "us-east-1"


class CloseAccount(Strict):
    account: str


class Step(Strict):
    at: float | None = None  # not before this many simulated seconds
    after_runs: bool = False  # not before every execution started so far has ended
    create_account: CreateAccount | None = None
    start_execution: StartExecution | None = None
    send_event: SendEvent | None = None
    add_records: AddRecords | None = None
    delete_records: DeleteRecords | None = None
    answer_action_required: AnswerActionRequired | None = None
    tag_account: TagAccount | None = None
    create_zone: CreateZone | None = None
    tag_zone: TagZone | None = None
    delete_zone: DeleteZone | None = None
    delete_custom_domain: DeleteCustomDomain | None = None
    close_account: CloseAccount | None = None
    reconcile: Reconcile | None = None
    note: str | None = None  # prints a line: with `at`, lets simulated time pass (months if need be)

    @model_validator(mode="after")
    def _one_action(self) -> "Step":
        actions = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(actions) != 1:
            raise ValueError(f"a step has exactly one action, found {actions or 'none'}")
        return self

    @property
    def action(self) -> str:
        return next(name for name in ACTIONS if getattr(self, name) is not None)


class Scenario(Strict):
    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    management_zones: list[ZoneInput] = Field(default_factory=list)
    outside_zones: list[ZoneInput] = Field(default_factory=list)
    accounts: list[AccountInput] = Field(default_factory=list)
    timing: Timing = Field(default_factory=Timing)
    faults: list[FaultInput] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    seed: int = 7
    baseline: bool = True  # deploy baseline.yaml to member accounts, as the StackSet would
    # The StackSet's Regions: the baseline's Region-wide resources (ACM's event forwarding) are
    # deployed in each; the rest (roles, the Route 53 rule) in us-east-1 only.
    baseline_regions: list[str] = Field(default_factory=lambda: ["us-east-1", "eu-west-1"])

    @classmethod
    def load(cls, path: Path) -> "Scenario":
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a scenario is a YAML mapping")
        data.setdefault("name", path.stem)
        return cls.model_validate(data)
