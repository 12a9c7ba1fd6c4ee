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


def test_functions_without_a_reservation_share_what_the_account_leaves_unreserved(tmp_path: Path) -> None:
    """Lambda's account limit (1000 by default) less every reservation is the pool of the
    functions that reserve nothing: here 3 - 1 = 2 invocations at once."""
    (tmp_path / "app.py").write_text(HANDLER)
    clock = SimClock(datetime(2026, 1, 5, tzinfo=UTC), watchdog_real_seconds=10)
    specs = {
        name: FunctionSpec(name, tmp_path, "app.lambda_handler", {}, 60, 256, reserved_concurrency=reserved)
        for name, reserved in (("AFunction", None), ("BFunction", None), ("ReservedFunction", 1))
    }
    runtime = HandlerRuntime(specs, account_concurrency=3)
    for name in specs:
        runtime.register(name.lower(), name)
    runtime.clock, runtime.clock_sleep = clock.elapsed, clock.sleep
    started: list[threading.Thread] = []
    with patch.object(ratelimit, "time", SimpleNamespace(sleep=runtime.sleep)), clock.participant("test"):
        for name in ("afunction", "bfunction", "reservedfunction"):  # each waits inside for 30 s
            clock.register(name)

            def run(name: str = name) -> None:
                with clock.bound(name):
                    runtime.invoke(name, {"waits": 1, "seconds": 30})
                clock.unregister(name)

            started.append(threading.Thread(target=run))
            started[-1].start()
        clock.sleep(10)
        with pytest.raises(LambdaThrottled, match="unreserved"):
            runtime.invoke("afunction", {"waits": 0, "seconds": 0})
        with pytest.raises(LambdaThrottled, match="reserved concurrency"):
            runtime.invoke("reservedfunction", {"waits": 0, "seconds": 0})
        clock.sleep(30)
        assert runtime.invoke("bfunction", {"waits": 0, "seconds": 0}) == "done"
    for thread in started:
        thread.join(5)


def test_a_cold_start_changes_only_its_own_variables_meanwhile(runtime, monkeypatch) -> None:
    """os.environ is the process's: while one container cold-starts, the others keep reading the
    variables it does not set (clearing and refilling it made Powertools print metrics)."""
    import os

    runtime_, _ = runtime
    monkeypatch.setenv("ORGDNS_TEST_OUTSIDE", "kept")
    spec = runtime_._by_name["waiter"]
    missing: list[int] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            if os.environ.get("ORGDNS_TEST_OUTSIDE") != "kept":
                missing.append(1)

    thread = threading.Thread(target=reader)
    thread.start()
    for _ in range(2000):
        with runtime_._environment(spec):
            assert os.environ["AWS_LAMBDA_FUNCTION_NAME"] == "WaiterFunction"
    done.set()
    thread.join(5)
    assert missing == []
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
