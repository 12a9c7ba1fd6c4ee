"""ACM's certificate events: parsing, routing, and what nothing in them is trusted for."""

from typing import Any

import pytest

from orgdns.errors import RequestRejected
from orgdns.intake import workflows_for
from orgdns.models import Trigger
from orgdns.request import parse_certificate_event, summarise_input

ACCOUNT = "222233334444"
ARN = f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/0a1b2c3d-0000-4000-8000-000000000001"


def event(kind: str = "ACM Certificate Approaching Expiration", **changes: Any) -> dict[str, Any]:
    return {
        "id": "e-1",
        "source": "aws.acm",
        "detail-type": kind,
        "account": ACCOUNT,
        "region": "eu-west-1",
        "resources": [ARN],
        "detail": {"DaysToExpiry": 30, "CommonName": "app.example.org"},
        **changes,
    }


@pytest.mark.parametrize(
    ("kind", "trigger"),
    [
        ("ACM Certificate Approaching Expiration", Trigger.CERTIFICATE_EXPIRING),
        ("ACM Certificate Renewal Action Required", Trigger.CERTIFICATE_ACTION_REQUIRED),
        ("ACM Certificate Expired", Trigger.CERTIFICATE_EXPIRED),
    ],
)
def test_each_event_names_its_certificate_account_and_region(kind, trigger):
    parsed = parse_certificate_event(event(kind))
    assert (parsed.trigger, parsed.account_id, parsed.region, parsed.certificate_arn) == (
        trigger,
        ACCOUNT,
        "eu-west-1",
        ARN,
    )
    assert workflows_for(event(kind), "orgdns:") == ["renewal"]
    assert summarise_input(event(kind)).trigger == trigger


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"detail-type": "ACM Certificate Available"}, "UnsupportedEvent", "detail-type"),
        ({"resources": []}, "MalformedEvent", "resources"),
        ({"resources": [ARN, ARN]}, "MalformedEvent", "resources"),
        ({"resources": ["arn:aws:s3:::bucket"]}, "MalformedEvent", "resources"),
        ({"account": "111122223333"}, "MalformedEvent", "resources"),  # someone else's certificate
        ({"account": "not-an-account"}, "MalformedEvent", "account"),
    ],
)
def test_an_event_that_does_not_name_one_certificate_of_its_own_account_is_refused(changes, reason, field):
    with pytest.raises(RequestRejected) as caught:
        parse_certificate_event(event(**changes))
    assert (caught.value.reason, caught.value.field) == (reason, field)
