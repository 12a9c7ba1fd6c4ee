"""KeepStatus: a status SNS would not take goes to the status dead-letter queue and the registry."""

from orgdns.handler import step_handler
from orgdns.models import Outcome
from orgdns.steps.keep_status import keep_status

lambda_handler = step_handler(
    "KeepStatus",
    lambda step, aws: keep_status(step.state, step.outcome or Outcome.FAILED, step.execution, aws),
)
