"""Patch 2: Wait states and Retry intervals run on the simulated clock."""

import json
from datetime import timedelta
from typing import Any

from glue_support import START, Glue, client, real_seconds

from orgdns_local.moto_glue import wait_for_executions


def wait_then_stamp(glue: Glue, stamps: list[tuple[str, float]]) -> str:
    arn = glue.function("stamp", lambda event: stamps.append((event["name"], glue.clock.elapsed())))
    return glue.state_machine(
        "wait-then-stamp",
        {
            "StartAt": "Wait",
            "States": {
                "Wait": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Stamp"},
                "Stamp": {"Type": "Task", "Resource": arn, "End": True},
            },
        },
    )


def test_a_forty_minute_wait_takes_no_real_time(glue: Glue) -> None:
    stamps: list[tuple[str, float]] = []
    machine = wait_then_stamp(glue, stamps)
    execution, seconds = real_seconds(lambda: glue.run(machine, {"name": "a", "wait": 2400}))
    assert execution["status"] == "SUCCEEDED"
    assert seconds < 2
    assert stamps == [("a", 2400)]


def test_executions_interleave_on_the_clock(glue: Glue) -> None:
    stamps: list[tuple[str, float]] = []
    machine = wait_then_stamp(glue, stamps)
    sfn = client("stepfunctions")
    with glue.clock.participant("driver"):  # time holds until the driver waits
        for name, wait in (("slow", 30), ("fast", 10)):
            payload = json.dumps({"name": name, "wait": wait})
            sfn.start_execution(stateMachineArn=machine, name=name, input=payload)
        wait_for_executions(10)
    assert stamps == [("fast", 10), ("slow", 30)]


def test_stop_execution_ends_a_wait(glue: Glue) -> None:
    """A Wait ends when its execution stops, as the interpreter's own Wait does; it does not run on
    to its wake-up time."""
    machine = wait_then_stamp(glue, [])
    sfn = client("stepfunctions")
    with glue.clock.participant("driver"):
        payload = json.dumps({"name": "stopped", "wait": 600})
        arn = sfn.start_execution(stateMachineArn=machine, input=payload)["executionArn"]
        glue.clock.sleep(60)
        sfn.stop_execution(executionArn=arn, error="Operator", cause="stopped by hand")
        wait_for_executions(10)
    execution = sfn.describe_execution(executionArn=arn)
    assert (execution["status"], execution["stopDate"]) == ("ABORTED", START + timedelta(seconds=60))
    assert glue.clock.elapsed() == 60


def test_retry_interval_runs_on_the_clock(glue: Glue) -> None:
    attempts: list[float] = []

    def flaky(event: Any) -> str:
        attempts.append(glue.clock.elapsed())
        if len(attempts) == 1:
            raise TimeoutError("not yet")
        return "ok"

    arn = glue.function("flaky", flaky)
    retry = {"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 30, "MaxAttempts": 1}
    machine = glue.state_machine(
        "retry",
        {
            "StartAt": "Call",
            "States": {"Call": {"Type": "Task", "Resource": arn, "Retry": [retry], "End": True}},
        },
    )
    assert glue.run(machine)["status"] == "SUCCEEDED"
    assert attempts == [0, 30]


def test_history_and_execution_dates_are_simulated(glue: Glue) -> None:
    machine = glue.state_machine(
        "timestamps",
        {
            "StartAt": "Wait",
            "States": {"Wait": {"Type": "Wait", "Timestamp": "2025-01-01T00:05:00Z", "End": True}},
        },
    )
    execution = glue.run(machine)
    assert execution["startDate"] == START
    assert execution["stopDate"] == START + timedelta(minutes=5)
    history = client("stepfunctions").get_execution_history(executionArn=execution["executionArn"])
    stamps = [event["timestamp"] for event in history["events"]]
    assert stamps[0] == START and stamps[-1] == START + timedelta(minutes=5)


def test_a_handler_sleeping_on_the_clock_does_not_deadlock(glue: Glue) -> None:
    arn = glue.function("sleepy", lambda event: glue.clock.sleep(5))
    machine = glue.state_machine(
        "sleepy",
        {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": arn, "End": True}}},
    )
    assert glue.run(machine)["status"] == "SUCCEEDED"
    assert glue.clock.elapsed() == 5


def test_executions_started_without_a_name_get_one_each(glue: Glue) -> None:
    machine = glue.state_machine("pass", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    sfn = client("stepfunctions")

    first = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    second = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    wait_for_executions(30)

    assert first != second
    assert all(len(arn.rsplit(":", 1)[1]) == 36 for arn in (first, second))  # a UUID, as AWS names them


def test_a_definition_is_parsed_once_for_all_its_executions(glue: Glue, monkeypatch: Any) -> None:
    """Patch 2c: executions of one definition share its parsed program."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    parsed: list[str] = []
    original = AmazonStateLanguageParser.parse
    monkeypatch.setattr(AmazonStateLanguageParser, "parse", staticmethod(lambda d: parsed.append(d) or original(d)))
    stamps: list[tuple[str, float]] = []
    machine = wait_then_stamp(glue, stamps)

    def run_two() -> None:
        with glue.clock.participant("starter"):  # both start before time moves
            for name, wait in (("a", 5), ("b", 1)):
                payload = json.dumps({"name": name, "wait": wait})
                client("stepfunctions").start_execution(stateMachineArn=machine, input=payload)
        wait_for_executions(30)

    run_two()
    after_first = len(parsed)  # CreateStateMachine validates it, the first execution parses it
    run_two()
    assert [name for name, _ in stamps] == ["b", "a", "b", "a"]  # each execution keeps its own state
    assert len(parsed) == after_first <= 2


def test_service_integrations_reuse_one_client_per_service_and_region(glue: Glue) -> None:
    """Patch 2d: the interpreter's Lambda and SQS integrations do not build a client per Task."""
    import importlib

    from orgdns_local.moto_glue.stepfunctions import _CLIENT_USERS

    lambdas = importlib.import_module(_CLIENT_USERS[0]).boto_client_for
    sqs = importlib.import_module(_CLIENT_USERS[1]).boto_client_for
    assert lambdas("us-east-1", "lambda") is lambdas("us-east-1", "lambda", object())
    assert sqs("us-east-1", "sqs") is not lambdas("us-east-1", "lambda")
    assert lambdas("eu-west-1", "lambda").meta.region_name == "eu-west-1"


def test_each_json_path_is_parsed_once(glue: Glue) -> None:
    """Patch 2e: the interpreter's JSONPath parsing is remembered per path (jsonpath_ng builds a
    parser, grammar tables and all, for every parse); answers are unchanged."""
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    assert json_path.parse("$.poll.seconds") is json_path.parse("$.poll.seconds")
    assert result_path.parse("$.zone") is result_path.parse("$.zone")
    assert json_path.extract_json("$.poll.seconds", {"poll": {"seconds": 30}}) == 30
    stamps: list[tuple[str, float]] = []
    machine = wait_then_stamp(glue, stamps)
    assert glue.run(machine, {"name": "a", "wait": 3})["status"] == "SUCCEEDED"
    assert stamps == [("a", 3)]


def test_a_task_failure_keeps_its_cause(glue: Glue) -> None:
    from test_glue_sqs import poller, queue, waiting_machine

    url, arn = queue("failures")
    sfn = client("stepfunctions")

    def refuse(event: dict[str, Any]) -> None:
        for r in event["Records"]:
            body = json.loads(r["body"])
            sfn.send_task_failure(taskToken=body["token"], error="RecordConflict", cause='{"errorMessage": "taken"}')

    fn = glue.function("refuser", refuse)
    machine = waiting_machine(glue, "refused", url, 600)
    p = poller(glue, arn, fn, batch_size=10, batching_window_seconds=1)
    try:
        result = glue.run(machine, {})
    finally:
        p.stop()
    assert (result["status"], result["error"]) == ("FAILED", "RecordConflict")
    assert json.loads(result["cause"]) == {"errorMessage": "taken"}
