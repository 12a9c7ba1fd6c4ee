"""RequestCertificates: ACM certificates in each Region."""

from orgdns.handler import step_handler
from orgdns.steps.request_certificates import request_certificates

lambda_handler = step_handler("RequestCertificates", lambda step, aws: request_certificates(step.state, aws))
