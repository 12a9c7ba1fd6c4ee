"""CheckDelegationSync: has the delegation change reached every Route 53 server?"""

from orgdns.handler import step_handler
from orgdns.steps.check_delegation_sync import check_delegation_sync


def _run(step, aws):  # type: ignore[no-untyped-def]
    if step.change is None:
        raise ValueError("CheckDelegationSync needs a 'change' in its input")
    return check_delegation_sync(step.change, aws)


lambda_handler = step_handler("CheckDelegationSync", _run)
