"""``orgdns local run`` on scenario files, and its JSON report."""

import json
from pathlib import Path

from orgdns_local.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_run_writes_the_documented_report(tmp_path, capsys):
    report_path = tmp_path / "report.json"
    assert main(["local", "run", str(SCENARIOS / "nested-out-of-order.yaml"), "--report", str(report_path)]) == 0
    printed = capsys.readouterr().out
    assert "children now delegated from the new zone: staging.demo.example.org" in printed
    report = json.loads(report_path.read_text())
    assert set(report) == {
        "reportVersion", "scenario", "simulatedSeconds", "realSeconds", "accounts", "executions", "snsMessages",
        "lambdaInvocations", "apiCalls", "route53PeakRequestsPerSecond", "faultsInjected",
    }  # fmt: skip
    assert report["scenario"] == "nested-out-of-order"
    assert [e["status"] for e in report["executions"]] == ["SUCCEEDED", "SUCCEEDED"]
    assert all(e["historyLength"] > 0 for e in report["executions"])
    zone = report["accounts"]["123456789012"]["hostedZones"][0]
    assert {"name", "id", "records"} <= set(zone)
    assert report["apiCalls"]["management"]["route53"]["ChangeResourceRecordSets"] >= 2


def test_faults_scenario_reports_what_was_injected(tmp_path):
    report_path = tmp_path / "report.json"
    assert main(["local", "run", str(SCENARIOS / "faults.yaml"), "--quiet", "--report", str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    errors = sorted({f["error"] for f in report["faultsInjected"]})
    assert errors == ["AccessDenied", "Throttling"]
    assert [m["document"]["outcome"] for m in report["snsMessages"]] == ["Succeeded"]


def test_a_bad_scenario_file_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps:\n  - create_account: {name: a}\n    send_event: {event: {}}\n")
    assert main(["local", "run", str(bad)]) == 2
    assert "exactly one action" in capsys.readouterr().err
