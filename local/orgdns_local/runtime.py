"""Runs the real handlers in-process, the way Lambda runs the SAM-built functions.

Like Lambda, each function has a pool of *containers*: an invocation takes an idle one, or
cold-starts a new one by importing the handler's module afresh from its CodeUri with the
function's environment variables in place (so its settings are validated exactly as in Lambda).
One container serves one invocation at a time; invocations of different containers run
concurrently. Environment variables are set only during a cold start, which is serialised,
since os.environ is process-wide: orgdns's handlers read their configuration at cold start only.

Lambda's limits hold as on AWS: an invocation beyond the function's ReservedConcurrentExecutions,
or, for a function without a reservation, beyond what the account's concurrency limit leaves
unreserved, is throttled (`LambdaThrottled`, the Invoke API's 429), and a handler that sleeps on
the simulated clock (`sleep`, which the emulator hands the handlers' code) past its Timeout is
stopped there (`LambdaTimedOut`). A function's pool of containers never grows past its
concurrency, so a burst of runs costs the emulator no more containers (their clients and
caches) than it costs Lambda.
"""

import importlib.util
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from orgdns_local.moto_glue.awslambda import LambdaThrottled, LambdaTimedOut
from orgdns_local.template import FunctionSpec

# Lambda's default concurrency limit per account and Region.
ACCOUNT_CONCURRENCY = 1000

# What the emulator adds to every function's environment: Powertools quiet and local.
EMULATOR_ENVIRONMENT = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class FakeContext:
    """The fields of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


@dataclass
class Invocation:
    function: str
    step: str
    event: Any
    result: Any
    error: BaseException | None
    sim_time: float
    cold_start: bool


class HandlerRuntime:
    def __init__(
        self,
        functions: dict[str, FunctionSpec],
        log_level: str = "CRITICAL",
        account_concurrency: int = ACCOUNT_CONCURRENCY,
    ) -> None:
        self._by_name: dict[str, FunctionSpec] = {}
        self._functions = functions
        self._idle: dict[str, list[ModuleType]] = {}
        self._lock = threading.Lock()  # guards the pools
        self._cold_start_lock = threading.Lock()  # os.environ is process-wide
        self._log_level = log_level
        self._containers = 0
        self.cold_start_seconds: dict[str, list[float]] = {}
        self.listeners: list[Callable[[Invocation], None]] = []
        self.clock: Callable[[], float] = lambda: 0.0
        self.clock_sleep: Callable[[float], None] = time.sleep
        self._running: dict[str, int] = {}  # logical id -> invocations in progress
        self._unreserved_running = 0  # invocations in progress of functions without a reservation
        self._account_concurrency = account_concurrency
        self._reserved = 0  # the registered functions' reserved concurrency, all together
        self._deadlines = threading.local()  # the simulated time the current invocation must end by

    def register(self, function_name: str, logical_id: str) -> None:
        self._by_name[function_name] = self._functions[logical_id]
        deployed = {spec.logical_id: spec for spec in self._by_name.values()}
        self._reserved = sum(spec.reserved_concurrency or 0 for spec in deployed.values())

    @contextmanager
    def _environment(self, spec: FunctionSpec) -> Iterator[None]:
        """The function's environment variables, for its cold start. Only the variables it sets
        change, and change back after: other containers run meanwhile and read os.environ too
        (Powertools reads some at every invocation)."""
        wanted = {
            **spec.environment,
            **EMULATOR_ENVIRONMENT,
            "POWERTOOLS_LOG_LEVEL": self._log_level,
            "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
        }
        saved = {key: os.environ.get(key) for key in wanted}
        os.environ.update(wanted)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                elif os.environ.get(key) != value:
                    os.environ[key] = value

    def _cold_start(self, spec: FunctionSpec) -> ModuleType:
        file_name, _ = spec.handler.rsplit(".", 1)
        path = spec.code_uri / (file_name.replace(".", "/") + ".py")
        with self._cold_start_lock, self._environment(spec):
            self._containers += 1
            name = f"orgdns_function_{spec.code_uri.name}_{self._containers}"
            started = time.perf_counter()
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is None or module_spec.loader is None:
                raise ImportError(f"cannot load handler {spec.handler} from {path}")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
            self.cold_start_seconds.setdefault(spec.logical_id, []).append(time.perf_counter() - started)
        return module

    def sleep(self, seconds: float) -> None:
        """Sleep on the simulated clock as handler code; past the invocation's Timeout, Lambda
        stops the function: sleep until then and raise `LambdaTimedOut`."""
        deadline: tuple[float, float] | None = getattr(self._deadlines, "current", None)
        if deadline is not None and self.clock() + seconds > deadline[0]:
            self.clock_sleep(max(deadline[0] - self.clock(), 0.0))
            raise LambdaTimedOut(deadline[1])
        self.clock_sleep(seconds)

    @contextmanager
    def _deadline(self, spec: FunctionSpec) -> Iterator[None]:
        previous = getattr(self._deadlines, "current", None)
        self._deadlines.current = (self.clock() + spec.timeout, float(spec.timeout))
        try:
            yield
        finally:
            self._deadlines.current = previous

    @contextmanager
    def _container(self, spec: FunctionSpec) -> Iterator[tuple[ModuleType, bool]]:
        with self._lock:
            self._take_concurrency(spec)
            idle = self._idle.setdefault(spec.logical_id, [])
            module = idle.pop() if idle else None
        cold = module is None
        try:
            if module is None:
                module = self._cold_start(spec)
            yield module, cold
        finally:
            with self._lock:
                self._running[spec.logical_id] -= 1
                if spec.reserved_concurrency is None:
                    self._unreserved_running -= 1
                if module is not None:
                    self._idle[spec.logical_id].append(module)

    def _take_concurrency(self, spec: FunctionSpec) -> None:
        """Count one more invocation of `spec`, or raise LambdaThrottled (called with the lock)."""
        running = self._running.get(spec.logical_id, 0)
        if spec.reserved_concurrency is not None:
            if running >= spec.reserved_concurrency:
                raise LambdaThrottled(
                    f"Rate Exceeded: {spec.logical_id} runs {running} invocations, its reserved concurrency"
                )
        else:
            unreserved = self._account_concurrency - self._reserved
            if self._unreserved_running >= unreserved:
                raise LambdaThrottled(
                    f"Rate Exceeded: the account runs {self._unreserved_running} invocations of functions without "
                    f"reserved concurrency, all its limit of {self._account_concurrency} leaves unreserved"
                )
            self._unreserved_running += 1
        self._running[spec.logical_id] = running + 1

    def invoke(self, function_name: str, event: Any) -> Any:
        """Run the handler; its exceptions propagate (the glue turns them into Lambda errors)."""
        spec = self._by_name[function_name]
        with self._container(spec) as (module, cold):
            handler = getattr(module, spec.handler.rsplit(".", 1)[1])
            context = FakeContext(
                function_name=function_name,
                memory_limit_in_mb=spec.memory,
                invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
                timeout_seconds=spec.timeout,
            )
            result, error = None, None
            try:
                with self._deadline(spec):
                    result = handler(event, context)
                return result
            except BaseException as exc:
                error = exc
                raise
            finally:
                invocation = Invocation(
                    function_name, spec.logical_id.removesuffix("Function"), event, result, error, self.clock(), cold
                )
                for listener in self.listeners:
                    listener(invocation)
