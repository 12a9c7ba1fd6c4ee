"""Shared fixture for the moto glue tests: a mocked AWS with the glue installed.

Registered for the whole folder by conftest.py.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orgdns_local.moto_glue import EmulatedDns, GlueContext, SimClock, install, wait_for_executions

REGION = "us-east-1"
ACCOUNT = "123456789012"
START = datetime(2025, 1, 1, tzinfo=UTC)
MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


@dataclass
class Glue:
    ctx: GlueContext
    clock: SimClock
    handlers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    top_level: list[tuple[str, str]] = field(default_factory=list)

    def function(self, name: str, handler: Callable[[Any], Any], account: str = ACCOUNT) -> str:
        """Create a Lambda function served by `handler`; return its ARN."""
        self.handlers[name] = handler
        role = client("iam", account).create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr("index.py", "def handler(event, context): pass\n")
        return client("lambda", account).create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": zipped.getvalue()},
        )["FunctionArn"]

    def state_machine(self, name: str, definition: dict[str, Any]) -> str:
        return client("stepfunctions").create_state_machine(
            name=name,
            definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
        )["stateMachineArn"]

    def run(self, state_machine_arn: str, payload: Any = None) -> dict[str, Any]:
        """Start an execution, wait for every execution to end, describe this one."""
        sfn = client("stepfunctions")
        arn = sfn.start_execution(
            stateMachineArn=state_machine_arn,
            name=uuid.uuid4().hex,
            input=json.dumps(payload or {}),
        )["executionArn"]
        wait_for_executions(30)
        return sfn.describe_execution(executionArn=arn)


def client(service: str, account: str = ACCOUNT, region: str = REGION, **options: Any) -> Any:
    """A boto3 client whose calls moto serves from `account` (by assuming a role there)."""
    if account == ACCOUNT:
        return boto3.client(service, region_name=region, **options)
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="test",
    )["Credentials"]
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        **options,
    )


@pytest.fixture
def glue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Glue]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_aws(config=MOTO_CONFIG):
        clock = SimClock(START, watchdog_real_seconds=20)
        top_level: list[tuple[str, str]] = []
        handlers: dict[str, Callable[[Any], Any]] = {}
        ctx = GlueContext(
            clock=clock,
            dns=EmulatedDns(lambda: list(top_level)),
            invoke_handler=lambda function, event: handlers[function.function_name](event),
        )
        uninstall = install(ctx)
        try:
            yield Glue(ctx, clock, handlers, top_level)
            wait_for_executions(30)
        finally:
            uninstall()


def real_seconds(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started
