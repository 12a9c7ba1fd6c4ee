"""An account's tags changed after it was created: Organizations' TagResource / UntagResource events
start runs, and every run ends in the state the account's tags have now."""

from typing import Any

from tests.workflow.conftest import account_id, play, statuses, zone_records

SUBDOMAIN = "orgdns:subdomain"


def delegated(report: dict[str, Any], name: str) -> bool:
    return any(r["name"] == name and r["type"] == "NS" for r in zone_records(report, "management", "example.org"))


def registered(report: dict[str, Any]) -> list[str]:
    return sorted(item["zoneName"] for item in report["registry"])


def tag_event(event_id: str, name: str, account: str, **parameters: Any) -> dict[str, Any]:
    return {
        "send_event": {
            "event": {
                "id": event_id,
                "source": "aws.organizations",
                "detail-type": "AWS API Call via CloudTrail",
                "detail": {
                    "eventSource": "organizations.amazonaws.com",
                    "eventName": name,
                    "requestParameters": {"resourceId": account, **parameters},
                },
            }
        }
    }


def test_setting_the_subdomain_tag_on_an_existing_account_sets_it_up():
    report = play(
        [{"tag_account": {"account": "late", "tags": {SUBDOMAIN: "late.example.org", "team": "blue"}}}],
        accounts=[{"name": "late"}],
    )
    runs = [(d["trigger"], d["outcome"], d.get("zoneName")) for d in statuses(report)]
    # the subdomain run, and the teardown that looks for a name the tags no longer ask for
    assert sorted(runs) == [("TagResource", "Skipped", None), ("TagResource", "Succeeded", "late.example.org")]
    skipped = next(d for d in statuses(report) if d["outcome"] == "Skipped")
    assert skipped["accountId"] == account_id(report, "late")
    assert delegated(report, "late.example.org")
    assert registered(report) == ["late.example.org"]


def test_tags_that_are_not_orgdns_tags_start_nothing():
    report = play(
        [{"tag_account": {"account": "plain", "tags": {"team": "blue", "cost-center": "42"}}}],
        accounts=[{"name": "plain"}],
    )
    assert report["executions"] == []
    assert report["snsMessages"] == []


def test_removing_the_subdomain_tag_tears_the_subdomain_down():
    report = play(
        [
            {"create_account": {"name": "gone", "tags": {SUBDOMAIN: "gone.example.org"}}},
            {"after_runs": True, "tag_account": {"account": "gone", "remove": [SUBDOMAIN]}},
        ]
    )
    teardown = next(d for d in statuses(report) if d["trigger"] == "UntagResource" and d["conditions"])
    assert teardown["outcome"] == "Succeeded"
    assert [c["reason"] for c in teardown["conditions"]] == ["Removed"]
    assert not delegated(report, "gone.example.org")
    assert registered(report) == []
    # and a subdomain run, which finds nothing asked for (no NamingRule)
    assert sorted(d["outcome"] for d in statuses(report) if d["trigger"] == "UntagResource") == ["Skipped", "Succeeded"]


def test_with_a_naming_rule_removing_the_subdomain_tag_moves_the_account_to_the_rules_name():
    report = play(
        [
            {"create_account": {"name": "Team Blue", "tags": {SUBDOMAIN: "custom.example.org"}}},
            {"after_runs": True, "tag_account": {"account": "Team Blue", "remove": [SUBDOMAIN]}},
        ],
        parameters={"NamingRule": "{account_name}.example.org"},
    )
    assert registered(report) == ["team-blue.example.org"]
    assert delegated(report, "team-blue.example.org") and not delegated(report, "custom.example.org")


def test_a_zone_a_manual_run_named_is_not_retired_by_a_tag_change():
    report = play(
        [
            {"create_account": {"name": "both", "tags": {SUBDOMAIN: "app.example.org"}}},
            {
                "after_runs": True,
                "start_execution": {"input": {"accountId": "${account:both}", "zoneName": "api.example.org"}},
            },
            {"after_runs": True, "tag_account": {"account": "both", "tags": {SUBDOMAIN: "app2.example.org"}}},
        ]
    )
    assert registered(report) == ["api.example.org", "app2.example.org"]
    assert delegated(report, "api.example.org") and not delegated(report, "app.example.org")


def test_an_option_tag_changed_reruns_with_the_new_option():
    report = play(
        [
            {"create_account": {"name": "ttl", "tags": {SUBDOMAIN: "ttl.example.org"}}},
            {"after_runs": True, "tag_account": {"account": "ttl", "tags": {"orgdns:ns-ttl": "300"}}},
        ]
    )
    documents = statuses(report)
    assert [(d["trigger"], d["outcome"]) for d in documents] == [
        ("CreateAccountResult", "Succeeded"),
        ("TagResource", "Succeeded"),
    ]
    [record] = [r for r in zone_records(report, "management", "example.org") if r["name"] == "ttl.example.org"]
    assert record["ttl"] == 300


def test_a_duplicate_delivery_starts_each_workflow_once():
    report = play(
        [{"tag_account": {"account": "dup", "tags": {SUBDOMAIN: "dup.example.org"}, "deliveries": 3}}],
        accounts=[{"name": "dup"}],
    )
    assert len(report["executions"]) == 2  # one subdomain run and one teardown, not three of each
    assert delegated(report, "dup.example.org")


def test_renaming_the_subdomain_sets_up_the_new_name_and_retires_the_old():
    report = play(
        [
            {"create_account": {"name": "mv", "tags": {SUBDOMAIN: "old.example.org"}}},
            {"after_runs": True, "tag_account": {"account": "mv", "tags": {SUBDOMAIN: "new.example.org"}}},
        ]
    )
    assert delegated(report, "new.example.org") and not delegated(report, "old.example.org")
    assert registered(report) == ["new.example.org"]
    teardown = next(d for d in statuses(report) if d["trigger"] == "TagResource" and d["zoneName"] == "old.example.org")
    assert teardown["outcome"] == "Succeeded"


def test_tags_removed_and_set_again_at_once_end_set_up():
    report = play(
        [
            {"create_account": {"name": "flip", "tags": {SUBDOMAIN: "flip.example.org"}}},
            {"after_runs": True, "tag_account": {"account": "flip", "remove": [SUBDOMAIN]}},
            {"tag_account": {"account": "flip", "tags": {SUBDOMAIN: "flip.example.org"}}},
        ]
    )
    assert delegated(report, "flip.example.org")
    assert registered(report) == ["flip.example.org"]
    final = [d for d in statuses(report) if d["trigger"] == "TagResource" and d["zoneName"] == "flip.example.org"]
    assert [d["outcome"] for d in final][-1] == "Succeeded"


def test_an_untag_event_delivered_after_the_tags_came_back_tears_nothing_down():
    # The administrator removed the tag and set it again; the removal's event arrives last.
    report = play(
        [
            {"create_account": {"name": "late-event", "tags": {SUBDOMAIN: "le.example.org"}}},
            {"after_runs": True, **tag_event("untag-1", "UntagResource", "${account:late-event}", tagKeys=[SUBDOMAIN])},
        ]
    )
    late = sorted(d["outcome"] for d in statuses(report) if d["trigger"] == "UntagResource")
    assert late == ["Skipped", "Succeeded"]  # the teardown finds the tag back; the subdomain run reruns
    assert delegated(report, "le.example.org")
    assert registered(report) == ["le.example.org"]


def test_a_tag_event_delivered_after_the_tag_was_removed_sets_nothing_up():
    report = play(
        [
            {
                "after_runs": True,
                **tag_event(
                    "tag-1", "TagResource", "${account:quiet}", tags=[{"key": SUBDOMAIN, "value": "q.example.org"}]
                ),
            },
        ],
        accounts=[{"name": "quiet"}],
    )
    assert sorted((d["outcome"], d.get("zoneName")) for d in statuses(report)) == [
        ("Skipped", None),
        ("Skipped", None),
    ]
    assert registered(report) == []
    assert not delegated(report, "q.example.org")


def test_tags_on_an_organizational_unit_are_skipped():
    report = play(
        [tag_event("ou-1", "TagResource", "ou-ab12-cdef3456", tags=[{"key": SUBDOMAIN, "value": "x.example.org"}])]
    )
    [document] = statuses(report)
    assert (document["outcome"], document["trigger"]) == ("Skipped", "TagResource")
    assert registered(report) == []


def test_a_malformed_tag_event_is_filtered_by_the_rule_and_rejected_when_started_by_hand():
    event = tag_event("bad-1", "TagResource", "${account:acct}", tags="orgdns:subdomain=x")
    filtered = play([event], accounts=[{"name": "acct"}])
    assert filtered["executions"] == []
    report = play([{"start_execution": {"input": event["send_event"]["event"]}}], accounts=[{"name": "acct"}])
    [document] = statuses(report)
    assert document["outcome"] == "Rejected"
    assert document["error"]["field"] == "detail.requestParameters.tags"


def test_a_run_for_a_zone_being_torn_down_waits_and_sets_it_up_again():
    report = play(
        [
            {"create_account": {"name": "again", "tags": {SUBDOMAIN: "again.example.org"}}},
            {"at": 600, "after_runs": True, "tag_account": {"account": "again", "remove": [SUBDOMAIN]}},
            # set again while the teardown is under way (it holds the zone for about 15 s)
            {"at": 603, "tag_account": {"account": "again", "tags": {SUBDOMAIN: "again.example.org"}}},
        ]
    )
    runs = [(d["trigger"], d["outcome"], d.get("zoneName")) for d in statuses(report)]
    assert ("UntagResource", "Succeeded", "again.example.org") in runs  # it was torn down...
    assert runs[-1] == ("TagResource", "Succeeded", "again.example.org")  # ...and set up again after
    assert delegated(report, "again.example.org")
    assert registered(report) == ["again.example.org"]


def test_a_run_under_way_when_its_zone_is_torn_down_starts_again_and_follows_the_tags():
    report = play(
        [
            {"create_account": {"name": "race", "tags": {SUBDOMAIN: "race.example.org"}}},
            {"at": 600, "after_runs": True, "tag_account": {"account": "race", "tags": {"orgdns:ns-ttl": "300"}}},
            {"at": 601, "tag_account": {"account": "race", "remove": [SUBDOMAIN]}},
        ]
    )
    rerun = next(e for e in report["executions"] if e["input"].get("detail", {}).get("eventName") == "TagResource")
    assert rerun["status"] == "SUCCEEDED"
    last = [d for d in statuses(report) if d["trigger"] == "TagResource"][-1]
    assert last["outcome"] == "Skipped"  # started again: the tags no longer ask for a subdomain
    assert not delegated(report, "race.example.org")
    assert registered(report) == []  # and nothing the run read before the teardown came back


def test_a_failed_teardown_gives_its_zone_back_to_the_next_run():
    report = play(
        [
            {"create_account": {"name": "stuck", "tags": {SUBDOMAIN: "stuck.example.org"}}},
            {"at": 500, "after_runs": True, "tag_account": {"account": "stuck", "remove": [SUBDOMAIN]}},
            {"at": 900, "after_runs": True, "tag_account": {"account": "stuck", "tags": {SUBDOMAIN: "stuck.example.org"}}},
        ],
        faults=[{"service": "route53", "operation": "ChangeResourceRecordSets", "error": "AccessDenied",
                 "http_status": 403, "account": "management", "between_seconds": [450, 800]}],
    )  # fmt: skip
    teardown = next(d for d in statuses(report) if d["trigger"] == "UntagResource" and d["outcome"] != "Skipped")
    assert teardown["outcome"] == "Failed"
    again = report["snsMessages"][-1]
    assert (again["document"]["trigger"], again["document"]["outcome"]) == ("TagResource", "Succeeded")
    assert again["simTime"] < 900 + 600  # no wait for a teardown that is over
    assert registered(report) == ["stuck.example.org"] and delegated(report, "stuck.example.org")
