"""Organizations' TagResource / UntagResource events: parsing, and which workflows they start."""

from typing import Any

import pytest

from orgdns.errors import RequestRejected
from orgdns.intake import workflows_for
from orgdns.models import Trigger
from orgdns.request import parse_account_tag_event, parse_teardown_event, summarise_input

ACCOUNT = "222233334444"


def event(name: str, resource: str = ACCOUNT, **parameters: Any) -> dict[str, Any]:
    return {
        "id": "e-1",
        "source": "aws.organizations",
        "detail-type": "AWS API Call via CloudTrail",
        "account": "111122223333",
        "detail": {"eventName": name, "requestParameters": {"resourceId": resource, **parameters}},
    }


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"key": key.replace("_", "-").replace("orgdns-", "orgdns:"), "value": v} for key, v in pairs.items()]


def test_tag_resource_names_the_account_and_the_keys():
    parsed = parse_account_tag_event(event("TagResource", tags=tags(orgdns_subdomain="a.example.org", team="x")))
    assert (parsed.trigger, parsed.account_id, parsed.keys) == (
        Trigger.ACCOUNT_TAGGED,
        ACCOUNT,
        ["orgdns:subdomain", "team"],
    )


def test_untag_resource_names_the_removed_keys():
    parsed = parse_account_tag_event(event("UntagResource", tagKeys=["orgdns:subdomain"]))
    assert (parsed.trigger, parsed.keys) == (Trigger.ACCOUNT_UNTAGGED, ["orgdns:subdomain"])


def test_a_resource_that_is_not_an_account_has_no_account_id():
    parsed = parse_account_tag_event(event("TagResource", "ou-ab12-34cd5678", tags=tags(orgdns_subdomain="x.org")))
    assert parsed.account_id is None and parsed.resource_id == "ou-ab12-34cd5678"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({**event("TagResource"), "detail": {"eventName": "TagResource"}}, "detail.requestParameters"),
        (event("TagResource", None, tags=[]), "detail.requestParameters.resourceId"),
        (event("TagResource", tags="orgdns:subdomain=x"), "detail.requestParameters.tags"),
        (event("TagResource", tags=[{"value": "x"}]), "detail.requestParameters.tags"),
        (event("UntagResource", tagKeys="orgdns:subdomain"), "detail.requestParameters.tagKeys"),
        (event("UntagResource"), "detail.requestParameters.tagKeys"),
    ],
)
def test_malformed_tag_events_name_the_field(raw, field):
    with pytest.raises(RequestRejected) as caught:
        parse_account_tag_event(raw)
    assert (caught.value.reason, caught.value.field) == ("MalformedEvent", field)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (event("TagResource", tags=tags(orgdns_subdomain="a.example.org")), ["subdomain", "teardown"]),
        (event("TagResource", tags=tags(orgdns_extra_names="www.a.org")), ["subdomain"]),
        (event("UntagResource", tagKeys=["orgdns:subdomain", "orgdns:ns-ttl"]), ["teardown", "subdomain"]),
        (event("UntagResource", tagKeys=["orgdns:extra-names"]), ["subdomain"]),
        (event("TagResource", "ou-ab12-34cd5678", tags=tags(orgdns_subdomain="x.org")), ["subdomain"]),
        (event("TagResource", tags="malformed"), ["subdomain"]),
    ],
)
def test_which_workflows_a_tag_change_starts(raw, expected):
    assert workflows_for(raw, "orgdns:") == expected


def test_zone_events_still_start_one_workflow_each():
    zone = {
        "source": "aws.route53",
        "account": ACCOUNT,
        "detail": {
            "eventName": "ChangeTagsForResource",
            "requestParameters": {
                "resourceType": "hostedzone",
                "resourceId": "Z1",
                "removeTagKeys": ["orgdns:delegate"],
            },
        },
    }
    assert workflows_for(zone, "orgdns:") == ["teardown"]
    assert workflows_for({"detail": {"eventName": "CreateAccountResult"}}, "orgdns:") == ["subdomain"]


def test_a_teardown_for_an_account_tag_event_covers_the_account():
    parsed = parse_teardown_event(event("UntagResource", tagKeys=["orgdns:subdomain"]))
    assert (parsed.trigger, parsed.account_id, parsed.hosted_zone_id) == (Trigger.ACCOUNT_UNTAGGED, ACCOUNT, None)


def test_the_summary_of_a_tag_event_names_its_account():
    summary = summarise_input(event("TagResource", tags=tags(orgdns_subdomain="a.example.org")))
    assert (summary.trigger, summary.account_id, summary.event_id) == (Trigger.ACCOUNT_TAGGED, ACCOUNT, "e-1")
    assert summarise_input(event("UntagResource", "ou-1", tagKeys=[])).account_id is None
