"""install() patches moto and botocore; the function it returns restores every original."""

import time
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.client import BaseClient
from moto.awslambda.models import LambdaFunction
from moto.iam import models as iam_models
from moto.organizations import utils as organizations_utils
from moto.organizations.models import FakeAccount
from moto.organizations.responses import OrganizationsResponse
from moto.route53.models import Route53Backend
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.sts.models import STSBackend

from orgdns_local.moto_glue import EmulatedDns, GlueContext, SimClock, install


def _patched() -> dict[str, Any]:
    """One attribute or table entry from each service's glue."""
    return {
        "lambda invoke": LambdaFunction._invoke_lambda,
        "lambda errors": StateTaskLambda._from_error,
        "api calls": BaseClient._make_api_call,
        "model loader": botocore.session.create_loader,
        "history time": vars(EventManager)["_get_current_timestamp"],
        "retry sleep": retrier_decl.time,
        "start execution": StepFunctionsParserBackend.start_execution,
        "account describe": FakeAccount.describe,
        "account close": FakeAccount.close,
        "list accounts": OrganizationsResponse.list_accounts,
        "list accounts paging": dict(organizations_utils.PAGINATION_MODEL["list_accounts"]),
        "assume role": STSBackend.assume_role,
        "route53 batches": Route53Backend.change_resource_record_sets,
        "access key accounts": iam_models.get_account_id_from,
        "json paths": json_path.parse,
    }


def test_uninstall_restores_every_original() -> None:
    originals = _patched()
    ctx = GlueContext(
        clock=SimClock(datetime(2025, 1, 1, tzinfo=UTC)),
        dns=EmulatedDns(list),
        invoke_handler=lambda function, event: None,
    )
    uninstall = install(ctx)
    try:
        installed = _patched()
        assert [name for name in originals if installed[name] == originals[name]] == []
        assert retrier_decl.time is not time
        assert installed["list accounts paging"]["limit_default"] == 20
        with pytest.raises(RuntimeError, match="already installed"):
            install(ctx)
    finally:
        uninstall()
    assert _patched() == originals
