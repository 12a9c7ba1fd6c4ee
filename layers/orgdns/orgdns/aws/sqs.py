"""SQS: the status dead-letter queue, where a status SNS would not take is kept, and the record
queue, whose messages the record writer hands back early when their zone met a passing error."""

import json
from typing import Any

from orgdns.aws.clients import aws_errors


class StatusQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, document: dict[str, Any], attributes: dict[str, str]) -> str:
        """SendMessage: the status document as the body, the SNS message attributes as SQS ones.

        The queue keeps messages 14 days; an alarm on its depth tells an operator to look."""
        with aws_errors("sqs"):
            response = self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=json.dumps(document, sort_keys=True),
                MessageAttributes={
                    key: {"DataType": "String", "StringValue": value} for key, value in attributes.items() if value
                },
            )
        return str(response["MessageId"])


class RecordQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def hand_back(self, receipts: dict[str, int]) -> None:
        """ChangeMessageVisibilityBatch: each message (receipt handle -> seconds) is visible again
        after that many seconds instead of the queue's visibility timeout (30 minutes), so a run
        whose zone was throttled is served again within minutes. Best effort: a message this
        cannot hand back comes back after the visibility timeout all the same."""
        entries = [
            {"Id": str(n), "ReceiptHandle": receipt, "VisibilityTimeout": seconds}
            for n, (receipt, seconds) in enumerate(receipts.items())
        ]
        for start in range(0, len(entries), 10):  # at most 10 entries a request
            with aws_errors("sqs"):
                self._client.change_message_visibility_batch(
                    QueueUrl=self._queue_url, Entries=entries[start : start + 10]
                )
