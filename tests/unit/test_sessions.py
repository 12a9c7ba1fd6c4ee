"""Which member role orgdns enters: the scoped role, else the fallback, else AccountNotReady."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from orgdns.aws.clients import Sessions
from orgdns.errors import AccountNotReady
from orgdns.settings import Settings

MANAGEMENT, MEMBER = "123456789012", "444455556666"


class FakeSts:
    def __init__(self, existing: set[str]) -> None:
        self.existing = existing
        self.asked: list[str] = []

    def assume_role(self, RoleArn: str, **_: Any) -> dict[str, Any]:
        self.asked.append(RoleArn.rsplit("/", 1)[1])
        if RoleArn.rsplit("/", 1)[1] not in self.existing:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole")
        return {"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": RoleArn}}


def sessions(existing: set[str], fallback: str = "OrganizationAccountAccessRole") -> tuple[Sessions, FakeSts]:
    settings = Settings(
        management_account_id=MANAGEMENT,
        home_region="us-east-1",
        registry_table="orgdns-registry",
        rate_limit_table="orgdns-budget",
        status_topic_arn=f"arn:aws:sns:us-east-1:{MANAGEMENT}:status",
        fallback_member_role_name=fallback,
    )
    fake = FakeSts(existing)
    result = Sessions(settings)
    original = result.client
    result.client = lambda service, account, region=None: (  # type: ignore[method-assign]
        fake if service == "sts" else original(service, account, region)
    )
    return result, fake


def test_the_scoped_role_is_used_when_it_exists():
    chosen, sts = sessions({"OrgDnsExecution", "OrganizationAccountAccessRole"})
    assert chosen._member_credentials(MEMBER)["aws_session_token"].endswith("/OrgDnsExecution")
    assert sts.asked == ["OrgDnsExecution"]


def test_the_fallback_serves_an_account_the_baseline_has_not_reached():
    chosen, sts = sessions({"OrganizationAccountAccessRole"})
    assert chosen._member_credentials(MEMBER)["aws_session_token"].endswith("/OrganizationAccountAccessRole")
    assert sts.asked == ["OrgDnsExecution", "OrganizationAccountAccessRole"]


def test_no_role_admits_orgdns():
    chosen, _ = sessions(set())
    with pytest.raises(AccountNotReady, match=r"OrgDnsExecution.*OrganizationAccountAccessRole"):
        chosen._member_credentials(MEMBER)


def test_without_a_fallback_only_the_scoped_role_is_tried():
    chosen, sts = sessions({"OrganizationAccountAccessRole"}, fallback="")
    with pytest.raises(AccountNotReady):
        chosen._member_credentials(MEMBER)
    assert sts.asked == ["OrgDnsExecution"]


def test_a_container_keeps_the_most_recently_used_member_sessions_only():
    from orgdns.aws import clients

    result, fake = sessions({"OrgDnsExecution"})
    accounts = [f"{n:012d}" for n in range(1, clients._MAX_CACHED_SESSIONS + 2)]
    for account in accounts[:-1]:
        result._member_credentials(account)
    result._member_credentials(accounts[0])  # used again: now the most recent
    result._member_credentials(accounts[-1])  # one too many: the least recently used goes
    kept = {account for account, _ in result._credentials}
    assert len(kept) == clients._MAX_CACHED_SESSIONS
    assert accounts[0] in kept and accounts[1] not in kept
    asked = len(fake.asked)
    result._member_credentials(accounts[0])
    assert len(fake.asked) == asked  # still cached: no AssumeRole
    result._member_credentials(accounts[1])
    assert len(fake.asked) == asked + 1  # forgotten: entered again
