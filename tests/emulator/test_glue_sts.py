"""Patch 8: AssumeRole into a suspended account is denied; into a missing role, when asked for."""

import pytest
from botocore.exceptions import ClientError
from glue_support import START, Glue, client

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


def test_the_account_of_an_access_key_is_found_once_and_stays_right() -> None:
    """Patch 8b: the owner of an access key is looked up in every account's IAM once, then
    remembered; a key found nowhere (the management account's own) is looked up again only once
    a new key exists; a key deleted since is looked up again."""
    import boto3
    from moto import mock_aws
    from moto.iam import models as iam_models

    from orgdns_local.moto_glue import EmulatedDns, GlueContext, SimClock, install

    with mock_aws():
        uninstall = install(GlueContext(clock=SimClock(START), dns=EmulatedDns(list), invoke_handler=print))
        try:
            sts = boto3.client("sts", region_name="us-east-1")
            keys = {
                account: sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/R", RoleSessionName="test")[
                    "Credentials"
                ]["AccessKeyId"]
                for account in ("222222222222", "333333333333")
            }
            scans: list[int] = []
            backends = iam_models.iam_backends
            original_items = type(backends).items

            def items(self: object) -> object:
                scans.append(1)
                return original_items(self)  # type: ignore[arg-type]

            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(type(backends), "items", items)
                lookup = iam_models.get_account_id_from
                assert [lookup(keys["222222222222"]) for _ in range(3)] == ["222222222222"] * 3
                assert lookup(keys["333333333333"]) == "333333333333"
                assert [lookup("testing") for _ in range(3)] == ["123456789012"] * 3
                assert len(scans) == 3  # one search per key
                iam_models.iam_backends["333333333333"]["aws"].access_keys.pop(keys["333333333333"])
                assert lookup(keys["333333333333"]) == "123456789012"  # gone: looked up again
                sts.assume_role(RoleArn="arn:aws:iam::444444444444:role/R", RoleSessionName="test")
                before = len(scans)
                assert lookup("testing") == "123456789012" and len(scans) == before + 1  # a new key: looked again
                assert lookup("testing") == "123456789012" and len(scans) == before + 1
        finally:
            uninstall()
