"""StartReconcile: input checked -> the organization's ACTIVE accounts, in batches, in the reconcile bucket."""

from orgdns.handler import step_handler
from orgdns.reconcile.models import ReconcileStepInput
from orgdns.steps.start_reconcile import start_reconcile

lambda_handler = step_handler(
    "StartReconcile",
    lambda step, aws: start_reconcile(step.state.input, step.execution, aws, step.started_at),
    ReconcileStepInput,
)
