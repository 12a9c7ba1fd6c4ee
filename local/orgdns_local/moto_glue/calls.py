"""What the scenario called, and which calls fail on purpose.

`ApiCallRecorder` keeps every AWS API call made in-process (by handlers, by the Step Functions
interpreter, by the scenario driver) with the account whose credentials signed it and the
simulated time. `FaultPlan` decides, before a call is sent, whether it fails instead; the patch
that consults both sits on botocore (see `api_calls.py`).

Real AWS has faults moto never produces: Route 53 throttles at five requests per second per
account (`Throttling`, "Rate exceeded") and rejects a change while the previous one for the zone is
processed (`PriorRequestNotComplete`); AssumeRole into a newly created account is denied for a
while; a Lambda invoke can fail with `ServiceException`; ACM can refuse to issue (`CAA_ERROR`).
A `FaultRule` describes one such fault and when it applies: an AWS error code (raised as a
ClientError with its HTTP status), or one of `CONNECTION_FAULTS` (ConnectTimeout, ReadTimeout,
EndpointConnectionError, ConnectionClosed), raised as botocore raises a failed connection.

ACM issuance is not an API call: the ACM patch asks `FaultPlan.match` about the pseudo-operation
`ISSUANCE` ("Issuance", service "acm") at the moment a certificate would be issued, passing the
certificate's domain. Only rules that name that operation apply to it.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

ISSUANCE = "Issuance"

# Fault codes that are not AWS answers but failures on the way: botocore raises these itself.
CONNECTION_FAULTS: dict[str, Any] = {  # name -> a botocore exception class taking endpoint_url
    "ConnectTimeout": ConnectTimeoutError,
    "ReadTimeout": ReadTimeoutError,
    "EndpointConnectionError": EndpointConnectionError,
    "ConnectionClosed": ConnectionClosedError,
}


@dataclass(frozen=True)
class ApiCall:
    """One API call. `target_account_id` is the account in the RoleArn of an sts AssumeRole."""

    service: str  # botocore's service name: "route53", "sts", "stepfunctions", ...
    operation: str  # "ChangeResourceRecordSets"
    account_id: str  # the account whose credentials signed the call
    region: str
    sim_time: float  # simulated seconds since the clock's start
    error_code: str | None = None
    target_account_id: str | None = None
    step: str | None = None  # the workflow step (Lambda handler) that made it, if one did


class ApiCallRecorder:
    """Thread-safe log of API calls.

    Calls a thread makes inside `ignored()` are the emulator's own (setting up accounts, playing
    the human at the DNS provider): they are neither recorded nor subject to faults. A Lambda
    handler is the product again, even when invoked from such a thread (`counted()`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._local = threading.local()

    @contextmanager
    def ignored(self) -> Iterator[None]:
        """Leave the calls the current thread makes meanwhile out of the record and the faults."""
        with self._ignoring(True):
            yield

    @contextmanager
    def counted(self) -> Iterator[None]:
        """Record the calls the current thread makes meanwhile, even inside `ignored()`."""
        with self._ignoring(False):
            yield

    @contextmanager
    def made_by(self, step: str) -> Iterator[None]:
        """The calls the current thread makes meanwhile are the step's (a handler's invocation)."""
        previous, self._local.step = self.current_step(), step
        try:
            yield
        finally:
            self._local.step = previous

    def current_step(self) -> str | None:
        return getattr(self._local, "step", None)

    def is_ignored(self) -> bool:
        """Whether the current thread's calls are the emulator's own."""
        return bool(getattr(self._local, "ignored", False))

    @contextmanager
    def _ignoring(self, ignored: bool) -> Iterator[None]:
        previous, self._local.ignored = self.is_ignored(), ignored
        try:
            yield
        finally:
            self._local.ignored = previous

    def record(self, call: ApiCall) -> None:
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[ApiCall]:
        with self._lock:
            return list(self._calls)

    def summary(self) -> dict[str, dict[str, dict[str, int]]]:
        """Call counts as {account: {service: {operation: n}}}."""
        counts: dict[str, dict[str, dict[str, int]]] = {}
        for call in self.calls:
            by_service = counts.setdefault(call.account_id, {})
            by_operation = by_service.setdefault(call.service, {})
            by_operation[call.operation] = by_operation.get(call.operation, 0) + 1
        return counts

    def per_second_peak(self, service: str = "route53") -> dict[str, int]:
        """{account: most calls to `service` within any one second of simulated time}."""
        times: dict[str, list[float]] = defaultdict(list)
        for call in self.calls:
            if call.service == service:
                times[call.account_id].append(call.sim_time)
        peaks = {}
        for account, stamps in times.items():
            stamps.sort()
            first, peak = 0, 0
            for last, stamp in enumerate(stamps):
                while stamp - stamps[first] >= 1.0:
                    first += 1
                peak = max(peak, last - first + 1)
            peaks[account] = peak
        return peaks


@dataclass(kw_only=True)
class FaultRule:
    """Fail matching calls with an AWS error. Unset (None) criteria match anything.

    count: fail only the first N matching calls. during_seconds: only within this window of
    simulated time (start inclusive, end exclusive). after_account_created: only while the target
    account (RoleArn account of AssumeRole) is younger than this many simulated seconds, as told by
    `FaultPlan.account_created`. domain: for ACM issuance, the certificate's domain name.
    """

    service: str
    operation: str | None = None
    account_id: str | None = None
    target_account_id: str | None = None
    domain: str | None = None
    error_code: str
    message: str
    http_status: int = 400
    count: int | None = None
    during_seconds: tuple[float, float] | None = None
    after_account_created: float | None = None
    hits: int = field(default=0, init=False)

    def applies(self, call: ApiCall, domain: str | None, created: dict[str, float]) -> bool:
        if call.service != self.service:
            return False
        if self.operation is None and call.operation == ISSUANCE:
            return False  # issuance faults must ask for it by name
        if self.operation not in (None, call.operation):
            return False
        if self.account_id not in (None, call.account_id):
            return False
        if self.target_account_id not in (None, call.target_account_id):
            return False
        if self.domain is not None and (domain or "").lower() != self.domain.lower():
            return False
        if self.count is not None and self.hits >= self.count:
            return False
        if self.during_seconds is not None:
            start, end = self.during_seconds
            if not start <= call.sim_time < end:
                return False
        if self.after_account_created is not None:
            born = created.get(call.target_account_id or "")
            if born is None or call.sim_time - born >= self.after_account_created:
                return False
        return True

    def error(self, operation: str, service: str = "") -> Exception:
        """The AWS error as a ClientError, or a connection fault as botocore raises it."""
        if self.error_code in CONNECTION_FAULTS:
            failure: Exception = CONNECTION_FAULTS[self.error_code](
                endpoint_url=f"https://{service or self.service}.amazonaws.com"
            )
            return failure
        response = {
            "Error": {"Code": self.error_code, "Message": self.message, "Type": "Sender"},
            "ResponseMetadata": {
                "RequestId": str(uuid.uuid4()),
                "HTTPStatusCode": self.http_status,
                "HTTPHeaders": {},
                "RetryAttempts": 0,
            },
        }
        return ClientError(response, operation)  # type: ignore[arg-type]


@dataclass(frozen=True)
class InjectedFault:
    call: ApiCall
    rule: FaultRule


class FaultPlan:
    """The faults a scenario injects; thread-safe."""

    def __init__(self, rules: list[FaultRule] | None = None) -> None:
        self._lock = threading.Lock()
        self._rules = list(rules or [])
        self._created: dict[str, float] = {}
        self._injected: list[InjectedFault] = []

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def account_created(self, account_id: str, sim_time: float) -> None:
        """Tell the plan when an account was created (for `after_account_created` rules)."""
        with self._lock:
            self._created[account_id] = sim_time

    def match(self, call: ApiCall, domain: str | None = None) -> Exception | None:
        """The error to raise instead of making `call`, or None; the first applicable rule wins."""
        with self._lock:
            for rule in self._rules:
                if rule.applies(call, domain, self._created):
                    rule.hits += 1
                    call = replace(call, error_code=rule.error_code)
                    self._injected.append(InjectedFault(call, rule))
                    return rule.error(call.operation, call.service)
        return None

    @property
    def injected(self) -> list[InjectedFault]:
        with self._lock:
            return list(self._injected)
