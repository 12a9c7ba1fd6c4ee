"""Patch 2 for Map and Parallel states: iterations and branches are flows of their own on the
simulated clock; a distributed Map reads its items from S3 and honours its tolerated failures."""

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from glue_support import START, Glue, client, real_seconds

from orgdns_local.moto_glue.stepfunctions import FlowKey


def stamper(glue: Glue, stamps: list[tuple[Any, float]], name: str = "stamp") -> str:
    """A function that records the item it is given and the simulated time."""
    return glue.function(name, lambda event: stamps.append((event["name"], glue.clock.elapsed())))


def wait_then_stamp(stamp_arn: str) -> dict[str, Any]:
    return {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Stamp"},
            "Stamp": {"Type": "Task", "Resource": stamp_arn, "ResultPath": None, "End": True},
        },
    }


def inline_map(glue: Glue, name: str, stamp_arn: str, **options: Any) -> str:
    state = {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": wait_then_stamp(stamp_arn), "End": True}
    return glue.state_machine(name, {"StartAt": "Map", "States": {"Map": state | options}})


def flows_left(glue: Glue, real_timeout: float = 2.0) -> set[Any]:
    """The Map/Parallel flows still on the clock once they have had a moment to end."""
    deadline = time.monotonic() + real_timeout
    while (flows := {key for key in glue.clock.participants() if isinstance(key, FlowKey)}) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.01)
    return flows


def test_inline_map_iterations_wait_side_by_side(glue: Glue) -> None:
    stamps: list[tuple[Any, float]] = []
    machine = inline_map(glue, "inline", stamper(glue, stamps))
    items = [{"name": "long", "wait": 600}, {"name": "short", "wait": 60}]

    execution, seconds = real_seconds(lambda: glue.run(machine, {"items": items}))

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == items  # in item order, whatever order they ended in
    assert stamps == [("short", 60), ("long", 600)]
    assert glue.clock.elapsed() == 600  # not 660: the iterations waited at the same time
    assert seconds < 2


def test_inline_map_max_concurrency_queues_the_items_past_it(glue: Glue) -> None:
    stamps: list[tuple[Any, float]] = []
    machine = inline_map(glue, "two-at-a-time", stamper(glue, stamps), MaxConcurrency=2)
    waits = [60, 600, 30, 10]

    execution = glue.run(machine, {"items": [{"name": i, "wait": w} for i, w in enumerate(waits)]})

    assert execution["status"] == "SUCCEEDED"
    # Two workers: the first takes items 0, 2, 3 in turn while the second waits out item 1.
    assert stamps == [(0, 60), (2, 90), (3, 100), (1, 600)]
    assert glue.clock.elapsed() == 600


def test_parallel_branches_wait_and_retry_side_by_side(glue: Glue) -> None:
    stamps: list[tuple[Any, float]] = []
    stamp = stamper(glue, stamps)
    attempts: list[float] = []

    def flaky(event: Any) -> None:
        attempts.append(glue.clock.elapsed())
        if len(attempts) == 1:
            raise TimeoutError("not yet")
        stamps.append(("retried", glue.clock.elapsed()))

    retry = {"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 30, "MaxAttempts": 1}
    call = {"Type": "Task", "Resource": glue.function("flaky", flaky), "Retry": [retry], "End": True}
    branches = [wait_then_stamp(stamp), {"StartAt": "Call", "States": {"Call": call}}]
    machine = glue.state_machine(
        "parallel", {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": branches, "End": True}}}
    )

    execution, seconds = real_seconds(lambda: glue.run(machine, {"name": "waited", "wait": 600}))

    assert execution["status"] == "SUCCEEDED"
    assert attempts == [0, 30]
    assert stamps == [("retried", 30), ("waited", 600)]
    assert glue.clock.elapsed() == 600
    assert seconds < 2


def test_maps_nest_in_parallel_branches(glue: Glue) -> None:
    """A flow's own Map or Parallel starts flows of its own; a Map of no items ends at once."""
    waits = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "SecondsPath": "$", "End": True}}}
    inner = {"Type": "Map", "ItemsPath": "$.waits", "ItemProcessor": waits, "End": True}
    outer = {
        "Type": "Map",
        "ItemsPath": "$.batches",
        "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": inner}},
        "End": True,
    }
    branches = [
        {"StartAt": "Outer", "States": {"Outer": outer}},
        {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 100, "End": True}}},
    ]
    machine = glue.state_machine(
        "nested", {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": branches, "End": True}}}
    )
    batches = [{"waits": [10, 50]}, {"waits": []}, {"waits": [30]}]

    execution = glue.run(machine, {"batches": batches})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])[0] == [[10, 50], [], [30]]
    assert glue.clock.elapsed() == 100  # the batches one after the other (80 s) beside the 100 s wait


def test_a_failed_branch_ends_its_siblings_wait(glue: Glue) -> None:
    """The interpreter stops the other branches of a failed Parallel: a sibling's Wait ends
    with it instead of keeping a wake-up time that would move the clock after the run."""
    stamps: list[tuple[Any, float]] = []
    branches = [
        {"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "Broken"}}},
        wait_then_stamp(stamper(glue, stamps)),
    ]
    machine = glue.state_machine(
        "parallel-fails",
        {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": branches, "End": True}}},
    )

    execution = glue.run(machine, {"name": "sibling", "wait": 600})

    assert (execution["status"], execution["error"]) == ("FAILED", "Broken")
    assert execution["stopDate"] == START
    assert flows_left(glue) == set()
    assert glue.clock.elapsed() == 0
    assert stamps == []


# -- distributed Map ----------------------------------------------------------------------------


def items_in_s3(items: list[dict[str, Any]]) -> dict[str, str]:
    """Put the items in a bucket of the management account; return the Map's input."""
    s3 = client("s3")
    s3.create_bucket(Bucket="reconcile-items")
    s3.put_object(Bucket="reconcile-items", Key="run/items.json", Body=json.dumps(items).encode())
    return {"bucket": "reconcile-items", "key": "run/items.json"}


def distributed_map(
    glue: Glue, name: str, processor: dict[str, Any], others: dict[str, Any] | None = None, **options: Any
) -> str:
    """A distributed Map shaped as orgdns's reconcile uses it: items from a JSON array in S3."""
    state = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
        },
        "ItemSelector": {
            "execution.$": "$$.Execution.Name",
            "name.$": "$$.Map.Item.Value.name",
            "wait.$": "$$.Map.Item.Value.wait",
        },
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}} | processor,
        "ResultPath": None,
        "End": True,
    }
    return glue.state_machine(name, {"StartAt": "Survey", "States": {"Survey": state | options} | (others or {})})


def test_distributed_map_reads_its_items_from_s3_and_waits_on_the_clock(glue: Glue) -> None:
    stamps: list[tuple[Any, float]] = []
    machine = distributed_map(glue, "distributed", wait_then_stamp(stamper(glue, stamps)), MaxConcurrency=10)
    waits = [600] + [60] * 9 + [30, 30]
    payload = items_in_s3([{"name": i, "wait": w} for i, w in enumerate(waits)])

    execution, seconds = real_seconds(lambda: glue.run(machine, payload))

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == payload  # ResultPath null: the results are discarded
    # Ten at a time: items 10 and 11 wait for a worker to be free, at 60 s.
    assert sorted(stamps, key=lambda s: (s[1], s[0])) == [(i, 60) for i in range(1, 10)] + [
        (10, 90),
        (11, 90),
        (0, 600),
    ]
    assert glue.clock.elapsed() == 600
    assert seconds < 5
    sfn = client("stepfunctions")
    [run] = sfn.list_map_runs(executionArn=execution["executionArn"])["mapRuns"]
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert (described["status"], described["maxConcurrency"]) == ("SUCCEEDED", 10)
    assert described["itemCounts"]["succeeded"] == 12
    assert (described["startDate"], described["stopDate"]) == (START, START + timedelta(seconds=600))


def failing_items(glue: Glue, name: str, failing: set[int], **tolerance: Any) -> tuple[str, dict[str, str]]:
    def survey(event: Any) -> str:
        if event["name"] in failing:
            raise RuntimeError(f"item {event['name']} failed")
        return "ok"

    task = {"Type": "Task", "Resource": glue.function(f"{name}-survey", survey), "End": True}
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}]
    caught = {"Caught": {"Type": "Pass", "End": True}}
    processor = {"StartAt": "Survey", "States": {"Survey": task}}
    machine = distributed_map(glue, name, processor, caught, Catch=catch, **tolerance)
    return machine, items_in_s3([{"name": i, "wait": 0} for i in range(4)])


@pytest.mark.parametrize(
    ("failing", "tolerance", "fails"),
    [
        ({2}, {}, True),  # neither set: no failure is tolerated
        ({2}, {"ToleratedFailureCount": 1}, False),
        ({1, 2}, {"ToleratedFailureCount": 1}, True),
        ({2}, {"ToleratedFailurePercentage": 25.0}, False),  # moto's grammar wants a float here
        ({1, 2}, {"ToleratedFailurePercentage": 25.0}, True),
    ],
)
def test_a_distributed_map_fails_past_its_tolerated_failures(
    glue: Glue, failing: set[int], tolerance: dict[str, Any], fails: bool
) -> None:
    machine, payload = failing_items(glue, "tolerance", failing, **tolerance)

    execution = glue.run(machine, payload)

    assert execution["status"] == "SUCCEEDED"
    error = json.loads(execution["output"]).get("error")  # what the Map's Catch saw
    if fails:
        assert error["Error"] == "States.ExceedToleratedFailureThreshold"
        assert error["Cause"].startswith(f"{len(failing)} of 4 items failed")
    else:
        assert error is None


def test_moto_refuses_an_item_batcher(glue: Glue) -> None:
    """Not a patch: moto 5.2.5's ASL grammar has no ItemBatcher (CreateStateMachine fails)."""
    processor = {"StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": True}}}
    with pytest.raises(client("stepfunctions").exceptions.ClientError, match="ItemBatcher"):
        distributed_map(glue, "batched", processor, ItemBatcher={"MaxItemsPerBatch": 2})
