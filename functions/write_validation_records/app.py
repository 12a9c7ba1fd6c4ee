"""WriteValidationRecords: DNS validation records."""

from orgdns.handler import step_handler
from orgdns.steps.write_validation_records import write_validation_records

lambda_handler = step_handler("WriteValidationRecords", lambda step, aws: write_validation_records(step.state, aws))
