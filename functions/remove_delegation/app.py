"""RemoveDelegation: take down what orgdns wrote for a deleted or untagged zone, or a closed account."""

from orgdns.handler import step_handler
from orgdns.steps.remove_delegation import remove_delegation

lambda_handler = step_handler(
    "RemoveDelegation", lambda step, aws: remove_delegation(step.state.input, step.execution, aws)
)
