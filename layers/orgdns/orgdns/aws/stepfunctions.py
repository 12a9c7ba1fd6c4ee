"""Step Functions: answering the task tokens of runs that wait on the record writer."""

import json
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code

# A token whose task is over: the run timed out waiting (and will send its request again) or was
# stopped. Nothing waits for this answer any more.
_GONE = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist", "ExecutionDoesNotExist"}


class TaskTokens:
    def __init__(self, client: Any) -> None:
        self._client = client

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        """SendTaskSuccess; False when the task no longer waits (its answer is moot)."""
        return self._send(lambda: self._client.send_task_success(taskToken=token, output=json.dumps(output)))

    def fail(self, token: str, error: str, cause: str) -> bool:
        """SendTaskFailure with ``error`` as the name the run's Retry and Catch match; ``cause`` is
        the JSON a Lambda error would carry, so the status reads the same either way."""
        body = json.dumps({"errorType": error, "errorMessage": cause})
        return self._send(
            lambda: self._client.send_task_failure(taskToken=token, error=error[:256], cause=body[:32768])
        )

    def _send(self, call: Any) -> bool:
        try:
            with aws_errors("stepfunctions"):
                call()
        except ClientError as exc:
            if error_code(exc) in _GONE:
                return False
            raise
        return True


class Executions:
    """StartExecution of orgdns's own workflows (reconcile starting runs)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def start(self, state_machine_arn: str, name: str, document: dict[str, Any]) -> bool:
        """Start a run named ``name`` (at most 80 characters); False when a run of that name exists
        already (Standard workflows keep names 90 days: a retried step starts nothing twice)."""
        try:
            with aws_errors("stepfunctions"):
                self._client.start_execution(
                    stateMachineArn=state_machine_arn, name=name[:80], input=json.dumps(document)
                )
        except ClientError as exc:
            if error_code(exc) == "ExecutionAlreadyExists":
                return False
            raise
        return True
