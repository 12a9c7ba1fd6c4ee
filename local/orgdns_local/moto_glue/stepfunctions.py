"""Step Functions: the interpreter on the simulated clock (patch 2)."""

from __future__ import annotations

import datetime as _datetime
import functools
import importlib
import itertools
import threading
import types
import uuid
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from moto.stepfunctions.parser import models as sfn_models
from moto.stepfunctions.parser import utils as sfn_utils
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.program import program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import inline_iteration_component
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import map_run_record
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.job import JobPool
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branch_worker
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl import BranchWorkerPool
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
    - `WaitFunction._wait_interval` (wait_function.py) sleeps on the clock. As the original (which
      waits on the frame's `program_state_event`), it ends early when its frame stops running: a
      StopExecution, a failed sibling Parallel branch or Map iteration, the end of its Map state.
      `Environment.set_ended`/`set_error`/`set_timed_out`/`set_stop` (eval/environment.py) tell
      the clock so (the event is the signal): an abandoned Wait neither runs on nor keeps a
      wake-up time that would move the clock after its execution has ended.
    - the `time` module seen by `retrier_decl.py` is replaced by one whose `sleep` is the clock's.
    - `ExecutionWorker.start` (execution_worker.py) registers the execution as a participant in the
      thread calling StartExecution; `_execution_logic` binds the execution thread to it and
      unregisters it when the execution ends, whatever the outcome.
    - the threads the interpreter starts for an execution's program (`threading` in
      program/program.py) and for each Task state (`Thread` in execute_state.py) act for the
      execution, so their sleeps are the execution's; a handler that sleeps on the clock inside a
      Task cannot hold time back either.
    - Map iterations and Parallel branches run concurrently, each a participant of its own (see
      `_patch_stepfunctions_flows`); a distributed Map honours its tolerated failures
      (`_patch_stepfunctions_map_tolerance`).
    - history event timestamps (`EventManager._get_current_timestamp`), execution start and stop
      dates (`datetime` in parser/models.py and backend/execution.py), Map Run start and stop
      dates (`datetime` in map_run_record.py) and the "now" of Timestamp waits (`datetime` in
      wait_function/timestamp.py) come from the clock.
    """
    clock = ctx.clock

    def _wait_interval(self: WaitFunction, env: Environment, wait_seconds: int) -> None:
        if wait_seconds > 0:
            clock.wait_for(lambda: not env.is_running(), wait_seconds, signal=env.program_state_event)

    patches.set(WaitFunction, "_wait_interval", _wait_interval)
    for name in ("set_ended", "set_error", "set_timed_out", "set_stop"):
        patches.set(Environment, name, _signalling(getattr(Environment, name), clock))
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
    for module in (sfn_models, sfn_execution, timestamp, map_run_record):
        patches.set(module, "datetime", sim_datetime)


@dataclass(frozen=True)
class FlowKey:
    """The clock participant of one concurrent flow inside an execution: a Map iteration worker
    or a Parallel branch. `parent` is the participant of the thread that started it."""

    parent: Hashable | None
    kind: str
    serial: int


def _patch_stepfunctions_flows(ctx: GlueContext, patches: _Patches) -> None:
    """Map iterations and Parallel branches are concurrent flows on the simulated clock.

    Gap: the interpreter runs each Parallel branch (`BranchWorker.start`, branch_worker.py) and
    each Map iteration worker (`InlineIterationComponent._launch_worker`, inline_iteration_component.py;
    inline and distributed Map alike: a distributed Map runs its items on threads of the same
    execution, not as child executions) on a thread of its own, and the Map or Parallel state
    blocks on a `threading.Event` until they are done (`JobPool.await_jobs`, job.py;
    `BranchWorkerPool.wait`, branches_decl.py). The clock sees neither: a Wait in an iteration
    slept unbound, and the execution, blocked on the event, held time still until the watchdog
    fired. Acting for the execution would not do either: one flow asleep would let time run
    while a sibling is still working. Patched:
    - the `threading` those two modules use: each thread they start is a clock participant of
      its own (a `FlowKey`), registered by the thread that starts it (so time cannot move
      before the flow is seen) and unregistered when the thread ends. Its Task and program
      threads act for it (`ParticipantThread`), so a Wait or Retry interval in an iteration or
      branch sleeps for that flow alone, and concurrent flows sleep independently.
    - `JobPool.await_jobs` and `BranchWorkerPool.wait` wait on the clock (asleep, with no
      wake-up time of their own), and `JobPool.close_job` and `BranchWorkerPool.on_terminated`
      signal it when they set the pool's termination event, so the waiting state wakes as soon
      as its last flow is done, before time can move on.
    A flow that outlives its state (a sibling of a failed branch or iteration) stays a
    participant until its thread ends; the interpreter stops its frame, which ends a Wait at once
    (see `_wait_interval`), but a Retry interval or a running Task still runs to its end.
    """
    clock = ctx.clock
    serials = itertools.count(1)

    def flow_thread(kind: str) -> type[threading.Thread]:
        class FlowThread(threading.Thread):
            """A thread that is a clock participant of its own, started by the flow it belongs to."""

            def start(self) -> None:
                self._flow = FlowKey(clock.current_participant(), kind, next(serials))
                clock.register(self._flow)
                try:
                    super().start()
                except BaseException:
                    clock.unregister(self._flow)
                    raise

            def run(self) -> None:
                try:
                    with clock.bound(self._flow):
                        super().run()
                finally:
                    clock.unregister(self._flow)

        return FlowThread

    patches.set(inline_iteration_component, "threading", types.SimpleNamespace(Thread=flow_thread("map iteration")))
    patches.set(branch_worker, "threading", types.SimpleNamespace(Thread=flow_thread("parallel branch")))

    def await_jobs(self: JobPool) -> None:
        # Terminated, not the event: a Map of no items never sets it.
        clock.wait_for(self._is_terminated, None, signal=self._termination_event)

    original_close_job = JobPool.close_job

    def close_job(self: JobPool, job: Any) -> None:
        original_close_job(self, job)
        if self._termination_event.is_set():
            clock.notify(self._termination_event)

    def wait(self: BranchWorkerPool) -> None:
        done = self._termination_event
        clock.wait_for(done.is_set, None, signal=done)

    original_on_terminated = BranchWorkerPool.on_terminated

    def on_terminated(self: BranchWorkerPool, env: Environment) -> None:
        original_on_terminated(self, env)
        if self._termination_event.is_set():
            clock.notify(self._termination_event)

    patches.set(JobPool, "await_jobs", await_jobs)
    patches.set(JobPool, "close_job", close_job)
    patches.set(BranchWorkerPool, "wait", wait)
    patches.set(BranchWorkerPool, "on_terminated", on_terminated)


def _patch_stepfunctions_map_tolerance(ctx: GlueContext, patches: _Patches) -> None:
    """A distributed Map fails when its failed items exceed ToleratedFailureCount/Percentage.

    Gap: the interpreter's distributed Map workers (`DistributedItemProcessorWorker._eval_job`,
    distributed_item_processor_worker.py, and `DistributedIteratorWorker._eval_job` for the legacy
    `Iterator`) count a failed or timed-out item and give it a null result, and nothing reads the
    tolerance ("TODO: add support for failure toleration fields", map_run_record.py): every failure
    was tolerated, so a Map whose item failed succeeded. On AWS the Map Run fails with
    `States.ExceedToleratedFailureThreshold` once failed plus timed-out items exceed either
    threshold (both default to 0: any failure fails it), and a Catch on the Map sees that error.
    Patched: after each item, if the Map Run is past its threshold, the item's result becomes that
    error, which ends the Map as a failed item of an inline Map does (MapRunFailed, then the
    state's Retry/Catch); items already running finish first, as AWS allows. A tolerated failure
    keeps moto's null result. The unset threshold is indistinguishable from 0 once evaluated, so
    the Map fails when failures exceed both values: exact when one of them or neither is given;
    when both are, AWS fails on exceeding either.
    """
    from moto.stepfunctions.parser.api import HistoryEventType, MapRunFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (
        distributed_item_processor_worker as processor_worker,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iterator import (
        distributed_iterator_worker as iterator_worker,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    threshold_error = StatesErrorName(typ=StatesErrorNameType.StatesExceedToleratedFailureThreshold)

    def past_threshold(record: Any, items: int) -> str | None:
        """Why the Map Run is past its tolerated failure threshold, or None if it is not."""
        failed = record.item_counter.failed.get() + record.item_counter.timed_out.get()
        count, percentage = record.tolerated_failure_count, record.tolerated_failure_percentage
        if failed > count and failed * 100 > percentage * items:
            return f"{failed} of {items} items failed (tolerated: {count} items, {percentage:g}%)"
        return None

    def checked(original: Any) -> Any:
        def _eval_job(self: Any, env: Environment, job: Any) -> None:
            original(self, env, job)
            cause = past_threshold(self._map_run_record, self._job_pool._jobs_number)
            if cause is not None and not isinstance(job.job_output, Exception):
                details = MapRunFailedEventDetails(error=threshold_error.error_name, cause=cause)
                job.job_output = FailureEventException(
                    failure_event=FailureEvent(
                        env=env,
                        error_name=threshold_error,
                        event_type=HistoryEventType.MapRunFailed,
                        event_details=EventDetails(mapRunFailedEventDetails=details),
                    )
                )

        return _eval_job

    for worker in (processor_worker.DistributedItemProcessorWorker, iterator_worker.DistributedIteratorWorker):
        patches.set(worker, "_eval_job", checked(worker._eval_job))


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


def _signalling(change: Any, clock: SimClock) -> Any:
    """`change` (an Environment's change of program state), then a signal to the Waits of the frame."""

    @functools.wraps(change)
    def changed(self: Environment, *args: Any, **kwargs: Any) -> None:
        change(self, *args, **kwargs)
        clock.notify(self.program_state_event)

    return changed


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
