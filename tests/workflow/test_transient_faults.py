"""Transient AWS errors on the first calls to any service a workflow uses: every run ends as it
would without them, with exactly one status and no second zone, record, certificate or domain."""

from typing import Any

import pytest

from tests.workflow.conftest import play, statuses

ACCOUNT = {
    "create_account": {
        "name": "app",
        "tags": {"orgdns:subdomain": "app.example.org", "orgdns:custom-domain": "regional"},
    }
}
TIMEOUTS = [("ConnectTimeout", 0), ("ReadTimeout", 0)]
# (service, error code, HTTP status): each service's own transient answers, then the network's.
CASES: list[tuple[str, str, int]] = [
    ("route53", "Throttling", 400),
    ("route53", "InternalFailure", 500),
    ("route53", "ServiceUnavailable", 503),
    ("dynamodb", "ProvisionedThroughputExceededException", 400),
    ("dynamodb", "RequestLimitExceeded", 400),
    ("dynamodb", "ThrottlingException", 400),
    ("dynamodb", "TransactionConflictException", 400),
    ("dynamodb", "InternalServerError", 500),
    ("sns", "Throttling", 400),
    ("sns", "InternalError", 500),
    ("sts", "Throttling", 400),
    ("sts", "ServiceUnavailable", 503),
    ("acm", "ThrottlingException", 400),
    ("acm", "InternalFailure", 500),
    ("apigateway", "TooManyRequestsException", 429),
    ("apigateway", "ServiceUnavailableException", 503),
    ("organizations", "TooManyRequestsException", 400),
    ("organizations", "ServiceException", 500),
    ("stepfunctions", "ThrottlingException", 400),
    ("stepfunctions", "InternalFailure", 500),
    ("lambda", "TooManyRequestsException", 429),
    ("lambda", "ServiceException", 500),
    *[
        (service, code, status)
        for service in (
            "route53",
            "dynamodb",
            "sns",
            "sts",
            "acm",
            "apigateway",
            "organizations",
            "stepfunctions",
            "lambda",
        )
        for code, status in TIMEOUTS
    ],
]


def outcome(report: dict[str, Any]) -> dict[str, Any]:
    """What a run leaves behind, with ids and times taken out."""
    documents = statuses(report)
    accounts = {account["name"]: account for account in report["accounts"].values()}
    app, management = accounts["app"], accounts["management"]
    [root] = [zone for zone in management["hostedZones"] if zone["name"] == "example.org"]
    return {
        "statuses": [
            (d["outcome"], d["trigger"], d["zoneName"], [(c["type"], c["status"], c["reason"]) for c in d["conditions"]])
            for d in documents
        ],
        "executions": [(e["stateMachine"], e["status"]) for e in report["executions"]],
        "zones": sorted((z["name"], sorted((r["name"], r["type"]) for r in z["records"])) for z in app["hostedZones"]),
        "delegations": sorted(r["name"] for r in root["records"] if r["type"] == "NS" and r["name"] != "example.org"),
        "certificates": sorted((c["region"], c["status"], tuple(sorted(c["subjectAlternativeNames"]))) for c in app["certificates"]),
        "domains": sorted((d["domainName"], d["type"], d["status"]) for d in app["customDomains"]),
    }  # fmt: skip


@pytest.fixture(scope="module")
def without_faults() -> dict[str, Any]:
    return outcome(play([ACCOUNT]))


def test_the_run_without_faults_sets_everything_up(without_faults):
    assert [s[0] for s in without_faults["statuses"]] == ["Succeeded"]
    assert without_faults["delegations"] == ["app.example.org"]
    assert len(without_faults["certificates"]) == 1 and without_faults["domains"][0][2] == "AVAILABLE"


@pytest.mark.parametrize(("service", "code", "status"), CASES, ids=[f"{s}-{c}" for s, c, _ in CASES])
def test_transient_errors_on_the_first_calls_change_nothing_but_time(without_faults, service, code, status):
    fault = {"service": service, "error": code, "count": 2, **({"http_status": status} if status else {})}
    report = play([ACCOUNT], faults=[fault])

    assert [(f["service"], f["error"]) for f in report["faultsInjected"]] == [(service, code)] * 2
    assert outcome(report) == without_faults
