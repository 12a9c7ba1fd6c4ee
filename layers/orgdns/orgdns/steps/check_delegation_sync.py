"""CheckDelegationSync: has a Route 53 change reached every Route 53 name server (INSYNC)?"""

from orgdns.aws.access import AwsAccess
from orgdns.models import ChangeRef


def check_delegation_sync(change: ChangeRef, aws: AwsAccess) -> bool:
    """INSYNC says the authoritative servers have the change; resolvers may still cache the old
    NS set for its TTL, which is why orgdns keeps NS TTLs short by default."""
    return aws.route53(change.account_id).change_in_sync(change.change_id)
