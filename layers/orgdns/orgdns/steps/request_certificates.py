"""RequestCertificates: one certificate per Region for the zone, its wildcard and extra names."""

import hashlib

from orgdns.aws.access import AwsAccess
from orgdns.certificates import covers_exactly
from orgdns.models import CertificateRef, CertificatesResult, WorkflowState
from orgdns.ownership import check_certificate_names
from orgdns.steps.lookups import surroundings


def idempotency_token(account_id: str, names: list[str], region: str) -> str:
    """Derived from what is asked for, so runs racing for one account get one certificate (ACM
    returns the same ARN for a token reused within an hour; after that, reuse finds it)."""
    return hashlib.sha256(f"{account_id}/{region}/{' '.join(sorted(names))}".encode()).hexdigest()[:32]


def request_certificates(state: WorkflowState, aws: AwsAccess) -> CertificatesResult:
    """Reuse a live certificate that names exactly these names, else request one.

    Some accounts may request as few as 20 certificates a year, and deleting one does not give
    the count back, so a rerun must never request a certificate an existing one covers. The
    certificate-name rule is checked again first, against the registry as it is now.
    """
    plan = state.plan
    names = plan.certificate_names
    around = surroundings(aws, names)  # names[0] is the zone's own name: its registry item comes too
    check_certificate_names(names, plan.account_id, around.zones, aws.settings.grants)
    refs = []
    for region in plan.certificate_regions:
        acm = aws.acm(plan.account_id, region)
        reused = None
        for arn, domain, _status in acm.live_certificates():
            if domain.lower() != names[0]:
                continue
            certificate = acm.describe(arn)
            if covers_exactly(certificate.names, names):
                reused = CertificateRef(region=region, arn=arn, status=certificate.status, reused=True)
                if certificate.status == "ISSUED":
                    break
        if reused is None:
            arn = acm.request(names[0], names[1:], idempotency_token(plan.account_id, names, region))
            reused = CertificateRef(region=region, arn=arn, status="PENDING_VALIDATION")
        refs.append(reused)
    # What an earlier run set up for the zone and these do not keep (names or Regions changed):
    # RetireCertificates deletes them once the new ones serve.
    item = around.managed.get(plan.zone_name)
    current = {ref.arn for ref in refs}
    earlier = item.certificates if item is not None and item.account_id == plan.account_id else []
    replaces = [ref for ref in earlier if ref.arn not in current]
    return CertificatesResult(certificates=refs, replaces=replaces)
