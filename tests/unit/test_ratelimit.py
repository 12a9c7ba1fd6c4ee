"""The shared Route 53 budget: at most N requests per account and second, across containers."""

from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

import orgdns.aws.ratelimit as ratelimit
from orgdns.aws.ratelimit import Route53RateLimiter
from orgdns.errors import Route53Throttling


class FakeTime:
    def __init__(self, start: float) -> None:
        self.now = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def limiter(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="limits",
            AttributeDefinitions=[{"AttributeName": "bucket", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "bucket", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        clock = FakeTime(1_000_000.25)
        monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=clock.time, sleep=clock.sleep))
        yield SimpleNamespace(clock=clock, make=lambda n, wait=10.0: Route53RateLimiter(client, "limits", n, wait))


def test_within_budget_nothing_waits(limiter):
    two = limiter.make(2)
    two.acquire("111111111111")
    two.acquire("111111111111")
    two.acquire("222222222222")  # another account has its own budget
    assert limiter.clock.slept == []


def test_over_budget_waits_for_the_next_second_even_across_limiters(limiter):
    first, second = limiter.make(2), limiter.make(2)  # two Lambda containers
    first.acquire("111111111111")
    second.acquire("111111111111")
    first.acquire("111111111111")
    assert len(limiter.clock.slept) == 1
    assert 1_000_001 <= limiter.clock.now < 1_000_003.25


def test_budget_used_up_for_too_long_is_throttling(limiter):
    one = limiter.make(1, wait=0.0)
    one.acquire("111111111111")
    with pytest.raises(Route53Throttling, match="budget"):
        one.acquire("111111111111")
