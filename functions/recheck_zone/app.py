"""RecheckZone: a self-service zone deleted or untagged during its run loses the delegation."""

from orgdns.handler import step_handler
from orgdns.steps.recheck_zone import recheck_zone

lambda_handler = step_handler("RecheckZone", lambda step, aws: recheck_zone(step.state, aws))
