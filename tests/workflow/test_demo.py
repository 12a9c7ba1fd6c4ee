"""The demo story: production (edge custom domain) and staging (delegated from production's zone);
act two, a developer's self-service zone; act three, production's end-user name arriving after
go-live (a new certificate, an outside record answered by a human, the custom domain switched)."""

from tests.workflow.conftest import account_id, statuses, zone_records


def test_every_run_succeeds_after_the_action_required_is_answered(demo_report):
    outcomes = [(d["zoneName"], d["outcome"], d["trigger"]) for d in statuses(demo_report)]
    assert outcomes == [
        ("staging.demo.example.org", "Succeeded", "CreateAccountResult"),
        ("demo.example.org", "Succeeded", "CreateAccountResult"),
        ("feature-x.staging.demo.example.org", "Succeeded", "ChangeTagsForResource"),
        ("feature-x.staging.demo.example.org", "Succeeded", "DeleteHostedZone"),
        ("demo.example.org", "ActionRequired", "TagResource"),
        ("demo.example.org", "Succeeded", "TagResource"),
    ]
    assert {e["status"] for e in demo_report["executions"]} == {"SUCCEEDED"}


def test_action_required_names_the_exact_record(demo_report):
    action = statuses(demo_report)[4]
    assert action["actionRequired"] == [
        {
            "zoneName": "my-budget-advisor.example",
            "name": action["actionRequired"][0]["name"],
            "type": "CNAME",
            "value": action["actionRequired"][0]["value"],
        }
    ]
    assert action["actionRequired"][0]["name"].endswith(".my-budget-advisor.example")
    outside = zone_records(demo_report, "outside", "my-budget-advisor.example")
    assert any(r["type"] == "CNAME" and r["name"] == action["actionRequired"][0]["name"] for r in outside)


def test_delegations_chain_from_the_root(demo_report):
    root = zone_records(demo_report, "management", "example.org")
    production = zone_records(demo_report, "production", "demo.example.org")
    staging = zone_records(demo_report, "staging", "staging.demo.example.org")
    demo_ns = next(r for r in production if r["type"] == "NS" and r["name"] == "demo.example.org")
    delegation = next(r for r in root if r["type"] == "NS" and r["name"] == "demo.example.org")
    assert sorted(delegation["values"]) == sorted(demo_ns["values"])
    assert delegation["ttl"] == 60 and demo_ns["ttl"] == 60
    staging_ns = next(r for r in staging if r["type"] == "NS" and r["name"] == "staging.demo.example.org")
    staging_delegation = next(r for r in production if r["type"] == "NS" and r["name"] == "staging.demo.example.org")
    assert sorted(staging_delegation["values"]) == sorted(staging_ns["values"])
    assert not any(r["name"] == "staging.demo.example.org" for r in root)


def test_certificates_and_custom_domain(demo_report):
    production = demo_report["accounts"][account_id(demo_report, "production")]
    assert [(c["region"], c["status"], sorted(c["subjectAlternativeNames"])) for c in production["certificates"]] == [
        ("us-east-1", "ISSUED", ["*.demo.example.org", "demo.example.org", "my-budget-advisor.example"])
    ]
    assert [(d["domainName"], d["type"], d["status"]) for d in production["customDomains"]] == [
        ("demo.example.org", "EDGE", "AVAILABLE")
    ]
    records = zone_records(demo_report, "production", "demo.example.org")
    aliases = {r["type"]: r["alias"] for r in records if "alias" in r}
    assert set(aliases) == {"A", "AAAA"} and aliases["A"].endswith(".cloudfront.net")


def test_act_two_delegates_a_developers_zone_then_removes_it(demo_report):
    created, removed = statuses(demo_report)[2:4]
    assert created["parentZone"] == "staging.demo.example.org"
    assert [c["type"] for c in removed["conditions"]] == ["DelegationRemoved"]
    assert "NS feature-x.staging.demo.example.org in staging.demo.example.org" in removed["conditions"][0]["message"]
    staging = zone_records(demo_report, "staging", "staging.demo.example.org")
    assert not any(r["name"] == "feature-x.staging.demo.example.org" for r in staging)


def test_status_document_shape(demo_report):
    final = statuses(demo_report)[1]
    assert final["schemaVersion"] == "1.2"
    assert final["hostedZoneId"] == zone_id_of(demo_report, "production", "demo.example.org")
    assert final["trigger"] == "CreateAccountResult"
    conditions = {(c["type"], c.get("region")): c["status"] for c in final["conditions"]}
    assert conditions == {
        ("ZoneReady", None): "True",
        ("Delegated", None): "True",
        ("CertificateIssued", "us-east-1"): "True",
        ("DomainAvailable", None): "True",
    }
    message = demo_report["snsMessages"][1]
    assert message["attributes"]["outcome"] == "Succeeded"
    assert message["attributes"]["zoneName"] == "demo.example.org"


def zone_id_of(report, account, zone):
    for item in report["accounts"].values():
        if item["name"] == account:
            return next(z["id"] for z in item["hostedZones"] if z["name"] == zone)
    raise AssertionError(f"no zone {zone} in {account}")


def test_act_three_switches_the_domain_to_the_new_certificate_and_deletes_the_old(demo_report):
    _, go_live, _, _, _, switched = statuses(demo_report)
    old, new = go_live["certificates"][0]["arn"], switched["certificates"][0]["arn"]
    assert old != new
    assert (switched["customDomain"]["certificateArn"], switched["customDomain"]["previousCertificateArn"]) == (
        new,
        old,
    )
    retired = next(c for c in switched["conditions"] if c["type"] == "CertificatesRetired")
    assert (retired["status"], old in retired["message"]) == ("True", True)
    production = demo_report["accounts"][account_id(demo_report, "production")]
    assert [c["arn"] for c in production["certificates"]] == [new]  # one certificate per Region
