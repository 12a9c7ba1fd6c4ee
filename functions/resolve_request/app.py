"""ResolveRequest: event or manual input -> plan, or a Skip/Reject decision."""

from orgdns.handler import step_handler
from orgdns.steps.resolve_request import resolve_request

lambda_handler = step_handler(
    "ResolveRequest", lambda step, aws: resolve_request(step.state.input, step.execution, aws)
)
