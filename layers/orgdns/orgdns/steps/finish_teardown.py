"""FinishTeardown: once the record writer has removed what orgdns wrote for the torn-down zones,
remove their registry entries (the ownership rows go after the DNS changes, as external-dns's
registry does) and report what was removed and what was left."""

from orgdns.aws.access import AwsAccess
from orgdns.models import TeardownResult, WorkflowState


def finish_teardown(state: WorkflowState, aws: AwsAccess) -> TeardownResult:
    teardown = state.teardown
    assert teardown is not None, "RemoveDelegation must run before FinishTeardown"
    written = teardown.written
    registry = aws.registry()
    for zone in teardown.forget:
        registry.delete(zone.zone_name, zone.hosted_zone_id)  # only if still that hosted zone's
    return teardown.model_copy(
        update={
            "removed": list(written.removed) if written else [],
            "left": list(written.left) if written else [],
            "changes": [],
            "forget": [],
        }
    )
