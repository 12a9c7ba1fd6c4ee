"""PublishStatus: the run's status document to SNS and the registry."""

from orgdns.handler import step_handler
from orgdns.models import Outcome
from orgdns.steps.publish_status import publish_status

lambda_handler = step_handler(
    "PublishStatus",
    lambda step, aws: publish_status(step.state, step.outcome or Outcome.FAILED, step.execution, aws),
)
