"""ReportReconcile: the reconcile's report (S3) and statuses (SNS), whatever happened."""

from orgdns.handler import step_handler
from orgdns.reconcile.models import ReconcileStepInput
from orgdns.steps.report_reconcile import report_reconcile

lambda_handler = step_handler(
    "ReportReconcile",
    lambda step, aws: report_reconcile(step.state, step.outcome, step.execution, aws),
    ReconcileStepInput,
)
