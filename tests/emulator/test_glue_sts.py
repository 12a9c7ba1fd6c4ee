"""Patch 8: AssumeRole into a role that does not exist is denied (when asked for)."""

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
