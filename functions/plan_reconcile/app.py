"""PlanReconcile: the survey and the registry -> findings and actions (plan.json)."""

from orgdns.handler import step_handler
from orgdns.reconcile.models import ReconcileStepInput
from orgdns.steps.plan_reconcile import plan_reconcile


def _run(step: ReconcileStepInput, aws):  # type: ignore[no-untyped-def]
    if step.state.start is None:
        raise ValueError("PlanReconcile needs the reconcile's start")
    return plan_reconcile(step.state.start, step.execution, aws)


lambda_handler = step_handler("PlanReconcile", _run, ReconcileStepInput)
