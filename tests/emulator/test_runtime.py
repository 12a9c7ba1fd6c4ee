"""The handler runtime enforces each function's Timeout on the simulated clock, and its reserved
concurrency, as Lambda does."""

import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

import pytest

import orgdns.aws.ratelimit as ratelimit
from orgdns_local.moto_glue.awslambda import LambdaThrottled, LambdaTimedOut
from orgdns_local.moto_glue.clock import SimClock
from orgdns_local.runtime import HandlerRuntime
from orgdns_local.template import FunctionSpec

HANDLER = """
import orgdns.aws.ratelimit as ratelimit

def lambda_handler(event, context):
    try:
        for _ in range(event["waits"]):
            ratelimit.time.sleep(event["seconds"])  # what the Route 53 budget does while it waits
    except Exception:
        return "swallowed"  # a handler cannot catch Lambda stopping it
    return "done"
"""


@pytest.fixture
def runtime(tmp_path: Path):
    (tmp_path / "app.py").write_text(HANDLER)
    clock = SimClock(datetime(2026, 1, 5, tzinfo=UTC), watchdog_real_seconds=10)
    spec = FunctionSpec("WaiterFunction", tmp_path, "app.lambda_handler", {}, timeout=60, memory=256)
    limited = FunctionSpec("LimitedFunction", tmp_path, "app.lambda_handler", {}, 60, 256, reserved_concurrency=1)
    runtime = HandlerRuntime({"WaiterFunction": spec, "LimitedFunction": limited})
    runtime.register("waiter", "WaiterFunction")
    runtime.register("limited", "LimitedFunction")
    runtime.clock, runtime.clock_sleep = clock.elapsed, clock.sleep
    with patch.object(ratelimit, "time", SimpleNamespace(sleep=runtime.sleep)):
        yield runtime, clock


def test_a_handler_within_its_timeout_finishes(runtime):
    runtime_, clock = runtime
    with clock.participant("test"):
        assert runtime_.invoke("waiter", {"waits": 5, "seconds": 11}) == "done"
        assert clock.elapsed() == 55


def test_a_handler_that_waits_past_its_timeout_is_stopped_at_the_timeout(runtime):
    runtime_, clock = runtime
    with clock.participant("test"), pytest.raises(LambdaTimedOut, match=r"after 60\.00 seconds"):
        runtime_.invoke("waiter", {"waits": 7, "seconds": 10})
    assert clock.elapsed() == 60


def test_an_invocation_beyond_reserved_concurrency_is_throttled(runtime):
    runtime_, clock = runtime
    results: list[object] = []
    clock.register("first")

    def first() -> None:
        with clock.bound("first"):
            results.append(runtime_.invoke("limited", {"waits": 1, "seconds": 30}))
        clock.unregister("first")

    with clock.participant("test"):
        thread = threading.Thread(target=first)
        thread.start()
        clock.sleep(10)  # the first invocation is waiting inside the function now
        with pytest.raises(LambdaThrottled):
            runtime_.invoke("limited", {"waits": 0, "seconds": 0})
        clock.sleep(30)
        assert runtime_.invoke("limited", {"waits": 0, "seconds": 0}) == "done"  # free again
    thread.join(5)
    assert results == ["done"]
