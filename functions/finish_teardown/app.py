"""FinishTeardown: registry entries of torn-down zones removed once their records are gone."""

from orgdns.handler import step_handler
from orgdns.steps.finish_teardown import finish_teardown

lambda_handler = step_handler("FinishTeardown", lambda step, aws: finish_teardown(step.state, aws))
