"""Renewal watch: ACM's expiry and renewal events, over 200 simulated days."""

from typing import Any

from tests.workflow.conftest import play, statuses

DAYS = 86400
STORY_END = {"at": 200 * DAYS, "note": "200 days later"}


def renewal_statuses(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in statuses(report) if d["trigger"].startswith("Certificate")]


def certificate(report: dict[str, Any], account: str) -> dict[str, Any]:
    [found] = next(a for a in report["accounts"].values() if a["name"] == account)["certificates"]
    return found


def test_a_certificate_in_use_renews_quietly():
    tags = {"orgdns:subdomain": "live.example.org", "orgdns:custom-domain": "regional"}
    report = play([{"create_account": {"name": "live", "tags": tags}}, STORY_END])
    assert [d["outcome"] for d in statuses(report)] == ["Succeeded"]  # the first run, and no warning since
    assert renewal_statuses(report) == []
    assert certificate(report, "live")["status"] == "ISSUED"
    assert report["simulatedSeconds"] >= 200 * DAYS


def test_a_certificate_not_in_use_is_warned_about_once_then_reported_expired():
    report = play([{"create_account": {"name": "idle", "tags": {"orgdns:subdomain": "idle.example.org"}}}, STORY_END])
    runs = renewal_statuses(report)
    published = [(d["outcome"], (d.get("error") or {}).get("reason")) for d in runs if d["outcome"] != "Skipped"]
    assert published == [("ActionRequired", None), ("Failed", "CertificateExpired")]
    warning = next(d for d in runs if d["outcome"] == "ActionRequired")
    [condition] = warning["conditions"]
    assert (condition["type"], condition["status"], condition["reason"]) == ("RenewalReady", "False", "NotInUse")
    assert warning["actionRequired"][0]["type"] == "Certificate"
    # every other event about it was a repeat: Skipped, not a second warning
    assert len(runs) == 35 and {d["outcome"] for d in runs} == {"ActionRequired", "Skipped", "Failed"}
    warned_at = next(m["simTime"] for m in report["snsMessages"] if m["document"] is warning)
    assert 167 * DAYS < warned_at < 169 * DAYS  # 30 days before the 198 run out
    assert certificate(report, "idle")["status"] == "EXPIRED"


def test_a_validation_record_deleted_by_hand_is_written_again_and_renewal_goes_on():
    tags = {"orgdns:subdomain": "fix.example.org", "orgdns:custom-domain": "regional"}
    report = play(
        [
            {"create_account": {"name": "fix", "tags": tags}},
            {
                "after_runs": True,
                "delete_records": {"account": "fix", "zone": "fix.example.org", "name": "_*.fix.example.org"},
            },
            STORY_END,
        ]
    )
    runs = renewal_statuses(report)
    # ACM's two events on day 30 before expiry (approaching expiration, action required) both find
    # the record gone; the record writer writes it once; no event after: ACM renewed it
    assert {(d["outcome"], d["conditions"][0]["reason"]) for d in runs} == {("Succeeded", "RecordsRewritten")}
    assert len(runs) <= 2
    records = next(a for a in report["accounts"].values() if a["name"] == "fix")["hostedZones"][0]["records"]
    assert any(r["type"] == "CNAME" and r["name"].startswith("_") for r in records)
    assert certificate(report, "fix")["status"] == "ISSUED"


def acm_event(account: str, arn: str) -> dict[str, Any]:
    return {
        "send_event": {
            "bus": "member",
            "event": {
                "source": "aws.acm",
                "detail-type": "ACM Certificate Renewal Action Required",
                "account": account,
                "region": "us-east-1",
                "resources": [arn],
                "detail": {"DaysToExpiry": 30, "InUse": False},
            },
        }
    }


def test_an_event_naming_another_accounts_certificate_is_rejected_and_an_unknown_one_skipped():
    tags = {"orgdns:subdomain": "victim.example.org"}
    report = play(
        [
            {"create_account": {"name": "victim", "tags": tags}},
            {"create_account": {"name": "forger"}},
            {
                "after_runs": True,
                **acm_event("${account:forger}", "arn:aws:acm:us-east-1:${account:victim}:certificate/x-1"),
            },
            {**acm_event("${account:forger}", "arn:aws:acm:us-east-1:${account:forger}:certificate/0000-1111")},
        ]
    )
    runs = renewal_statuses(report)
    assert sorted((d["outcome"], (d.get("error") or {}).get("reason")) for d in runs) == [
        ("Rejected", "MalformedEvent"),
        ("Skipped", None),
    ]
    assert certificate(report, "victim")["status"] == "ISSUED"
