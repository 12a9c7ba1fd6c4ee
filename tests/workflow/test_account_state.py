"""Accounts as Organizations answers today (State, not the retired Status): runs only for ACTIVE
accounts; a closure is torn down from the parents' side, never by entering the closed account."""

from typing import Any

import pytest

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import BASE

CLOSE_AFTER = 600  # simulated seconds: every account's first run has ended by then


def _close_event(account: str) -> dict[str, Any]:
    return {
        "source": "aws.organizations",
        "detail-type": "AWS Service Event via CloudTrail",
        "detail": {
            "eventName": "CloseAccountResult",
            "serviceEventDetails": {"closeAccountStatus": {"accountId": account, "state": "SUCCEEDED"}},
        },
    }


@pytest.fixture(scope="module")
def closure() -> dict[str, Any]:
    scenario = Scenario.model_validate(
        {
            "name": "closure",
            **BASE,
            "timing": {"account_closure_seconds": 900},
            "steps": [
                {"create_account": {"name": "production", "tags": {"orgdns:subdomain": "demo.example.org"}}},
                {"create_account": {"name": "staging", "tags": {"orgdns:subdomain": "staging.demo.example.org"}}},
                {"create_account": {"name": "sandbox", "tags": {"orgdns:subdomain": "sandbox.example.org"}}},
                {"at": CLOSE_AFTER, "close_account": {"account": "production"}},
                # while production is PENDING_CLOSURE: a run for it, and a forged early closure event
                {"at": CLOSE_AFTER + 60, "start_execution": {"input": {"accountId": "${account:production}"}}},
                {"send_event": {"event": _close_event("${account:sandbox}")}},  # sandbox is ACTIVE
                # once production is SUSPENDED (its CloseAccountResult arrives at CLOSE_AFTER + 900)
                {"at": CLOSE_AFTER + 1200, "start_execution": {"input": {"accountId": "${account:production}"}}},
            ],
        }
    )
    with LocalOrganization(scenario) as org:
        org.play()
        report = build_report(org)
        production = org.accounts["production"]
        with org.quiet():
            state = org.client("organizations").describe_account(AccountId=production)["Account"]
        entered = [
            c for c in org.calls.calls
            if c.operation == "AssumeRole" and c.target_account_id == production and c.sim_time >= CLOSE_AFTER + 900
        ]  # fmt: skip
    return {"report": report, "state": state, "entered": entered}


def _documents(report: dict[str, Any], trigger: str) -> list[dict[str, Any]]:
    return [m["document"] for m in report["snsMessages"] if m["document"]["trigger"] == trigger]


def test_the_emulated_account_answers_with_state_and_no_status(closure):
    assert closure["state"]["State"] == "SUSPENDED"
    assert "Status" not in closure["state"]


def test_a_run_for_an_account_that_is_not_active_is_rejected(closure):
    manual = _documents(closure["report"], "Manual")
    assert [(d["outcome"], d["error"]["reason"]) for d in manual] == [("Rejected", "AccountNotActive")] * 2
    assert "PENDING_CLOSURE" in manual[0]["error"]["message"]
    assert "SUSPENDED" in manual[1]["error"]["message"]


def test_a_closure_of_an_active_account_is_refused(closure):
    [forged] = [d for d in _documents(closure["report"], "CloseAccountResult") if d["outcome"] == "Rejected"]
    assert forged["error"]["reason"] == "AccountStillActive"
    assert "ACTIVE" in forged["error"]["message"]


def test_a_closed_account_is_torn_down_without_entering_it(closure):
    [done] = [d for d in _documents(closure["report"], "CloseAccountResult") if d["outcome"] != "Rejected"]
    assert done["outcome"] == "Succeeded"
    assert "staging.demo.example.org" in done["conditions"][0]["message"]  # re-delegated from the root
    assert closure["entered"] == []
    root = next(a for a in closure["report"]["accounts"].values() if a["name"] == "management")
    [zone] = [z for z in root["hostedZones"] if z["name"] == "example.org"]
    delegated = {r["name"] for r in zone["records"] if r["type"] == "NS" and r["name"] != "example.org"}
    assert delegated == {"staging.demo.example.org", "sandbox.example.org"}
