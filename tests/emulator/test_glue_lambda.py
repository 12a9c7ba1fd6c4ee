"""Patch 1: Lambda handlers run in-process; their exceptions drive ASL Retry and Catch; Lambda's
limits and failures are named as Step Functions names them."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from glue_support import Glue, client

from orgdns_local.moto_glue import FaultRule
from orgdns_local.moto_glue.awslambda import LambdaThrottled, LambdaTimedOut


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


def _one_task(glue: Glue, arn: str) -> str:
    return glue.state_machine(
        "one-task",
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": arn,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        },
    )


def _caught(execution: dict[str, Any]) -> tuple[str, str]:
    output = json.loads(execution["output"])
    return output["Error"], output["Cause"]


def test_a_function_stopped_at_its_timeout_is_lambda_unknown(glue: Glue) -> None:
    def slow(event: Any) -> Any:
        raise LambdaTimedOut(60)

    error, cause = _caught(glue.run(_one_task(glue, glue.function("slow", slow))))
    assert error == "Lambda.Unknown"
    assert "Task timed out after 60.00 seconds" in cause
    assert "errorType" not in json.loads(cause)


def test_an_invocation_beyond_reserved_concurrency_is_too_many_requests(glue: Glue) -> None:
    def busy(event: Any) -> Any:
        raise LambdaThrottled("Rate Exceeded")

    arn = glue.function("busy", busy)
    with pytest.raises(ClientError) as direct:
        client("lambda").invoke(FunctionName="busy", Payload="{}")
    assert (direct.value.response["Error"]["Code"], direct.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "TooManyRequestsException",
        429,
    )
    assert _caught(glue.run(_one_task(glue, arn)))[0] == "Lambda.TooManyRequestsException"


def test_a_read_timeout_on_the_invoke_is_lambda_sdk_client_exception(glue: Glue) -> None:
    arn = glue.function("ok", lambda event: event)
    glue.ctx.faults.add(FaultRule(service="lambda", operation="Invoke", error_code="ReadTimeout", message="", count=1))
    error, cause = _caught(glue.run(_one_task(glue, arn)))
    assert error == "Lambda.SdkClientException"
    assert "Read timeout" in cause
