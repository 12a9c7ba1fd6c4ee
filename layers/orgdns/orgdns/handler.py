"""Powertools wiring shared by every step handler.

``functions/<step>/app.py`` is one line of wiring: ``lambda_handler = step_handler(<step>)``.
Settings are read and validated once, at cold start; the execution name is the log correlation
id and the assumed-role session name, so one run can be followed through logs and CloudTrail.

No Powertools Tracer: importing the X-Ray SDK doubled each handler's cold start (about 140 ms of
500). Lambda's active tracing (``Tracing: Active``) still records every invocation in X-Ray,
inside the state machine's trace; only the per-call subsegments are gone.
"""

import os
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from orgdns.aws.access import AwsAccess
from orgdns.models import StepInput
from orgdns.settings import Settings

logger = Logger(service="orgdns")
metrics = Metrics(namespace="orgdns", service="orgdns")

StepFunction = Callable[[Any, AwsAccess], BaseModel | dict[str, Any] | bool]


def step_handler(
    name: str, run: StepFunction, model: type[BaseModel] = StepInput
) -> Callable[[dict[str, Any], LambdaContext], Any]:
    """A Lambda handler for workflow step ``name``: parse its input (StepInput, or the reconcile's
    ReconcileStepInput), run, return JSON."""
    aws = AwsAccess(Settings.from_env(os.environ))

    @logger.inject_lambda_context(log_event=False, clear_state=True)
    @metrics.log_metrics(raise_on_empty_metrics=False)
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
        step: Any = model.model_validate(event)
        logger.set_correlation_id(step.execution)
        aws.sessions.set_session_name(step.execution)
        decision = getattr(step.state, "decision", None)
        if decision is not None:
            logger.append_keys(step=name, account_id=decision.account_id, zone=decision.zone_name)
        try:
            result = run(step, aws)
        except Exception as exc:
            metrics.add_metric(name=f"{name}Errors", unit=MetricUnit.Count, value=1)
            logger.warning("step failed", extra={"error": type(exc).__name__, "detail": str(exc)})
            raise
        metrics.add_metric(name=f"{name}Completed", unit=MetricUnit.Count, value=1)
        if isinstance(result, BaseModel):
            return result.model_dump(mode="json", by_alias=True, exclude_none=True)
        return result

    return cast(Callable[[dict[str, Any], LambdaContext], Any], lambda_handler)
