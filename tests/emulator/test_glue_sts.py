"""Patch 8: AssumeRole into a suspended account is denied; into a missing role, when asked for."""

import pytest
from botocore.exceptions import ClientError
from glue_support import Glue, client

MEMBER = "222222222222"


def test_missing_role_is_access_denied_only_when_required(glue: Glue) -> None:
    sts = client("sts")
    arn = f"arn:aws:iam::{MEMBER}:role/OrgDnsExecution"
    sts.assume_role(RoleArn=arn, RoleSessionName="lenient")  # moto's default: any role
    glue.ctx.require_existing_roles = True
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=arn, RoleSessionName="strict")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    from moto.iam.models import iam_backends

    iam_backends[MEMBER]["global"].create_role(
        role_name="OrgDnsExecution", assume_role_policy_document="{}", path="/", permissions_boundary=None,
        description="", tags=[], max_session_duration="3600", linked_service=None,
    )  # fmt: skip
    assert sts.assume_role(RoleArn=arn, RoleSessionName="strict")["Credentials"]["AccessKeyId"]


def test_a_suspended_account_refuses_assume_role_but_a_closing_one_does_not(glue: Glue) -> None:
    glue.ctx.account_closure_seconds = 60
    organizations = client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    account_id = organizations.create_account(AccountName="gone", Email="gone@example.org")["CreateAccountStatus"][
        "AccountId"
    ]
    sts = client("sts")
    arn = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"

    organizations.close_account(AccountId=account_id)
    assert sts.assume_role(RoleArn=arn, RoleSessionName="closing")["Credentials"]  # PENDING_CLOSURE
    glue.clock.advance(60)
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=arn, RoleSessionName="closed")
    with glue.ctx.calls.ignored():  # the emulator's own look into the account (its report) is let through
        assert sts.assume_role(RoleArn=arn, RoleSessionName="report")["Credentials"]

    assert caught.value.response["Error"]["Code"] == "AccessDenied"
