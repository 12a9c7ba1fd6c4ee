"""install() patches moto and botocore; the function it returns restores every original."""

import time
from datetime import UTC, datetime

import pytest
from botocore.client import BaseClient
from moto.awslambda.models import LambdaFunction
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

from orgdns_local.moto_glue import EmulatedDns, GlueContext, SimClock, install


def test_uninstall_restores_every_original() -> None:
    originals = (
        LambdaFunction._invoke_lambda,
        BaseClient._make_api_call,
        vars(EventManager)["_get_current_timestamp"],
        retrier_decl.time,
    )
    ctx = GlueContext(
        clock=SimClock(datetime(2025, 1, 1, tzinfo=UTC)),
        dns=EmulatedDns(list),
        invoke_handler=lambda function, event: None,
    )
    uninstall = install(ctx)
    try:
        assert LambdaFunction._invoke_lambda is not originals[0]
        assert retrier_decl.time is not time
        with pytest.raises(RuntimeError, match="already installed"):
            install(ctx)
    finally:
        uninstall()
    assert (
        LambdaFunction._invoke_lambda,
        BaseClient._make_api_call,
        vars(EventManager)["_get_current_timestamp"],
        retrier_decl.time,
    ) == originals
