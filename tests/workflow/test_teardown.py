"""Teardown: a deleted or untagged zone, or a closed account, leaves no delegation dangling and
loses only records exactly as orgdns wrote them."""

from typing import Any

import pytest

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import BASE

DELEGATE = {"orgdns:delegate": "true"}


def claim(zone: str) -> list[dict[str, Any]]:
    return [
        {"create_zone": {"account": "staging", "name": zone}},
        {"tag_zone": {"account": "staging", "zone": zone, "tags": DELEGATE}},
    ]


def phase(org: LocalOrganization, steps: list[dict[str, Any]]) -> None:
    org.scenario = org.scenario.model_copy(
        update={"steps": Scenario.model_validate({"name": "phase", "steps": steps}).steps}
    )
    org.play()


def delegations(org: LocalOrganization) -> dict[str, dict[str, list[str]]]:
    """zone name -> {delegated name: NS values} across every account."""
    found: dict[str, dict[str, list[str]]] = {}
    with org.quiet():
        for account_id in org.accounts.values():
            route53 = org.client("route53", account_id)
            for zone in route53.list_hosted_zones()["HostedZones"]:
                name = zone["Name"].rstrip(".")
                for rrset in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
                    if rrset["Type"] == "NS" and rrset["Name"].rstrip(".") != name:
                        values = sorted(r["Value"].rstrip(".") for r in rrset["ResourceRecords"])
                        found.setdefault(name, {})[rrset["Name"].rstrip(".")] = values
    return found


def dangling(org: LocalOrganization) -> list[str]:
    """Delegations whose name servers belong to no hosted zone of that name (takeover bait)."""
    servers: dict[str, set[str]] = {}
    with org.quiet():
        for account_id in org.accounts.values():
            route53 = org.client("route53", account_id)
            for zone in route53.list_hosted_zones()["HostedZones"]:
                detail = route53.get_hosted_zone(Id=zone["Id"])
                servers.setdefault(zone["Name"].rstrip("."), set()).update(
                    s.rstrip(".") for s in detail["DelegationSet"]["NameServers"]
                )
    return [
        f"{child} in {parent}"
        for parent, children in delegations(org).items()
        for child, values in children.items()
        if not set(values) & servers.get(child, set())
    ]


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    scenario = Scenario.model_validate(
        {
            "name": "teardown",
            **BASE,
            "steps": [
                {"create_account": {"name": "production", "tags": {"orgdns:subdomain": "demo.example.org"}}},
                {"create_account": {"name": "staging", "tags": {"orgdns:subdomain": "staging.demo.example.org"}}},
            ],
        }
    )
    seen: dict[str, Any] = {}
    with LocalOrganization(scenario) as org:
        org.play()
        phase(org, [{"after_runs": True, **claim("x.staging.demo.example.org")[0]}, *claim("x.staging.demo.example.org")[1:],
                    *claim("y.staging.demo.example.org"), *claim("z.staging.demo.example.org")])  # fmt: skip
        seen["before"] = delegations(org)
        old_x = org.expand("${zone:staging:x.staging.demo.example.org}")
        # Someone edits z's delegation by hand: orgdns must not delete it any more.
        phase(org, [{"after_runs": True, "add_records": {"account": "staging", "zone": "staging.demo.example.org",
                     "records": [{"name": "z.staging.demo.example.org", "type": "NS", "ttl": 60,
                                  "values": ["ns-1.other-provider.example"]}]}}])  # fmt: skip
        phase(
            org,
            [
                {"delete_zone": {"account": "staging", "zone": "x.staging.demo.example.org"}},
                {"tag_zone": {"account": "staging", "zone": "y.staging.demo.example.org", "remove": ["orgdns:delegate"]}},
                {"delete_zone": {"account": "staging", "zone": "z.staging.demo.example.org"}},
                {"send_event": {"bus": "member", "event": _delete_event("${account:staging}", "${zone:staging:staging.demo.example.org}")}},
            ],
        )  # fmt: skip
        seen["after"] = delegations(org)
        seen["dangling_after_deletes"] = dangling(org)
        # x comes back as a new zone; an old DeleteHostedZone replayed now must not touch it.
        phase(
            org,
            [{"after_runs": True, **claim("x.staging.demo.example.org")[0]}, *claim("x.staging.demo.example.org")[1:]],
        )
        phase(
            org,
            [
                {
                    "after_runs": True,
                    "send_event": {"bus": "member", "event": _delete_event("${account:staging}", old_x)},
                }
            ],
        )
        seen["after_replay"] = delegations(org)
        phase(org, [{"after_runs": True, "close_account": {"account": "production"}}])
        seen["after_close"] = delegations(org)
        seen["dangling_at_end"] = dangling(org)
        seen["report"] = build_report(org)
    return seen


def _delete_event(account: str, zone_id: str) -> dict[str, Any]:
    return {
        "source": "aws.route53",
        "detail-type": "AWS API Call via CloudTrail",
        "account": account,
        "detail": {"eventName": "DeleteHostedZone", "requestParameters": {"id": zone_id}},
    }


def test_deleting_a_zone_removes_its_delegation(story):
    assert "x.staging.demo.example.org" in story["before"]["staging.demo.example.org"]
    assert "x.staging.demo.example.org" not in story["after"]["staging.demo.example.org"]


def test_untagging_removes_the_delegation_and_keeps_the_zone(story):
    assert "y.staging.demo.example.org" not in story["after"]["staging.demo.example.org"]
    staging = next(a for a in story["report"]["accounts"].values() if a["name"] == "staging")
    assert any(z["name"] == "y.staging.demo.example.org" for z in staging["hostedZones"])


def test_a_record_changed_by_hand_is_left_and_reported(story):
    assert story["after"]["staging.demo.example.org"]["z.staging.demo.example.org"] == ["ns-1.other-provider.example"]
    [document] = [
        m["document"] for m in story["report"]["snsMessages"]
        if m["document"]["zoneName"] == "z.staging.demo.example.org" and m["document"]["trigger"] == "DeleteHostedZone"
    ]  # fmt: skip
    assert document["outcome"] == "ActionRequired"
    assert [(r["name"], r["type"]) for r in document["actionRequired"]] == [("z.staging.demo.example.org", "NS")]
    assert story["dangling_after_deletes"] == ["z.staging.demo.example.org in staging.demo.example.org"]


def test_a_forged_delete_of_a_live_zone_is_refused(story):
    documents = [
        m["document"] for m in story["report"]["snsMessages"] if m["document"]["trigger"] == "DeleteHostedZone"
    ]
    assert any(d["outcome"] == "Rejected" and d["error"]["reason"] == "ZoneStillExists" for d in documents)
    assert "staging.demo.example.org" in story["after"]["demo.example.org"]


def test_a_replayed_delete_does_not_touch_the_recreated_zone(story):
    assert "x.staging.demo.example.org" in story["after_replay"]["staging.demo.example.org"]
    documents = [
        m["document"] for m in story["report"]["snsMessages"] if m["document"]["trigger"] == "DeleteHostedZone"
    ]
    assert documents[-1]["outcome"] == "Skipped"


def test_closing_an_account_removes_its_delegations_and_rehomes_children(story):
    root = story["after_close"]["example.org"]
    assert "demo.example.org" not in root
    assert "staging.demo.example.org" in root  # re-delegated from the nearest managed ancestor
    closed = [m["document"] for m in story["report"]["snsMessages"] if m["document"]["trigger"] == "CloseAccountResult"]
    assert [d["outcome"] for d in closed] == ["Succeeded"]
    assert "staging.demo.example.org" in closed[0]["conditions"][0]["message"]


def test_nothing_dangles_but_what_a_human_changed(story):
    assert story["dangling_at_end"] == ["z.staging.demo.example.org in staging.demo.example.org"]


@pytest.fixture(scope="module")
def out_of_order() -> dict[str, Any]:
    scenario = Scenario.model_validate(
        {
            "name": "out of order",
            **BASE,
            "steps": [
                {"create_account": {"name": "staging", "tags": {"orgdns:subdomain": "staging.example.org"}}},
            ],
        }
    )
    seen: dict[str, Any] = {}
    with LocalOrganization(scenario) as org:
        org.play()
        # Tagged and untagged at the same instant: two runs race; the zone ends untagged.
        phase(org, [
            {"after_runs": True, "create_zone": {"account": "staging", "name": "flip.staging.example.org"}},
            {"tag_zone": {"account": "staging", "zone": "flip.staging.example.org", "tags": DELEGATE}},
            {"tag_zone": {"account": "staging", "zone": "flip.staging.example.org", "remove": ["orgdns:delegate"]}},
        ])  # fmt: skip
        # The delete is processed before the create: the tag event arrives after the zone is gone.
        phase(org, [{"after_runs": True, "create_zone": {"account": "staging", "name": "late.staging.example.org"}}])
        late = org.expand("${zone:staging:late.staging.example.org}")
        phase(org, [{"after_runs": True, "delete_zone": {"account": "staging", "zone": "late.staging.example.org"}}])
        tag = {
            "source": "aws.route53",
            "detail-type": "AWS API Call via CloudTrail",
            "account": org.accounts["staging"],
            "detail": {
                "eventName": "ChangeTagsForResource",
                "requestParameters": {"resourceType": "hostedzone", "resourceId": late, "addTags": [
                    {"key": "orgdns:delegate", "value": "true"}]},
            },
        }  # fmt: skip
        phase(org, [{"after_runs": True, "send_event": {"bus": "member", "event": tag}}])
        seen["delegations"] = delegations(org)
        seen["dangling"] = dangling(org)
        seen["report"] = build_report(org)
    return seen


def test_a_tag_added_and_removed_at_once_ends_undelegated(out_of_order):
    assert "flip.staging.example.org" not in out_of_order["delegations"].get("staging.example.org", {})
    assert out_of_order["dangling"] == []


def test_a_create_processed_after_the_delete_delegates_nothing(out_of_order):
    assert "late.staging.example.org" not in out_of_order["delegations"].get("staging.example.org", {})
    last = out_of_order["report"]["snsMessages"][-1]["document"]  # the tag event, processed last
    assert (last["trigger"], last["outcome"], last["error"]["reason"]) == (
        "ChangeTagsForResource",
        "Rejected",
        "ZoneNotFound",
    )
