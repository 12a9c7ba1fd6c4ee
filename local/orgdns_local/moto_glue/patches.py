"""Thin glue that lets moto 5.2.5 run orgdns's real state machines and handlers in-process.

`install(ctx)` applies every patch below and returns a function that restores each original.
Each patch is one small function whose docstring names the upstream gap it closes and the moto
internals it touches; each has its own test in tests/emulator/test_glue_*.py, so a moto upgrade
fails loudly in one place. The patches only reshape moto's own behaviour: the ASL interpreter,
event pattern matching and the service backends stay moto's.

    clock = SimClock(datetime(2025, 1, 1, tzinfo=UTC))
    ctx = GlueContext(clock=clock, dns=EmulatedDns(top_level_zones), invoke_handler=run_handler)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True},
                          "lambda": {"use_docker": False}}):
        uninstall = install(ctx)
        try:
            ...  # start executions, put_event(...), wait_for_executions()
        finally:
            uninstall()

Module-level helpers act on the installed context: `wait_for_executions` and `put_event`.
"""

from __future__ import annotations

import copy
import datetime as _datetime
import hashlib
import json
import logging
import os
import threading
import types
import uuid
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

from botocore.client import BaseClient
from botocore.exceptions import ClientError
from moto.acm.models import CertBundle, datetime_to_epoch
from moto.apigateway.models import DomainName
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.awslambda.utils import get_backend as lambda_backend
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.events import models as events_models
from moto.events.models import Rule, events_backends
from moto.events.utils import EventTemplateParser
from moto.iam.models import get_account_id_from
from moto.moto_api._internal import mock_random
from moto.route53.exceptions import Route53ClientError
from moto.route53.models import ROUTE53_ID_CHOICE, FakeZone, Route53Backend
from moto.route53.responses import Route53
from moto.stepfunctions.parser import models as sfn_models
from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.program import program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_lambda import (
    StateTaskServiceLambda,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import (
    StateTaskLambda,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.backend import execution as sfn_execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.responses import get_backend as sfn_backend
from moto.utilities.arns import parse_arn

from .calls import ISSUANCE, ApiCall, ApiCallRecorder, FaultPlan
from .clock import SimClock
from .dns import EmulatedDns, all_zones, normalise

LOG = logging.getLogger(__name__)

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
    require_existing_roles: bool = False  # AssumeRole into a role that does not exist is denied
    delivery_failures: list[DeliveryFailure] = field(default_factory=list)


@dataclass(frozen=True)
class ExecutionKey:
    """The clock participant of one Step Functions execution."""

    arn: str


class _Patches:
    """Attribute replacements, undone in reverse order."""

    _MISSING = object()

    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any]] = []

    def set(self, owner: Any, name: str, value: Any) -> None:
        # Read a class's own __dict__ so staticmethods and inherited attributes restore exactly.
        old = vars(owner).get(name, self._MISSING) if isinstance(owner, type) else getattr(owner, name)
        self._undo.append((owner, name, old))
        setattr(owner, name, value)

    def undo(self) -> None:
        while self._undo:
            owner, name, old = self._undo.pop()
            if old is self._MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)


_active: GlueContext | None = None


def install(ctx: GlueContext) -> Callable[[], None]:
    """Apply every patch; return the function that restores moto and botocore."""
    global _active
    if _active is not None:
        raise RuntimeError("the moto glue is already installed")
    patches = _Patches()
    logger = logging.getLogger("moto.stepfunctions.parser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for patch in _ALL_PATCHES:
            patch(ctx, patches)
    except BaseException:
        patches.undo()
        logger.setLevel(level)
        raise
    _active = ctx

    def uninstall() -> None:
        global _active
        if _active is ctx:
            patches.undo()
            logger.setLevel(level)
            _active = None

    return uninstall


def _require_active() -> GlueContext:
    if _active is None:
        raise RuntimeError("the moto glue is not installed")
    return _active


def wait_for_executions(timeout_real_seconds: float = 300.0) -> None:
    """Return once no Step Functions execution is running; simulated time flows meanwhile."""
    clock = _require_active().clock

    def idle() -> bool:
        return not any(isinstance(key, ExecutionKey) for key in clock.participants())

    clock.wait_until(idle, timeout_real_seconds)


def put_event(account_id: str, region: str, event: dict[str, Any], bus_name: str = "default") -> str:
    """Inject a complete event into a bus and route it through the bus's rules; return its id.

    Unlike PutEvents, the envelope is the caller's: `id` (kept, so the same event can be delivered
    twice), `source`, `detail-type`, `account`, `region`, `time` (ISO-8601, default: the simulated
    now), `resources`, `detail`.
    """
    ctx = _require_active()
    when = event.get("time")
    message = {
        "version": "0",
        "id": event.get("id") or str(uuid.uuid4()),
        "detail-type": event["detail-type"],
        "source": event["source"],
        "account": event.get("account", account_id),
        "time": _parse_time(when) if when else ctx.clock.now().timestamp(),
        "region": event.get("region", region),
        "resources": event.get("resources", []),
        "detail": event.get("detail", {}),
    }
    _route_event(account_id, region, bus_name, message)
    return str(message["id"])


# -- 1. Lambda handlers in-process -------------------------------------------------------------


def _patch_lambda(ctx: GlueContext, patches: _Patches) -> None:
    """Run Lambda handlers in-process through `ctx.invoke_handler`.

    Gap: moto runs a handler only in Docker (getmoto/moto#9916); without Docker,
    `LambdaSimpleBackend.invoke` echoes the payload. Patched: `LambdaSimpleBackend.invoke` goes back
    to `LambdaBackend.invoke` (function lookup, invocation headers), and
    `LambdaFunction._invoke_lambda` (moto/awslambda/models.py), the one point behind direct invoke,
    Step Functions tasks and event targets, calls the handler. An exception becomes the payload
    `{"errorType": <class name>, "errorMessage": ...}` with FunctionError set, which is how the ASL
    interpreter names the error that Retry and Catch match.

    Also `StateTaskLambda._from_error` (state_task_lambda.py): moto names a failed invoke of a
    Task whose Resource is a function ARN "Exception"; AWS names it `Lambda.<ErrorCode>` (e.g.
    Lambda.ServiceException), as moto already does for the `arn:aws:states:::lambda:invoke` form.
    """

    def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        try:
            with ctx.calls.counted():
                return json.dumps(ctx.invoke_handler(self, _decode_payload(event))), False, ""
        except Exception as exc:
            error = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            return json.dumps(error), True, ""

    patches.set(LambdaFunction, "_invoke_lambda", _invoke_lambda)
    patches.set(LambdaSimpleBackend, "invoke", LambdaBackend.invoke)

    original_from_error = StateTaskLambda._from_error

    def _from_error(self: StateTaskLambda, env: Environment, ex: Exception) -> FailureEvent:
        if not isinstance(ex, ClientError):
            return original_from_error(self, env, ex)
        error, cause = StateTaskServiceLambda._error_cause_from_client_error(ex)
        details = LambdaFunctionFailedEventDetails(error=error, cause=cause)
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(lambdaFunctionFailedEventDetails=details),
        )

    patches.set(StateTaskLambda, "_from_error", _from_error)


def _decode_payload(event: Any) -> Any:
    """moto hands `_invoke_lambda` the JSON-decoded body, or the string "{}" for an empty one."""
    if event is None:
        return {}
    if isinstance(event, (str, bytes)):
        try:
            return json.loads(event)
        except ValueError:
            return event
    return event


# -- 2. Step Functions on the simulated clock ----------------------------------------------------


def _patch_stepfunctions_time(ctx: GlueContext, patches: _Patches) -> None:
    """Make Wait states and Retry intervals sleep on `ctx.clock`; executions are participants.

    Gap: the interpreter waits in real time, with no setting. Patched (moto/stepfunctions/parser):
    - `WaitFunction._wait_interval` (wait_function.py) sleeps on the clock. A StopExecution no
      longer interrupts a Wait: the stop takes effect when the wait ends.
    - the `time` module seen by `retrier_decl.py` is replaced by one whose `sleep` is the clock's.
    - `ExecutionWorker.start` (execution_worker.py) registers the execution as a participant in the
      thread calling StartExecution; `_execution_logic` binds the execution thread to it and
      unregisters it when the execution ends, whatever the outcome.
    - the threads the interpreter starts for an execution's program (`threading` in
      program/program.py) and for each Task state (`Thread` in execute_state.py) act for the
      execution, so their sleeps are the execution's; a handler that sleeps on the clock inside a
      Task cannot hold time back either. (Map and Parallel threads are not covered: orgdns uses
      neither.)
    - history event timestamps (`EventManager._get_current_timestamp`), execution start and stop
      dates (`datetime` in parser/models.py and backend/execution.py) and the "now" of Timestamp
      waits (`datetime` in wait_function/timestamp.py) come from the clock.
    """
    clock = ctx.clock

    def _wait_interval(self: WaitFunction, env: Environment, wait_seconds: int) -> None:
        clock.sleep(wait_seconds)

    patches.set(WaitFunction, "_wait_interval", _wait_interval)
    patches.set(retrier_decl, "time", types.SimpleNamespace(sleep=clock.sleep))

    original_start = ExecutionWorker.start
    original_logic = ExecutionWorker._execution_logic

    def _key(worker: ExecutionWorker) -> ExecutionKey:
        return ExecutionKey(worker._evaluation_details.execution_details.arn)

    def start(self: ExecutionWorker) -> None:
        clock.register(_key(self))
        try:
            original_start(self)
        except BaseException:
            clock.unregister(_key(self))
            raise

    def _execution_logic(self: ExecutionWorker) -> None:
        try:
            with clock.bound(_key(self)):
                original_logic(self)
        finally:
            clock.unregister(_key(self))

    patches.set(ExecutionWorker, "start", start)
    patches.set(ExecutionWorker, "_execution_logic", _execution_logic)

    class ParticipantThread(threading.Thread):
        """A thread that acts for the clock participant of the thread that created it."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._participant = clock.current_participant()

        def run(self) -> None:
            with clock.bound(self._participant):
                super().run()

    patches.set(program, "threading", types.SimpleNamespace(Thread=ParticipantThread))
    patches.set(execute_state, "Thread", ParticipantThread)

    patches.set(EventManager, "_get_current_timestamp", staticmethod(clock.now))
    sim_datetime = _sim_datetime_module(clock)
    for module in (sfn_models, sfn_execution, timestamp):
        patches.set(module, "datetime", sim_datetime)


def _sim_datetime_module(clock: SimClock) -> types.SimpleNamespace:
    """A stand-in for the `datetime` module whose `datetime.now()` is the simulated now."""

    class SimDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz: _datetime.tzinfo | None = None) -> _datetime.datetime:  # type: ignore[override]
            now = clock.now()
            return now.astimezone(tz) if tz else now.replace(tzinfo=None)

    return types.SimpleNamespace(datetime=SimDatetime, timezone=_datetime.timezone, timedelta=_datetime.timedelta)


# -- 3. EventBridge targets ----------------------------------------------------------------------


def _patch_events(ctx: GlueContext, patches: _Patches) -> None:
    """Deliver events to Lambda and Step Functions targets; keep the envelope across buses.

    Gaps in `Rule.send_to_targets` (moto/events/models.py): a Lambda or state machine target
    raises NotImplementedError, and forwarding to another account's bus rebuilds the event through
    PutEvents, losing its id, account and region. Patched: those three target kinds are handled
    here, every other target by moto's original code. A Lambda target is invoked synchronously in
    the caller's thread through the Lambda backend (so patch 1 applies), with asynchronous-invoke
    semantics: a failure is logged and kept in `ctx.delivery_failures`, never raised. A state
    machine target gets a StartExecution with the event as input. Target `Input` and
    `InputTransformer` are honoured; otherwise the target receives the whole event with an
    ISO-8601 `time`. `unix_time` in moto/events/models.py reads the clock, so event times and
    creation times are simulated.
    """
    original = Rule.send_to_targets

    def send_to_targets(self: Rule, original_event: Any, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        others = []
        for target in self.targets:
            arn = parse_arn(target["Arn"])
            if arn.service == "events" and arn.resource_type == "event-bus":
                _route_event(arn.account, arn.region, arn.resource_id, original_event)
            elif arn.service in ("lambda", "states"):
                payload = _target_input(target, original_event, transform_input)
                _deliver(ctx, self, target["Arn"], payload, str(original_event.get("id")))
            else:
                others.append(target)
        if others:
            rest = copy.copy(self)
            rest.targets = others
            original(rest, original_event, transform_input)

    patches.set(Rule, "send_to_targets", send_to_targets)
    patches.set(events_models, "unix_time", lambda: ctx.clock.now().timestamp())


def _route_event(account_id: str, region: str, bus_name: str, event: dict[str, Any]) -> None:
    bus = events_backends[account_id][region].describe_event_bus(bus_name)
    for rule in list(bus.rules.values()):
        if rule.state == "ENABLED":
            rule.send_to_targets(copy.deepcopy(event))


def _target_input(target: dict[str, Any], event: dict[str, Any], transform: bool) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    if transform and "InputTransformer" in target:
        transformer = target["InputTransformer"]
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,
        )
    wire = {key: value for key, value in event.items() if key != "ingestion-time"}
    if isinstance(wire.get("time"), (int, float)):
        moment = _datetime.datetime.fromtimestamp(wire["time"], _datetime.UTC)
        wire["time"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return wire


def _deliver(ctx: GlueContext, rule: Rule, target_arn: str, payload: Any, event_id: str) -> None:
    arn = parse_arn(target_arn)
    try:
        if arn.service == "lambda":
            headers: dict[str, str] = {}
            result = lambda_backend(arn.account, arn.region).invoke(
                target_arn, None, json.dumps(payload), {"x-amz-invocation-type": "Event"}, headers
            )
            if "x-amz-function-error" in headers:
                raise RuntimeError(f"function error: {result!r}")
        else:
            sfn_backend(arn.account, arn.region).start_execution(
                state_machine_arn=target_arn,
                name=str(uuid.uuid4()),
                execution_input=json.dumps(payload),
            )
    except Exception as exc:
        LOG.warning("EventBridge rule %s could not deliver to %s: %s", rule.arn, target_arn, exc)
        failure = DeliveryFailure(rule.arn, target_arn, event_id, str(exc), ctx.clock.elapsed())
        ctx.delivery_failures.append(failure)


def _parse_time(value: str) -> float:
    return _datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# -- 4. Route 53 name servers and change propagation --------------------------------------------


def _patch_route53(ctx: GlueContext, patches: _Patches) -> None:
    """Give each hosted zone its own name servers; report changes PENDING until propagated.

    Gaps: moto gives every zone the same four name servers (`DelegationSet` in
    moto/route53/models.py), so a delegation to the wrong zone is indistinguishable from a right
    one; and ChangeInfo is always INSYNC, with a fixed Id, and GetChange returns an Id without the
    "/change/" prefix (moto/route53/responses.py). Patched: `Route53Backend.create_hosted_zone`
    refuses a CallerReference it has seen (HostedZoneAlreadyExists, as AWS does: moto creates a
    second zone), replaces the default delegation set's name servers (and the apex NS and SOA records) with four
    derived from the zone id, distinct from those of any other zone of the same name; the
    responses `create_hosted_zone` and `change_resource_record_sets` return a new change, PENDING
    until `ctx.route53_propagation_seconds` of simulated time have passed, and `get_change`
    reports it like AWS: {"Id": "/change/C...", "Status": ..., "SubmittedAt": ...}.
    Record contents stay moto's.
    """
    clock = ctx.clock
    changes: dict[str, float] = {}

    def change_info(change_id: str) -> dict[str, Any]:
        submitted = changes[change_id]
        in_sync = clock.elapsed() >= submitted + ctx.route53_propagation_seconds
        return {
            "Id": f"/change/{change_id}",
            "Status": "INSYNC" if in_sync else "PENDING",
            "SubmittedAt": clock.to_datetime(submitted),
        }

    def with_new_change(original: Callable[[Route53], ActionResult]) -> Callable[..., Any]:
        def respond(self: Route53) -> ActionResult:
            result = original(self)
            change_id = "C" + "".join(mock_random.choice(ROUTE53_ID_CHOICE) for _ in range(13))
            changes[change_id] = clock.elapsed()
            result.result["ChangeInfo"] = change_info(change_id)
            return result

        return respond

    original_get_change = Route53.get_change

    def get_change(self: Route53) -> ActionResult:
        change_id = self._get_param("Id").removeprefix("/change/")
        if change_id in changes:
            return ActionResult({"ChangeInfo": change_info(change_id)})
        result = original_get_change(self)
        result.result["ChangeInfo"]["Id"] = f"/change/{change_id}"
        return result

    original_create = Route53Backend.create_hosted_zone

    def create_hosted_zone(self: Route53Backend, *args: Any, **kwargs: Any) -> FakeZone:
        reference = kwargs.get("caller_reference", args[2] if len(args) > 2 else None)
        if reference and any(z.caller_reference == reference for z in self.zones.values()):
            raise HostedZoneAlreadyExists(reference)
        zone = original_create(self, *args, **kwargs)
        if zone.delegation_set is not None and not zone.delegation_set.id:
            _assign_name_servers(zone)
        return zone

    patches.set(Route53, "create_hosted_zone", with_new_change(Route53.create_hosted_zone))
    patches.set(Route53, "change_resource_record_sets", with_new_change(Route53.change_resource_record_sets))
    patches.set(Route53, "get_change", get_change)
    patches.set(Route53Backend, "create_hosted_zone", create_hosted_zone)


class HostedZoneAlreadyExists(Route53ClientError):  # type: ignore[misc]  # moto is untyped here
    def __init__(self, reference: str) -> None:
        super().__init__(
            "HostedZoneAlreadyExists",
            f"A hosted zone has already been created with the specified caller reference: {reference}",
        )


_NS_DOMAINS = ("com", "net", "org", "co.uk")


def _assign_name_servers(zone: FakeZone) -> None:
    """Four AWS-styled name servers derived from the zone id (ns-0..511 .com, ns-512.. .net, ...),
    none shared with another zone of the same name, so a delegation names exactly one zone."""
    assert zone.delegation_set is not None
    apex = normalise(zone.name)
    taken = {
        normalise(server)
        for other in all_zones()
        if other is not zone and normalise(other.name) == apex and other.delegation_set
        for server in other.delegation_set.name_servers
    }
    digest = int(hashlib.md5(zone.resource_id.encode(), usedforsecurity=False).hexdigest(), 16)
    servers = []
    for index, domain in enumerate(_NS_DOMAINS):
        number = (digest >> (9 * index)) % 512
        while (server := f"ns-{512 * index + number}.awsdns-{number // 8:02d}.{domain}") in taken:
            number = (number + 1) % 512
        servers.append(server)
    zone.delegation_set.name_servers = servers
    for rrset in zone.rrsets:
        if normalise(rrset.name) == apex and rrset.type == "NS":
            rrset.records = list(servers)
        elif normalise(rrset.name) == apex and rrset.type == "SOA":
            record = rrset.records[0]  # moto creates it as {"Value": ...}, and lists records as strings
            text = record["Value"] if isinstance(record, dict) else str(record)
            rrset.records = [f"{servers[0]}. " + text.split(" ", 1)[1]]


# -- 5. ACM validation through the emulated DNS -------------------------------------------------


@dataclass
class _CertState:
    requested_at: float
    resolved_at: float | None = None  # first moment every validation record resolved
    issued_at: float | None = None
    failure_reason: str | None = None


def _patch_acm(ctx: GlueContext, patches: _Patches) -> None:
    """Issue DNS-validated certificates only once their validation CNAMEs resolve.

    Gap: moto issues every certificate `MOTO_ACM_VALIDATION_WAIT` seconds after the request,
    record or not, and gives every certificate the same validation CNAME (`CertBundle.check` and
    `CertBundle.describe`, moto/acm/models.py). Patched on `CertBundle` (for AMAZON_ISSUED
    certificates; imported and private ones keep moto's behaviour):
    - the validation record depends on (account, domain without "*."): apex and wildcard share
      one, an account gets the same one in every Region, two accounts get different ones;
    - DescribeCertificate omits ResourceRecord until `ctx.acm_record_delay_seconds` after the
      request; ValidationStatus is SUCCESS once that option's record resolves;
    - the status becomes ISSUED `ctx.acm_validation_seconds` after every record first resolved
      through `ctx.dns` (checked on every read of the certificate and after every Route 53 change,
      so the moment is exact), or FAILED with FailureReason = the error code of a FaultPlan rule
      for ("acm", "Issuance"); VALIDATION_TIMED_OUT after `ctx.acm_timeout_seconds` (72 h);
    - CreatedAt and IssuedAt come from the simulated clock.
    """
    clock, states = ctx.clock, weakref.WeakKeyDictionary[CertBundle, _CertState]()

    def resolves(account: str, domain: str) -> bool:
        name, value = _validation_record(account, domain)
        return normalise(value) in (ctx.dns.resolve(name, "CNAME") or [])

    original_init = CertBundle.__init__

    def __init__(self: CertBundle, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.created_at = clock.now()
        if self.type == "AMAZON_ISSUED":
            states[self] = _CertState(requested_at=clock.elapsed())

    original_check = CertBundle.check

    def check(self: CertBundle) -> None:
        state = states.get(self)
        if state is None:
            original_check(self)
            return
        if self.status != "PENDING_VALIDATION":
            return
        arn, now = parse_arn(self.arn), clock.elapsed()
        account, region = arn.account, arn.region
        if all(resolves(account, domain) for domain in _cert_domains(self)):
            state.resolved_at = now if state.resolved_at is None else state.resolved_at
        else:
            state.resolved_at = None
        deadline = state.requested_at + ctx.acm_timeout_seconds
        moment = None if state.resolved_at is None else state.resolved_at + ctx.acm_validation_seconds
        if moment is not None and moment <= min(now, deadline):
            fault = ctx.faults.match(ApiCall("acm", ISSUANCE, account, region, moment), domain=self.common_name)
            if fault is None:
                self.status, state.issued_at = "ISSUED", moment
            else:
                self.status, state.failure_reason = "FAILED", fault.response["Error"]["Code"]
        elif now >= deadline:
            self.status = "VALIDATION_TIMED_OUT"

    original_describe = CertBundle.describe

    def describe(self: CertBundle) -> dict[str, Any]:
        result: dict[str, Any] = original_describe(self)
        state = states.get(self)
        if state is None:
            return result
        account, certificate = parse_arn(self.arn).account, result["Certificate"]
        show_record = clock.elapsed() >= state.requested_at + ctx.acm_record_delay_seconds
        options = []
        for domain in _cert_domains(self):
            name, value = _validation_record(account, domain)
            option: dict[str, Any] = {
                "DomainName": domain,
                "ValidationDomain": domain,
                "ValidationMethod": "DNS",
                "ValidationStatus": _validation_status(self.status, resolves(account, domain)),
            }
            if show_record:
                option["ResourceRecord"] = {"Name": name, "Type": "CNAME", "Value": value}
            options.append(option)
        certificate["DomainValidationOptions"] = options
        certificate.pop("IssuedAt", None)
        if state.issued_at is not None:
            certificate["IssuedAt"] = datetime_to_epoch(clock.to_datetime(state.issued_at))
        if state.failure_reason is not None:
            certificate["FailureReason"] = state.failure_reason
        return result

    def refreshing(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            for cert in list(states.keys()):
                cert.check()
            return result

        return method

    patches.set(CertBundle, "__init__", __init__)
    patches.set(CertBundle, "check", check)
    patches.set(CertBundle, "describe", describe)
    for name in ("change_resource_record_sets", "create_hosted_zone", "delete_hosted_zone"):
        patches.set(Route53Backend, name, refreshing(getattr(Route53Backend, name)))


def _validation_record(account_id: str, domain: str) -> tuple[str, str]:
    """(name, value) of the validation CNAME for `domain` requested by `account_id`."""
    base = normalise(domain).removeprefix("*.")
    name_hash = hashlib.md5(f"{account_id}/{base}".encode(), usedforsecurity=False).hexdigest()
    value_hash = hashlib.md5(f"{base}/{account_id}".encode(), usedforsecurity=False).hexdigest()
    label = "".join(chr(ord("a") + int(digit, 16)) for digit in value_hash[:10])
    return f"_{name_hash}.{base}.", f"_{value_hash}.{label}.acm-validations.aws."


def _cert_domains(cert: CertBundle) -> list[str]:
    """The domain name first, then the other subject alternative names."""
    return list(dict.fromkeys([str(cert.common_name), *cert.sans]))


def _validation_status(cert_status: str, resolves: bool) -> str:
    if cert_status == "ISSUED" or resolves:
        return "SUCCESS"
    if cert_status in ("FAILED", "VALIDATION_TIMED_OUT"):
        return "FAILED"
    return "PENDING_VALIDATION"


# -- 6. API Gateway v1 custom domains ------------------------------------------------------------

# Alias hosted zone of API Gateway's regional endpoints (docs: "Amazon API Gateway endpoints").
_REGIONAL_HOSTED_ZONE_IDS = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "ca-central-1": "Z19DQILCV0OWEC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-west-2": "ZJ5UAJN8Y3Z2Q",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-north-1": "Z3UWIKFBOOGXPP",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
    "ap-southeast-1": "ZL327KTPIQFUL",
    "ap-southeast-2": "Z2RPCDW04V8134",
}
_EDGE_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"


def _patch_apigateway(ctx: GlueContext, patches: _Patches) -> None:
    """Make new API Gateway v1 custom domains take time to become AVAILABLE.

    Gap: moto's `DomainName` (moto/apigateway/models.py) is AVAILABLE at once, reports both
    endpoint kinds' fields, and gives regional domains the CloudFront hosted zone id. Patched:
    `DomainName.__init__` notes the simulated creation time and sets the per-Region
    `regionalHostedZoneId` (Regions outside the table keep moto's value); `to_json` reports
    PENDING (edge) or UPDATING (regional) until `ctx.apigw_edge_pending_seconds` /
    `ctx.apigw_regional_pending_seconds` have passed, then AVAILABLE, and only the fields of the
    domain's endpoint type: distributionDomainName and distributionHostedZoneId (Z2FDTNDATAQYW2)
    for edge, regionalDomainName and regionalHostedZoneId for regional.
    """
    clock, created = ctx.clock, weakref.WeakKeyDictionary[DomainName, float]()
    original_init, original_to_json = DomainName.__init__, DomainName.to_json

    def __init__(self: DomainName, domain_name: str, **kwargs: Any) -> None:
        original_init(self, domain_name, **kwargs)
        created[self] = clock.elapsed()
        self.certificate_upload_date = int(clock.now().timestamp())
        self.distribution_hosted_zone_id = _EDGE_HOSTED_ZONE_ID
        region = kwargs.get("region_name") or "us-east-1"
        self.regional_hosted_zone_id = _REGIONAL_HOSTED_ZONE_IDS.get(region, self.regional_hosted_zone_id)

    def to_json(self: DomainName) -> dict[str, Any]:
        data: dict[str, Any] = original_to_json(self)
        edge = "REGIONAL" not in ((self.endpoint_configuration or {}).get("types") or ["EDGE"])
        if edge:
            busy, delay = "PENDING", ctx.apigw_edge_pending_seconds
        else:
            busy, delay = "UPDATING", ctx.apigw_regional_pending_seconds
        if clock.elapsed() < created.get(self, 0.0) + delay:
            data["domainNameStatus"] = busy
            data.pop("domainNameStatusMessage", None)
        other = "regional" if edge else "distribution"
        data.pop(f"{other}DomainName", None)
        data.pop(f"{other}HostedZoneId", None)
        return data

    patches.set(DomainName, "__init__", __init__)
    patches.set(DomainName, "to_json", to_json)


# -- 7. API call recording and fault injection ---------------------------------------------------


def _patch_api_calls(ctx: GlueContext, patches: _Patches) -> None:
    """Record every in-process AWS API call and inject the planned faults.

    Gap: moto never throttles, never rejects a concurrent change, never denies AssumeRole into a
    new account, and offers no per-account call log. Patched: `botocore.client.BaseClient.
    _make_api_call`, which every boto3 client goes through (handlers, the ASL interpreter's
    service integrations, the scenario driver). The account is the one moto serves the call from:
    MOTO_ACCOUNT_ID if set, else the account owning the access key (assumed-role keys belong to
    the role's account; unknown keys to 123456789012). A planned fault is raised as the client's
    modelled exception for its code (a ClientError), before anything is sent, so botocore's own
    retries do not absorb it: each injected fault is one failed call the caller sees. The
    emulator's own calls (made inside `ctx.calls.ignored()`) pass through untouched.
    """
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def _make_api_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if ctx.calls.is_ignored():
            return original(self, operation_name, api_params)
        call = ApiCall(
            service=self.meta.service_model.service_name,
            operation=operation_name,
            account_id=_caller_account(self),
            region=self.meta.region_name,
            sim_time=ctx.clock.elapsed(),
            target_account_id=_role_account(api_params) if operation_name == "AssumeRole" else None,
        )
        fault = ctx.faults.match(call)
        if fault is not None:
            code = fault.response["Error"]["Code"]
            ctx.calls.record(replace(call, error_code=code))
            raise cast(type[ClientError], self.exceptions.from_code(code))(fault.response, operation_name)
        try:
            result = original(self, operation_name, api_params)
        except ClientError as err:
            ctx.calls.record(replace(call, error_code=err.response.get("Error", {}).get("Code")))
            raise
        ctx.calls.record(call)
        return result

    patches.set(BaseClient, "_make_api_call", _make_api_call)


def _caller_account(client: BaseClient) -> str:
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    credentials = client._get_credentials()  # type: ignore[attr-defined]
    if credentials is None:
        return str(DEFAULT_ACCOUNT_ID)
    return str(get_account_id_from(credentials.access_key))


def _role_account(api_params: dict[str, Any]) -> str | None:
    parts = str(api_params.get("RoleArn", "")).split(":")
    return parts[4] if len(parts) > 5 else None


def _patch_sts_roles(ctx: GlueContext, patches: _Patches) -> None:
    """Deny AssumeRole into a role that does not exist in its account (when asked to).

    Gap: moto's `STSBackend.assume_role` (moto/sts/models.py) hands out credentials for any role
    ARN, so a role missing from an account is indistinguishable from one that is there. AWS
    answers AccessDenied; orgdns's fallback from its scoped member role to
    OrganizationAccountAccessRole depends on that. Off unless `ctx.require_existing_roles`.
    """
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    # moto's serializer warns that STS's model has no AccessDenied shape; AWS sends it all the same.
    warnings.filterwarnings("ignore", message=r"Exception\(STSClientError\)", category=UserWarning)

    original = STSBackend.assume_role

    def assume_role(self: STSBackend, *args: Any, **kwargs: Any) -> Any:
        if not ctx.require_existing_roles:
            return original(self, *args, **kwargs)
        role_arn = str(kwargs.get("role_arn", args[2] if len(args) > 2 else ""))
        account, _, name = role_arn.removeprefix("arn:aws:iam::").partition(":role/")
        roles = iam_backends[account]["global"].roles.values() if account.isdigit() else []
        if not any(role.name == name.rsplit("/", 1)[-1] for role in roles):
            raise STSClientError(
                "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            )
        return original(self, *args, **kwargs)

    patches.set(STSBackend, "assume_role", assume_role)


_ALL_PATCHES: tuple[Callable[[GlueContext, _Patches], None], ...] = (
    _patch_lambda,
    _patch_stepfunctions_time,
    _patch_events,
    _patch_route53,
    _patch_acm,
    _patch_apigateway,
    _patch_api_calls,
    _patch_sts_roles,
)
