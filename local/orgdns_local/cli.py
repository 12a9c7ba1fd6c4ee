"""``orgdns local run SCENARIO.yaml [--report report.json]`` and ``orgdns local demo [brownfield]``."""

import argparse
import json
import sys
import time
from pathlib import Path

from pydantic import ValidationError

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def run_scenario(path: Path, report_path: Path | None, quiet: bool, log_level: str) -> dict[str, object]:
    from orgdns_local.organization import LocalOrganization
    from orgdns_local.report import build_report, summary
    from orgdns_local.scenario import Scenario

    scenario = Scenario.load(path)
    started = time.perf_counter()
    progress = None if quiet else (lambda line: print(line, flush=True))
    if not quiet:
        print(f"orgdns local organization: scenario {scenario.name}", flush=True)
        if scenario.description:
            print(f"  {scenario.description}\n", flush=True)
    with LocalOrganization(scenario, progress=progress, log_level=log_level) as org:
        org.play()
        report = build_report(org)
    report["realSeconds"] = round(time.perf_counter() - started, 2)
    if report_path:
        report_path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    if not quiet:
        print()
        print(summary(report))
        print(f"\n(ran in {report['realSeconds']} s of real time)")
        if report_path:
            print(f"report: {report_path}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="orgdns", description="orgdns command line")
    commands = parser.add_subparsers(dest="command", required=True)
    local = commands.add_parser("local", help="the local emulated organization").add_subparsers(
        dest="local_command", required=True
    )
    run = local.add_parser("run", help="play a scenario file")
    run.add_argument("scenario", type=Path)
    run.add_argument("--report", type=Path, help="write the JSON report here")
    run.add_argument("--quiet", action="store_true", help="no progress or summary")
    run.add_argument("--log-level", default="CRITICAL", help="the handlers' Powertools log level")
    demo = local.add_parser("demo", help="play a demo scenario: demo (the default) or brownfield")
    demo.add_argument("name", nargs="?", default="demo", choices=["demo", "brownfield"])
    demo.add_argument("--report", type=Path)
    demo.add_argument("--log-level", default="CRITICAL")
    bench = local.add_parser("bench", help="measure the demo, bursts of new accounts and cold imports")
    bench.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    bench.add_argument("--quick", action="store_true", help="smaller bursts (20, and 100 + 10 accounts)")
    args = parser.parse_args(argv)

    try:
        if args.local_command == "run":
            report = run_scenario(args.scenario, args.report, args.quiet, args.log_level)
        elif args.local_command == "demo":
            report = run_scenario(SCENARIOS / f"{args.name}.yaml", args.report, False, args.log_level)
        else:
            from orgdns_local.bench import run_bench

            return run_bench(args.output, quick=args.quick)
    except (ValidationError, ValueError, FileNotFoundError) as exc:
        print(f"orgdns: {exc}", file=sys.stderr)
        return 2
    failed = [e for e in report["executions"] if e["status"] not in {"SUCCEEDED"}]  # type: ignore[attr-defined]
    return 1 if args.local_command == "demo" and failed else 0


if __name__ == "__main__":
    sys.exit(main())
