"""Self-service: a member account tags its own zone orgdns:delegate=true; takeover attempts fail.

One organization: production owns demo.example.org, staging owns staging.demo.example.org and
qa owns nothing. Every attempt below must end Rejected (or Skipped) and write nothing, in any zone
of any account, beyond the attacker's own zone as the attacker made it.
"""

from typing import Any

import pytest

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import BASE, record_sets

SETUP: list[dict[str, Any]] = [
    {"create_account": {"name": "production", "tags": {"orgdns:subdomain": "demo.example.org"}}},
    {"create_account": {"name": "staging", "tags": {"orgdns:subdomain": "staging.demo.example.org"}}},
    {"create_account": {"name": "qa"}},
    {"after_runs": True, "add_records": {"account": "production", "zone": "demo.example.org",
                                         "records": [{"name": "api.demo.example.org", "type": "A", "values": ["192.0.2.7"]}]}},
]  # fmt: skip


def _tag_event(account: str, zone_id: str, tags: dict[str, str]) -> dict[str, Any]:
    return {
        "source": "aws.route53",
        "detail-type": "AWS API Call via CloudTrail",
        "account": account,
        "detail": {
            "eventName": "ChangeTagsForResource",
            "requestParameters": {
                "resourceType": "hostedzone",
                "resourceId": zone_id,
                "addTags": [{"key": k, "value": v} for k, v in tags.items()],
            },
        },
    }


DELEGATE = {"orgdns:delegate": "true"}


def claim(account: str, zone: str) -> list[dict[str, Any]]:
    return [
        {"create_zone": {"account": account, "name": zone}},
        {"tag_zone": {"account": account, "zone": zone, "tags": DELEGATE}},
    ]


# (case, steps, expected outcome, expected reason)
ATTACKS: list[tuple[str, list[dict[str, Any]], str, str]] = [
    ("sibling takes a managed name", claim("qa", "staging.demo.example.org"), "Rejected", "NameOwnedByAnotherAccount"),
    ("sibling below another's zone", claim("qa", "x.staging.demo.example.org"), "Rejected", "NotGrantedByParentOwner"),
    ("member below a root without grant", claim("qa", "qa.example.org"), "Rejected", "NotGrantedByParentOwner"),
    ("member claims the apex", claim("qa", "example.org"), "Rejected", "NameIsRootZone"),
    ("member claims its parent", claim("staging", "demo.example.org"), "Rejected", "NameOwnedByAnotherAccount"),
    ("name shadows existing records", claim("production", "api.demo.example.org"), "Rejected", "NameInUse"),
    ("forged: zone not tagged",
     [{"create_zone": {"account": "qa", "name": "quiet.demo.example.org"}},
      {"send_event": {"bus": "member", "event": _tag_event("${account:qa}", "${zone:qa:quiet.demo.example.org}", DELEGATE)}}],
     "Rejected", "ZoneNotTagged"),
    ("forged: zone of another account",
     [{"send_event": {"bus": "member", "event": _tag_event("${account:qa}", "${zone:staging:staging.demo.example.org}", DELEGATE)}}],
     "Rejected", "ZoneNotFound"),
    ("forged: zone that does not exist",
     [{"send_event": {"bus": "member", "event": _tag_event("${account:qa}", "Z0000000000000000FAKE", DELEGATE)}}],
     "Rejected", "ZoneNotFound"),
    ("from outside the organization",
     [{"send_event": {"bus": "member", "event": _tag_event("999999999999", "${zone:outside:shop.example}", DELEGATE)}}],
     "Rejected", "AccountNotInOrganization"),
    ("forged as the management account",
     [{"send_event": {"bus": "member", "event": _tag_event("123456789012", "${zone:management:example.org}", DELEGATE)}}],
     "Rejected", "ManagementAccount"),
    ("tag value is not true", [{"create_zone": {"account": "qa", "name": "maybe.demo.example.org"}},
                               {"tag_zone": {"account": "qa", "zone": "maybe.demo.example.org", "tags": {"orgdns:delegate": "yes"}}}],
     "Skipped", None),  # delegate=yes is not a request: the teardown finds nothing managed to end
    ("a zone tag that names another subdomain", [{"create_zone": {"account": "qa", "name": "own.demo.example.org"}},
                                                  {"tag_zone": {"account": "qa", "zone": "own.demo.example.org",
                                                                "tags": {**DELEGATE, "orgdns:subdomain": "staging.demo.example.org"}}}],
     "Rejected", "OptionNotApplicable"),
]  # fmt: skip


@pytest.fixture(scope="module")
def organization() -> dict[str, Any]:
    attack_steps = [
        {"after_runs": True, **step} if i == 0 else step for _, steps, *_ in ATTACKS for i, step in enumerate(steps)
    ]
    legit = [*claim("staging", "feature-x.staging.demo.example.org")]
    scenario = Scenario.model_validate(
        {"name": "self-service", **BASE, "outside_zones": [{"name": "shop.example"}], "steps": SETUP}
    )
    with LocalOrganization(scenario) as org:
        org.play()
        before = record_sets(org)
        org.scenario = scenario.model_copy(
            update={"steps": Scenario.model_validate({"name": "a", "steps": attack_steps}).steps}
        )
        org.play()
        after_attacks = record_sets(org)
        org.scenario = scenario.model_copy(
            update={"steps": Scenario.model_validate({"name": "l", "steps": legit}).steps}
        )
        org.play()
        report = build_report(org)
    return {"report": report, "before": before, "after_attacks": after_attacks}


def _statuses(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [m["document"] for m in report["snsMessages"] if m["document"]["trigger"] == "ChangeTagsForResource"]


def test_at_least_ten_takeover_attempts():
    assert len(ATTACKS) >= 10


def test_each_attempt_is_refused_with_its_reason(organization):
    documents = _statuses(organization["report"])[: len(ATTACKS)]
    got = [(d["outcome"], d["error"]["reason"] if d["error"] else None) for d in documents]
    assert got == [(outcome, reason) for _, _, outcome, reason in ATTACKS]


def test_attempts_wrote_nothing(organization):
    before, after = organization["before"], organization["after_attacks"]
    # Existing zones are untouched; the only new zones are the attackers' own, as they made them.
    for key, records in before.items():
        assert after[key] == records, f"{key} changed"
    for key in set(after) - set(before):
        assert {r["Type"] for r in after[key]} == {"NS", "SOA"}, f"{key} got records"


def test_a_member_gets_its_own_subdomain_delegated_and_certified(organization):
    report = organization["report"]
    [document] = [d for d in _statuses(report) if d["zoneName"] == "feature-x.staging.demo.example.org"]
    assert document["outcome"] == "Succeeded"
    assert document["parentZone"] == "staging.demo.example.org"
    staging = next(a for a in report["accounts"].values() if a["name"] == "staging")
    parent = next(z for z in staging["hostedZones"] if z["name"] == "staging.demo.example.org")
    own = next(z for z in staging["hostedZones"] if z["name"] == "feature-x.staging.demo.example.org")
    delegation = next(r for r in parent["records"] if r["type"] == "NS" and r["name"] == own["name"])
    apex = next(r for r in own["records"] if r["type"] == "NS" and r["name"] == own["name"])
    assert sorted(v.rstrip(".") for v in delegation["values"]) == sorted(v.rstrip(".") for v in apex["values"])
    assert apex["ttl"] == 172800  # the member's own NS records are left as the member made them
    assert any(c["status"] == "ISSUED" and c["domainName"] == own["name"] for c in staging["certificates"])
