"""Nested zones in any order, reruns and duplicate deliveries."""

from tests.workflow.conftest import play, statuses, zone_records


def ns_names(records):
    return sorted(r["name"] for r in records if r["type"] == "NS")


def test_child_set_up_before_its_parent_moves_under_it():
    report = play(
        [
            {"create_account": {"name": "staging", "tags": {"orgdns:subdomain": "staging.demo.example.org"}}},
            {
                "after_runs": True,
                "create_account": {"name": "production", "tags": {"orgdns:subdomain": "demo.example.org"}},
            },
        ]
    )
    outcomes = [(d["zoneName"], d["outcome"], d["parentZone"]) for d in statuses(report)]
    assert outcomes == [
        ("staging.demo.example.org", "Succeeded", "example.org"),
        ("demo.example.org", "Succeeded", "example.org"),
    ]
    root = zone_records(report, "management", "example.org")
    production = zone_records(report, "production", "demo.example.org")
    staging = zone_records(report, "staging", "staging.demo.example.org")
    # staging's delegation now lives in demo.example.org, and is gone from the root.
    assert ns_names(root) == ["demo.example.org", "example.org"]
    assert ns_names(production) == ["demo.example.org", "staging.demo.example.org"]
    moved = next(r for r in production if r["type"] == "NS" and r["name"] == "staging.demo.example.org")
    own = next(r for r in staging if r["type"] == "NS" and r["name"] == "staging.demo.example.org")
    assert sorted(moved["values"]) == sorted(own["values"])


def test_rerun_and_duplicate_delivery_change_nothing():
    tags = {"orgdns:subdomain": "qa.example.org"}
    report = play(
        [
            {"create_account": {"name": "qa", "tags": tags, "deliveries": 2}},
            {"after_runs": True, "start_execution": {"name": "rerun-1", "input": {"accountId": "${account:qa}"}}},
            {"after_runs": True, "start_execution": {"name": "rerun-2", "input": {"accountId": "${account:qa}"}}},
        ]
    )
    runs = [(e["name"].split("-")[0], e["status"]) for e in report["executions"]]
    assert sorted(runs) == [("evt", "SUCCEEDED"), ("rerun", "SUCCEEDED"), ("rerun", "SUCCEEDED")]
    assert [d["outcome"] for d in statuses(report)] == ["Succeeded"] * 3
    qa = next(a for a in report["accounts"].values() if a["name"] == "qa")
    assert len(qa["hostedZones"]) == 1
    assert len(qa["certificates"]) == 1
    assert [d["certificates"][0]["reused"] for d in statuses(report)] == [False, True, True]
    # The reruns wrote nothing: only reads, no changes and no creations.
    calls = report["apiCalls"]["qa"]
    assert calls["route53"].get("CreateHostedZone") == 1
    assert calls["acm"].get("RequestCertificate") == 1
    assert calls["route53"].get("ChangeResourceRecordSets") == 2  # NS TTL, validation record: first run only
    assert report["apiCalls"]["management"]["route53"].get("ChangeResourceRecordSets") == 1


def test_two_runs_racing_for_one_account_make_one_zone_and_one_certificate():
    """Control Tower's Account Factory emits CreateAccountResult and CreateManagedAccount."""
    managed = {
        "id": "ct-event-1",
        "source": "aws.controltower",
        "detail-type": "AWS Service Event via CloudTrail",
        "detail": {
            "eventName": "CreateManagedAccount",
            "serviceEventDetails": {
                "createManagedAccountStatus": {
                    "account": {"accountName": "factory", "accountId": "${account:factory}"},
                    "state": "SUCCEEDED",
                }
            },
        },
    }
    report = play(
        [
            {"create_account": {"name": "factory", "tags": {"orgdns:subdomain": "factory.example.org"}}},
            {"send_event": {"event": managed}},
        ]
    )
    assert sorted(e["status"] for e in report["executions"]) == ["SUCCEEDED", "SUCCEEDED"]
    assert [d["outcome"] for d in statuses(report)] == ["Succeeded", "Succeeded"]
    factory = next(a for a in report["accounts"].values() if a["name"] == "factory")
    assert len(factory["hostedZones"]) == 1
    assert len(factory["certificates"]) == 1
    root = zone_records(report, "management", "example.org")
    assert ns_names(root) == ["example.org", "factory.example.org"]
