"""CheckDelegationSync: has a Route 53 change reached every Route 53 name server (INSYNC)?"""

from orgdns.aws.access import AwsAccess
from orgdns.models import ChangeRef


def check_delegation_sync(change: ChangeRef, aws: AwsAccess) -> bool:
    """INSYNC says the authoritative servers have the change; resolvers may still cache the old
    NS set for its TTL, which is why orgdns keeps NS TTLs short by default.

    Every run whose record went out in the same batch waits on the same change: they share one
    GetChange answer (``ChangeStatus``), so a batch of 125 delegations costs one GetChange per
    poll interval, not 125."""
    shared = aws.change_status()
    known = shared.known_in_sync(change.account_id, change.change_id)
    if known is not None:
        return known
    in_sync = aws.route53(change.account_id).change_in_sync(change.change_id)
    shared.remember(change.account_id, change.change_id, "INSYNC" if in_sync else "PENDING")
    return in_sync
