"""Step Functions: the interpreter on the simulated clock (patch 2)."""

from __future__ import annotations

import datetime as _datetime
import functools
import importlib
import threading
import types
import uuid
from typing import Any

from moto.stepfunctions.parser import models as sfn_models
from moto.stepfunctions.parser import utils as sfn_utils
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.program import program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)
from moto.stepfunctions.parser.asl.eval.callback import callback as sfn_callback
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import boto_client
from moto.stepfunctions.parser.backend import execution as sfn_execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from .clock import SimClock
from .context import ExecutionKey, GlueContext, _Patches

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
            # The interpreter keeps every thread it ever started in TMP_THREADS (for LocalStack's
            # shutdown), and each holds its frame: cleared here, memory stays flat over a burst.
            sfn_utils.TMP_THREADS.clear()

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


def _patch_stepfunctions_callbacks(ctx: GlueContext, patches: _Patches) -> None:
    """A task waiting for its task token (``.waitForTaskToken``) waits on the simulated clock.

    Gap: `CallbackEndpoint.wait` (parser/asl/eval/callback/callback.py) blocks on a
    threading.Event for TimeoutSeconds of real time, and `notify` sets it, which the clock cannot
    see: the execution would hold time still while it waits, or time out in real time. Patched:
    `wait` sleeps on the clock until the token is answered or TimeoutSeconds of simulated time have
    passed, when it answers as Step Functions does (States.Timeout: `CallbackOutcomeTimedOut`);
    `notify` (SendTaskSuccess / SendTaskFailure) signals the clock (the endpoint's event is the
    signal), so the waiter wakes before time can move on. And a Retry after States.Timeout waits
    again: the interpreter reuses the task's endpoint for the next attempt, its event still set by
    the end of the last one, so every retry timed out at once (in real time too).
    """
    clock = ctx.clock
    original_notify = sfn_callback.CallbackEndpoint.notify

    def wait(self: Any, timeout: float | None = None) -> Any:
        event = self._notify_event
        if event.is_set() and self._outcome is None:
            # Interrupted at the end of an earlier attempt of the same task (a Retry after
            # States.Timeout reuses the endpoint): this attempt waits its own TimeoutSeconds.
            event.clear()
        if not clock.wait_for(event.is_set, timeout, signal=event) and self._outcome is None:
            return sfn_callback.CallbackOutcomeTimedOut(callback_id=self.callback_id)
        return self._outcome

    def notify(self: Any, outcome: Any) -> None:
        original_notify(self, outcome)
        clock.notify(self._notify_event)

    patches.set(sfn_callback.CallbackEndpoint, "wait", wait)
    patches.set(sfn_callback.CallbackEndpoint, "notify", notify)


def _patch_stepfunctions_parse_cache(ctx: GlueContext, patches: _Patches) -> None:
    """Parse each state machine definition once, not once per execution.

    Gap: `ExecutionWorker._get_evaluation_entrypoint` (backend/execution_worker.py) runs the ANTLR
    parser over the whole definition for every execution: about 15% of the emulator's CPU in a
    burst of runs. The evaluation components it builds keep no per-execution state (that lives in
    each execution's Environment: its heap, stack and context), so executions of the same
    definition can share one program, as Step Functions shares one definition.
    """
    programs: dict[str, Any] = {}

    def _get_evaluation_entrypoint(self: ExecutionWorker) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        program = programs.get(definition)
        if program is None:
            program = programs[definition] = AmazonStateLanguageParser.parse(definition)[0]
        return program

    patches.set(ExecutionWorker, "_get_evaluation_entrypoint", _get_evaluation_entrypoint)


def _patch_stepfunctions_json_paths(ctx: GlueContext, patches: _Patches) -> None:
    """Parse each JSONPath once.

    Gap (cost, not behaviour): `extract_json` (parser/asl/utils/json_path.py) and `ResultPath`
    (parser/asl/component/common/path/result_path.py) call jsonpath_ng's `parse` for every
    evaluation, and jsonpath_ng builds a new PLY parser for each (its grammar tables included):
    a few percent of a burst's CPU. The parsed expressions keep no state between `find` and
    `update` calls, so one per path string serves every execution. Patched: the name `parse` in
    both modules.
    """
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    for module in (json_path, result_path):
        patches.set(module, "parse", functools.lru_cache(maxsize=4096)(module.parse))


_CLIENT_USERS = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sqs",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sns",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk",
)


def _patch_stepfunctions_clients(ctx: GlueContext, patches: _Patches) -> None:
    """The interpreter's service integrations reuse one client per service and Region.

    Gap (cost, not behaviour): `boto_client_for` (parser/asl/utils/boto_client.py) creates a new
    boto3 client for every Task it runs (each Lambda invoke, each SendMessage): about a tenth of
    the emulator's CPU in a burst. Its clients all carry the same fixed keys and settings, so one
    per (service, Region) serves every Task; botocore clients are safe to share between threads.
    Patched: the name `boto_client_for` in each module of the interpreter that uses it.
    """
    clients: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def cached(region: str, service: str, state_credentials: Any = None) -> Any:
        key = (region, service)
        with lock:
            client = clients.get(key)
            if client is None:
                client = clients[key] = original(region, service, state_credentials)
        return client

    original = boto_client.boto_client_for
    for name in _CLIENT_USERS:
        patches.set(importlib.import_module(name), "boto_client_for", cached)


def _sim_datetime_module(clock: SimClock) -> types.SimpleNamespace:
    """A stand-in for the `datetime` module whose `datetime.now()` is the simulated now."""

    class SimDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz: _datetime.tzinfo | None = None) -> _datetime.datetime:  # type: ignore[override]
            now = clock.now()
            return now.astimezone(tz) if tz else now.replace(tzinfo=None)

    return types.SimpleNamespace(datetime=SimDatetime, timezone=_datetime.timezone, timedelta=_datetime.timedelta)


def _patch_stepfunctions_names(ctx: GlueContext, patches: _Patches) -> None:
    """Give an execution started without a name a generated one, as AWS does (a UUID).

    Gap: `StepFunctionsParserBackend.start_execution` (moto/stepfunctions/parser/models.py) keeps
    `name=None`, so a second unnamed execution of the same machine collides with the first
    (ExecutionAlreadyExists for ".../execution:<machine>:None").
    """
    original = sfn_models.StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    patches.set(sfn_models.StepFunctionsParserBackend, "start_execution", start_execution)


def _patch_stepfunctions_task_failure_cause(ctx: GlueContext, patches: _Patches) -> None:
    """SendTaskFailure keeps its `cause`, as Step Functions does.

    Gap: `StepFunctionResponse.send_task_failure` (moto/stepfunctions/responses.py) reads the token
    and the error and drops the cause, so a task failed by the record writer reaches the run's
    Catch with no message (its status says only the reason). The interpreter's backend
    (`stepfunctions.parser.models.StepFunctionsParserBackend.send_task_failure`) takes a cause and
    puts it in the TaskFailed event. Patched: the response passes it on.
    """
    from moto.stepfunctions.responses import StepFunctionResponse

    def send_task_failure(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
        )
        return EmptyResult()

    patches.set(StepFunctionResponse, "send_task_failure", send_task_failure)
