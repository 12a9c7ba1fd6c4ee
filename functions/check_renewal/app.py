"""CheckRenewal: ACM event -> the certificate checked again, and what to publish."""

from orgdns.handler import step_handler
from orgdns.steps.check_renewal import check_renewal

lambda_handler = step_handler("CheckRenewal", lambda step, aws: check_renewal(step.state.input, aws))
