"""CheckCustomDomain: is the custom domain available?"""

from orgdns.handler import step_handler
from orgdns.steps.check_custom_domain import check_custom_domain

lambda_handler = step_handler("CheckCustomDomain", lambda step, aws: check_custom_domain(step.state, aws))
