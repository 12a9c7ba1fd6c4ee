"""Workflow tests: the real state machine and handlers on the local organization."""

from typing import Any

import pytest

from orgdns_local.organization import LocalOrganization
from orgdns_local.report import build_report, paged
from orgdns_local.scenario import Scenario

BASE: dict[str, Any] = {
    "management_zones": [
        {"name": "example.org", "records": [{"name": "www.example.org", "type": "A", "values": ["192.0.2.10"]}]}
    ],
}


def play(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    scenario = Scenario.model_validate({"name": "test", **BASE, **extra, "steps": steps})
    with LocalOrganization(scenario) as org:
        org.play()
        return build_report(org)


def record_sets(org: LocalOrganization) -> dict[tuple[str, str, str], Any]:
    """Every record set of every hosted zone, by (account name, zone name, zone id)."""
    found = {}
    with org.quiet():
        for name, account_id in org.accounts.items():
            route53 = org.client("route53", account_id)
            for zone in paged(route53, "list_hosted_zones", "HostedZones"):
                records = list(
                    paged(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone["Id"])
                )
                found[(name, zone["Name"], zone["Id"])] = records
    return found


def statuses(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [m["document"] for m in report["snsMessages"]]


def zone_records(report: dict[str, Any], account: str, zone: str) -> list[dict[str, Any]]:
    for item in report["accounts"].values():
        if item["name"] == account:
            for hosted in item["hostedZones"]:
                if hosted["name"] == zone:
                    return hosted["records"]
    raise AssertionError(f"no zone {zone} in {account}")


def account_id(report: dict[str, Any], name: str) -> str:
    return next(key for key, value in report["accounts"].items() if value["name"] == name)


@pytest.fixture(scope="module")
def demo_report() -> dict[str, Any]:
    from pathlib import Path

    scenario = Scenario.load(Path(__file__).resolve().parents[2] / "local" / "scenarios" / "demo.yaml")
    with LocalOrganization(scenario) as org:
        org.play()
        return build_report(org)
