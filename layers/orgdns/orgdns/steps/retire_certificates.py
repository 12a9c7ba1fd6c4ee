"""RetireCertificates: the certificates an earlier run set up for the zone that this run's replace
(other names or Regions), deleted once the new ones are ISSUED and the custom domain serves them.
Only what this run replaced is a candidate, never a certificate another of the account's zones
lists, and nothing at all when a run that read the tags later has taken over (Superseded).

ACM goes on listing a custom domain in a certificate's InUseBy for some minutes after the domain
switched away (10 to 20 observed), and DeleteCertificate refuses a certificate in use
(ResourceInUseException): the state machine calls this step again with growing waits for about
30 minutes, then asks a human (ActionRequired, naming what still uses each one). A certificate
orgdns did not request (no ``orgdns:managed`` tag) is never deleted; it is no longer tracked.
"""

from orgdns.aws.access import AwsAccess
from orgdns.models import CertificateRef, RetireResult, WorkflowState
from orgdns.steps.create_custom_domain import claim_certificate


def retire_certificates(state: WorkflowState, aws: AwsAccess) -> RetireResult:
    plan, certificates = state.plan, state.certificates
    assert certificates is not None, "RequestCertificates must run before RetireCertificates"
    claim_certificate(aws, plan)  # a run that read the tags later decides what stays: Superseded
    serving = {ref.arn for ref in (state.certificate_check or certificates).certificates}
    registry = aws.registry()
    zones = registry.of_account(plan.account_id)
    # What RequestCertificates found registered for the zone before it requested anything, and the
    # certificate the zone's custom domain served when this run switched it (unless, below, another
    # zone lists it).
    candidates = {ref.arn: ref for ref in certificates.replaces}
    domain = state.custom_domain
    if domain is not None and domain.previous_certificate_arn:
        candidates.setdefault(
            domain.previous_certificate_arn,
            CertificateRef(region=domain.region, arn=domain.previous_certificate_arn, status="ISSUED"),
        )
    # Never one another of the account's zones lists (a domain pointed at a parent's wildcard).
    others = {ref.arn for zone in zones if zone.zone_name != plan.zone_name for ref in zone.certificates}
    result = RetireResult()
    for ref in candidates.values():
        if ref.arn in serving or ref.arn in others:
            continue
        acm = aws.acm(plan.account_id, ref.region)
        found = acm.find(ref.arn)
        if found is None:
            result.retired.append(ref)
        elif not acm.requested_by_orgdns(ref.arn):
            result.kept.append(ref)
        elif found.in_use_by or not acm.delete(ref.arn):
            in_use = list(found.in_use_by) or ["(ACM did not say)"]
            result.in_use.append(CertificateRef(region=ref.region, arn=ref.arn, status=found.status, in_use_by=in_use))
        else:
            result.retired.append(ref)
    gone = {ref.arn for ref in result.retired + result.kept}
    if gone:
        item = registry.get(plan.zone_name)  # read again just before writing: keep what others added
        if item is not None and item.account_id == plan.account_id:
            kept = [ref for ref in item.certificates if ref.arn not in gone]
            registry.put(item.model_copy(update={"certificates": kept}))
    return result
