"""Each trigger and account option, end to end."""

from tests.workflow.conftest import account_id, play, statuses, zone_records


def test_control_tower_managed_account():
    report = play(
        [{"create_account": {"name": "ct", "via": "controltower", "tags": {"orgdns:subdomain": "ct.example.org"}}}]
    )
    [document] = statuses(report)
    assert (document["trigger"], document["outcome"], document["zoneName"]) == (
        "CreateManagedAccount",
        "Succeeded",
        "ct.example.org",
    )


def test_account_without_tag_is_skipped_and_nothing_is_created():
    report = play([{"create_account": {"name": "plain"}}])
    [document] = statuses(report)
    assert document["outcome"] == "Skipped"
    assert document["conditions"] == []
    assert report["accounts"][account_id(report, "plain")]["hostedZones"] == []


def test_naming_rule_names_untagged_accounts():
    report = play(
        [{"create_account": {"name": "Team Blue"}}],
        parameters={"NamingRule": "{account_name}.example.org"},
    )
    [document] = statuses(report)
    assert (document["outcome"], document["zoneName"]) == ("Succeeded", "team-blue.example.org")


def test_failed_account_creation_starts_no_run():
    report = play([{"create_account": {"name": "broken", "fail": "EMAIL_ALREADY_EXISTS"}}])
    assert report["executions"] == []
    assert report["snsMessages"] == []


def test_uppercase_and_trailing_dot_are_normalised():
    report = play([{"create_account": {"name": "app", "tags": {"orgdns:subdomain": "App.Example.ORG."}}}])
    [document] = statuses(report)
    assert (document["outcome"], document["zoneName"]) == ("Succeeded", "app.example.org")
    assert any(
        r["name"] == "app.example.org" and r["type"] == "NS" for r in zone_records(report, "management", "example.org")
    )


def test_name_managed_for_another_account_is_rejected_and_nothing_written():
    report = play(
        [
            {"create_account": {"name": "owner", "tags": {"orgdns:subdomain": "shop.example.org"}}},
            {"after_runs": True, "create_account": {"name": "thief", "tags": {"orgdns:subdomain": "shop.example.org"}}},
        ]
    )
    outcomes = [(d["accountId"], d["outcome"]) for d in statuses(report)]
    assert outcomes == [
        (account_id(report, "owner"), "Succeeded"),
        (account_id(report, "thief"), "Rejected"),
    ]
    assert statuses(report)[1]["error"]["reason"] == "NameOwnedByAnotherAccount"
    thief = report["accounts"][account_id(report, "thief")]
    assert thief["hostedZones"] == [] and thief["certificates"] == []
    delegation = [r for r in zone_records(report, "management", "example.org") if r["name"] == "shop.example.org"]
    owner_ns = next(r for r in zone_records(report, "owner", "shop.example.org") if r["type"] == "NS")
    assert len(delegation) == 1 and sorted(delegation[0]["values"]) == sorted(owner_ns["values"])


def test_regional_custom_domain_and_several_certificate_regions():
    report = play(
        [
            {
                "create_account": {
                    "name": "api",
                    "tags": {
                        "orgdns:subdomain": "api.example.org",
                        "orgdns:certificate-regions": "us-east-1 eu-west-1",
                        "orgdns:custom-domain": "regional",
                        "orgdns:custom-domain-region": "eu-west-1",
                        "orgdns:extra-names": "www.api.example.org",
                    },
                }
            }
        ]
    )
    [document] = statuses(report)
    assert document["outcome"] == "Succeeded"
    assert sorted(c["region"] for c in document["certificates"]) == ["eu-west-1", "us-east-1"]
    assert document["customDomain"]["type"] == "regional" and document["customDomain"]["region"] == "eu-west-1"
    account = report["accounts"][account_id(report, "api")]
    assert {(c["region"], c["status"]) for c in account["certificates"]} == {
        ("us-east-1", "ISSUED"),
        ("eu-west-1", "ISSUED"),
    }
    # One validation CNAME serves both Regions; www.api.example.org's record is in the same zone.
    cnames = [r for r in zone_records(report, "api", "api.example.org") if r["type"] == "CNAME"]
    assert len(cnames) == 2
    assert [(d["type"], d["region"], d["status"]) for d in account["customDomains"]] == [
        ("REGIONAL", "eu-west-1", "AVAILABLE")
    ]


def test_manual_start_with_explicit_options():
    report = play(
        [
            {"create_account": {"name": "dev", "tags": {"orgdns:subdomain": "ignored.example.org"}}},
            {
                "after_runs": True,
                "start_execution": {
                    "name": "by-hand",
                    "input": {"accountId": "${account:dev}", "zoneName": "dev.example.org", "nsTtl": 300},
                },
            },
        ]
    )
    by_hand = next(d for d in statuses(report) if d["runId"] == "by-hand")
    assert (by_hand["trigger"], by_hand["outcome"], by_hand["zoneName"]) == ("Manual", "Succeeded", "dev.example.org")
    ns = next(r for r in zone_records(report, "management", "example.org") if r["name"] == "dev.example.org")
    assert ns["ttl"] == 300


def test_a_manual_input_takes_the_custom_domain_from_the_tags_and_the_region_from_the_input():
    report = play(
        [
            {
                "create_account": {
                    "name": "api",
                    "tags": {"orgdns:subdomain": "api.example.org", "orgdns:custom-domain": "regional"},
                }
            },
            {
                "after_runs": True,
                "start_execution": {
                    "name": "by-hand",
                    "input": {"accountId": "${account:api}", "customDomainRegion": "eu-west-1"},
                },
            },
        ]
    )
    by_hand = next(d for d in statuses(report) if d["runId"] == "by-hand")
    assert by_hand["outcome"] == "Succeeded", by_hand["error"]
    assert (by_hand["customDomain"]["type"], by_hand["customDomain"]["region"]) == ("regional", "eu-west-1")
