"""``python -m orgdns_local.burst ROOT_ACCOUNTS MEMBER_ACCOUNTS``: a burst of new accounts on the
local organization, measured in a process of its own (so its real seconds and peak memory are
its own), printed as one JSON object. ``make bench`` runs it for each burst story.

ROOT_ACCOUNTS accounts are created at once under the root zone example.org and MEMBER_ACCOUNTS
under team.example.org, a member's zone set up just before; one plain account's run is measured
first, on its own, as the yardstick of the makespan.
"""

import json
import resource
import sys
import time
from collections import Counter
from typing import Any

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario

DYNAMODB_READS = {"GetItem", "BatchGetItem", "Query", "Scan"}


def burst_scenario(root_accounts: int, member_accounts: int) -> Scenario:
    steps: list[dict[str, Any]] = []
    if member_accounts:
        steps.append({"create_account": {"name": "team", "tags": {"orgdns:subdomain": "team.example.org"}}})
    width = len(str(max(root_accounts, member_accounts, 1)))
    new: list[dict[str, Any]] = [
        {"create_account": {"name": f"dev{i:0{width}d}", "tags": {"orgdns:subdomain": f"dev{i:0{width}d}.example.org"}}}
        for i in range(1, root_accounts + 1)
    ]
    new += [
        {
            "create_account": {
                "name": f"app{i:0{width}d}",
                "tags": {"orgdns:subdomain": f"app{i:0{width}d}.team.example.org"},
            }
        }
        for i in range(1, member_accounts + 1)
    ]
    if new and member_accounts:
        new[0] = {"after_runs": True, **new[0]}
    return Scenario.model_validate(
        {"name": f"{root_accounts} + {member_accounts} accounts at once", "management_zones": [{"name": "example.org"}],
         "steps": steps + new}
    )  # fmt: skip


def measure(root_accounts: int, member_accounts: int) -> dict[str, Any]:
    started = time.perf_counter()
    scenario = burst_scenario(root_accounts, member_accounts)
    with LocalOrganization(scenario) as org:
        org.play()
        played = time.perf_counter() - started
        report = build_report(org)
        calls = list(org.calls.calls)
        poller_batches = [size for poller in org.pollers for size in poller.batch_sizes]
    management = org.accounts["management"]
    statuses = [m for m in report["snsMessages"] if (m["document"].get("zoneName") or "")[:3] in {"dev", "app"}]
    r53 = [c for c in calls if c.account_id == management and c.service == "route53"]
    per_second = Counter(int(c.sim_time) for c in r53)
    runs = max(len(statuses), 1)
    registry = [c for c in calls if c.service == "dynamodb" and c.operation in DYNAMODB_READS]
    first = min((c.sim_time for c in calls if c.operation == "StartExecution"), default=0.0)
    team_done = next(
        (m["simTime"] for m in report["snsMessages"] if m["document"].get("zoneName") == "team.example.org"), 0.0
    )
    start = team_done if member_accounts else first
    return {
        "rootAccounts": root_accounts,
        "memberAccounts": member_accounts,
        "outcomes": dict(Counter(m["document"]["outcome"] for m in statuses)),
        "executions": dict(Counter(e["status"] for e in report["executions"])),
        "notSucceeded": [
            {k: m["document"].get(k) for k in ("outcome", "zoneName", "accountId", "error")}
            for m in report["snsMessages"]
            if m["document"]["outcome"] != "Succeeded"
        ][:10],
        "makespanSeconds": round(max((m["simTime"] for m in statuses), default=0.0) - start, 1),
        "managementRoute53": dict(Counter(c.operation for c in r53)),
        "managementRoute53Total": len(r53),
        "managementRoute53PeakPerSecond": max(per_second.values(), default=0),
        # the management account holds one zone, the root: every change there is a change into it
        "rootZoneChangeBatches": sum(1 for c in r53 if c.operation == "ChangeResourceRecordSets"),
        # registry and budget-table reads (GetItem, BatchGetItem, Query, Scan) per run
        "dynamodbReadsPerRun": round(len(registry) / runs, 1),
        "registryScans": sum(1 for c in registry if c.operation == "Scan"),
        "writerBatches": poller_batches,
        "lambdaInvocations": sum(report["lambdaInvocations"].values()),
        "realSeconds": round(played, 1),
        "peakMemoryMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)))
