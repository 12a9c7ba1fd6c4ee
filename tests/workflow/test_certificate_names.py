"""A certificate is a claim on every name it holds: the same ownership rule for every trigger.

One organization: production (111111111111) owns demo.example.org, staging (222222222222) owns
staging.demo.example.org, qa (333333333333) owns qa.example.org, legacy (444444444444) owns
legacy.example.org and is being closed, newteam's first run is still going on. Grants: only
login.example.org, to production. Every attempt below ends Rejected, requests no certificate and
writes no record in any zone; then the allowed paths: a grant, an outside name, and the teardown
of the records the grant let orgdns write.
"""

from collections.abc import Callable
from typing import Any

import pytest

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import BASE, record_sets

PRODUCTION, STAGING, QA, LEGACY, NEWTEAM = (
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
)
ATTACKERS = {"production", "staging", "qa", "qa2", "qa3", "qa4"}
DELEGATE = {"orgdns:delegate": "true"}

SETUP: list[dict[str, Any]] = [
    {"create_account": {"name": "production", "id": PRODUCTION, "tags": {"orgdns:subdomain": "demo.example.org"}}},
    {"create_account": {"name": "staging", "id": STAGING, "tags": {"orgdns:subdomain": "staging.demo.example.org"}}},
    {"create_account": {"name": "qa", "id": QA, "tags": {"orgdns:subdomain": "qa.example.org"}}},
    {"create_account": {"name": "legacy", "id": LEGACY, "tags": {"orgdns:subdomain": "legacy.example.org"}}},
]


def manual(name: str, account: str, extra: list[str]) -> list[dict[str, Any]]:
    return [
        {"start_execution": {"name": name, "input": {"accountId": "${account:" + account + "}", "extraNames": extra}}}
    ]


def zone_request(account: str, zone: str, extra: str) -> list[dict[str, Any]]:
    return [
        {"create_zone": {"account": account, "name": zone}},
        {"tag_zone": {"account": account, "zone": zone, "tags": {**DELEGATE, "orgdns:extra-names": extra}}},
    ]


def tagged_account(name: str, zone: str, extra: str, via: str = "organizations") -> list[dict[str, Any]]:
    tags = {"orgdns:subdomain": zone, "orgdns:extra-names": extra}
    return [{"create_account": {"name": name, "via": via, "tags": tags}}]


def by(key: str, value: str) -> Callable[[dict[str, Any]], bool]:
    return lambda document: document.get(key) == value


NOT_ALLOWED = "CertificateNameNotAllowed"
# (case, steps, which status is its own, expected reason, a text the message must hold)
ATTACKS: list[tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], bool], str, str]] = [
    ("manual: a sibling's zone apex", manual("m1", "qa", ["staging.demo.example.org"]), by("runId", "m1"),
     NOT_ALLOWED, f"zone staging.demo.example.org of account {STAGING}"),
    ("manual: a name under a sibling's zone", manual("m2", "qa", ["api.staging.demo.example.org"]), by("runId", "m2"),
     NOT_ALLOWED, "api.staging.demo.example.org"),
    # '*' is not a name orgdns takes (it adds the zone's wildcard itself): refused before the rule
    ("manual: a sibling's wildcard form", manual("m3", "qa", ["*.staging.demo.example.org"]), by("runId", "m3"),
     "InvalidName", "contains '*'"),
    ("manual: the root apex", manual("m4", "qa", ["example.org"]), by("runId", "m4"),
     NOT_ALLOWED, "root zone example.org of account 123456789012"),
    ("manual: directly under the root, granted to another account", manual("m5", "qa", ["login.example.org"]),
     by("runId", "m5"), NOT_ALLOWED, "login.example.org=333333333333"),
    ("manual: mixed case and a trailing dot", manual("m6", "qa", ["API.Staging.DEMO.example.org."]), by("runId", "m6"),
     NOT_ALLOWED, "api.staging.demo.example.org"),
    ("manual: an A-label IDN", manual("m7", "qa", ["xn--bcher-kva.staging.demo.example.org"]), by("runId", "m7"),
     NOT_ALLOWED, "xn--bcher-kva.staging.demo.example.org"),
    ("manual: an allowed name beside a forbidden one", manual("m8", "qa", ["www.qa.example.org", "demo.example.org"]),
     by("runId", "m8"), NOT_ALLOWED, f"demo.example.org (in zone demo.example.org of account {PRODUCTION})"),
    ("manual: a parent certifying its child's names", manual("m9", "production", ["x.staging.demo.example.org"]),
     by("runId", "m9"), NOT_ALLOWED, f"zone staging.demo.example.org of account {STAGING}"),
    ("manual: a child certifying its parent's apex", manual("m10", "staging", ["demo.example.org"]), by("runId", "m10"),
     NOT_ALLOWED, f"account {STAGING} may not"),
    ("manual: a name under a zone being torn down", manual("m11", "qa", ["x.legacy.example.org"]), by("runId", "m11"),
     NOT_ALLOWED, f"zone legacy.example.org of account {LEGACY}"),
    ("manual: a name under a zone a concurrent run created", manual("m12", "qa", ["api.newteam.example.org"]),
     by("runId", "m12"), NOT_ALLOWED, f"zone newteam.example.org of account {NEWTEAM}"),
    ("account tags: a sibling's name", tagged_account("qa2", "qa2.example.org", "pay.staging.demo.example.org"),
     by("zoneName", "qa2.example.org"), NOT_ALLOWED, "pay.staging.demo.example.org"),
    ("account tags: the root apex beside an allowed name", tagged_account("qa3", "qa3.example.org", "www.qa3.example.org example.org"),
     by("zoneName", "qa3.example.org"), NOT_ALLOWED, "root zone example.org"),
    ("account tags (Control Tower): another account's apex", tagged_account("qa4", "qa4.example.org", "QA.example.org.", "controltower"),
     by("zoneName", "qa4.example.org"), NOT_ALLOWED, f"zone qa.example.org of account {QA}"),
    ("zone tags: the parent's apex", zone_request("staging", "f1.staging.demo.example.org", "demo.example.org"),
     by("zoneName", "f1.staging.demo.example.org"), NOT_ALLOWED, f"account {PRODUCTION}"),
    ("zone tags: directly under the root", zone_request("staging", "f2.staging.demo.example.org", "shop.example.org"),
     by("zoneName", "f2.staging.demo.example.org"), NOT_ALLOWED, "root zone example.org"),
    ("zone tags: a sibling's name, mixed case", zone_request("qa", "beta.qa.example.org", "Pay.Staging.Demo.Example.Org"),
     by("zoneName", "beta.qa.example.org"), NOT_ALLOWED, "pay.staging.demo.example.org"),
]  # fmt: skip


@pytest.fixture(scope="module")
def organization() -> dict[str, Any]:
    scenario = Scenario.model_validate(
        {
            "name": "certificate names",
            **BASE,
            "parameters": {"Grants": f"login.example.org={PRODUCTION}"},
            "outside_zones": [{"name": "shop.example"}],
            "timing": {"account_closure_seconds": 6 * 3600},
            "steps": SETUP,
        }
    )
    with LocalOrganization(scenario) as org:
        org.play()
        before, calls_before = record_sets(org), len(org.calls.calls)
        start = org.clock.elapsed()
        steps: list[dict[str, Any]] = [
            {"close_account": {"account": "legacy"}},  # its zone stays registered until closure completes
            {"create_account": {"name": "newteam", "id": NEWTEAM,
                                "tags": {"orgdns:subdomain": "newteam.example.org", "orgdns:custom-domain": "edge"}}},
            {"at": start + 300, **ATTACKS[0][1][0]},  # newteam's zone is registered by now; its run goes on
            *[step for _, attack, *_ in ATTACKS[1:] for step in attack],
        ]  # fmt: skip
        org.scenario = scenario.model_copy(
            update={"steps": Scenario.model_validate({"name": "a", "steps": steps}).steps}
        )
        org.play()
        after = record_sets(org)
        requested = [
            c for c in org.calls.calls[calls_before:]
            if c.operation == "RequestCertificate" and c.account_id in {org.accounts[a] for a in ATTACKERS if a in org.accounts}
        ]  # fmt: skip
        attack_report = build_report(org)
        calls_before = len(org.calls.calls)
        allowed = [
            {"answer_action_required": {"account": "production"}},
            {"start_execution": {"name": "granted", "input": {"accountId": PRODUCTION,
                                                              "extraNames": ["login.example.org", "www.shop.example"]}}},
        ]  # fmt: skip
        org.scenario = scenario.model_copy(
            update={"steps": Scenario.model_validate({"name": "l", "steps": allowed}).steps}
        )
        org.play()
        granted = record_sets(org)
        granted_report = build_report(org)
        teardown = [{"delete_zone": {"account": "production", "zone": "demo.example.org"}}]
        org.scenario = scenario.model_copy(
            update={"steps": Scenario.model_validate({"name": "t", "steps": teardown}).steps}
        )
        org.play()
        torn_down = record_sets(org)
        report = build_report(org)
    return {
        "before": before, "after": after, "requested": requested, "attack_report": attack_report,
        "granted": granted, "granted_report": granted_report, "torn_down": torn_down, "report": report,
    }  # fmt: skip


def documents(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [m["document"] for m in report["snsMessages"]]


def test_at_least_fifteen_takeover_shapes():
    assert len(ATTACKS) >= 15
    assert {"manual", "account tags", "account tags (Control Tower)", "zone tags"} <= {
        case.split(":")[0] for case, *_ in ATTACKS
    }


@pytest.mark.parametrize(("case", "mine", "reason", "text"), [(c, m, r, t) for c, _, m, r, t in ATTACKS],
                         ids=[c for c, *_ in ATTACKS])  # fmt: skip
def test_each_attempt_is_rejected_naming_the_name_and_its_owner(organization, case, mine, reason, text):
    [document] = [d for d in documents(organization["attack_report"]) if mine(d)]
    assert (document["outcome"], document["error"]["reason"]) == ("Rejected", reason)
    assert text in document["error"]["message"]
    assert document["error"]["field"] in {"extraNames", "orgdns:extra-names"}


def test_no_attempt_requested_a_certificate(organization):
    assert organization["requested"] == []


def _names(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(r["Name"], r["Type"]) for r in records}


def test_no_attempt_wrote_a_record_anywhere(organization):
    before, after = organization["before"], organization["after"]
    legit = ("newteam.example.org.", "legacy.example.org.")  # newteam's own run; legacy's closure teardown
    for key, records in before.items():
        kept = [r for r in after[key] if not r["Name"].endswith(legit)]
        assert kept == [r for r in records if not r["Name"].endswith(legit)], f"{key} changed"
    for key in set(after) - set(before):
        if key[1] == "newteam.example.org.":
            continue
        assert {r["Type"] for r in after[key]} == {"NS", "SOA"}, f"{key} got records"  # the members' own new zones


def test_the_zone_being_torn_down_lost_its_delegation_afterwards(organization):
    root = next(records for key, records in organization["after"].items() if key[:2] == ("management", "example.org."))
    assert ("legacy.example.org.", "NS") not in _names(root)
    assert ("newteam.example.org.", "NS") in _names(root)


def test_a_grant_lets_a_name_under_the_root_through_and_outside_names_ask_a_human(organization):
    mine = [d for d in documents(organization["granted_report"]) if d.get("runId") == "granted"]
    assert [d["outcome"] for d in mine] == ["ActionRequired", "Succeeded"]
    assert [r["zoneName"] for r in mine[0]["actionRequired"]] == ["www.shop.example"]
    root = next(r for key, r in organization["granted"].items() if key[:2] == ("management", "example.org."))
    cnames = [r["Name"] for r in root if r["Type"] == "CNAME"]
    assert len(cnames) == 1 and cnames[0].endswith(".login.example.org.")
    production = next(a for a in organization["granted_report"]["accounts"].values() if a["name"] == "production")
    assert any(
        c["status"] == "ISSUED" and "login.example.org" in c["subjectAlternativeNames"]
        for c in production["certificates"]
    )


def test_teardown_removes_the_validation_record_written_into_the_root_zone(organization):
    root = next(r for key, r in organization["torn_down"].items() if key[:2] == ("management", "example.org."))
    assert not [r for r in root if r["Type"] == "CNAME"]
    [gone] = [d for d in documents(organization["report"]) if d["trigger"] == "DeleteHostedZone"]
    assert gone["outcome"] == "Succeeded"
    assert "CNAME" in gone["conditions"][0]["message"] and "login.example.org" in gone["conditions"][0]["message"]
