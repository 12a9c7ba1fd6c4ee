"""SurveyAccount: one Map item (up to 20 accounts): each account's tags, its public hosted zones
below the roots with their name servers, and every record set of its root and managed zones,
written to the reconcile bucket for PlanReconcile. Reads only."""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.errors import AccountNotReady, HostedZoneNotFound
from orgdns.names import is_within
from orgdns.reconcile.models import AccountBatch, AccountRef, ObservedAccount, ObservedZone


def survey_key(prefix: str, index: int) -> str:
    return f"{prefix}survey/{index:05d}.json"


def survey_account(batch: AccountBatch, prefix: str, aws: AwsAccess) -> dict[str, Any]:
    """One request per zone for its name servers (GetHostedZone: ListHostedZones does not carry
    them) and pages of 300 record sets for the zones orgdns must check; nothing else. An account
    orgdns cannot enter (no baseline role, and the fallback refused) is reported, not retried for
    ever: the rest of the organization is still reconciled."""
    roots = aws.root_zones()
    root_ids = {root.hosted_zone_id for root in roots}
    registry = aws.registry()
    observed = [
        _survey(account, roots_names=[r.name for r in roots], root_ids=root_ids, registry=registry, aws=aws)
        for account in batch.accounts
    ]
    aws.reconcile_store().put_json(survey_key(prefix, batch.index), [account.dump() for account in observed])
    return {
        "batch": batch.index,
        "accounts": len(observed),
        "zones": sum(len(a.zones) for a in observed),
        "unreachable": sum(1 for a in observed if a.error),
    }


def _survey(
    account: AccountRef, *, roots_names: list[str], root_ids: set[str], registry: Any, aws: AwsAccess
) -> ObservedAccount:
    observed = ObservedAccount(
        account_id=account.account_id, name=account.name, state=account.state, management=account.management
    )
    if account.state != "ACTIVE" and not account.management:
        return observed  # listed, not read: orgdns does not enter an account that is not ACTIVE
    if not account.management:
        observed.tags = aws.organizations().tags(account.account_id)
    try:
        route53 = aws.route53(account.account_id)
        managed = {item.hosted_zone_id for item in registry.of_account(account.account_id) if not item.torn_down_by}
        for zone in route53.public_zones():
            if not any(is_within(zone.name, root) for root in roots_names):
                continue  # outside every root: no delegation orgdns checks can name it
            servers = route53.name_servers(zone.hosted_zone_id)
            if servers is None:
                continue  # deleted since it was listed
            found = ObservedZone(
                account_id=account.account_id,
                hosted_zone_id=zone.hosted_zone_id,
                zone_name=zone.name,
                name_servers=sorted(servers),
            )
            read = zone.hosted_zone_id in managed or (account.management and zone.hosted_zone_id in root_ids)
            if read:
                try:
                    found.records = [r for r in route53.all_records(zone.hosted_zone_id) if r.type != "SOA"]
                except HostedZoneNotFound:
                    continue
            observed.zones.append(found)
    except AccountNotReady as exc:
        observed.error = f"orgdns could not enter account {account.account_id}: {exc}"
        observed.zones = []
    return observed
