"""CheckCertificates: are all the run's certificates ISSUED yet?"""

from orgdns.aws.access import AwsAccess
from orgdns.errors import CertificateFailed
from orgdns.models import CertificateCheck, CertificateRef, WorkflowState

TERMINAL = {"FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE"}


def check_certificates(state: WorkflowState, aws: AwsAccess) -> CertificateCheck:
    """DescribeCertificate for each; a terminal status ends the run with ACM's reason.

    ACM keeps retrying validation for 72 hours before VALIDATION_TIMED_OUT, which bounds the
    wait for a record a human has to add.
    """
    plan, certificates = state.plan, state.certificates
    assert certificates is not None
    refs = []
    for ref in certificates.certificates:
        described = aws.acm(plan.account_id, ref.region).describe(ref.arn)
        if described.status in TERMINAL:
            raise CertificateFailed(
                f"certificate {ref.arn} for {plan.zone_name} in {ref.region} is {described.status}: "
                f"{described.failure_reason or 'ACM gave no reason'}"
            )
        refs.append(CertificateRef(region=ref.region, arn=ref.arn, status=described.status, reused=ref.reused))
    return CertificateCheck(all_issued=all(r.status == "ISSUED" for r in refs), certificates=refs)
