"""Patch 3: EventBridge delivers to Lambda and Step Functions targets and keeps envelopes."""

import json
from typing import Any

from glue_support import ACCOUNT, REGION, Glue, client

from orgdns_local.moto_glue import put_event, wait_for_executions

MEMBER = "222222222222"
PATTERN = json.dumps({"source": ["aws.organizations"]})
EVENT = {
    "source": "aws.organizations",
    "detail-type": "AWS API Call via CloudTrail",
    "detail": {"eventName": "CreateAccountResult"},
}


def rule_to(target_arn: str, account: str = ACCOUNT) -> None:
    events = client("events", account)
    events.put_rule(Name="org", EventPattern=PATTERN)
    events.put_targets(Rule="org", Targets=[{"Id": "1", "Arn": target_arn}])


def test_a_rule_delivers_to_a_lambda_target(glue: Glue) -> None:
    received: list[dict[str, Any]] = []
    rule_to(glue.function("on-event", received.append))
    entry = client("events").put_events(
        Entries=[{"Source": EVENT["source"], "DetailType": EVENT["detail-type"], "Detail": "{}"}]
    )["Entries"][0]
    assert [event["id"] for event in received] == [entry["EventId"]]
    assert received[0]["account"] == ACCOUNT and received[0]["time"] == "2025-01-01T00:00:00Z"


def test_forwarding_to_another_accounts_bus_keeps_id_and_account(glue: Glue) -> None:
    received: list[dict[str, Any]] = []
    rule_to(glue.function("member-handler", received.append, account=MEMBER), account=MEMBER)
    rule_to(f"arn:aws:events:{REGION}:{MEMBER}:event-bus/default")
    event_id = put_event(ACCOUNT, REGION, {**EVENT, "id": "11111111-2222-3333-4444-555555555555"})
    assert event_id == "11111111-2222-3333-4444-555555555555"
    assert [(e["id"], e["account"], e["region"]) for e in received] == [(event_id, ACCOUNT, REGION)]


def test_a_rule_starts_a_state_machine_and_duplicates_are_delivered_twice(glue: Glue) -> None:
    machine = glue.state_machine("on-event", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    rule_to(machine)
    put_event(ACCOUNT, REGION, {**EVENT, "id": "same"})
    put_event(ACCOUNT, REGION, {**EVENT, "id": "same"})
    wait_for_executions(10)
    sfn = client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]
    assert [(i["id"], i["detail-type"]) for i in inputs] == [("same", EVENT["detail-type"])] * 2


def test_a_failing_lambda_target_is_recorded_not_raised(glue: Glue) -> None:
    def broken(event: Any) -> None:
        raise ValueError("boom")

    rule_to(glue.function("broken", broken))
    put_event(ACCOUNT, REGION, {**EVENT, "id": "e1"})
    wait_for_executions(10)  # the two retries, 1 and 3 simulated minutes later
    [failure] = glue.ctx.delivery_failures
    assert failure.event_id == "e1" and "boom" in failure.error


def _flaky(glue: Glue, failures: int, seen: list[float]) -> str:
    def handler(event: Any) -> Any:
        seen.append(glue.clock.elapsed())
        if len(seen) <= failures:
            raise RuntimeError("StartExecution failed")
        return {}

    return glue.function("flaky-intake", handler)


def test_an_asynchronous_invocation_that_fails_is_retried_twice_by_lambda(glue: Glue) -> None:
    seen: list[float] = []
    rule_to(_flaky(glue, failures=2, seen=seen))
    with glue.clock.participant("driver"):
        put_event(ACCOUNT, REGION, EVENT)
    wait_for_executions(30)  # also waits for invocations that wait for a retry
    assert seen == [0, 60, 180]
    assert glue.ctx.delivery_failures == []


def test_an_asynchronous_invocation_that_keeps_failing_goes_to_the_dead_letter_queue(glue: Glue) -> None:
    seen: list[float] = []
    rule_to(_flaky(glue, failures=3, seen=seen))
    queue = client("sqs").create_queue(QueueName="intake-dlq")["QueueUrl"]
    glue.ctx.dead_letter_queues["flaky-intake"] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:intake-dlq"
    with glue.clock.participant("driver"):
        event_id = put_event(ACCOUNT, REGION, EVENT)
    wait_for_executions(30)
    [message] = client("sqs").receive_message(QueueUrl=queue, MessageAttributeNames=["All"])["Messages"]
    assert seen == [0, 60, 180]
    assert json.loads(message["Body"])["id"] == event_id
    assert "StartExecution failed" in message["MessageAttributes"]["ErrorMessage"]["StringValue"]
    assert [f.event_id for f in glue.ctx.delivery_failures] == [event_id]


def template_rule(name: str) -> str:
    """The EventPattern of one of the Intake function's rules in template.yaml, as JSON."""
    from pathlib import Path

    from orgdns_local.template import load_yaml

    template = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")
    return json.dumps(template["Resources"]["IntakeFunction"]["Properties"]["Events"][name]["Properties"]["Pattern"])


def account_tag_event(name: str, **parameters: Any) -> dict[str, Any]:
    return {
        "source": "aws.organizations",
        "detail-type": "AWS API Call via CloudTrail",
        "detail": {
            "eventSource": "organizations.amazonaws.com",
            "eventName": name,
            "requestParameters": {"resourceId": "222222222222", **parameters},
        },
    }


def test_a_pattern_matches_a_field_of_the_objects_in_an_array(glue: Glue) -> None:
    received: list[dict[str, Any]] = []
    events = client("events")
    events.put_rule(Name="tags", EventPattern=template_rule("AccountTagsChanged"))
    events.put_targets(Rule="tags", Targets=[{"Id": "1", "Arn": glue.function("tags", received.append)}])
    ours = [{"key": "team", "value": "blue"}, {"key": "orgdns:subdomain", "value": "a.example.org"}]
    put_event(ACCOUNT, REGION, {**account_tag_event("TagResource", tags=ours), "id": "tag-ours"})
    put_event(ACCOUNT, REGION, {**account_tag_event("TagResource", tags=[{"key": "team", "value": "x"}]), "id": "tag"})
    put_event(ACCOUNT, REGION, {**account_tag_event("UntagResource", tagKeys=["team", "orgdns:ns-ttl"]), "id": "un"})
    put_event(ACCOUNT, REGION, {**account_tag_event("UntagResource", tagKeys=["team"]), "id": "un-other"})
    put_event(ACCOUNT, REGION, {**account_tag_event("TagResource", tags="orgdns:subdomain"), "id": "malformed"})
    assert [event["id"] for event in received] == ["tag-ours", "un"]


def test_arrays_of_scalars_and_nested_objects_still_match_as_before(glue: Glue) -> None:
    from moto.events.models import EventPattern

    pattern = EventPattern.load(json.dumps({"detail": {"names": ["b"], "a": {"b": {"c": [{"prefix": "x"}]}}}}))
    assert pattern.matches_event({"detail": {"names": ["a", "b"], "a": [{"b": {"c": "y"}}, {"b": {"c": "xy"}}]}})
    assert not pattern.matches_event({"detail": {"names": ["a", "b"], "a": [{"b": {"c": "y"}}]}})
    assert not pattern.matches_event({"detail": {"names": ["a"], "a": [{"b": {"c": "xy"}}]}})
