"""A Route 53 request budget per account, shared by every concurrent run.

Route 53 allows five requests per second per account, for all its APIs together and for every
tool in the account. Twenty accounts created at once means twenty runs writing into the same
parent zone's account; a client-side limiter in each Lambda container cannot see the others. So
each request first takes a token from a counter in DynamoDB, one item per account and second
(``route53#<account>#<epoch second>``, expiring after a minute): at most ``per_second`` requests
per fixed second, so no sliding second sees more than ``2 * per_second``. A request that finds
its second full waits for the next one: pacing, not polling, and at most ``max_wait_seconds``, so
a step's few requests stay well inside the function's timeout. Past that it raises
``Route53Throttling`` and the state machine backs off with jitter.
"""

import random
import time
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code
from orgdns.errors import Route53Throttling

_TTL_SECONDS = 60


class Route53RateLimiter:
    def __init__(self, client: Any, table: str, per_second: int, max_wait_seconds: float = 5.0) -> None:
        self._client = client
        self._table = table
        self._per_second = per_second
        self._max_wait = max_wait_seconds

    def acquire(self, account_id: str) -> None:
        """Block until this account has a Route 53 request to spare in the current second."""
        waited = 0.0
        attempt = 0
        while True:
            now = time.time()
            second = int(now)
            if self._take(account_id, second):
                return
            if waited >= self._max_wait:
                raise Route53Throttling(
                    f"orgdns's Route 53 budget for account {account_id} ({self._per_second} requests per second) "
                    f"stayed used up for {waited:.0f} s"
                )
            # Next second at the earliest; the more often this request lost, the wider it spreads
            # (full jitter from a quarter of a second, doubling to 8 s), so many waiting runs do
            # not all retry at the same instant, and a run that only waits for its own account's
            # next second (a new account's zone: three requests) waits little more than that.
            delay = second + 1 - now + random.uniform(0, min(0.25 * 2.0**attempt, 8.0))  # noqa: S311 - jitter
            attempt += 1
            time.sleep(delay)
            waited += delay

    def _take(self, account_id: str, second: int) -> bool:
        try:
            with aws_errors("dynamodb"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"bucket": {"S": f"route53#{account_id}#{second}"}},
                    UpdateExpression="ADD #used :one SET #expires = :expires",
                    ConditionExpression="attribute_not_exists(#used) OR #used < :limit",
                    ExpressionAttributeNames={"#used": "used", "#expires": "expiresAt"},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":limit": {"N": str(self._per_second)},
                        ":expires": {"N": str(second + _TTL_SECONDS)},
                    },
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True
