import pytest

from orgdns.errors import CertificateNameNotAllowed, RequestRejected
from orgdns.models import ManagedZone, Outcome
from orgdns.ownership import (
    Grant,
    check_certificate_names,
    classify_certificate_names,
    may_claim,
    outstanding_requests,
    parse_grants,
    refused_names_message,
)
from orgdns.request import is_zone_tag_event, parse_zone_tag_event
from orgdns.zones import KnownZone

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


# --- certificate names ---------------------------------------------------------------------------

MANAGEMENT = "123456789012"
QA = "555566667777"
ZONES = [
    KnownZone("example.org", MANAGEMENT, "ZROOT", root=True),
    KnownZone("demo.example.org", PRODUCTION, "ZDEMO"),
    KnownZone("staging.demo.example.org", STAGING, "ZSTAGING"),
    KnownZone("shop.demo.example.org", PRODUCTION, "ZSHOP"),
]


def _allowed(names, account, grants=()):
    return {c.name: c.allowed for c in classify_certificate_names(names, account, ZONES, grants)}


def test_names_in_the_accounts_own_zones_are_allowed_deepest_zone_first():
    claims = _allowed(
        ["demo.example.org", "*.demo.example.org", "a.shop.demo.example.org", "x.staging.demo.example.org"], PRODUCTION
    )
    # the child's names are the child's, even below the parent's zone; the parent's wildcard is the parent's
    assert claims == {
        "demo.example.org": True,
        "*.demo.example.org": True,
        "a.shop.demo.example.org": True,
        "x.staging.demo.example.org": False,
    }


def test_names_of_another_account_or_a_root_need_a_grant():
    assert _allowed(["example.org", "www.example.org", "*.example.org", "demo.example.org"], QA) == dict.fromkeys(
        ["example.org", "www.example.org", "*.example.org", "demo.example.org"], False
    )
    grants = parse_grants(f"www.example.org={QA} *.demo.example.org={QA}")
    assert _allowed(["www.example.org", "x.staging.demo.example.org", "*.demo.example.org"], QA, grants) == {
        "www.example.org": True,
        "x.staging.demo.example.org": True,  # a grant holds whoever owns the zone below it
        "*.demo.example.org": False,  # a claim on demo.example.org itself, which *.demo.example.org does not cover
    }
    assert _allowed(["www.example.org"], STAGING, grants) == {"www.example.org": False}  # another account's grant


def test_names_outside_every_managed_zone_are_left_to_a_human():
    [claim] = classify_certificate_names(["shop.example"], QA, ZONES, ())
    assert (claim.allowed, claim.zone) == (True, None)


def test_the_refusal_names_each_name_its_owner_and_the_grant_that_would_help():
    refused = [
        c
        for c in classify_certificate_names(["example.org", "x.staging.demo.example.org"], QA, ZONES, ())
        if not c.allowed
    ]
    message = refused_names_message(refused, QA)
    assert f"example.org (in root zone example.org of account {MANAGEMENT})" in message
    assert f"x.staging.demo.example.org (in zone staging.demo.example.org of account {STAGING})" in message
    assert f"example.org={QA}" in message


def test_checked_again_later_a_name_taken_meanwhile_is_refused():
    check_certificate_names(["x.qa.example.org"], QA, [*ZONES, KnownZone("qa.example.org", QA, "ZQA")], ())
    taken = [*ZONES, KnownZone("qa.example.org", QA, "ZQA"), KnownZone("x.qa.example.org", STAGING, "ZX")]
    with pytest.raises(CertificateNameNotAllowed, match=f"zone x.qa.example.org of account {STAGING}"):
        check_certificate_names(["x.qa.example.org"], QA, taken, ())
