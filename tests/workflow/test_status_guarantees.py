"""No status is ever lost: throttling waits for hours rather than failing, a status SNS will not
take is kept, and a run that fails before deciding anything still says what it was about."""

from orgdns_local.report import summary
from tests.workflow.conftest import play, statuses

ACCOUNT = {"create_account": {"name": "app", "tags": {"orgdns:subdomain": "app.example.org"}}}


def test_route53_throttling_for_two_hours_delays_the_run_but_does_not_end_it():
    report = play(
        [ACCOUNT],
        faults=[{"service": "route53", "error": "Throttling", "between_seconds": [0, 7200]}],
    )
    assert [d["outcome"] for d in statuses(report)] == ["Succeeded"]
    assert len(report["faultsInjected"]) >= 20
    assert max(f["simTime"] for f in report["faultsInjected"]) > 6000  # still throttled well into the second hour
    assert report["simulatedSeconds"] > 7200


def test_a_status_sns_will_not_take_is_kept_in_the_dead_letter_queue_and_the_registry():
    report = play(
        [ACCOUNT],
        faults=[{"service": "sns", "operation": "Publish", "error": "AuthorizationError", "http_status": 403}],
    )
    assert report["snsMessages"] == []
    [kept] = report["keptStatuses"]
    assert (kept["outcome"], kept["zoneName"], kept["trigger"]) == (
        "Succeeded",
        "app.example.org",
        "CreateAccountResult",
    )
    [execution] = report["executions"]
    assert (execution["status"], execution["error"]) == ("FAILED", "StatusNotPublished")
    assert "statuses SNS would not take" in summary(report)
    assert "Succeeded      app.example.org (CreateAccountResult)" in summary(report)


def test_a_run_that_fails_in_its_first_step_names_trigger_account_and_zone_from_its_input():
    event = {
        "source": "aws.route53",
        "detail-type": "AWS API Call via CloudTrail",
        "account": "${account:app}",
        "detail": {
            "eventName": "ChangeTagsForResource",
            "requestParameters": {"resourceType": "hostedzone", "resourceId": "Z0123456789ABCDEFGHIJ",
                                  "addTags": [{"key": "orgdns:delegate", "value": "true"}]},
        },
    }  # fmt: skip
    delete = {
        **event,
        "detail": {"eventName": "DeleteHostedZone", "requestParameters": {"id": "/hostedzone/Z0123456789ABCDEFGHIJ"}},
    }
    report = play(
        [
            ACCOUNT,
            {"at": 700, "start_execution": {"name": "by-hand", "input": {"accountId": "${account:app}",
                                                                                   "zoneName": "web.example.org"}}},
            {"after_runs": True, "send_event": {"bus": "member", "event": event}},
            {"after_runs": True, "send_event": {"bus": "member", "event": delete}},
        ],
        # Organizations and the registry refuse for good from 600 s on: every later run fails in its first step.
        faults=[{"service": "organizations", "error": "AccessDeniedException", "between_seconds": [600, 10**7]},
                *({"service": "dynamodb", "operation": op, "error": "AccessDeniedException",
                   "between_seconds": [600, 10**7]} for op in ("GetItem", "BatchGetItem", "Query"))],
    )  # fmt: skip
    app = next(key for key, value in report["accounts"].items() if value["name"] == "app")
    failed = [d for d in statuses(report) if d["outcome"] == "Failed"]
    assert [(d["trigger"], d["accountId"], d["zoneName"], d["hostedZoneId"]) for d in failed] == [
        ("Manual", app, "web.example.org", None),
        ("ChangeTagsForResource", app, None, "Z0123456789ABCDEFGHIJ"),
        ("DeleteHostedZone", app, None, "Z0123456789ABCDEFGHIJ"),
    ]
    assert all("AccessDenied" in d["error"]["message"] for d in failed)
