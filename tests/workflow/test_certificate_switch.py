"""Names or Regions change after go-live: a new certificate is requested and validated, the custom
domain switches to it once it is ISSUED, and the old one is deleted once nothing uses it."""

from typing import Any

from tests.workflow.conftest import play, statuses

PRODUCTION = {
    "orgdns:subdomain": "shop.example.org",
    "orgdns:custom-domain": "regional",
}
OUTSIDE = [{"name": "shop.example"}]


def certificates(report: dict[str, Any], account: str = "production") -> list[dict[str, Any]]:
    entry = next(a for a in report["accounts"].values() if a["name"] == account)
    return entry["certificates"]


def domain(report: dict[str, Any], account: str = "production") -> dict[str, Any]:
    entry = next(a for a in report["accounts"].values() if a["name"] == account)
    [found] = entry["customDomains"]
    return found


def switch_story(**extra_steps: Any) -> dict[str, Any]:
    return play(
        [
            {"create_account": {"name": "production", "tags": PRODUCTION}},
            {"answer_action_required": {"account": "production"}},
            {
                "after_runs": True,
                "tag_account": {"account": "production", "tags": {"orgdns:extra-names": "www.shop.example"}},
            },
        ],
        outside_zones=OUTSIDE,
        **extra_steps,
    )


def test_a_name_added_after_go_live_switches_the_domain_and_retires_the_old_certificate():
    report = switch_story()
    documents = statuses(report)
    assert [(d["trigger"], d["outcome"]) for d in documents] == [
        ("CreateAccountResult", "Succeeded"),
        ("TagResource", "ActionRequired"),  # the outside name's validation record
        ("TagResource", "Succeeded"),
    ]
    first, last = documents[0], documents[-1]
    old = first["certificates"][0]["arn"]
    new = last["certificates"][0]["arn"]
    assert old != new
    assert last["customDomain"]["certificateArn"] == new
    assert last["customDomain"]["previousCertificateArn"] == old
    retired = next(c for c in last["conditions"] if c["type"] == "CertificatesRetired")
    assert (retired["status"], retired["reason"]) == ("True", "Retired") and old in retired["message"]
    # one certificate per Region, the one the domain serves, with the new name
    [certificate] = certificates(report)
    assert certificate["arn"] == new and "www.shop.example" in certificate["subjectAlternativeNames"]
    assert domain(report)["status"] == "AVAILABLE"
    assert [
        c["arn"] for c in next(z for z in report["registry"] if z["zoneName"] == "shop.example.org")["certificates"]
    ] == [new]
    # the old certificate was deleted only after ACM stopped listing the domain (some minutes)
    published = [m["simTime"] for m in report["snsMessages"]]
    assert published[-1] - published[-2] > 600


def test_a_certificate_that_fails_validation_during_a_switch_changes_nothing():
    report = switch_story(
        faults=[{"service": "acm", "operation": "Issuance", "error": "CAA_ERROR", "between_seconds": [290, 100000]}]
    )
    documents = statuses(report)
    last = documents[-1]
    assert (last["outcome"], last["error"]["reason"]) == ("Failed", "CertificateFailed")
    assert "CAA_ERROR" in last["error"]["message"]
    old = documents[0]["certificates"][0]["arn"]
    assert domain(report)["status"] == "AVAILABLE"
    served = next(a for a in report["accounts"].values() if a["name"] == "production")
    assert {c["arn"]: c["status"] for c in served["certificates"]}[old] == "ISSUED"  # nothing was deleted
    assert len(served["certificates"]) == 2
    entry = next(z for z in report["registry"] if z["zoneName"] == "shop.example.org")
    assert old in [c["arn"] for c in entry["certificates"]]  # still tracked: a later run retires what it replaces


def test_more_names_than_a_certificate_holds_are_rejected_and_the_domain_keeps_its_certificate():
    names = " ".join(f"n{i}.shop.example" for i in range(9))
    report = play(
        [
            {"create_account": {"name": "production", "tags": PRODUCTION}},
            {"after_runs": True, "tag_account": {"account": "production", "tags": {"orgdns:extra-names": names}}},
        ],
        outside_zones=OUTSIDE,
    )
    last = statuses(report)[-1]
    assert (last["outcome"], last["error"]["reason"], last["error"]["field"]) == (
        "Rejected",
        "InvalidTag",
        "orgdns:extra-names",
    )
    assert "at most 8" in last["error"]["message"]  # the zone and its wildcard take 2 of ACM's 10
    assert len(certificates(report)) == 1
    assert domain(report)["status"] == "AVAILABLE"


def test_an_old_certificate_still_in_use_after_half_an_hour_is_left_to_a_human():
    report = switch_story(timing={"acm_in_use_release_seconds": 4000})
    documents = statuses(report)
    last = documents[-1]
    assert (last["trigger"], last["outcome"]) == ("TagResource", "ActionRequired")
    old = documents[0]["certificates"][0]["arn"]
    [entry] = last["actionRequired"]
    assert (entry["type"], entry["name"]) == ("Certificate", old)
    assert "domainnames/shop.example.org" in entry["value"]
    retired = next(c for c in last["conditions"] if c["type"] == "CertificatesRetired")
    assert (retired["status"], retired["reason"]) == ("False", "InUse")
    assert last["customDomain"]["certificateArn"] != old  # the domain serves the new one
    assert len(certificates(report)) == 2
    waited = report["snsMessages"][-1]["simTime"] - report["snsMessages"][-2]["simTime"]
    assert 1700 < waited < 2400  # about 30 minutes of tries after the switch


def test_a_switch_waits_while_the_domain_is_still_being_created_and_is_not_undone_by_the_older_run():
    report = play(
        [
            {"create_account": {"name": "production", "tags": {**PRODUCTION, "orgdns:custom-domain": "edge"}}},
            {"answer_action_required": {"account": "production"}},
            # the edge domain is PENDING for 40 minutes: the names change meanwhile
            {"at": 600, "tag_account": {"account": "production", "tags": {"orgdns:extra-names": "www.shop.example"}}},
        ],
        outside_zones=OUTSIDE,
    )
    documents = statuses(report)
    outcomes = sorted((d["trigger"], d["outcome"]) for d in documents)
    assert outcomes == [
        ("CreateAccountResult", "Skipped"),  # overtaken: the later run's names are the ones served
        ("TagResource", "ActionRequired"),
        ("TagResource", "Succeeded"),
    ]
    overtaken = next(d for d in documents if d["trigger"] == "CreateAccountResult")
    assert overtaken["error"]["reason"] == "Superseded"
    first = overtaken
    last = next(d for d in documents if d["outcome"] == "Succeeded" and d["trigger"] == "TagResource")
    assert last["customDomain"]["previousCertificateArn"] == first["certificates"][0]["arn"]
    [certificate] = certificates(report)
    assert certificate["arn"] == last["certificates"][0]["arn"] == last["customDomain"]["certificateArn"]
    assert domain(report)["status"] == "AVAILABLE"


def test_a_region_removed_retires_its_certificate_and_a_region_added_replaces_nothing():
    tags = {"orgdns:subdomain": "app.example.org", "orgdns:certificate-regions": "us-east-1 eu-west-1"}
    report = play(
        [
            {"create_account": {"name": "production", "tags": tags}},
            {
                "after_runs": True,
                "tag_account": {"account": "production", "tags": {"orgdns:certificate-regions": "us-east-1"}},
            },
            {
                "after_runs": True,
                "tag_account": {"account": "production", "tags": {"orgdns:certificate-regions": "us-east-1 eu-west-2"}},
            },
        ]
    )
    first, fewer, other = statuses(report)
    assert [d["outcome"] for d in (first, fewer, other)] == ["Succeeded"] * 3
    eu_west_1 = next(c["arn"] for c in first["certificates"] if c["region"] == "eu-west-1")
    retired = next(c for c in fewer["conditions"] if c["type"] == "CertificatesRetired")
    assert retired["reason"] == "Retired" and eu_west_1 in retired["message"]
    assert not any(c["type"] == "CertificatesRetired" for c in other["conditions"])
    assert sorted(c["region"] for c in certificates(report)) == ["eu-west-2", "us-east-1"]


def parameters(report: dict[str, Any], account: str = "production") -> dict[tuple[str, str], str]:
    entry = next(a for a in report["accounts"].values() if a["name"] == account)
    return {(p["region"], p["name"]): p["value"] for p in entry["parameters"]}


def test_member_stacks_find_the_zone_certificate_and_domain_target_in_ssm():
    report = switch_story()
    documents = statuses(report)
    last = documents[-1]
    zone = "/orgdns/shop.example.org"
    found = parameters(report)
    assert found == {
        ("us-east-1", f"{zone}/hosted-zone-id"): last["hostedZoneId"],
        ("us-east-1", f"{zone}/name-servers"): ",".join(sorted(n.rstrip(".") for n in last["nameServers"])),
        ("us-east-1", f"{zone}/certificate-arn"): last["customDomain"]["certificateArn"],  # the new one
        ("us-east-1", f"{zone}/custom-domain/target"): domain(report)["target"],
        ("us-east-1", f"{zone}/custom-domain/hosted-zone-id"): "Z1UJRXOUMOOFQ8",
    }


def test_outputs_follow_the_regions_and_go_with_the_subdomain():
    tags = {"orgdns:subdomain": "app.example.org", "orgdns:certificate-regions": "us-east-1 eu-west-1"}
    kept = play(
        [
            {"create_account": {"name": "production", "tags": tags}},
            {
                "after_runs": True,
                "tag_account": {"account": "production", "tags": {"orgdns:certificate-regions": "us-east-1"}},
            },
        ]
    )
    assert {region for region, _ in parameters(kept)} == {"us-east-1"}
    assert len(parameters(kept)) == 3
    gone = play(
        [
            {"create_account": {"name": "production", "tags": tags}},
            {"after_runs": True, "tag_account": {"account": "production", "remove": ["orgdns:subdomain"]}},
        ]
    )
    assert parameters(gone) == {}


def test_a_custom_domain_type_change_is_refused_and_the_domain_left_as_it_is():
    report = play(
        [
            {"create_account": {"name": "production", "tags": PRODUCTION}},
            {"after_runs": True, "tag_account": {"account": "production", "tags": {"orgdns:custom-domain": "edge"}}},
        ]
    )
    last = statuses(report)[-1]
    assert (last["outcome"], last["error"]["reason"]) == ("Failed", "CustomDomainFailed")
    assert "does not change a custom domain's endpoint type" in last["error"]["message"]
    found = domain(report)
    assert (found["type"], found["status"]) == ("REGIONAL", "AVAILABLE")
    assert len(certificates(report)) == 1  # the same names: the certificate is reused, nothing retired


def test_custom_domain_none_leaves_the_domain_its_records_and_certificate_in_place():
    report = play(
        [
            {"create_account": {"name": "production", "tags": PRODUCTION}},
            {"after_runs": True, "tag_account": {"account": "production", "tags": {"orgdns:custom-domain": "none"}}},
        ]
    )
    last = statuses(report)[-1]
    assert last["outcome"] == "Succeeded" and last["customDomain"] is None
    assert domain(report)["status"] == "AVAILABLE"
    records = next(a for a in report["accounts"].values() if a["name"] == "production")["hostedZones"][0]["records"]
    assert {r["type"] for r in records if "alias" in r} == {"A", "AAAA"}
    [kept] = certificates(report)
    assert kept["arn"] == statuses(report)[0]["certificates"][0]["arn"]
    found = parameters(report)
    assert not any(name.endswith("/custom-domain/target") for _, name in found)  # no longer orgdns's to report
