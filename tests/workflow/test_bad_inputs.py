"""Every bad input ends Rejected (or Skipped) with a specific reason, and writes nothing.

All cases run in one local organization; afterwards no zone anywhere holds a record it did not
hold before, no certificate was requested and the registry is empty.
"""

from typing import Any

import pytest

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import BASE, record_sets

GOOD = "${account:tagless}"

# (case, execution input, expected outcome, expected reason, expected field or None)
MANUAL_CASES: list[tuple[str, Any, str, str, str | None]] = [
    ("no-account", {}, "Rejected", "InvalidInput", "accountId"),
    ("short-account", {"accountId": "123"}, "Rejected", "InvalidInput", "accountId"),
    ("numeric-account", {"accountId": 444455556666}, "Rejected", "InvalidInput", "accountId"),
    (
        "unknown-account",
        {"accountId": "000000000000", "zoneName": "x.example.org"},
        "Rejected",
        "AccountNotInOrganization",
        "accountId",
    ),
    (
        "management-account",
        {"accountId": "123456789012", "zoneName": "x.example.org"},
        "Rejected",
        "ManagementAccount",
        "accountId",
    ),
    ("unknown-field", {"accountId": GOOD, "zone": "x.example.org"}, "Rejected", "InvalidInput", "zone"),
    ("empty-name", {"accountId": GOOD, "zoneName": ""}, "Rejected", "InvalidName", "zoneName"),
    ("wildcard", {"accountId": GOOD, "zoneName": "*.demo.example.org"}, "Rejected", "InvalidName", "zoneName"),
    ("long-label", {"accountId": GOOD, "zoneName": "a" * 64 + ".example.org"}, "Rejected", "InvalidName", "zoneName"),
    (
        "overlong-name",
        {"accountId": GOOD, "zoneName": ".".join(["abcdefgh"] * 28) + ".example.org"},
        "Rejected",
        "InvalidInput",
        "zoneName",
    ),
    (
        "long-name-253",
        {"accountId": GOOD, "zoneName": ".".join(["abcdefghi"] * 24) + ".example.org"},
        "Rejected",
        "NameTooLongForCertificate",
        "zoneName",
    ),
    ("idn", {"accountId": GOOD, "zoneName": "bücher.example.org"}, "Rejected", "InvalidName", "zoneName"),
    ("underscore", {"accountId": GOOD, "zoneName": "a_b.example.org"}, "Rejected", "InvalidName", "zoneName"),
    ("single-label", {"accountId": GOOD, "zoneName": "staging"}, "Rejected", "InvalidName", "zoneName"),
    ("empty-label", {"accountId": GOOD, "zoneName": "demo..example.org"}, "Rejected", "InvalidName", "zoneName"),
    ("hyphen-edge", {"accountId": GOOD, "zoneName": "demo-.example.org"}, "Rejected", "InvalidName", "zoneName"),
    ("numeric-name", {"accountId": GOOD, "zoneName": 42}, "Rejected", "InvalidInput", "zoneName"),
    (
        "outside-managed",
        {"accountId": GOOD, "zoneName": "demo.example.net"},
        "Rejected",
        "ParentZoneNotManaged",
        "zoneName",
    ),
    ("root-itself", {"accountId": GOOD, "zoneName": "EXAMPLE.org."}, "Rejected", "NameIsRootZone", "zoneName"),
    ("shadows-records", {"accountId": GOOD, "zoneName": "www.example.org"}, "Rejected", "NameInUse", "zoneName"),
    (
        "bad-region",
        {"accountId": GOOD, "zoneName": "x.example.org", "certificateRegions": ["mars-1"]},
        "Rejected",
        "InvalidInput",
        "certificateRegions",
    ),
    (
        "bad-custom-domain",
        {"accountId": GOOD, "zoneName": "x.example.org", "customDomain": "cloudfront"},
        "Rejected",
        "InvalidInput",
        "customDomain",
    ),
    (
        "negative-ttl",
        {"accountId": GOOD, "zoneName": "x.example.org", "nsTtl": -1},
        "Rejected",
        "InvalidInput",
        "nsTtl",
    ),
    (
        "text-ttl",
        {"accountId": GOOD, "zoneName": "x.example.org", "nsTtl": "sixty"},
        "Rejected",
        "InvalidInput",
        "nsTtl",
    ),
    (
        "wildcard-extra",
        {"accountId": GOOD, "zoneName": "x.example.org", "extraNames": ["*.y.example.org"]},
        "Rejected",
        "InvalidName",
        "extraNames",
    ),
    (
        "too-many-extras",
        {"accountId": GOOD, "zoneName": "x.example.org", "extraNames": [f"n{i}.example.org" for i in range(9)]},
        "Rejected",
        "InvalidInput",
        "extraNames",
    ),
    ("string-ttl", {"accountId": GOOD, "zoneName": "x.example.org", "nsTtl": "60"}, "Rejected", "InvalidInput", "nsTtl"),
    ("float-ttl", {"accountId": GOOD, "zoneName": "x.example.org", "nsTtl": 60.5}, "Rejected", "InvalidInput", "nsTtl"),
    (
        "string-extra-names",
        {"accountId": GOOD, "zoneName": "x.example.org", "extraNames": "a.example.org"},
        "Rejected",
        "InvalidInput",
        "extraNames",
    ),
    (
        "region-with-edge",
        {"accountId": GOOD, "zoneName": "x.example.org", "customDomain": "edge", "customDomainRegion": "eu-west-1"},
        "Rejected",
        "OptionNotApplicable",
        "customDomainRegion",
    ),
    (
        "region-without-domain",
        {"accountId": GOOD, "zoneName": "x.example.org", "customDomainRegion": "eu-west-1"},
        "Rejected",
        "OptionNotApplicable",
        "customDomainRegion",
    ),
    ("not-an-object", "just a string", "Rejected", "InvalidInput", "input"),
    ("an-array", ["x.example.org"], "Rejected", "InvalidInput", "input"),
    ("no-tag", {"accountId": GOOD}, "Skipped", "NoSubdomainRequested", None),
    ("tag-with-comma", {"accountId": "${account:comma}"}, "Rejected", "InvalidTag", "orgdns:extra-names"),
    ("tag-bad-custom-domain", {"accountId": "${account:maybe}"}, "Rejected", "InvalidTag", "orgdns:custom-domain"),
    ("tag-bad-ttl", {"accountId": "${account:ttl}"}, "Rejected", "InvalidTag", "orgdns:ns-ttl"),
    ("tag-bad-name", {"accountId": "${account:badname}"}, "Rejected", "InvalidName", "orgdns:subdomain"),
    ("tag-region-with-edge", {"accountId": "${account:edgy}"}, "Rejected", "OptionNotApplicable",
     "orgdns:custom-domain-region"),
    ("tag-delegate-on-account", {"accountId": "${account:delegating}"}, "Rejected", "OptionNotApplicable",
     "orgdns:delegate"),
]  # fmt: skip


def _event(detail: Any, source: str = "aws.organizations") -> dict[str, Any]:
    return {"id": "e", "source": source, "detail-type": "AWS Service Event via CloudTrail", "detail": detail}


def _car(status: dict[str, Any]) -> dict[str, Any]:
    return {"eventName": "CreateAccountResult", "serviceEventDetails": {"createAccountStatus": status}}


EVENT_CASES: list[tuple[str, Any, str, str, str | None]] = [
    (
        "event-no-detail",
        {"id": "e", "source": "aws.organizations", "detail-type": "x"},
        "Rejected",
        "MalformedEvent",
        "detail",
    ),
    (
        "event-no-service-details",
        _event({"eventName": "CreateAccountResult"}),
        "Rejected",
        "MalformedEvent",
        "detail.serviceEventDetails",
    ),
    (
        "event-no-status",
        _event({"eventName": "CreateAccountResult", "serviceEventDetails": {}}),
        "Rejected",
        "MalformedEvent",
        "detail.serviceEventDetails.createAccountStatus",
    ),
    (
        "event-bad-account-id",
        _event(_car({"state": "SUCCEEDED", "accountId": "abc"})),
        "Rejected",
        "MalformedEvent",
        "detail.serviceEventDetails.createAccountStatus.accountId",
    ),
    (
        "event-unsupported",
        _event({"eventName": "CloseAccountResult", "serviceEventDetails": {}}),
        "Rejected",
        "UnsupportedEvent",
        "detail.eventName",
    ),
    (
        "event-ct-no-account",
        _event(
            {
                "eventName": "CreateManagedAccount",
                "serviceEventDetails": {"createManagedAccountStatus": {"state": "SUCCEEDED"}},
            },
            "aws.controltower",
        ),
        "Rejected",
        "MalformedEvent",
        "detail.serviceEventDetails.createManagedAccountStatus.account",
    ),
    (
        "event-creation-failed",
        _event(_car({"state": "FAILED", "failureReason": "EMAIL_ALREADY_EXISTS"})),
        "Skipped",
        "AccountCreationFailed",
        None,
    ),
]

CASES = MANUAL_CASES + EVENT_CASES


@pytest.fixture(scope="module")
def played() -> dict[str, Any]:
    scenario = Scenario.model_validate(
        {
            "name": "bad inputs",
            **BASE,
            "accounts": [
                {"name": "tagless"},
                {
                    "name": "comma",
                    "tags": {"orgdns:subdomain": "c.example.org", "orgdns:extra-names": "a.example.org,b.example.org"},
                },
                {"name": "maybe", "tags": {"orgdns:subdomain": "m.example.org", "orgdns:custom-domain": "maybe"}},
                {"name": "ttl", "tags": {"orgdns:subdomain": "t.example.org", "orgdns:ns-ttl": "a minute"}},
                {"name": "badname", "tags": {"orgdns:subdomain": "bad_name.example.org"}},
                {
                    "name": "edgy",
                    "tags": {
                        "orgdns:subdomain": "e.example.org",
                        "orgdns:custom-domain": "edge",
                        "orgdns:custom-domain-region": "eu-west-1",
                    },
                },
                {"name": "delegating", "tags": {"orgdns:subdomain": "d.example.org", "orgdns:delegate": "true"}},
            ],
            "steps": [{"start_execution": {"name": name, "input": given}} for name, given, *_ in CASES],
        }
    )
    with LocalOrganization(scenario) as org:
        before = _snapshot(org)
        org.play()
        report = build_report(org)
        after = _snapshot(org)
        registry = org.client("dynamodb").scan(TableName="orgdns-RegistryTable")["Items"]
    return {"report": report, "before": before, "after": after, "registry": registry}


def _snapshot(org: LocalOrganization) -> dict[Any, Any]:
    """Every record set, plus each account's certificate count."""
    state: dict[Any, Any] = dict(record_sets(org))
    with org.quiet():
        for name, account_id in org.accounts.items():
            state[(name, "certificates")] = len(
                org.client("acm", account_id).list_certificates()["CertificateSummaryList"]
            )
    return state


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("name", "given", "outcome", "reason", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_specific_status(played, name, given, outcome, reason, field):
    documents = [m["document"] for m in played["report"]["snsMessages"] if m["document"]["runId"] == name]
    assert len(documents) == 1, f"one status per run, got {documents}"
    document = documents[0]
    assert document["outcome"] == outcome
    if outcome == "Rejected":
        assert document["error"]["reason"] == reason, document["error"]
        assert document["error"].get("field") == field, document["error"]
        assert document["error"]["message"]
    execution = next(e for e in played["report"]["executions"] if e["name"] == name)
    assert execution["status"] == ("FAILED" if outcome == "Rejected" else "SUCCEEDED")
    assert execution["error"] == ("Rejected" if outcome == "Rejected" else None)


def test_nothing_was_written(played):
    assert played["after"] == played["before"]
    # The only item allowed: the root zone's hosted zone id, cached for every container.
    zones = [item for item in played["registry"] if item.get("kind", {}).get("S") != "root"]
    assert zones == []
    assert [item["zoneName"]["S"] for item in played["registry"] if item not in zones] == ["root#example.org"]
