"""CreateZone: the hosted zone in the member account."""

from orgdns.handler import step_handler
from orgdns.steps.create_zone import create_zone

lambda_handler = step_handler("CreateZone", lambda step, aws: create_zone(step.state, aws))
