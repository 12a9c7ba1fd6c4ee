"""ApplyReconcile: plan.json -> adoptions, runs, teardowns made; DNS changes for the record writer."""

from orgdns.handler import step_handler
from orgdns.reconcile.models import ReconcileStepInput
from orgdns.steps.apply_reconcile import apply_reconcile


def _run(step: ReconcileStepInput, aws):  # type: ignore[no-untyped-def]
    if step.state.start is None or step.state.plan is None:
        raise ValueError("ApplyReconcile needs the reconcile's start and plan")
    return apply_reconcile(step.state.start, step.state.plan.plan_key, step.execution, aws)


lambda_handler = step_handler("ApplyReconcile", _run, ReconcileStepInput)
