"""What every patch shares: the glue context, the patch registry and the clock participant of an
execution."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.models import LambdaFunction

from .calls import ApiCallRecorder, FaultPlan
from .clock import SimClock
from .dns import EmulatedDns

HandlerRunner = Callable[[LambdaFunction, Any], Any]


@dataclass
class DeliveryFailure:
    """An EventBridge target that could not take an event (logged, never raised)."""

    rule_arn: str
    target_arn: str
    event_id: str
    error: str
    sim_time: float


@dataclass
class GlueContext:
    """Everything the patches share. Times are simulated seconds."""

    clock: SimClock
    dns: EmulatedDns
    invoke_handler: HandlerRunner  # runs a function's real handler; returns or raises
    calls: ApiCallRecorder = field(default_factory=ApiCallRecorder)
    faults: FaultPlan = field(default_factory=FaultPlan)
    route53_propagation_seconds: float = 20
    acm_record_delay_seconds: float = 10
    acm_validation_seconds: float = 60
    acm_timeout_seconds: float = 72 * 3600
    apigw_edge_pending_seconds: float = 2400
    apigw_regional_pending_seconds: float = 60
    # UpdateDomainName: an edge domain is UPDATING while CloudFront takes the new certificate
    # (up to about 40 minutes, "Rotate a certificate"); a regional one about a minute.
    apigw_edge_update_seconds: float = 1800
    apigw_regional_update_seconds: float = 60
    apigw_write_interval_seconds: float = 30  # Create/Update/DeleteDomainName: 1 per 30 s per account
    acm_in_use_release_seconds: float = 900  # InUseBy clears this long after a domain switches away
    # certificate ARN -> (domain ARN, the simulated moment InUseBy stops listing it): set when a
    # custom domain switches to another certificate or is deleted
    released_certificates: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    # ACM's managed renewal (acm.py): a public certificate lives 198 days; ACM renews it from 45
    # days before it expires, only while it is in use and every validation CNAME resolves.
    acm_validity_days: float = 198
    acm_renewal_window_days: float = 45
    acm_lifecycle: Any = None  # the AcmLifecycle acm.py installs: the driver advances it
    account_closure_seconds: float = 300  # CloseAccount: PENDING_CLOSURE this long, then SUSPENDED
    account_closures: dict[str, float] = field(default_factory=dict)  # account id -> CloseAccount time
    require_existing_roles: bool = False  # AssumeRole into a role that does not exist is denied
    dead_letter_queues: dict[str, str] = field(default_factory=dict)  # function name -> DLQ ARN (async)
    delivery_failures: list[DeliveryFailure] = field(default_factory=list)


@dataclass(frozen=True)
class ExecutionKey:
    """The clock participant of one Step Functions execution."""

    arn: str


@dataclass(frozen=True)
class AsyncInvocationKey:
    """The clock participant of an asynchronous Lambda invocation waiting for its retries."""

    request_id: str


def is_work(key: object) -> bool:
    """Is this clock participant work the product is doing (an execution, a pending invocation)?"""
    return isinstance(key, (ExecutionKey, AsyncInvocationKey))


class _Patches:
    """Replacements of attributes and of dict entries, undone in reverse order."""

    _MISSING = object()

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def set(self, owner: Any, name: str, value: Any) -> None:
        # Read a class's own __dict__ so staticmethods and inherited attributes restore exactly.
        old = vars(owner).get(name, self._MISSING) if isinstance(owner, type) else getattr(owner, name)

        def restore() -> None:
            if old is self._MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)

        self._undo.append(restore)
        setattr(owner, name, value)

    def set_item(self, mapping: dict[str, Any], key: str, value: Any) -> None:
        """Replace one entry of a module-level dict."""
        old = mapping.get(key, self._MISSING)

        def restore() -> None:
            if old is self._MISSING:
                mapping.pop(key, None)
            else:
                mapping[key] = old

        self._undo.append(restore)
        mapping[key] = value

    def undo(self) -> None:
        while self._undo:
            self._undo.pop()()
