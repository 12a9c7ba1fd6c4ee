"""KeepStatus: SNS would not take the run's status, even after retries; keep it where an operator
finds it."""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.models import Outcome, WorkflowState
from orgdns.status import build_status, message_attributes
from orgdns.steps.publish_status import record_status


def keep_status(state: WorkflowState, outcome: Outcome, run_id: str, aws: AwsAccess) -> dict[str, Any]:
    """The same document PublishStatus would have sent, to the status dead-letter queue (an alarm
    watches its depth), then into the registry as the zone's last status."""
    document = build_status(state, outcome, run_id)
    message_id = aws.status_queue().send(document, message_attributes(document))
    record_status(state, outcome, run_id, document, aws)
    return {"outcome": outcome.value, "keptAs": message_id}
