"""RetireCertificates: the certificates an earlier run set up for the zone that this run's replace
(other names or Regions), deleted once the new ones are ISSUED and the custom domain serves them.
Only certificates known to be older than this run's are candidates: a later run's are its own.

ACM goes on listing a custom domain in a certificate's InUseBy for some minutes after the domain
switched away (10 to 20 observed), and DeleteCertificate refuses a certificate in use
(ResourceInUseException): the state machine calls this step again with growing waits for about
30 minutes, then asks a human (ActionRequired, naming what still uses each one). A certificate
orgdns did not request (no ``orgdns:managed`` tag) is never deleted; it is no longer tracked.
"""

from orgdns.aws.access import AwsAccess
from orgdns.models import CertificateRef, RetireResult, WorkflowState


def retire_certificates(state: WorkflowState, aws: AwsAccess) -> RetireResult:
    plan, certificates = state.plan, state.certificates
    assert certificates is not None, "RequestCertificates must run before RetireCertificates"
    serving = {ref.arn for ref in (state.certificate_check or certificates).certificates}
    registry = aws.registry()
    item = registry.get(plan.zone_name)
    item = item if item is not None and item.account_id == plan.account_id else None
    # What RequestCertificates saw before it requested anything, and the certificate the custom
    # domain served when this run switched it: both older than the run's own.
    candidates = {ref.arn: ref for ref in certificates.replaces}
    domain = state.custom_domain
    if domain is not None and domain.previous_certificate_arn and domain.previous_certificate_arn not in candidates:
        candidates[domain.previous_certificate_arn] = CertificateRef(
            region=domain.region, arn=domain.previous_certificate_arn, status="ISSUED"
        )
    # And what the registry holds now (a run that ended meanwhile added its certificate), only if
    # requested before this run's new certificates: one requested after them is a later run's
    # (the names changed again), to keep or retire.
    newest = 0.0
    for ref in (state.certificate_check or certificates).certificates:
        if not ref.reused:
            mine = aws.acm(plan.account_id, ref.region).find(ref.arn)
            newest = max(newest, (mine.created_at or 0.0) if mine else 0.0)
    later = {ref.arn: ref for ref in (item.certificates if item else []) if ref.arn not in candidates}
    result = RetireResult()
    for ref in [*candidates.values(), *later.values()]:
        if ref.arn in serving:
            continue
        acm = aws.acm(plan.account_id, ref.region)
        found = acm.find(ref.arn)
        if ref.arn in later and (not newest or found is None or not found.created_at or found.created_at >= newest):
            continue
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
    if gone and item is not None:
        item = registry.get(plan.zone_name)  # read again just before writing: keep what others added
        if item is not None and item.account_id == plan.account_id:
            kept = [ref for ref in item.certificates if ref.arn not in gone]
            registry.put(item.model_copy(update={"certificates": kept}))
    return result
