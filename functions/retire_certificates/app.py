"""RetireCertificates: delete the certificates the run's new ones replace, once nothing uses them."""

from orgdns.handler import step_handler
from orgdns.steps.retire_certificates import retire_certificates

lambda_handler = step_handler("RetireCertificates", lambda step, aws: retire_certificates(step.state, aws))
