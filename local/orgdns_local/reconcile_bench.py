"""``python -m orgdns_local.reconcile_bench ACCOUNTS``: a reconcile of a brownfield organization,
measured in a process of its own (its real seconds and peak memory are its own), printed as one
JSON object. ``make bench`` runs it for 1,000 accounts.

The organization (for 1,000 accounts; the parts scale with ACCOUNTS): 500 accounts whose tags ask
for a zone they made by hand and delegated exactly (to adopt), 300 tagged accounts never set up
(to backfill), 50 accounts set up by orgdns whose delegation was deleted by hand since (drifted:
MissingDelegation), 150 untagged accounts with 3 zones each that nobody delegated, and 50 hand-made
NS records in the root naming name servers of no zone (dangling): 1,000 accounts, 1,000 zones.
Played: the 50 drifted accounts' runs, the drift, then a plan, an apply and a last plan.
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

MEMBER_ROUTE53 = ("ListHostedZones", "GetHostedZone", "ListResourceRecordSets")


def shape(accounts: int) -> dict[str, int]:
    scale = accounts / 1000
    parts = {"adopt": 500, "backfill": 300, "drifted": 50, "untagged": 150, "dangling": 50}
    return {key: max(1, round(value * scale)) for key, value in parts.items()}


def brownfield(accounts: int) -> Scenario:
    parts = shape(accounts)
    root_records: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for i in range(parts["adopt"]):
        name = f"shop{i:04d}"
        members.append(
            {
                "name": name,
                "tags": {"orgdns:subdomain": f"{name}.example.org"},
                "zones": [{"name": f"{name}.example.org"}],
            }
        )
        root_records.append(
            {
                "name": f"{name}.example.org",
                "type": "NS",
                "ttl": 172800,
                "values": [f"${{nameservers:{name}:{name}.example.org}}"],
            }
        )
    for i in range(parts["backfill"]):
        members.append({"name": f"new{i:04d}", "tags": {"orgdns:subdomain": f"new{i:04d}.example.org"}})
    for i in range(parts["untagged"]):
        members.append({"name": f"lab{i:04d}", "zones": [{"name": f"z{j}.lab{i:04d}.example.org"} for j in range(3)]})
    for i in range(parts["dangling"]):
        number = 100 + i
        servers = [f"ns-{number}.awsdns-{number // 8:02d}.com", f"ns-{512 + number}.awsdns-{number // 8:02d}.net"]
        root_records.append({"name": f"old{i:04d}.example.org", "type": "NS", "values": servers})
    steps: list[dict[str, Any]] = [
        {"create_account": {"name": f"app{i:04d}", "tags": {"orgdns:subdomain": f"app{i:04d}.example.org"}}}
        for i in range(parts["drifted"])
    ]
    steps += [
        {
            "delete_records": {
                "account": "management",
                "zone": "example.org",
                "name": f"app{i:04d}.example.org",
                "types": ["NS"],
            },
            **({"after_runs": True} if i == 0 else {}),
        }
        for i in range(parts["drifted"])
    ]
    steps += [
        {"reconcile": {"mode": "plan"}},
        {"after_runs": True, "reconcile": {"mode": "apply"}},
        {"after_runs": True, "reconcile": {"mode": "plan"}},
    ]
    return Scenario.model_validate(
        {
            "name": f"brownfield {accounts}",
            "management_zones": [{"name": "example.org", "records": root_records}],
            "accounts": members,
            "steps": steps,
        }
    )


def measure(accounts: int) -> dict[str, Any]:
    started = time.perf_counter()
    scenario = brownfield(accounts)
    with LocalOrganization(scenario) as org:
        org.play()
        played = time.perf_counter() - started
        report = build_report(org)
        calls = list(org.calls.calls)
        runs = [arn.rsplit(":", 1)[1] for arn in org.reconcile_runs]
        surveys = [_survey(org, run_id) for run_id in runs]
        member_accounts = len(org.accounts) - 2  # without the management and outside accounts
    management = org.accounts["management"]
    by_name = {e["name"]: e for e in report["executions"]}
    steps = {"StartReconcile", "SurveyAccount", "PlanReconcile", "ApplyReconcile", "ReportReconcile"}
    ours = [c for c in calls if c.step in steps]
    phases: list[dict[str, Any]] = []
    for index, run_id in enumerate(runs):
        # A reconcile's calls: its steps' calls between its start and the next reconcile's.
        begin = next(
            c.sim_time
            for c in ours
            if c.step == "StartReconcile" and c.sim_time >= (phases[-1]["end"] if phases else 0)
        )
        end_candidates = [c.sim_time for c in ours if c.step == "ReportReconcile" and c.sim_time >= begin]
        end = min(end_candidates) if end_candidates else begin
        mine = [c for c in ours if begin <= c.sim_time <= end]
        reconcile = report["reconciles"][index]
        per_account_second = Counter((c.account_id, int(c.sim_time)) for c in mine if c.service == "route53")
        phases.append(
            {
                "mode": reconcile["mode"],
                "summary": reconcile["summary"],
                "byType": reconcile["counts"].get("byType", {}),
                "zonesSurveyed": reconcile.get("zones", 0),
                "transitions": by_name[run_id]["stateTransitions"],
                "calls": {
                    service: dict(sorted(Counter(c.operation for c in mine if c.service == service).items()))
                    for service in sorted({c.service for c in mine})
                },
                "route53PeakPerAccountPerSecond": max(per_account_second.values(), default=0),
                "simulatedSeconds": round(end - begin, 1),
                "end": end,
            }
        )
    zones = sum(len(a["hostedZones"]) for k, a in report["accounts"].items() if k not in {management, "999999999999"})
    for phase in phases:
        phase.pop("end")
    for phase, survey in zip(phases, surveys, strict=True):
        phase["minimum"] = minimum(phase, accounts=member_accounts, zones=phase["zonesSurveyed"], survey=survey)
    return {
        "accounts": accounts,
        "shape": shape(accounts),
        "memberZones": zones,
        "reconciles": phases,
        "runsStarted": dict(
            Counter(e["status"] for e in report["executions"] if "-run-" in e["name"] or "-adopt-" in e["name"])
        ),
        "realSeconds": round(played, 1),
        "peakMemoryMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def _survey(org: LocalOrganization, run_id: str) -> list[dict[str, Any]]:
    """Every account as that reconcile's survey observed it (its files in the reconcile bucket)."""
    s3 = org.client("s3")
    bucket = next(iter(org.wiring.buckets))
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"reconciles/{run_id}/survey/")
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return [account for key in keys for account in json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())]


def minimum(
    phase: dict[str, Any], *, accounts: int, zones: int, survey: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The calls the walk cannot do without, against those made: one ListAccounts page per 20
    accounts (the management account included), each member account's tags, one role entered per
    member account, a page of hosted zones per account, each zone's name servers (one GetHostedZone:
    ListHostedZones does not carry them); one ListCertificates per Region an account's certificates
    are in (those orgdns recorded, or, for a zone with none yet, those its tags ask for: hand-made
    ones to adopt), a DescribeCertificate per certificate near its end or not ISSUED, and a
    GetDomainName per custom domain."""
    calls = phase["calls"]
    needed = {
        ("organizations", "ListAccounts"): -(-(accounts + 1) // 20),
        ("organizations", "ListTagsForResource"): accounts,
        ("sts", "AssumeRole"): accounts,
        ("route53", "ListHostedZones"): accounts + 1,
        ("route53", "GetHostedZone"): zones,
        ("acm", "ListCertificates"): sum(len(a.get("acmRegions", [])) for a in survey),
        ("acm", "DescribeCertificate"): sum(1 for a in survey for c in a.get("certificates", []) if c["described"]),
        ("apigateway", "GetDomainName"): sum(len(a.get("domains", [])) for a in survey),
    }
    out = {}
    for (service, operation), least in needed.items():
        made = calls.get(service, {}).get(operation, 0)
        out[f"{service} {operation}"] = {
            "made": made,
            "minimum": least,
            "ratio": round(made / least, 2) if least else None,
        }
    return out


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)))
