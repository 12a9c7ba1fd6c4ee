"""SQS: the status dead-letter queue, where a status SNS would not take is kept."""

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
