"""WriteChanges: the record writer, fed by the record queue (SQS, batches of up to 10,000).

Each message is one run's request (a check of its name, or its delegation) with the run's task
token; every run is answered through its token. Messages of a zone whose write met a passing
error are reported as batch item failures, so SQS hands out only those again."""

import json
import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from orgdns.aws.access import AwsAccess
from orgdns.handler import logger, metrics
from orgdns.models import RecordRequest
from orgdns.settings import Settings
from orgdns.steps.write_changes import write_changes

aws = AwsAccess(Settings.from_env(os.environ))


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics(raise_on_empty_metrics=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    messages = []
    receipts: dict[str, tuple[str, int]] = {}  # message id -> (receipt handle, times received)
    for record in event.get("Records", []):
        receipts[record.get("messageId", "")] = (
            record.get("receiptHandle", ""),
            int(record.get("attributes", {}).get("ApproximateReceiveCount", "1")),
        )
        try:
            messages.append((record["messageId"], RecordRequest.model_validate(json.loads(record["body"]))))
        except (KeyError, ValueError, ValidationError) as exc:
            # Not a request a run sent (the queue accepts only the workflows' messages): nobody
            # waits for an answer, and handing it out again would not make it one.
            logger.error("dropped a malformed record request", extra={"error": str(exc)[:500]})
            metrics.add_metric(name="MalformedRecordRequests", unit=MetricUnit.Count, value=1)
    outcome = write_changes(messages, aws)
    metrics.add_metric(name="RecordRequests", unit=MetricUnit.Count, value=len(messages))
    metrics.add_metric(name="ChangeBatches", unit=MetricUnit.Count, value=outcome.change_calls)
    logger.info(
        "record requests handled",
        extra={"requests": len(messages), "changeCalls": outcome.change_calls, "retried": len(outcome.retry)},
    )
    queue = aws.record_queue()
    if outcome.retry and queue is not None:
        try:
            queue.hand_back({receipts[m][0]: retry_delay(receipts[m][1]) for m in outcome.retry if m in receipts})
        except Exception as exc:  # best effort: SQS brings them back after its timeout anyway
            logger.warning("could not hand retried requests back early", extra={"error": str(exc)[:300]})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in outcome.retry]}


def retry_delay(times_received: int) -> int:
    """Seconds before a request whose zone met a passing error is handed out again: 15 s, doubling
    with each receipt, at most 5 minutes."""
    return int(min(15 * 2 ** max(times_received - 1, 0), 300))
