"""``orgdns local run`` on scenario files, and its JSON report."""

import json
from pathlib import Path

from orgdns_local.cli import main
from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report
from orgdns_local.scenario import Scenario
from tests.workflow.conftest import BASE

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_run_writes_the_documented_report(tmp_path, capsys):
    report_path = tmp_path / "report.json"
    assert main(["local", "run", str(SCENARIOS / "nested-out-of-order.yaml"), "--report", str(report_path)]) == 0
    printed = capsys.readouterr().out
    assert "children now delegated from the new zone: staging.demo.example.org" in printed
    report = json.loads(report_path.read_text())
    assert set(report) == {
        "reportVersion", "scenario", "simulatedSeconds", "realSeconds", "accounts", "executions", "registry", "reconciles", "snsMessages",
        "keptStatuses", "lambdaInvocations", "apiCalls", "route53PeakRequestsPerSecond", "faultsInjected",
    }  # fmt: skip
    assert report["reportVersion"] == "1.3"
    assert report["keptStatuses"] == []
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


def test_the_report_holds_every_execution_and_record_past_the_first_page():
    """ListExecutions answers 100 per page and ListResourceRecordSets 300: the report reads them all."""
    runs = 105
    scenario = Scenario.model_validate(
        {
            "name": "many runs",
            **BASE,
            "accounts": [{"name": "team"}],
            "steps": [{"start_execution": {"name": f"bad-{n:03}", "input": {}}} for n in range(runs)],
        }
    )
    with LocalOrganization(scenario) as org:
        org.play()
        route53 = org.client("route53")
        root = route53.list_hosted_zones_by_name(DNSName="example.org")["HostedZones"][0]["Id"]
        changes = [
            {
                "Action": "CREATE",
                "ResourceRecordSet": {
                    "Name": f"r{n:03}.example.org", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"x"'}],
                },
            }
            for n in range(320)
        ]  # fmt: skip
        with org.quiet():
            route53.change_resource_record_sets(HostedZoneId=root, ChangeBatch={"Changes": changes[:160]})
            route53.change_resource_record_sets(HostedZoneId=root, ChangeBatch={"Changes": changes[160:]})
        report = build_report(org)
    names = [e["name"] for e in report["executions"]]
    assert names == [f"bad-{n:03}" for n in range(runs)]
    odd = [(e["name"], e["status"], e.get("error")) for e in report["executions"] if e.get("error") != "Rejected"]
    odd_statuses = [m["document"].get("error") for m in report["snsMessages"] if m["document"]["outcome"] != "Rejected"]
    assert all(
        e["status"] == "FAILED" and e["error"] == "Rejected" and e["historyLength"] > 0 for e in report["executions"]
    ), (odd[:5], odd_statuses[:5])
    assert len(report["snsMessages"]) == runs
    zone = next(z for z in report["accounts"]["123456789012"]["hostedZones"] if z["name"] == "example.org")
    assert sum(1 for r in zone["records"] if r["type"] == "TXT") == 320
