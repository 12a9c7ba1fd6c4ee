"""CreateCustomDomain: the API Gateway custom domain."""

from orgdns.handler import step_handler
from orgdns.steps.create_custom_domain import create_custom_domain

lambda_handler = step_handler("CreateCustomDomain", lambda step, aws: create_custom_domain(step.state, aws))
