"""``make bench``: what a run costs and how quickly it notices things, on the local organization.

Figures (simulated time; no figure here is a wall-clock timing of the machine, except the cold
import ratios, which compare two imports on the same machine):
- state transitions per execution (all, and apart from wait loops), Lambda invocations;
- AWS API calls by service and operation;
- per wait: polls, and the lag between a resource becoming ready and the run noticing;
- Route 53 requests per second per account (peak over any one-second window);
- each handler's cold import time as a ratio to a bare ``import boto3``.
"""

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgdns_local.organization import ROOT, LocalOrganization
from orgdns_local.report import build_report, paged
from orgdns_local.runtime import Invocation
from orgdns_local.scenario import Scenario

WAIT_STATES = {"WaitForDelegation", "CheckDelegationSync", "WaitForValidationRecords", "WaitForCertificates",
               "CheckCertificates", "GrowCertificateInterval", "CertificatesReady?", "WaitForCustomDomain",
               "CheckCustomDomain", "CountDomainPoll", "GrowDomainInterval", "DomainReady?", "Delegated?",
               "ValidationRecords?", "WriteValidationRecords", "CountCertificatePoll"}  # fmt: skip


@dataclass
class RunTrace:
    """What the runtime saw of one execution: each step's sim time and result."""

    steps: list[tuple[str, float, Any]] = field(default_factory=list)


def _trace(org: LocalOrganization) -> dict[str, RunTrace]:
    traces: dict[str, RunTrace] = defaultdict(RunTrace)

    def listen(invocation: Invocation) -> None:
        if isinstance(invocation.event, dict) and "execution" in invocation.event:
            traces[invocation.event["execution"]].steps.append(
                (invocation.step, invocation.sim_time, invocation.result)
            )

    org.runtime.listeners.append(listen)
    return traces


def _transitions(org: LocalOrganization) -> dict[str, dict[str, int]]:
    stepfunctions = org.client("stepfunctions")
    out = {}
    for machine in paged(stepfunctions, "list_state_machines", "stateMachines"):
        for item in paged(stepfunctions, "list_executions", "executions", stateMachineArn=machine["stateMachineArn"]):
            history = list(paged(stepfunctions, "get_execution_history", "events", executionArn=item["executionArn"]))
            entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
            # Apart from waits: every pass through a polling loop counts once, the first time.
            seen: set[str] = set()
            happy = 0
            for name in entered:
                if name in WAIT_STATES and name in seen:
                    continue
                seen.add(name)
                happy += 1
            out[item["name"]] = {"all": len(entered), "apartFromWaits": happy}
    return out


def _waits(traces: dict[str, RunTrace], timing: Any) -> list[dict[str, Any]]:
    rows = []
    for execution, trace in traces.items():
        delegated = [t for s, t, r in trace.steps if s == "Delegate" and isinstance(r, dict) and r.get("change")]
        syncs = [t for s, t, r in trace.steps if s == "CheckDelegationSync"]
        if delegated and syncs:
            ready = delegated[0] + timing.route53_propagation_seconds
            noticed = next((t for s, t, r in trace.steps if s == "CheckDelegationSync" and r is True), None)
            rows.append(_wait_row(execution, "delegation INSYNC", len(syncs), ready, noticed))
        created = [(t, r) for s, t, r in trace.steps if s == "CreateCustomDomain" and isinstance(r, dict)]
        checks = [(t, r) for s, t, r in trace.steps if s == "CheckCustomDomain" and isinstance(r, dict)]
        if created and checks:
            pending = (
                timing.apigw_edge_pending_seconds
                if created[0][1].get("type") == "edge"
                else timing.apigw_regional_pending_seconds
            )
            ready = created[0][0] + pending
            noticed = next((t for t, r in checks if r.get("available")), None)
            row = _wait_row(execution, "custom domain AVAILABLE", len(checks), ready, noticed)
            row["waitSeconds"] = pending
            row["lagPercent"] = round(100 * row["lagSeconds"] / pending, 1) if row["lagSeconds"] is not None else None
            rows.append(row)
        cert_checks = [t for s, t, r in trace.steps if s == "CheckCertificates"]
        issued = next(
            (t for s, t, r in trace.steps if s == "CheckCertificates" and isinstance(r, dict) and r.get("allIssued")),
            None,
        )
        if cert_checks:
            rows.append(
                {"execution": execution, "wait": "certificates ISSUED", "polls": len(cert_checks), "noticedAt": issued}
            )
    return rows


def _wait_row(execution: str, wait: str, polls: int, ready: float, noticed: float | None) -> dict[str, Any]:
    return {
        "execution": execution,
        "wait": wait,
        "polls": polls,
        "readyAt": round(ready, 1),
        "noticedAt": None if noticed is None else round(noticed, 1),
        "lagSeconds": None if noticed is None else round(noticed - ready, 1),
    }


def run_story(scenario: Scenario) -> dict[str, Any]:
    with LocalOrganization(scenario) as org:
        traces = _trace(org)
        org.play()
        report = build_report(org)
        with org.quiet():
            transitions = _transitions(org)
    return {"report": report, "transitions": transitions, "waits": _waits(traces, scenario.timing)}


def single_run_seconds() -> float:
    """One plain account's run on its own, in simulated seconds: the yardstick of bursts."""
    with LocalOrganization(many_accounts(1)) as org:
        org.play()
        report = build_report(org)
    return float(max(m["simTime"] for m in report["snsMessages"]))


def many_accounts(count: int) -> Scenario:
    return Scenario.model_validate(
        {
            "name": f"{count} accounts at once",
            "management_zones": [{"name": "example.org"}],
            "steps": [
                {"create_account": {"name": f"dev{i:02d}", "tags": {"orgdns:subdomain": f"dev{i:02d}.example.org"}}}
                for i in range(1, count + 1)
            ],
        }
    )


def cold_imports(repeats: int = 5) -> dict[str, float]:
    """Median cold import of each handler (fresh interpreter) divided by a bare ``import boto3``."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'layers' / 'orgdns'}",
        "ORGDNS_MANAGEMENT_ACCOUNT_ID": "123456789012",
        "AWS_REGION": "us-east-1",
        "ORGDNS_REGISTRY_TABLE": "orgdns-registry",
        "ORGDNS_RATE_LIMIT_TABLE": "orgdns-rate-limit",
        "ORGDNS_STATUS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t",
        "ORGDNS_SUBDOMAIN_WORKFLOW_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:w",
        "AWS_LAMBDA_FUNCTION_NAME": "orgdns-bench",  # as in Lambda: Tracer imports the X-Ray SDK
    }
    probe = "import sys, time, runpy; t = time.perf_counter(); {body}; print(time.perf_counter() - t)"

    def measure(body: str) -> float:
        return statistics.median(
            float(
                subprocess.run(  # noqa: S603 - our own interpreter and code
                    [sys.executable, "-c", probe.format(body=body)], env=env, capture_output=True, text=True, check=True
                ).stdout.strip()
            )
            for _ in range(repeats)
        )

    baseline = measure("import boto3")
    ratios = {}
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        ratios[app.parent.name] = round(measure(f"runpy.run_path({str(app)!r})") / baseline, 2)
    ratios["(import boto3 seconds)"] = round(baseline, 3)
    return ratios


def self_service() -> list[dict[str, Any]]:
    """A member's self-service request, then the teardown when it deletes the zone: each phase's
    state transitions, Lambda invocations and API calls, measured on their own."""
    scenario = Scenario.model_validate(
        {
            "name": "self-service",
            "management_zones": [{"name": "example.org"}],
            "steps": [{"create_account": {"name": "team", "tags": {"orgdns:subdomain": "team.example.org"}}}],
        }
    )
    zone = "feature.team.example.org"
    phases: dict[str, list[dict[str, Any]]] = {
        "self-service request": [
            {"after_runs": True, "create_zone": {"account": "team", "name": zone}},
            {"tag_zone": {"account": "team", "zone": zone, "tags": {"orgdns:delegate": "true"}}},
        ],
        "teardown (zone deleted)": [{"after_runs": True, "delete_zone": {"account": "team", "zone": zone}}],
    }
    return phase_rows(scenario, phases)


DAY = 86400


def life_after_go_live() -> list[dict[str, Any]]:
    """A name added to a live account's certificate (new certificate, outside validation record
    answered, custom domain switched, old certificate retired), then one of ACM's renewal events
    for a certificate nobody uses: each phase's transitions, invocations and API calls."""
    scenario = Scenario.model_validate(
        {
            "name": "after go-live",
            "management_zones": [{"name": "example.org"}],
            "outside_zones": [{"name": "shop.example"}],
            "steps": [
                {"create_account": {"name": "live", "tags": {"orgdns:subdomain": "live.example.org",
                                                              "orgdns:custom-domain": "regional"}}},
                {"create_account": {"name": "idle", "tags": {"orgdns:subdomain": "idle.example.org"}}},
            ],
        }
    )  # fmt: skip
    phases: dict[str, list[dict[str, Any]]] = {
        "name added: new certificate, outside record, switch, old one retired": [
            {"answer_action_required": {"account": "live"}},
            {
                "after_runs": True,
                "tag_account": {"account": "live", "tags": {"orgdns:extra-names": "www.shop.example"}},
            },
        ],
        "renewal events 30 days before expiry (certificate not in use: one warning, one repeat skipped)": [
            {"at": 168.5 * DAY, "note": "30 days before the idle certificate expires"},
        ],
    }
    return phase_rows(scenario, phases)


def phase_rows(scenario: Scenario, phases: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Play ``scenario``, then each phase's steps on the same organization, measuring each phase."""
    rows = []
    with LocalOrganization(scenario) as org:
        org.play()
        for title, steps in phases.items():
            calls_before = len(org.calls.calls)
            invocations_before = sum(org.invocation_counts.values())
            with org.quiet():
                known = set(_transitions(org))
            org.scenario = scenario.model_copy(
                update={"steps": Scenario.model_validate({"name": title, "steps": steps}).steps}
            )
            org.play()
            with org.quiet():
                new = {name: t for name, t in _transitions(org).items() if name not in known}
            by_service: dict[str, int] = defaultdict(int)
            for call in org.calls.calls[calls_before:]:
                by_service[call.service] += 1
            rows.append(
                {
                    "phase": title,
                    "runs": len(new),
                    "transitions": sum(t["all"] for t in new.values()),
                    "apartFromWaits": sum(t["apartFromWaits"] for t in new.values()),
                    "invocations": sum(org.invocation_counts.values()) - invocations_before,
                    "calls": dict(sorted(by_service.items())),
                }
            )
    return rows


# The burst stories: (accounts under the root zone, accounts under a member's zone).
BURSTS = ((20, 0), (200, 0), (1000, 100))
QUICK_BURSTS = ((20, 0), (100, 10))


def burst(root_accounts: int, member_accounts: int) -> dict[str, Any]:
    """One burst story in a process of its own (orgdns_local.burst), so that its real seconds and
    peak memory are its own."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "orgdns"), str(ROOT / "local")])}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "orgdns_local.burst", str(root_accounts), str(member_accounts)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def reconcile_story(accounts: int) -> dict[str, Any]:
    """The brownfield reconcile (orgdns_local.reconcile_bench) in a process of its own."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "orgdns"), str(ROOT / "local")])}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "orgdns_local.reconcile_bench", str(accounts)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def render_reconcile(story: dict[str, Any]) -> str:
    shape = story["shape"]
    lines = [
        "",
        f"## Reconcile of a brownfield organization ({story['accounts']} accounts)",
        "",
        f"{shape['adopt']} accounts with a hand-made zone and delegation to adopt, {shape['backfill']} tagged "
        f"accounts never set up (backfill), {shape['drifted']} set up by orgdns whose delegation was deleted "
        f"by hand (drifted), {shape['untagged']} untagged accounts with 3 zones each, and {shape['dangling']} "
        f"dangling hand-made delegations in the root: {story['memberZones']} member zones at the end. Played: a "
        "plan, an apply (which starts the adopted and backfilled accounts' runs), and a last plan. Simulated "
        "seconds run from the reconcile's first step to its report; the runs apply starts are not counted in "
        "its calls.",
        "",
        "| reconcile | summary | state transitions | simulated seconds | Route 53 peak requests/s per account |",
        "|---|---|---|---|---|",
    ]
    for phase in story["reconciles"]:
        lines.append(
            f"| {phase['mode']} | {phase['summary']} | {phase['transitions']} | {phase['simulatedSeconds']} "
            f"| {phase['route53PeakPerAccountPerSecond']} |"
        )
    lines += ["", "API calls of the walk against the minimum it needs (first plan):", ""]
    lines += ["| call | made | minimum | ratio |", "|---|---|---|---|"]
    for call, figures in story["reconciles"][0]["minimum"].items():
        lines.append(f"| {call} | {figures['made']} | {figures['minimum']} | {figures['ratio']} |")
    lines += ["", "Every call by service, per reconcile:", ""]
    for phase in story["reconciles"]:
        calls = ", ".join(f"{service} {sum(ops.values())}" for service, ops in phase["calls"].items())
        lines.append(f"- {phase['mode']}: {calls}")
    lines += [
        "",
        f"Runs the apply started: {story['runsStarted']}. Real time for the whole story: {story['realSeconds']} s; "
        f"peak memory {story['peakMemoryMB']} MB.",
        "",
    ]
    return "\n".join(lines)


def run_bench(output: Path, quick: bool = False) -> int:
    print("cold imports...", flush=True)
    imports = cold_imports()
    print("demo story...", flush=True)
    demo = run_story(Scenario.load(ROOT / "local" / "scenarios" / "demo.yaml"))
    print("20 accounts at once...", flush=True)
    crowd = run_story(many_accounts(20))
    print("self-service and teardown...", flush=True)
    member = self_service()
    print("after go-live: a name added, a renewal event...", flush=True)
    life = life_after_go_live()
    bursts = []
    for root_accounts, member_accounts in QUICK_BURSTS if quick else BURSTS:
        print(f"burst: {root_accounts} accounts under the root, {member_accounts} under a member's zone...", flush=True)
        bursts.append(burst(root_accounts, member_accounts))
        print(f"  {json.dumps(bursts[-1])}", flush=True)
    single = single_run_seconds()
    accounts = 100 if quick else 1000
    print(f"reconcile of a brownfield organization of {accounts} accounts...", flush=True)
    story = reconcile_story(accounts)
    print(f"  {json.dumps(story)}", flush=True)
    text = render(demo, crowd, imports, member, life) + render_bursts(bursts, single, quick) + render_reconcile(story)
    output.write_text(text)
    print(text)
    return 0


def render_bursts(bursts: list[dict[str, Any]], single: float, quick: bool = False) -> str:
    lines = [
        "",
        "## Bursts of new accounts",
        "",
        *(["These figures come from `orgdns local bench --quick` (the smaller bursts).", ""] if quick else []),
        "Each story in a process of its own: accounts created at once under the root zone (and under a",
        "member's zone, set up just before). Route 53 figures are the management account's (the root",
        "zone's); the makespan runs from the burst's first event to its last status, against",
        f"{single:.0f} s for one plain account's run on its own.",
        "",
        "| accounts (root + member zone) | runs Succeeded | makespan (s) | vs one run | management Route 53 requests "
        "(per 100 delegations) | peak/s | change batches into the root zone | DynamoDB reads per run | scans | "
        "writer batches | real seconds | peak memory (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b in bursts:
        delegations = max(b["rootAccounts"], 1)
        succeeded = b["outcomes"].get("Succeeded", 0)
        total = b["rootAccounts"] + b["memberAccounts"]
        lines.append(
            f"| {b['rootAccounts']} + {b['memberAccounts']} | {succeeded} of {total} | {b['makespanSeconds']} | "
            f"{b['makespanSeconds'] / single:.2f}x | {b['managementRoute53Total']} "
            f"({100 * b['managementRoute53Total'] / delegations:.1f}) | {b['managementRoute53PeakPerSecond']} | "
            f"{b['rootZoneChangeBatches']} | {b['dynamodbReadsPerRun']} | {b['registryScans']} | "
            f"{len(b['writerBatches'])} | {b['realSeconds']} | {b['peakMemoryMB']} |"
        )
    lines += ["", "Management-account Route 53 requests by operation:", ""]
    lines += [f"- {b['rootAccounts']} + {b['memberAccounts']}: {b['managementRoute53']}" for b in bursts]
    return "\n".join(lines) + "\n"


# The least each plain run (no custom domain, no extra names) must call, per account: create
# the zone, read its name servers, set its NS TTL and write the validation record; request the
# certificate and read it twice (records, then ISSUED); in the parent, write the delegation and
# see it INSYNC; enter the member account once.
MINIMUM_MEMBER = {
    ("route53", "CreateHostedZone"): 1,
    ("route53", "GetHostedZone"): 1,
    ("route53", "ChangeResourceRecordSets"): 2,
    ("acm", "RequestCertificate"): 1,
    ("acm", "DescribeCertificate"): 2,
}
MINIMUM_PARENT = {("route53", "ChangeResourceRecordSets"): 1, ("route53", "GetChange"): 1, ("sts", "AssumeRole"): 1}


def _targets(demo: dict[str, Any], crowd: dict[str, Any]) -> list[str]:
    happy = max(t["apartFromWaits"] for run in (demo, crowd) for t in run["transitions"].values())
    domain = [w for w in demo["waits"] if w["wait"] == "custom domain AVAILABLE"]
    statuses = {e["status"] for e in crowd["report"]["executions"]}
    peak = max(v for run in (demo, crowd) for v in run["report"]["route53PeakRequestsPerSecond"].values())
    rows = [
        ("state transitions per account on the happy path, apart from waits", "<= 40", str(happy), happy <= 40),
        ("20 accounts created at once", "all Succeeded", ", ".join(sorted(statuses)), statuses == {"SUCCEEDED"}),
        ("Route 53 requests per second per account (peak)", "< 5", str(peak), peak < 5),
    ]
    for wait in domain:
        ok = wait["polls"] <= 15 and wait["lagPercent"] is not None and wait["lagPercent"] <= 10
        rows.append(
            (
                f"{wait['waitSeconds'] / 60:.0f}-minute custom domain wait: polls, lag",
                "<= 15 polls, lag <= 10%",
                f"{wait['polls']} polls, lag {wait['lagSeconds']} s ({wait['lagPercent']}%)",
                ok,
            )
        )
    out = ["| target | goal | measured | met |", "|---|---|---|---|"]
    out += [f"| {name} | {goal} | {value} | {'yes' if ok else 'NO'} |" for name, goal, value, ok in rows]
    return out


def _calls_against_minimum(crowd: dict[str, Any]) -> list[str]:
    calls = crowd["report"]["apiCalls"]
    members = [name for name in calls if name.startswith("dev")]
    out = ["| account | call | measured per run | minimum |", "|---|---|---|---|"]
    for (service, operation), minimum in MINIMUM_MEMBER.items():
        total = sum(calls[m].get(service, {}).get(operation, 0) for m in members)
        out.append(f"| member | {service} {operation} | {total / len(members):.1f} | {minimum} |")
    for (service, operation), minimum in MINIMUM_PARENT.items():
        total = calls.get("management", {}).get(service, {}).get(operation, 0)
        out.append(f"| management (parent) | {service} {operation} | {total / len(members):.1f} | {minimum} |")
    extra = {
        f"{service} {operation}": n
        for service, ops in calls.get("management", {}).items()
        for operation, n in ops.items()
        if (service, operation) not in MINIMUM_PARENT
    }
    out += ["", "Other calls in the management account for the 20 runs (reads, registry, budget, invokes): "]
    out.append(", ".join(f"{name} {n}" for name, n in sorted(extra.items())))
    return out


def render(
    demo: dict[str, Any],
    crowd: dict[str, Any],
    imports: dict[str, float],
    member: list[dict[str, Any]],
    life: list[dict[str, Any]],
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` on the local organization. Times are simulated, except the cold",
        "import ratios, which compare two imports on the same machine.",
        "",
        "## Targets",
        "",
        *_targets(demo, crowd),
        "",
    ]
    for title, run in (("Demo story", demo), ("20 accounts created at once", crowd)):
        report = run["report"]
        outcomes: dict[str, int] = defaultdict(int)
        for execution in report["executions"]:
            outcomes[execution["status"]] += 1
        peaks = report["route53PeakRequestsPerSecond"]
        lines += [
            f"## {title}",
            "",
            f"Executions: {dict(outcomes)}; simulated time {report['simulatedSeconds'] / 60:.1f} min.",
            "",
            "| execution | state transitions | apart from waits |",
            "|---|---|---|",
            *[
                f"| {name[:20]} | {t['all']} | {t['apartFromWaits']} |"
                for name, t in sorted(run["transitions"].items())
            ][:6],
            "",
            f"Lambda invocations: {sum(report['lambdaInvocations'].values())} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(report['lambdaInvocations'].items()))}).",
            "",
            f"Route 53 peak requests per second: management {peaks.get('management', 0)}, "
            f"member accounts at most {max((v for k, v in peaks.items() if k != 'management'), default=0)}.",
            "",
            "API calls by account and service:",
            "",
        ]
        for account, services in sorted(report["apiCalls"].items())[:8]:
            per = ", ".join(f"{service} {sum(ops.values())}" for service, ops in sorted(services.items()))
            lines.append(f"- {account}: {per}")
        lines += [
            "",
            "Waits (polls, and the lag between the resource being ready and the run noticing):",
            "",
            "| execution | wait | polls | ready at (s) | noticed at (s) | lag (s) |",
            "|---|---|---|---|---|---|",
        ]
        for row in run["waits"][:8]:
            noticed = row.get("noticedAt")
            lines.append(
                f"| {row['execution'][:16]} | {row['wait']} | {row['polls']} | {row.get('readyAt', '-')} | "
                f"{'-' if noticed is None else round(noticed, 1)} | {row.get('lagSeconds', '-')} |"
            )
        lines.append("")
    lines += ["## API calls against the minimum the work needs (20 plain runs)", "", *_calls_against_minimum(crowd), ""]
    lines += [
        "## Self-service request and teardown",
        "",
        "| phase | state transitions | apart from waits | Lambda invocations | API calls by service |",
        "|---|---|---|---|---|",
        *[
            f"| {row['phase']} | {row['transitions']} | {row['apartFromWaits']} | {row['invocations']} | "
            f"{', '.join(f'{k} {v}' for k, v in row['calls'].items())} |"
            for row in member
        ],
        "",
    ]
    lines += [
        "## After go-live: a name added, a renewal event",
        "",
        "| phase | runs | state transitions | apart from waits | Lambda invocations | API calls by service |",
        "|---|---|---|---|---|---|",
        *[
            f"| {row['phase']} | {row['runs']} | {row['transitions']} | {row['apartFromWaits']} | "
            f"{row['invocations']} | {', '.join(f'{k} {v}' for k, v in row['calls'].items())} |"
            for row in life
        ],
        "",
    ]
    lines += ["## Cold import time per handler (ratio to a bare `import boto3`)", ""]
    lines += [f"- {name}: {value}" for name, value in imports.items()]
    return "\n".join(lines) + "\n"
