"""A bare moto world for step tests: an account's client through the member role, orgdns's tables,
and settings for the management account with one root zone."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orgdns.settings import Settings
from orgdns_local.moto_glue.route53 import change_batch_rules
from orgdns_local.template import load_yaml, table_arguments

ROOT = Path(__file__).resolve().parents[2]

MANAGEMENT = "123456789012"


def member_client(service: str, account: str, region: str = "us-east-1") -> Any:
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrgDnsExecution", RoleSessionName="test"
    )["Credentials"]
    return boto3.client(
        service, region_name=region, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
    )  # fmt: skip


def create_tables() -> None:
    """The registry and the Route 53 budget table, as the template declares them."""
    resources = load_yaml(ROOT / "template.yaml")["Resources"]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for table, logical in (("registry", "RegistryTable"), ("budget", "RateLimitTable")):
        dynamodb.create_table(TableName=table, **table_arguments(resources[logical]["Properties"]))


def settings(root_zone_id: str) -> Settings:
    return Settings(
        management_account_id=MANAGEMENT, home_region="us-east-1", registry_table="registry",
        rate_limit_table="budget", status_topic_arn=f"arn:aws:sns:us-east-1:{MANAGEMENT}:s",
        root_zones=({"name": "example.org", "hosted_zone_id": root_zone_id},),
    )  # fmt: skip


@contextmanager
def management_with_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto with orgdns's tables and the root zone example.org in the management account; yields the
    root's hosted zone id."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws(), change_batch_rules():  # Route 53's rules for a change batch, as the emulator has them
        create_tables()
        route53 = boto3.client("route53", region_name="us-east-1")
        yield route53.create_hosted_zone(Name="example.org", CallerReference="root")["HostedZone"]["Id"].split("/")[-1]
