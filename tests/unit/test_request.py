"""What a run was asked to do: events, manual input, account tags and the naming rule."""

import json
from pathlib import Path

import pytest

from orgdns.errors import RequestRejected
from orgdns.models import Trigger
from orgdns.request import naming_rule_name, parse_account_event, parse_manual_input, tag_options

EVENTS = Path(__file__).resolve().parents[2] / "events"
ACCOUNT = "444455556666"


def event(name):
    return json.loads((EVENTS / name).read_text())


@pytest.fixture
def create_account_result():
    return event("create-account-result.json")


@pytest.fixture
def create_managed_account():
    return event("create-managed-account.json")


def account_status(raw):
    return raw["detail"]["serviceEventDetails"]["createAccountStatus"]


def managed_status(raw):
    return raw["detail"]["serviceEventDetails"]["createManagedAccountStatus"]


# --- parse_account_event -------------------------------------------------------------------------


def test_create_account_result_names_the_new_account(create_account_result):
    parsed = parse_account_event(create_account_result)

    assert parsed.trigger == Trigger.CREATE_ACCOUNT_RESULT
    assert parsed.succeeded is True
    assert parsed.account_id == ACCOUNT
    assert parsed.event_id == create_account_result["id"]
    assert parsed.account_name is None  # Organizations masks it as "****" in this event


def test_create_managed_account_names_the_account_and_its_name(create_managed_account):
    parsed = parse_account_event(create_managed_account)

    assert parsed.trigger == Trigger.CREATE_MANAGED_ACCOUNT
    assert parsed.succeeded is True
    assert parsed.account_id == ACCOUNT
    assert parsed.account_name == "staging"
    assert parsed.event_id == create_managed_account["id"]


def test_failed_create_account_result_is_not_a_success_and_says_why(create_account_result):
    create_account_result["detail"]["serviceEventDetails"]["createAccountStatus"] = {
        "id": "car-1",
        "state": "FAILED",
        "accountName": "****",
        "failureReason": "EMAIL_ALREADY_EXISTS",
    }

    parsed = parse_account_event(create_account_result)

    assert parsed.succeeded is False
    assert parsed.account_id is None
    assert parsed.failure_reason == "EMAIL_ALREADY_EXISTS"


def test_failed_create_managed_account_is_not_a_success_and_says_why(create_managed_account):
    status = managed_status(create_managed_account)
    status["state"] = "FAILED"
    status["message"] = "AWS Control Tower could not create the account."

    parsed = parse_account_event(create_managed_account)

    assert parsed.succeeded is False
    assert parsed.failure_reason == "AWS Control Tower could not create the account."


def test_event_without_detail_is_malformed(create_account_result):
    del create_account_result["detail"]

    with pytest.raises(RequestRejected) as caught:
        parse_account_event(create_account_result)

    assert (caught.value.reason, caught.value.field) == ("MalformedEvent", "detail")


def test_event_without_service_event_details_is_malformed(create_account_result):
    del create_account_result["detail"]["serviceEventDetails"]

    with pytest.raises(RequestRejected, match="CreateAccountResult") as caught:
        parse_account_event(create_account_result)

    assert (caught.value.reason, caught.value.field) == ("MalformedEvent", "detail.serviceEventDetails")


def test_create_account_result_without_status_is_malformed(create_account_result):
    create_account_result["detail"]["serviceEventDetails"] = {}

    with pytest.raises(RequestRejected) as caught:
        parse_account_event(create_account_result)

    assert caught.value.reason == "MalformedEvent"
    assert caught.value.field == "detail.serviceEventDetails.createAccountStatus"


def test_create_managed_account_without_account_is_malformed(create_managed_account):
    del managed_status(create_managed_account)["account"]

    with pytest.raises(RequestRejected) as caught:
        parse_account_event(create_managed_account)

    assert caught.value.reason == "MalformedEvent"
    assert caught.value.field == "detail.serviceEventDetails.createManagedAccountStatus.account"


@pytest.mark.parametrize("account_id", [None, "44445555666", "4444555566667", 444455556666, "abcdabcdabcd"])
def test_succeeded_event_needs_a_twelve_digit_account_id(create_account_result, account_id):
    status = account_status(create_account_result)
    if account_id is None:
        del status["accountId"]
    else:
        status["accountId"] = account_id

    with pytest.raises(RequestRejected, match="12-digit") as caught:
        parse_account_event(create_account_result)

    assert caught.value.reason == "MalformedEvent"
    assert caught.value.field == "detail.serviceEventDetails.createAccountStatus.accountId"


def test_succeeded_managed_account_needs_a_twelve_digit_account_id(create_managed_account):
    managed_status(create_managed_account)["account"]["accountId"] = "1234"

    with pytest.raises(RequestRejected) as caught:
        parse_account_event(create_managed_account)

    assert caught.value.field == "detail.serviceEventDetails.createManagedAccountStatus.account.accountId"


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("aws.ec2", "CreateAccountResult"),
        ("aws.organizations", "CreateManagedAccount"),  # the right name from the wrong service
        ("aws.controltower", "CreateAccountResult"),
        ("aws.organizations", "InviteAccountToOrganization"),
    ],
)
def test_other_events_are_unsupported(create_account_result, source, name):
    create_account_result["source"] = source
    create_account_result["detail"]["eventName"] = name

    with pytest.raises(RequestRejected, match="does not handle") as caught:
        parse_account_event(create_account_result)

    assert (caught.value.reason, caught.value.field) == ("UnsupportedEvent", "detail.eventName")


def test_non_string_account_name_is_a_malformed_event(create_managed_account):
    managed_status(create_managed_account)["account"]["accountName"] = 5

    with pytest.raises(RequestRejected) as caught:
        parse_account_event(create_managed_account)

    assert caught.value.reason == "MalformedEvent"


# --- parse_manual_input --------------------------------------------------------------------------


def test_full_manual_input_is_accepted():
    parsed = parse_manual_input(
        {
            "accountId": ACCOUNT,
            "zoneName": "staging.example.org",
            "certificateRegions": ["us-east-1", "eu-west-1"],
            "extraNames": ["api.example.net"],
            "customDomain": "regional",
            "customDomainRegion": "eu-west-1",
            "nsTtl": 300,
        }
    )

    assert parsed.account_id == ACCOUNT
    assert parsed.certificate_regions == ["us-east-1", "eu-west-1"]
    assert parsed.custom_domain == "regional"
    assert parsed.ns_ttl == 300


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"zoneName": "staging.example.org"}, "accountId", "Field required"),
        ({"accountId": "1234"}, "accountId", "pattern"),
        ({"accountId": ACCOUNT, "certificateRegions": ["mars-north-1x"]}, "certificateRegions", "not an AWS Region"),
        ({"accountId": ACCOUNT, "certificateRegions": ["us-east-1", 7]}, "certificateRegions.1", "valid string"),
        ({"accountId": ACCOUNT, "customDomain": "cloudfront"}, "customDomain", "'edge', 'regional' or 'none'"),
        ({"accountId": ACCOUNT, "customDomainRegion": "Europe"}, "customDomainRegion", "not an AWS Region"),
        ({"accountId": ACCOUNT, "nsTtl": 172801}, "nsTtl", "less than or equal"),
        ({"accountId": ACCOUNT, "extraNames": [f"n{i}.example.org" for i in range(9)]}, "extraNames", "at most 8"),
    ],
)
def test_manual_input_problem_names_the_field(raw, field, fragment):
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input(raw)

    assert caught.value.reason == "InvalidInput"
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")
    assert fragment in caught.value.message


def test_extra_fields_are_refused():
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input({"accountId": ACCOUNT, "subdomain": "staging.example.org"})

    assert caught.value.field == "subdomain"
    assert "is not a field of the manual input" in caught.value.message


def test_several_problems_are_counted():
    with pytest.raises(RequestRejected, match=r"\(and 1 more problem\(s\)\)"):
        parse_manual_input({"accountId": ACCOUNT, "customDomain": "cloudfront", "nsTtl": -1})


def test_problem_in_a_value_from_a_tag_names_the_tag():
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input({"accountId": ACCOUNT, "nsTtl": "soon"}, {"nsTtl": "orgdns:ns-ttl"})

    assert caught.value.reason == "InvalidTag"
    assert caught.value.field == "orgdns:ns-ttl"
    assert caught.value.message.startswith("orgdns:ns-ttl: ")


# --- tag_options ---------------------------------------------------------------------------------


def test_tags_become_manual_input_keys():
    options = tag_options(
        {
            "orgdns:subdomain": " staging.example.org ",
            "orgdns:certificate-regions": "us-east-1  eu-west-1",
            "orgdns:extra-names": "api.example.net www.example.net",
            "orgdns:custom-domain": "edge",
            "orgdns:custom-domain-region": "us-east-1",
            "orgdns:ns-ttl": "120",
        },
        "orgdns:",
    )

    assert options == {
        "zoneName": "staging.example.org",
        "certificateRegions": ["us-east-1", "eu-west-1"],
        "extraNames": ["api.example.net", "www.example.net"],
        "customDomain": "edge",
        "customDomainRegion": "us-east-1",
        "nsTtl": 120,  # a tag is text: the one number among them is converted here
    }


def test_tags_feed_the_same_validation_as_manual_input():
    options = tag_options({"orgdns:subdomain": "staging.example.org", "orgdns:ns-ttl": "120"}, "orgdns:")

    assert parse_manual_input({**options, "accountId": ACCOUNT}).ns_ttl == 120


def test_unknown_tags_and_other_prefixes_are_ignored():
    tags = {
        "team": "web",
        "orgdns:owner": "alice",
        "dns:subdomain": "x.example.org",
        "orgdns:subdomain": "s.example.org",
    }

    assert tag_options(tags, "orgdns:") == {"zoneName": "s.example.org"}


def test_prefix_is_configurable():
    assert tag_options({"acme/subdomain": "s.example.org", "orgdns:subdomain": "t.example.org"}, "acme/") == {
        "zoneName": "s.example.org"
    }


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("orgdns:certificate-regions", "us-east-1,eu-west-1"),
        ("orgdns:extra-names", "api.example.net, www.example.net"),
        ("orgdns:extra-names", "*.example.net"),
    ],
)
def test_commas_and_wildcards_in_list_tags_are_refused(tag, value):
    with pytest.raises(RequestRejected, match="separate names with spaces") as caught:
        tag_options({tag: value}, "orgdns:")

    assert (caught.value.reason, caught.value.field) == ("InvalidTag", tag)


def test_no_tags_no_options():
    assert tag_options({}, "orgdns:") == {}


# --- naming_rule_name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account_name", "expected"),
    [
        ("staging", "staging.example.org"),
        ("Staging", "staging.example.org"),
        ("Team Web (prod)", "team-web-prod.example.org"),
        ("  web_team  ", "web-team.example.org"),
        ("-web-", "web.example.org"),
        ("a" * 70, "a" * 63 + ".example.org"),
        ("a" * 62 + " b", "a" * 62 + ".example.org"),  # cut at 63, then no trailing hyphen
    ],
)
def test_naming_rule_makes_account_names_dns_safe(account_name, expected):
    assert naming_rule_name("{account_name}.example.org", "111122223333", account_name) == expected


def test_naming_rule_with_the_account_id():
    assert naming_rule_name("{account_id}.example.org", "111122223333", "staging") == "111122223333.example.org"


@pytest.mark.parametrize("account_name", ["", "***", "___", " - "])
def test_naming_rule_gives_nothing_for_a_name_without_usable_characters(account_name):
    assert naming_rule_name("{account_name}.example.org", "111122223333", account_name) is None


def test_no_naming_rule_gives_nothing():
    assert naming_rule_name("", "111122223333", "staging") is None


def test_account_id_rule_does_not_depend_on_the_account_name():
    assert naming_rule_name("{account_id}.example.org", "111122223333", "***") == "111122223333.example.org"


# --- input that says what it means --------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "got"),
    [
        ("nsTtl", "60", "string '60'"),
        ("nsTtl", 60.0, "number 60.0"),
        ("nsTtl", True, "boolean True"),
        ("accountId", 444455556666, "integer 444455556666"),
        ("extraNames", "api.example.net", "string 'api.example.net'"),
        ("certificateRegions", ["us-east-1", 1], "integer 1"),
    ],
)
def test_manual_input_is_strict_about_types(field, value, got):
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input({"accountId": ACCOUNT, field: value})
    assert (caught.value.reason, caught.value.field.split(".")[0]) == ("InvalidInput", field)
    assert got in caught.value.message


@pytest.mark.parametrize("custom_domain", ["edge", "none", None])
def test_a_custom_domain_region_without_a_regional_custom_domain_is_rejected_saying_why(custom_domain):
    raw = {"accountId": ACCOUNT, "customDomainRegion": "eu-west-1"}
    if custom_domain:
        raw["customDomain"] = custom_domain
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input(raw)
    assert (caught.value.reason, caught.value.field) == ("OptionNotApplicable", "customDomainRegion")
    assert "regional" in caught.value.message
    if custom_domain == "edge":
        assert "CloudFront" in caught.value.message


def test_a_custom_domain_region_from_a_tag_names_the_tag():
    sources = {"customDomainRegion": "orgdns:custom-domain-region", "customDomain": "orgdns:custom-domain"}
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input({"accountId": ACCOUNT, "customDomain": "edge", "customDomainRegion": "eu-west-1"}, sources)
    assert caught.value.field == "orgdns:custom-domain-region"
    assert "orgdns:custom-domain is edge" in caught.value.message


def test_a_regional_custom_domain_takes_its_region():
    parsed = parse_manual_input({"accountId": ACCOUNT, "customDomain": "regional", "customDomainRegion": "eu-west-1"})
    assert parsed.custom_domain_region == "eu-west-1"


@pytest.mark.parametrize(
    ("tags", "on", "tag"),
    [
        ({"orgdns:subdomain": "x.example.org"}, "zone", "orgdns:subdomain"),
        ({"orgdns:delegate": "true", "orgdns:subdomain": "x.example.org"}, "account", "orgdns:delegate"),
    ],
)
def test_a_tag_of_the_other_kind_is_rejected(tags, on, tag):
    with pytest.raises(RequestRejected) as caught:
        tag_options(tags, "orgdns:", on=on)
    assert (caught.value.reason, caught.value.field) == ("OptionNotApplicable", tag)


def test_a_manual_input_may_leave_the_custom_domain_to_the_tags():
    parsed = parse_manual_input({"accountId": ACCOUNT, "customDomainRegion": "eu-west-1"}, complete=False)
    assert parsed.custom_domain_region == "eu-west-1"
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input(
            {"accountId": ACCOUNT, "customDomain": "edge", "customDomainRegion": "eu-west-1"}, complete=False
        )
    assert caught.value.reason == "OptionNotApplicable"


def test_a_missing_field_does_not_echo_the_input_and_a_long_value_is_cut():
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input({"zoneName": "x.example.org"})
    assert caught.value.field == "accountId" and "got" not in caught.value.message
    with pytest.raises(RequestRejected) as caught:
        parse_manual_input({"accountId": ACCOUNT, "nsTtl": "9" * 500})
    assert caught.value.field == "nsTtl" and "..." in caught.value.message and len(caught.value.message) < 200


@pytest.mark.parametrize("value", ["sixty", "-1", "6 0", "", "²", "٣", "1.5"])
def test_an_ns_ttl_tag_must_be_a_whole_number(value):
    with pytest.raises(RequestRejected) as caught:
        tag_options({"orgdns:ns-ttl": value}, "orgdns:")
    assert (caught.value.reason, caught.value.field) == ("InvalidTag", "orgdns:ns-ttl")


def test_the_schema_says_what_the_runtime_says_about_custom_domain_region():
    import jsonschema

    from orgdns_local.schema import manual_input_schema

    validator = jsonschema.Draft202012Validator(manual_input_schema())
    assert not validator.is_valid({"accountId": ACCOUNT, "customDomain": "edge", "customDomainRegion": "eu-west-1"})
    assert not validator.is_valid({"accountId": ACCOUNT, "nsTtl": "60"})
    assert validator.is_valid({"accountId": ACCOUNT, "customDomain": "regional", "customDomainRegion": "eu-west-1"})


def test_a_reconciles_run_names_its_account_and_what_it_settles():
    from orgdns.request import parse_reconcile_run

    event = {
        "source": "orgdns.reconcile",
        "detail-type": "Backfill",
        "id": "rc-1-run-1",
        "detail": {"accountId": "444455556666"},
    }
    assert parse_reconcile_run(event) == ("444455556666", "rc-1-run-1", "Backfill")
    for detail, field in (({"accountId": "4444"}, "detail.accountId"), ({}, "detail.accountId"), ("x", "detail")):
        with pytest.raises(RequestRejected) as caught:
            parse_reconcile_run({**event, "detail": detail})
        assert (caught.value.reason, caught.value.field) == ("MalformedEvent", field)


def test_a_reconciles_teardown_of_a_renamed_subdomain_reads_the_tags_again():
    from orgdns.request import parse_teardown_event

    renamed = {
        "source": "orgdns.reconcile",
        "detail-type": "TagDrift",
        "id": "rc-1-renamed-Z1",
        "detail": {"accountId": ACCOUNT, "zoneName": "old.example.org"},
    }
    event = parse_teardown_event(renamed)
    assert (event.trigger, event.account_id, event.hosted_zone_id, event.by_tags) == (
        Trigger.RECONCILE,
        ACCOUNT,
        None,
        True,
    )
    orphan = parse_teardown_event({**renamed, "detail-type": "RegistryOrphan"})
    assert (orphan.hosted_zone_id, orphan.by_tags) == (None, False)  # a closed account's every zone
