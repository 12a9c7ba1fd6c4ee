"""Patch 1: Lambda handlers run in-process; their exceptions drive ASL Retry and Catch."""

import json
from typing import Any

import pytest
from glue_support import Glue, client

from orgdns_local.moto_glue import FaultRule


class ZoneNotReady(Exception):
    pass


def test_direct_invoke_runs_the_handler(glue: Glue) -> None:
    glue.function("echo", lambda event: {"got": event})
    response = client("lambda").invoke(FunctionName="echo", Payload=json.dumps({"a": 1}))
    assert json.load(response["Payload"]) == {"got": {"a": 1}}
    assert "FunctionError" not in response


def test_handler_exception_is_caught_and_retried_by_name(glue: Glue) -> None:
    attempts: list[Any] = []

    def flaky(event: Any) -> Any:
        attempts.append(event)
        raise ZoneNotReady("zone is not ready")

    arn = glue.function("flaky", flaky)
    machine = glue.state_machine(
        "catch",
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": arn,
                    "Retry": [{"ErrorEquals": ["ZoneNotReady"], "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["ZoneNotReady"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        },
    )
    execution = glue.run(machine, {"zone": "team"})
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["Error"] == "ZoneNotReady"
    assert len(attempts) == 3  # first try + 2 retries
    assert glue.clock.elapsed() == pytest.approx(1 + 2)  # default IntervalSeconds 1, BackoffRate 2


@pytest.mark.parametrize("style", ["lambda:invoke", "function arn"])
def test_injected_service_fault_is_lambda_service_exception(glue: Glue, style: str) -> None:
    calls: list[Any] = []
    arn = glue.function("ok", calls.append)
    glue.ctx.faults.add(
        FaultRule(
            service="lambda",
            operation="Invoke",
            error_code="ServiceException",
            message="Lambda is unavailable",
            http_status=500,
            count=1,
        )
    )
    task = (
        {"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": arn}}
        if style == "lambda:invoke"
        else {"Resource": arn}
    )
    machine = glue.state_machine(
        "service-fault",
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    **task,
                    "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 1}],
                    "End": True,
                }
            },
        },
    )
    assert glue.run(machine)["status"] == "SUCCEEDED"
    assert len(calls) == 1
    assert [f.call.error_code for f in glue.ctx.faults.injected] == ["ServiceException"]
