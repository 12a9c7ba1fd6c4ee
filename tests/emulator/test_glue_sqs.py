"""Patch 12: SQS time is simulated, and an SQS event source is polled as Lambda polls it: a
batching window, batches of up to BatchSize, batch item failures handed out again after the
visibility timeout, the redrive policy's dead-letter queue. And `.waitForTaskToken` waits on the
simulated clock, answered through the queue (patch 2b), or timing out in simulated time."""

import json
from typing import Any

from glue_support import Glue, client

from orgdns_local.moto_glue.sqs import EventSourceMapping, SqsPoller


def queue(name: str, **attributes: str) -> tuple[str, str]:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def poller(glue: Glue, queue_arn: str, function_arn: str, **options: Any) -> SqsPoller:
    p = SqsPoller(glue.ctx, EventSourceMapping(queue_arn=queue_arn, function_arn=function_arn, **options))
    p.start()
    return p


def test_messages_sent_within_the_window_arrive_in_one_batch(glue: Glue) -> None:
    batches: list[tuple[float, list[str]]] = []
    url, arn = queue("q")
    fn = glue.function("consumer", lambda e: batches.append((glue.clock.elapsed(), [r["body"] for r in e["Records"]])))
    p = poller(glue, arn, fn, batch_size=100, batching_window_seconds=5)
    try:
        with glue.clock.participant("sender"):  # time stands still while the sender works
            for i in range(30):
                client("sqs").send_message(QueueUrl=url, MessageBody=f"m{i}")
                glue.clock.sleep(0.1)
            glue.clock.sleep(10)
    finally:
        p.stop()
    assert [len(bodies) for _, bodies in batches] == [30]
    assert batches[0][0] == 5.0  # the window from the first message, on the simulated clock
    assert (
        client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )


def test_batch_size_caps_a_batch(glue: Glue) -> None:
    sizes: list[int] = []
    url, arn = queue("capped")
    fn = glue.function("consumer", lambda e: sizes.append(len(e["Records"])))
    for i in range(25):
        client("sqs").send_message(QueueUrl=url, MessageBody=str(i))
    p = poller(glue, arn, fn, batch_size=10, batching_window_seconds=1)
    try:
        glue.clock.sleep(30)
    finally:
        p.stop()
    assert sizes == [10, 10, 5]


def test_reported_failures_come_back_after_the_visibility_timeout_then_go_to_the_dead_letter_queue(glue: Glue) -> None:
    seen: list[tuple[float, str, str]] = []
    dlq_url, dlq_arn = queue("dlq")
    url, arn = queue(
        "work", VisibilityTimeout="60", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    )

    def consume(event: dict[str, Any]) -> dict[str, Any]:
        for r in event["Records"]:
            seen.append((glue.clock.elapsed(), r["body"], r["attributes"]["ApproximateReceiveCount"]))
        return {
            "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]
        }

    fn = glue.function("consumer", consume)
    client("sqs").send_message(QueueUrl=url, MessageBody="good")
    client("sqs").send_message(QueueUrl=url, MessageBody="bad")
    p = poller(glue, arn, fn, batch_size=10, report_batch_item_failures=True)
    try:
        glue.clock.sleep(300)
    finally:
        p.stop()
    assert [(body, count) for _, body, count in seen] == [("good", "1"), ("bad", "1"), ("bad", "2")]
    assert 60 <= seen[2][0] - seen[1][0] <= 61  # visible again after 60 simulated seconds
    dead = client("sqs").receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["bad"]


def test_a_failed_invocation_leaves_the_whole_batch_on_the_queue(glue: Glue) -> None:
    calls: list[int] = []

    def broken(event: dict[str, Any]) -> None:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise RuntimeError("first try fails")

    url, arn = queue("retry", VisibilityTimeout="30")
    fn = glue.function("consumer", broken)
    client("sqs").send_message(QueueUrl=url, MessageBody="a")
    client("sqs").send_message(QueueUrl=url, MessageBody="b")
    p = poller(glue, arn, fn, batch_size=10)
    try:
        glue.clock.sleep(100)
    finally:
        p.stop()
    assert calls == [2, 2]


def test_a_task_token_is_answered_through_the_queue_on_the_simulated_clock(glue: Glue) -> None:
    url, arn = queue("tokens")
    sfn = client("stepfunctions")

    def answer(event: dict[str, Any]) -> None:
        for r in event["Records"]:
            body = json.loads(r["body"])
            sfn.send_task_success(taskToken=body["token"], output=json.dumps({"echo": body["n"]}))

    fn = glue.function("answerer", answer)
    machine = glue.state_machine(
        "waits",
        {"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "TimeoutSeconds": 600,
            "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}}, "End": True}}},
    )  # fmt: skip
    p = poller(glue, arn, fn, batch_size=10, batching_window_seconds=5)
    try:
        result = glue.run(machine, {"n": 7})
    finally:
        p.stop()
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"echo": 7}
    assert (result["stopDate"] - result["startDate"]).total_seconds() == 5


def waiting_machine(glue: Glue, name: str, url: str, timeout: int, retry: list[Any] | None = None) -> str:
    """A state machine of one task that sends its token to `url` and waits `timeout` seconds."""
    ask: dict[str, Any] = {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "TimeoutSeconds": timeout,
        "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True,
    }  # fmt: skip
    if retry:
        ask["Retry"] = retry
    return glue.state_machine(name, {"StartAt": "Ask", "States": {"Ask": ask}})


def test_an_unanswered_task_token_times_out_in_simulated_time(glue: Glue) -> None:
    url, _ = queue("nobody")
    result = glue.run(waiting_machine(glue, "abandoned", url, 900))
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Timeout"
    assert (result["stopDate"] - result["startDate"]).total_seconds() == 900
    assert glue.clock.elapsed() == 900


def test_a_retry_after_a_task_token_timeout_waits_its_own_timeout_again(glue: Glue) -> None:
    url, _ = queue("unanswered")
    retry = [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 5, "MaxAttempts": 2}]
    result = glue.run(waiting_machine(glue, "retried", url, 100, retry))
    history = client("stepfunctions").get_execution_history(executionArn=result["executionArn"])["events"]
    timed_out = [e["timestamp"] for e in history if e["type"] == "TaskTimedOut"]
    assert result["status"] == "FAILED" and result["error"] == "States.Timeout"
    assert [(t - result["startDate"]).total_seconds() for t in timed_out] == [100, 205, 315]  # 5 s, then 10 s between
    assert len(client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 3
