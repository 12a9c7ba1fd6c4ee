"""Patch 9: Organizations answers with State only, closes through PENDING_CLOSURE, pages by 20."""

import pytest
from botocore.exceptions import ClientError
from glue_support import Glue, client


def _organization_with(count: int) -> tuple[object, list[str]]:
    organizations = client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    ids = [
        organizations.create_account(AccountName=f"a{i}", Email=f"a{i}@example.org")["CreateAccountStatus"]["AccountId"]
        for i in range(count)
    ]
    return organizations, ids


def test_accounts_carry_state_and_no_status(glue: Glue) -> None:
    organizations, [account_id] = _organization_with(1)

    described = organizations.describe_account(AccountId=account_id)["Account"]
    listed = organizations.list_accounts()["Accounts"]

    assert described["State"] == "ACTIVE"
    assert "Status" not in described
    assert all("Status" not in account and account["State"] == "ACTIVE" for account in listed)


def test_closing_goes_through_pending_closure_to_suspended(glue: Glue) -> None:
    glue.ctx.account_closure_seconds = 300
    organizations, [account_id] = _organization_with(1)

    organizations.close_account(AccountId=account_id)
    state = organizations.describe_account(AccountId=account_id)["Account"]["State"]
    with pytest.raises(ClientError) as again:
        organizations.close_account(AccountId=account_id)
    glue.clock.advance(299)
    before = organizations.describe_account(AccountId=account_id)["Account"]["State"]
    glue.clock.advance(1)
    after = organizations.describe_account(AccountId=account_id)["Account"]["State"]

    assert (state, before, after) == ("PENDING_CLOSURE", "PENDING_CLOSURE", "SUSPENDED")
    assert again.value.response["Error"]["Code"] == "AccountAlreadyClosedException"


def test_list_accounts_pages_by_twenty_and_loses_no_account(glue: Glue) -> None:
    organizations, ids = _organization_with(45)  # created in the same second: pages must not key on time

    pages = list(organizations.get_paginator("list_accounts").paginate())
    listed = [account["Id"] for page in pages for account in page["Accounts"]]

    assert max(len(page["Accounts"]) for page in pages) == 20
    assert sorted(listed) == sorted([*ids, "123456789012"])
    with pytest.raises(ClientError) as too_many:
        organizations.list_accounts(MaxResults=21)
    assert too_many.value.response["Error"]["Code"] == "InvalidInputException"
