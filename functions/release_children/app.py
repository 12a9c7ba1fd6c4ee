"""ReleaseChildren: old delegations of adopted children."""

from orgdns.handler import step_handler
from orgdns.steps.release_children import release_children

lambda_handler = step_handler("ReleaseChildren", lambda step, aws: release_children(step.state, aws))
