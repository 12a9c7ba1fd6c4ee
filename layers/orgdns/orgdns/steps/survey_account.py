"""SurveyAccount: one Map item (up to 20 accounts): each account's tags, its public hosted zones
below the roots with their name servers, every record set of its root and managed zones, and the
certificates and custom domains orgdns recorded for its zones, written to the reconcile bucket for
PlanReconcile. Reads only."""

from typing import Any

from orgdns.aws.access import AwsAccess
from orgdns.aws.acm import LIVE_STATUSES, Acm, CertificateSummary
from orgdns.errors import AccountNotReady, HostedZoneNotFound
from orgdns.models import ManagedZone
from orgdns.names import is_within
from orgdns.reconcile.models import (
    AccountBatch,
    AccountRef,
    ObservedAccount,
    ObservedCertificate,
    ObservedDomain,
    ObservedZone,
    reconcile_time,
)
from orgdns.reconcile.world import Naming

# ACM renews a DNS-validated certificate from about 45 days before it expires: a certificate
# closer than that to its end (or not ISSUED) is described, for its renewal status.
RENEWAL_WINDOW_SECONDS = 45 * 86400


def survey_key(prefix: str, index: int) -> str:
    return f"{prefix}survey/{index:05d}.json"


def survey_account(batch: AccountBatch, prefix: str, started_at: str, aws: AwsAccess) -> dict[str, Any]:
    """One request per zone for its name servers (GetHostedZone: ListHostedZones does not carry
    them) and pages of 300 record sets for the zones orgdns must check; for an account with zones
    orgdns manages, one ListCertificates per Region its certificates are in, a DescribeCertificate
    for each of them that may be at risk, and a GetDomainName per custom domain; nothing else. An
    account orgdns cannot enter (no baseline role, and the fallback refused) is reported, not
    retried for ever: the rest of the organization is still reconciled."""
    roots = aws.root_zones()
    root_ids = {root.hosted_zone_id for root in roots}
    registry = aws.registry()
    now = reconcile_time(started_at)
    observed = [
        _survey(account, roots_names=[r.name for r in roots], root_ids=root_ids, registry=registry, now=now, aws=aws)
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
    account: AccountRef, *, roots_names: list[str], root_ids: set[str], registry: Any, now: float, aws: AwsAccess
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
        items = [item for item in registry.of_account(account.account_id) if not item.torn_down_by]
        managed = {item.hosted_zone_id for item in items}
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
        # After the zones' records: a validation record seen there was written for a certificate
        # requested before, so the listing below holds that certificate if it still exists.
        listings = _Listings(observed.account_id, aws)
        _certificates(observed, items, aws.settings.default_certificate_regions, now, listings)
        _domains(observed, items, aws)
        _hand_made(observed, items, Naming.from_settings(aws.settings), listings, aws)
        observed.acm_regions = listings.regions
    except AccountNotReady as exc:
        observed.error = f"orgdns could not enter account {account.account_id}: {exc}"
        observed.zones, observed.certificates, observed.domains, observed.certified_names = [], [], [], None
    return observed


class _Listings:
    """ACM's listing of one account, once per Region whatever the number of questions asked of it."""

    def __init__(self, account_id: str, aws: AwsAccess) -> None:
        self.account_id, self._aws = account_id, aws
        self._listed: dict[str, dict[str, CertificateSummary]] = {}

    def acm(self, region: str) -> Acm:
        return self._aws.acm(self.account_id, region)

    @property
    def regions(self) -> list[str]:
        return sorted(self._listed)

    def __call__(self, region: str) -> dict[str, CertificateSummary]:
        if region not in self._listed:
            self._listed[region] = {summary.arn: summary for summary in self.acm(region).certificates()}
        return self._listed[region]


def _certificates(
    observed: ObservedAccount,
    items: list[ManagedZone],
    default_regions: tuple[str, ...],
    now: float,
    listings: _Listings,
) -> None:
    """The certificates the registry records for the account's zones, and every name the account's
    live certificates cover in the Regions read (a validation CNAME is the account's for a name, in
    every Region: it is needed while any of them names it)."""
    validation = any(r.purpose == "Validation" for item in items for r in item.records)
    regions = {ref.region for item in items for ref in item.certificates}
    if validation:
        regions |= set(default_regions)
    if not regions:
        return
    observed.certified_names = {}
    for region in sorted(regions):
        acm = listings.acm(region)
        listed = listings(region)
        live = {name for s in listed.values() if s.status in LIVE_STATUSES for name in s.names}
        observed.certified_names[region] = sorted(live)
        for item in items:
            for ref in item.certificates:
                if ref.region != region:
                    continue
                found = ObservedCertificate(arn=ref.arn, region=region, zone_name=item.zone_name)
                summary = listed.get(ref.arn)
                if summary is None:
                    found.exists = False
                    observed.certificates.append(found)
                    continue
                found.status, found.names = summary.status, sorted(summary.names)
                found.not_after, found.in_use = summary.not_after, summary.in_use
                near = summary.not_after is not None and summary.not_after - now <= RENEWAL_WINDOW_SECONDS
                if summary.status != "ISSUED" or near:
                    detail = acm.find(ref.arn)
                    if detail is None:
                        found.exists = False
                    else:
                        found.described = True
                        found.status, found.not_after = detail.status, detail.not_after
                        found.in_use = bool(detail.in_use_by)
                        found.renewal_status, found.renewal_reason = detail.renewal_status, detail.renewal_reason
                observed.certificates.append(found)


def _hand_made(
    observed: ObservedAccount, items: list[ManagedZone], naming: Naming, listings: _Listings, aws: AwsAccess
) -> None:
    """What the account made by hand that its run could adopt: when its tags ask for a zone orgdns
    has put no certificate in service for yet, the live certificates naming the zone in the Regions
    the tags want, and a custom domain of the zone's name if they ask for one."""
    if observed.management:
        return
    zone = naming.wanted(observed)
    if zone is None or any(item.zone_name == zone and item.certificates for item in items):
        return
    wanted = naming.wanted_for(observed, zone)
    if wanted is None:
        return
    for region in wanted.regions:
        for summary in listings(region).values():
            if summary.status in LIVE_STATUSES and zone in summary.names:
                observed.hand_made_certificates.append(
                    ObservedCertificate(
                        arn=summary.arn, region=region, zone_name=zone, status=summary.status,
                        names=sorted(summary.names), not_after=summary.not_after, in_use=summary.in_use,
                    )
                )  # fmt: skip
    if wanted.custom_domain is not None:
        found = _observe_domain(observed.account_id, zone, zone, wanted.custom_domain.region, aws)
        observed.hand_made_domain = found if found.exists else None


def _domains(observed: ObservedAccount, items: list[ManagedZone], aws: AwsAccess) -> None:
    """The API Gateway custom domain the registry records for each of the account's zones."""
    for item in items:
        recorded = item.custom_domain
        if recorded is None:
            continue
        observed.domains.append(
            _observe_domain(observed.account_id, item.zone_name, recorded.domain_name, recorded.region, aws)
        )


def _observe_domain(account_id: str, zone_name: str, name: str, region: str, aws: AwsAccess) -> ObservedDomain:
    """GetDomainName, as the plan reads it: the alias target orgdns writes is "<zone id>/<name>"."""
    found = ObservedDomain(zone_name=zone_name, domain_name=name, region=region)
    domain = aws.apigateway(account_id, region).get(name)
    if domain is None:
        found.exists = False
        return found
    found.endpoint_type, found.certificate_arn, found.status = (
        domain.endpoint_type,
        domain.certificate_arn,
        domain.status,
    )
    found.target = f"{domain.target_hosted_zone_id}/{domain.target_domain_name}"
    return found
