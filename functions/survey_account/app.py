"""SurveyAccount: one batch of accounts -> their tags, zones and records, in the reconcile bucket."""

from orgdns.handler import step_handler
from orgdns.reconcile.models import ReconcileStepInput
from orgdns.steps.survey_account import survey_account


def _run(step: ReconcileStepInput, aws):  # type: ignore[no-untyped-def]
    if step.batch is None or step.state.start is None:
        raise ValueError("SurveyAccount needs a batch and the reconcile's start")
    return survey_account(step.batch, step.state.start.prefix, step.state.start.started_at, aws)


lambda_handler = step_handler("SurveyAccount", _run, ReconcileStepInput)
