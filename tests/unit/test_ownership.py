import pytest

from orgdns.errors import RequestRejected
from orgdns.models import ManagedZone, Outcome
from orgdns.ownership import Grant, may_claim, outstanding_requests, parse_grants
from orgdns.request import is_zone_tag_event, parse_zone_tag_event

STAGING = "444455556666"
PRODUCTION = "111122223333"


def test_an_account_may_claim_names_below_its_own_zones():
    assert may_claim("feature-x.staging.demo.example.org", STAGING, STAGING, ())
    assert not may_claim("feature-x.staging.demo.example.org", STAGING, PRODUCTION, ())


def test_grants_cover_exact_names_or_everything_strictly_below():
    grants = parse_grants(f"*.staging.demo.example.org={STAGING} QA.example.org.={STAGING}")
    assert grants == (Grant("*.staging.demo.example.org", STAGING), Grant("qa.example.org", STAGING))
    assert may_claim("x.staging.demo.example.org", STAGING, PRODUCTION, grants)
    assert not may_claim("staging.demo.example.org", STAGING, PRODUCTION, grants)  # the wildcard is strict
    assert may_claim("qa.example.org", STAGING, PRODUCTION, grants)
    assert not may_claim("x.qa.example.org", STAGING, PRODUCTION, grants)
    assert not may_claim("x.staging.demo.example.org", "999999999999", PRODUCTION, grants)


@pytest.mark.parametrize("bad", ["*.x.example.org", "x.example.org=12", "*.=444455556666", "a b=444455556666"])
def test_malformed_grants_are_refused(bad):
    with pytest.raises((ValueError, RequestRejected)):
        parse_grants(bad)


def test_outstanding_requests_count_self_service_zones_not_yet_succeeded():
    def zone(name, outcome, self_service=True, account=STAGING):
        return ManagedZone(zone_name=name, account_id=account, hosted_zone_id="Z", self_service=self_service,
                           last_outcome=outcome)  # fmt: skip

    registry = [
        zone("a.example.org", None),
        zone("b.example.org", Outcome.ACTION_REQUIRED),
        zone("c.example.org", Outcome.SUCCEEDED),
        zone("d.example.org", None, self_service=False),
        zone("e.example.org", None, account=PRODUCTION),
    ]
    assert outstanding_requests(registry, STAGING) == 2


def _event(**params):
    return {
        "id": "e1",
        "source": "aws.route53",
        "account": STAGING,
        "detail-type": "AWS API Call via CloudTrail",
        "detail": {"eventName": "ChangeTagsForResource", "requestParameters": params},
    }


def test_zone_tag_event_keeps_only_account_and_zone_id():
    raw = _event(resourceType="hostedzone", resourceId="/hostedzone/Z0123ABC",
                 addTags=[{"key": "orgdns:delegate", "value": "true"}], removeTagKeys=["old"])  # fmt: skip
    assert is_zone_tag_event(raw)
    event = parse_zone_tag_event(raw)
    assert (event.account_id, event.hosted_zone_id, event.added, event.removed) == (
        STAGING,
        "Z0123ABC",
        {"orgdns:delegate": "true"},
        ["old"],
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"resourceType": "healthcheck", "resourceId": "abc"}, "detail.requestParameters.resourceType"),
        ({"resourceType": "hostedzone", "resourceId": "not a zone"}, "detail.requestParameters.resourceId"),
        ({"resourceType": "hostedzone"}, "detail.requestParameters.resourceId"),
    ],
)
def test_malformed_zone_tag_events_are_rejected(params, field):
    with pytest.raises(RequestRejected) as caught:
        parse_zone_tag_event(_event(**params))
    assert caught.value.field == field


def test_zone_tag_event_needs_a_sender_account():
    raw = _event(resourceType="hostedzone", resourceId="Z1")
    raw["account"] = "me"
    with pytest.raises(RequestRejected, match="12-digit"):
        parse_zone_tag_event(raw)
