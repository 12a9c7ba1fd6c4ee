"""Intake: start one workflow execution per EventBridge event (duplicates start nothing)."""

import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from orgdns.aws.clients import Sessions
from orgdns.handler import logger, metrics
from orgdns.intake import start_workflow, workflows_for
from orgdns.settings import Settings

settings = Settings.from_env(os.environ)
stepfunctions = Sessions(settings).home_client("stepfunctions")


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics(raise_on_empty_metrics=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(event.get("id") if isinstance(event, dict) else None)
    event = event if isinstance(event, dict) else {"value": event}
    # Deleting or untagging a zone, or closing an account, ends delegations; the rest asks for one.
    # An account's subdomain tag set anew starts both (a renamed subdomain retires the old name).
    arns = {
        "subdomain": settings.subdomain_workflow_arn,
        "teardown": settings.teardown_workflow_arn,
        "renewal": settings.renewal_workflow_arn,
    }
    results = []
    for workflow in workflows_for(event, settings.tag_prefix):
        result = start_workflow(event, arns[workflow], stepfunctions)
        if result["duplicate"]:
            metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)
            logger.info("duplicate delivery: the workflow already ran for this event", extra=result)
        else:
            metrics.add_metric(name="RunsStarted", unit=MetricUnit.Count, value=1)
            logger.info("workflow started", extra=result)
        results.append({"workflow": workflow, **result})
    return results[0] if len(results) == 1 else {"runs": results}
