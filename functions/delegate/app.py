"""Delegate: NS records in the parent zone."""

from orgdns.handler import step_handler
from orgdns.steps.delegate import delegate

lambda_handler = step_handler("Delegate", lambda step, aws: delegate(step.state, aws))
