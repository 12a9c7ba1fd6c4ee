"""Injected AWS faults reach the state machine's retry paths; terminal ones end Failed."""

from collections import Counter

from tests.workflow.conftest import play, statuses

ACCOUNT = {"create_account": {"name": "app", "tags": {"orgdns:subdomain": "app.example.org"}}}


def injected(report):
    return Counter(f["error"] for f in report["faultsInjected"])


def test_transient_faults_are_survived():
    report = play(
        [ACCOUNT],
        faults=[
            {"service": "route53", "operation": "ChangeResourceRecordSets", "error": "Throttling", "count": 2},
            {
                "service": "route53",
                "operation": "ChangeResourceRecordSets",
                "error": "PriorRequestNotComplete",
                "count": 2,
            },
            {
                "service": "sts",
                "operation": "AssumeRole",
                "error": "AccessDenied",
                "http_status": 403,
                "new_account_seconds": 300,
            },
            {"service": "lambda", "operation": "Invoke", "error": "ServiceException", "http_status": 500, "count": 1},
        ],
    )
    assert [d["outcome"] for d in statuses(report)] == ["Succeeded"]
    faults = injected(report)
    assert faults["Throttling"] == 2
    assert faults["PriorRequestNotComplete"] == 2
    assert faults["ServiceException"] == 1
    assert faults["AccessDenied"] >= 1
    # The account refused AssumeRole for its first 300 s: nothing was created in it before then.
    denied = [f["simTime"] for f in report["faultsInjected"] if f["error"] == "AccessDenied"]
    assert max(denied) < 300


def test_an_account_that_never_admits_orgdns_ends_failed():
    report = play(
        [ACCOUNT],
        faults=[{"service": "sts", "operation": "AssumeRole", "error": "AccessDenied", "http_status": 403}],
    )
    documents = statuses(report)
    assert [d["outcome"] for d in documents] == ["Failed"]
    assert documents[0]["error"]["reason"] == "AccountNotReady"
    assert "AssumeRole" in documents[0]["error"]["message"]
    # The first attempt and the ASL's 12 retries, each trying the scoped role, then the fallback.
    assert injected(report)["AccessDenied"] == 26
    assert report["executions"][0]["status"] == "FAILED"


def test_certificate_failure_ends_failed_with_acm_reason():
    report = play(
        [ACCOUNT],
        faults=[{"service": "acm", "operation": "Issuance", "error": "CAA_ERROR", "domain": "app.example.org"}],
    )
    documents = statuses(report)
    assert [d["outcome"] for d in documents] == ["Failed"]
    assert documents[0]["error"]["reason"] == "CertificateFailed"
    assert "CAA_ERROR" in documents[0]["error"]["message"]
    issued = {(c["type"], c.get("region")): c for c in documents[0]["conditions"]}
    assert issued[("CertificateIssued", "us-east-1")]["status"] == "False"
    assert issued[("Delegated", None)]["status"] == "True"


def test_a_fault_may_name_an_account_created_later():
    report = play(
        [ACCOUNT, {"create_account": {"name": "other", "tags": {"orgdns:subdomain": "other.example.org"}}}],
        faults=[
            {
                "service": "route53",
                "operation": "CreateHostedZone",
                "account": "other",
                "error": "Throttling",
                "count": 1,
            }
        ],
    )
    assert [f["account"] for f in report["faultsInjected"]] == ["other"]
    assert [d["outcome"] for d in statuses(report)] == ["Succeeded", "Succeeded"]
