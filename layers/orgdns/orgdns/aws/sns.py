"""SNS: publish one status document."""

import json
from typing import Any

from orgdns.aws.clients import aws_errors


class StatusTopic:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, document: dict[str, Any], attributes: dict[str, str], subject: str) -> str:
        """Publish; message attributes let subscribers filter on outcome, account and zone."""
        with aws_errors("sns"):
            response = self._client.publish(
                TopicArn=self._topic_arn,
                Subject=subject[:100],
                Message=json.dumps(document, sort_keys=True),
                MessageAttributes={
                    key: {"DataType": "String", "StringValue": value} for key, value in attributes.items() if value
                },
            )
        return str(response["MessageId"])
