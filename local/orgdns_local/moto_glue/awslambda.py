"""Lambda: handlers run in-process, with Lambda's limits: timeouts, reserved concurrency and the
retries of asynchronous invocations (patch 1)."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.awslambda.utils import get_backend as lambda_backend
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.sqs.models import sqs_backends
from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
from moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils import (
    LambdaFunctionErrorException,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_lambda import (
    StateTaskServiceLambda,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import (
    StateTaskLambda,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.utilities.arns import parse_arn

from .context import AsyncInvocationKey, DeliveryFailure, GlueContext, _Patches

LOG = logging.getLogger(__name__)

# Lambda retries a failed asynchronous invocation twice: after about 1 minute, then 2 more.
ASYNC_RETRY_DELAYS = (60.0, 120.0)


class LambdaTimedOut(BaseException):
    """Raised inside a handler whose simulated run time passed its function's Timeout.

    A BaseException, so a handler's ``except Exception`` cannot swallow it, as nothing in a
    function survives Lambda stopping it."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"Task timed out after {timeout:.2f} seconds")
        self.timeout = timeout


class LambdaThrottled(Exception):
    """The function is already running as many invocations as its reserved concurrency allows."""


class TooManyRequestsException(LambdaClientError):  # type: ignore[misc]  # moto is untyped here
    code = 429

    def __init__(self, message: str) -> None:
        super().__init__("TooManyRequestsException", message)


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
    Lambda.ServiceException), as moto already does for the `arn:aws:states:::lambda:invoke` form;
    a client-side failure of the invoke (a read timeout) `Lambda.SdkClientException`; and a
    function error without an errorType (a function Lambda stopped) `Lambda.Unknown`.

    Lambda's limits, which moto does not enforce, are the runtime's to enforce (it knows each
    function's Timeout and ReservedConcurrentExecutions): it raises `LambdaTimedOut` inside a
    handler that sleeps past its Timeout on the simulated clock, answered as Lambda answers a
    stopped function ("Task timed out after N seconds", no errorType), and `LambdaThrottled` for
    an invocation beyond the reserved concurrency, answered as the Invoke API's 429
    TooManyRequestsException.
    """

    def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        try:
            with ctx.calls.counted():
                return json.dumps(ctx.invoke_handler(self, _decode_payload(event))), False, ""
        except LambdaThrottled as exc:
            raise TooManyRequestsException(str(exc)) from None
        except LambdaTimedOut as exc:
            # What Lambda returns for a function it stopped: no errorType (Step Functions: Lambda.Unknown).
            stamp = ctx.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
            return json.dumps({"errorMessage": f"{stamp} {uuid.uuid4()} {exc}"}), True, ""
        except Exception as exc:
            error = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            return json.dumps(error), True, ""

    patches.set(LambdaFunction, "_invoke_lambda", _invoke_lambda)
    patches.set(LambdaSimpleBackend, "invoke", LambdaBackend.invoke)

    original_from_error = StateTaskLambda._from_error

    def _from_error(self: StateTaskLambda, env: Environment, ex: Exception) -> FailureEvent:
        if isinstance(ex, ClientError):
            error, cause = StateTaskServiceLambda._error_cause_from_client_error(ex)
        elif isinstance(ex, BotoCoreError):  # the invoke itself failed on the way (timeouts...)
            error, cause = "Lambda.SdkClientException", str(ex)
        elif isinstance(ex, LambdaFunctionErrorException) and "errorType" not in _json_object(ex.payload):
            error, cause = "Lambda.Unknown", ex.payload  # a function Lambda stopped (timeout, out of memory)
        else:
            return original_from_error(self, env, ex)
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


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class AsyncInvocation:
    """One asynchronous invocation (EventBridge -> Lambda) and where it came from."""

    function_arn: str
    payload: Any
    event_id: str
    source_arn: str  # the rule that delivered it


def invoke_async(ctx: GlueContext, invocation: AsyncInvocation) -> None:
    """Lambda's asynchronous invocation: a function error is retried twice, about 1 and 3 minutes
    later (on the simulated clock, by a participant of its own), then the event goes to the
    function's dead-letter queue (`ctx.dead_letter_queues`, from the template) and is kept in
    `ctx.delivery_failures`. The first attempt runs in the caller's thread; nothing is raised."""
    error = _attempt(invocation)
    if error is None:
        return
    key = AsyncInvocationKey(str(uuid.uuid4()))
    clock = ctx.clock
    clock.register(key)

    def retry() -> None:
        last: str | None = error
        try:
            with clock.bound(key):
                for delay in ASYNC_RETRY_DELAYS:
                    clock.sleep(delay)
                    with ctx.calls.counted():
                        last = _attempt(invocation)
                    if last is None:
                        return
                _give_up(ctx, invocation, last or "")
        finally:
            clock.unregister(key)

    threading.Thread(target=retry, name=f"async-{invocation.event_id}", daemon=True).start()


def _attempt(invocation: AsyncInvocation) -> str | None:
    """One invoke; the error text, or None when the function succeeded."""
    arn = parse_arn(invocation.function_arn)
    headers: dict[str, str] = {}
    try:
        result = lambda_backend(arn.account, arn.region).invoke(
            invocation.function_arn, None, json.dumps(invocation.payload), {"x-amz-invocation-type": "Event"}, headers
        )
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if "x-amz-function-error" in headers:
        return f"function error: {result!r}"
    return None


def _give_up(ctx: GlueContext, invocation: AsyncInvocation, error: str) -> None:
    LOG.warning("asynchronous invocation of %s failed for good: %s", invocation.function_arn, error)
    ctx.delivery_failures.append(
        DeliveryFailure(invocation.source_arn, invocation.function_arn, invocation.event_id, error, ctx.clock.elapsed())
    )
    queue_arn = ctx.dead_letter_queues.get(invocation.function_arn.rsplit(":", 1)[-1])
    if queue_arn is None:
        return
    queue = parse_arn(queue_arn)
    body = json.dumps(invocation.payload)
    sqs_backends[queue.account][queue.region].send_message(
        queue.resource_id,
        body,
        message_attributes={
            "ErrorMessage": {"DataType": "String", "StringValue": error[:256]},
            "RequestID": {"DataType": "String", "StringValue": str(uuid.uuid4())},
        },
    )
