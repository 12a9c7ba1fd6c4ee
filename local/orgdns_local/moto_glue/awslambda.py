"""Lambda: handlers run in-process (patch 1)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_lambda import (
    StateTaskServiceLambda,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import (
    StateTaskLambda,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

from .context import GlueContext, _Patches

# -- 1. Lambda handlers in-process -------------------------------------------------------------


def _patch_lambda(ctx: GlueContext, patches: _Patches) -> None:
    """Run Lambda handlers in-process through `ctx.invoke_handler`.

    Gap: moto runs a handler only in Docker (getmoto/moto#9916); without Docker,
    `LambdaSimpleBackend.invoke` echoes the payload. Patched: `LambdaSimpleBackend.invoke` goes back
    to `LambdaBackend.invoke` (function lookup, invocation headers), and
    `LambdaFunction._invoke_lambda` (moto/awslambda/models.py), the one point behind direct invoke,
    Step Functions tasks and event targets, calls the handler. An exception becomes the payload
    `{"errorType": <class name>, "errorMessage": ...}` with FunctionError set, which is how the ASL
    interpreter names the error that Retry and Catch match.

    Also `StateTaskLambda._from_error` (state_task_lambda.py): moto names a failed invoke of a
    Task whose Resource is a function ARN "Exception"; AWS names it `Lambda.<ErrorCode>` (e.g.
    Lambda.ServiceException), as moto already does for the `arn:aws:states:::lambda:invoke` form.
    """

    def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        try:
            with ctx.calls.counted():
                return json.dumps(ctx.invoke_handler(self, _decode_payload(event))), False, ""
        except Exception as exc:
            error = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            return json.dumps(error), True, ""

    patches.set(LambdaFunction, "_invoke_lambda", _invoke_lambda)
    patches.set(LambdaSimpleBackend, "invoke", LambdaBackend.invoke)

    original_from_error = StateTaskLambda._from_error

    def _from_error(self: StateTaskLambda, env: Environment, ex: Exception) -> FailureEvent:
        if not isinstance(ex, ClientError):
            return original_from_error(self, env, ex)
        error, cause = StateTaskServiceLambda._error_cause_from_client_error(ex)
        details = LambdaFunctionFailedEventDetails(error=error, cause=cause)
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(lambdaFunctionFailedEventDetails=details),
        )

    patches.set(StateTaskLambda, "_from_error", _from_error)


def _decode_payload(event: Any) -> Any:
    """moto hands `_invoke_lambda` the JSON-decoded body, or the string "{}" for an empty one."""
    if event is None:
        return {}
    if isinstance(event, (str, bytes)):
        try:
            return json.loads(event)
        except ValueError:
            return event
    return event
