"""CheckCertificates: are the certificates issued?"""

from orgdns.handler import step_handler
from orgdns.steps.check_certificates import check_certificates

lambda_handler = step_handler("CheckCertificates", lambda step, aws: check_certificates(step.state, aws))
