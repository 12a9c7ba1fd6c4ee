"""The ReconcileWorkflow and what a zone puts in service: certificates (at risk, their validation
records orphaned or missing) and custom domains (the alias records that point at them)."""

from typing import Any

from conftest import play, statuses, zone_records

DAYS = 86400
SHOP = {"orgdns:subdomain": "shop.example.org"}
DEEP = "www.api.shop.example.org"  # not covered by the zone's wildcard: a validation record of its own


def findings(reconcile: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in reconcile["findings"] if f["type"] == kind]


def cnames(report: dict[str, Any], zone: str = "shop.example.org", account: str = "shop") -> set[str]:
    return {r["name"] for r in zone_records(report, account, zone) if r["type"] == "CNAME"}


def test_a_validation_record_no_certificate_needs_is_found_and_deleted_by_apply_only():
    report = play(
        [
            {"create_account": {"name": "shop", "tags": {**SHOP, "orgdns:extra-names": DEEP}}},
            # The extra name is dropped: a new certificate, the old one retired; its record stays.
            {"tag_account": {"account": "shop", "remove": ["orgdns:extra-names"]}, "after_runs": True},
            {"reconcile": {"mode": "audit"}, "after_runs": True},
            {"reconcile": {"mode": "apply"}, "after_runs": True},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    audit, apply, plan = report["reconciles"]
    [orphan] = findings(audit, "OrphanedValidationRecord")
    assert orphan["recordName"].endswith("." + DEEP) and orphan["recordName"].startswith("_")
    assert orphan["remedy"].startswith(f"DELETE {orphan['recordName']} CNAME") and orphan["fixedByApply"]
    assert not orphan["fixedByAudit"]  # audit deletes nothing
    [delete] = [a for a in apply["actions"] if a["finding"] == "OrphanedValidationRecord"]
    assert (delete["op"], delete["result"]) == ("delete", "done")
    assert orphan["recordName"] not in cnames(report)
    # The zone's own validation record (its certificate still needs it) is untouched.
    assert any(name.endswith(".shop.example.org") and DEEP not in name for name in cnames(report))
    assert findings(plan, "OrphanedValidationRecord") == []


def test_a_validation_record_deleted_by_hand_is_written_again_by_audit():
    report = play(
        [
            {"create_account": {"name": "shop", "tags": SHOP}},
            {
                "delete_records": {
                    "account": "shop",
                    "zone": "shop.example.org",
                    "name": "_*.shop.example.org",
                    "types": ["CNAME"],
                },
                "after_runs": True,
            },
            {"reconcile": {"mode": "plan"}},
            {"reconcile": {"mode": "audit"}, "after_runs": True},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    plan, audit, again = report["reconciles"]
    [risk] = findings(plan, "CertificateAtRisk")
    assert risk["severity"] == "medium" and "is missing from shop.example.org" in risk["evidence"]
    assert risk["fixedByAudit"] and risk["resource"].startswith("arn:aws:acm:us-east-1:")
    [add] = [a for a in audit["actions"] if a["finding"] == "CertificateAtRisk"]
    assert (add["op"], add["result"]) == ("add", "done")
    assert findings(again, "CertificateAtRisk") == []


def test_a_certificate_no_service_uses_is_at_risk_once_acm_would_renew_it():
    report = play(
        [
            {"create_account": {"name": "shop", "tags": SHOP}},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
            {"reconcile": {"mode": "plan"}, "at": 160 * DAYS},
        ]
    )
    early, late = report["reconciles"]
    assert findings(early, "CertificateAtRisk") == []  # not in use, but ACM's renewal is months away
    [risk] = findings(late, "CertificateAtRisk")
    assert risk["severity"] == "high" and not risk["fixedByApply"]
    assert "no renewal is under way" in risk["evidence"] and "ACM will not renew it" in risk["evidence"]
    assert "it expires on 2026-07-22" in risk["evidence"]  # 198 days after the run's first minutes (2026-01-05)
    assert late["counts"]["needHuman"] == 1


def test_alias_records_whose_custom_domain_was_deleted_by_hand_are_set_up_again_by_the_accounts_run():
    tags = {**SHOP, "orgdns:custom-domain": "regional"}
    report = play(
        [
            {"create_account": {"name": "shop", "tags": tags}},
            {"delete_custom_domain": {"account": "shop", "domain": "shop.example.org"}, "after_runs": True},
            {"reconcile": {"mode": "audit"}},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    audit, plan = report["reconciles"]
    [drift] = findings(audit, "AliasDrift")
    assert drift["severity"] == "high" and drift["fixedByAudit"] and drift["resource"] == "shop.example.org"
    assert "no longer exists in API Gateway" in drift["evidence"]
    [run] = [a for a in audit["actions"] if a["kind"] == "run"]
    assert (run["finding"], run["result"]) == ("AliasDrift", "run started")
    assert findings(plan, "AliasDrift") == [] and findings(plan, "CertificateAtRisk") == []
    # The run says who started it and why.
    [rerun] = [d for d in statuses(report) if d.get("trigger") == "Reconcile" and d.get("kind") != "reconcile"]
    assert rerun["outcome"] == "Succeeded" and rerun["runId"] == f"{audit['runId']}-run-{rerun['accountId']}"
    shop = next(a for a in report["accounts"].values() if a["name"] == "shop")
    [domain] = shop["customDomains"]
    aliases = [r for r in zone_records(report, "shop", "shop.example.org") if r["type"] in {"A", "AAAA"}]
    assert len(aliases) == 2 and all(r["alias"] == domain["target"] for r in aliases)


def test_a_certificate_requested_by_hand_before_orgdns_is_adopted_by_the_run_that_follows_the_zones_adoption():
    handmade = ["shop.example.org", "*.shop.example.org"]
    report = play(
        [{"reconcile": {"mode": "apply"}}, {"reconcile": {"mode": "plan"}, "after_runs": True}],
        management_zones=[
            {
                "name": "example.org",
                "records": [
                    {
                        "name": "shop.example.org",
                        "type": "NS",
                        "ttl": 172800,
                        "values": ["${nameservers:shop:shop.example.org}"],
                    }
                ],
            }
        ],
        accounts=[
            {
                "name": "shop",
                "tags": SHOP,
                "zones": [{"name": "shop.example.org"}],
                "certificates": [{"names": handmade}, {"names": ["shop.example.org"], "region": "us-east-1"}],
            }
        ],
    )
    apply, plan = report["reconciles"]
    adoptable = {(f.get("resource") or f["zoneName"], f["fixedByApply"]) for f in findings(apply, "Adoptable")}
    shop = next(a for a in report["accounts"].values() if a["name"] == "shop")
    by_names = {tuple(sorted(c["subjectAlternativeNames"])): c for c in shop["certificates"]}
    exact, partial = by_names[tuple(sorted(handmade))], by_names[("shop.example.org",)]
    # The other one (not the names the tags ask for) is no business of the run's: left as it is.
    assert adoptable == {("shop.example.org", True), (exact["arn"], True)}
    assert partial["status"] == "ISSUED"  # still there (and validated too: the CNAME is the account's for the name)
    assert [(a["kind"], a["result"]) for a in apply["actions"] if a["kind"] == "certificate"] == [
        ("certificate", "left to the account's run, which reuses it")
    ]
    # The run reused it (no certificate requested), validated it, and the registry records it.
    assert len(shop["certificates"]) == 2 and exact["status"] == "ISSUED"
    [item] = report["registry"]
    assert [c["arn"] for c in item["certificates"]] == [exact["arn"]]
    assert plan["findings"] == [] and plan["actions"] == []


def test_a_scenario_deleting_a_custom_domain_that_is_not_there_says_which():
    import pytest

    with pytest.raises(KeyError, match=r"no custom domain shop.example.org in account shop \(us-east-1\)"):
        play(
            [
                {"create_account": {"name": "shop", "tags": SHOP}},
                {"delete_custom_domain": {"account": "shop", "domain": "shop.example.org"}, "after_runs": True},
            ]
        )
