"""A burst of new accounts under one root zone, and under a member's zone: every run succeeds,
the delegations go out in batches through the record writer, the runs of a batch share its
change, and no step scans the registry."""

from collections import Counter
from typing import Any

import pytest

from orgdns_local.burst import burst_scenario
from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import zone_records

ROOT_ACCOUNTS, MEMBER_ACCOUNTS = 40, 10


@pytest.fixture(scope="module")
def played() -> dict[str, Any]:
    with LocalOrganization(burst_scenario(ROOT_ACCOUNTS, MEMBER_ACCOUNTS)) as org:
        org.play()
        report = build_report(org)
        calls = list(org.calls.calls)
        batches = [size for poller in org.pollers for size in poller.batch_sizes]
    return {"report": report, "calls": calls, "batches": batches, "accounts": dict(org.accounts)}


def test_every_run_succeeds(played):
    documents = [m["document"] for m in played["report"]["snsMessages"]]
    outcomes = Counter(d["outcome"] for d in documents)
    others = [(d.get("zoneName"), d.get("error")) for d in documents if d["outcome"] != "Succeeded"]
    assert outcomes == {"Succeeded": 1 + ROOT_ACCOUNTS + MEMBER_ACCOUNTS}, others[:5]


def test_delegations_into_the_root_zone_go_out_in_batches(played):
    management = played["accounts"]["management"]
    changes = [c for c in played["calls"] if c.account_id == management and c.operation == "ChangeResourceRecordSets"]
    # 41 delegations into the root (team's, then the burst's 40): far fewer calls than runs.
    assert 1 <= len(changes) <= 4
    records = zone_records(played["report"], "management", "example.org")
    delegated = {r["name"] for r in records if r["type"] == "NS"} - {"example.org"}
    assert len(delegated) == 1 + ROOT_ACCOUNTS


def test_the_writer_took_many_requests_per_invocation(played):
    # Checks and writes of 50 runs, in a handful of SQS batches, not one invocation per request.
    assert sum(played["batches"]) >= 2 * (1 + ROOT_ACCOUNTS + MEMBER_ACCOUNTS)
    assert max(played["batches"]) >= ROOT_ACCOUNTS


def test_runs_waiting_on_one_change_share_its_get_change(played):
    management = played["accounts"]["management"]
    polls = [c for c in played["calls"] if c.account_id == management and c.operation == "GetChange"]
    changes = [c for c in played["calls"] if c.account_id == management and c.operation == "ChangeResourceRecordSets"]
    assert len(polls) <= 4 * len(changes)


def test_no_step_scans_the_registry_and_no_run_reads_the_root_zone_itself(played):
    assert not [c for c in played["calls"] if c.service == "dynamodb" and c.operation == "Scan"]
    management = played["accounts"]["management"]
    reads = [c for c in played["calls"] if c.account_id == management and c.operation == "ListResourceRecordSets"]
    assert len(reads) <= 6  # the writer's range reads, one per batch that holds root-zone requests


THROTTLED = {"service": "route53", "operation": "ChangeResourceRecordSets", "error": "Throttling",
             "account": "management", "count": 3}  # fmt: skip


def test_a_throttled_writer_hands_its_requests_back_within_minutes_and_every_run_succeeds():
    faults = Scenario.model_validate({"name": "faults", "faults": [THROTTLED]}).faults
    scenario = burst_scenario(5, 0).model_copy(update={"faults": faults})
    with LocalOrganization(scenario) as org:
        org.play()
        report = build_report(org)
    documents = [m["document"] for m in report["snsMessages"]]
    assert Counter(d["outcome"] for d in documents) == {"Succeeded": 5}
    assert [f["operation"] for f in report["faultsInjected"]] == ["ChangeResourceRecordSets"] * 3
    # Handed back after 15, 30 and 60 s, not after the queue's 30-minute visibility timeout.
    assert max(m["simTime"] for m in report["snsMessages"]) < 600


def test_accounts_closed_at_once_lose_their_delegations_in_one_batch():
    """Teardown goes through the record writer too: thirty closures, whose CloseAccountResult
    events arrive together, delete their thirty NS records from the root in one or two calls."""
    count = 30
    steps: list[dict[str, Any]] = [
        {"create_account": {"name": f"old{i:02d}", "tags": {"orgdns:subdomain": f"old{i:02d}.example.org"}}}
        for i in range(count)
    ]
    steps += [{"close_account": {"account": f"old{i:02d}"}} for i in range(count)]
    steps[count] = {"after_runs": True, **steps[count]}
    scenario = Scenario.model_validate(
        {"name": "closures", "management_zones": [{"name": "example.org"}], "steps": steps}
    )
    with LocalOrganization(scenario) as org:
        org.play()
        report = build_report(org)
        management = org.accounts["management"]
        calls = list(org.calls.calls)
    created = max(m["simTime"] for m in report["snsMessages"] if m["document"].get("trigger") != "CloseAccountResult")
    deletions = [
        c
        for c in calls
        if c.account_id == management and c.operation == "ChangeResourceRecordSets" and c.sim_time > created
    ]
    documents = [m["document"] for m in report["snsMessages"] if m["document"].get("trigger") == "CloseAccountResult"]
    assert Counter(d["outcome"] for d in documents) == {"Succeeded": count}, [d.get("error") for d in documents][:3]
    assert 1 <= len(deletions) <= 2
    records = zone_records(report, "management", "example.org")
    assert {r["name"] for r in records if r["type"] == "NS"} == {"example.org"}  # nothing dangles
