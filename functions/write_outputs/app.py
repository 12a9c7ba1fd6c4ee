"""WriteOutputs: the zone's SSM parameters in the member account, for member stacks to read."""

from orgdns.handler import step_handler
from orgdns.steps.write_outputs import write_outputs

lambda_handler = step_handler("WriteOutputs", lambda step, aws: write_outputs(step.state, aws))
