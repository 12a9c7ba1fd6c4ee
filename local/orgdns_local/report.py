"""The JSON report of a local run (schema: docs/local-organization.md) and its readable summary."""

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from orgdns_local.organization import HOME, MANAGEMENT, LocalOrganization

REPORT_VERSION = "1.3"


def _registry(org: LocalOrganization, names: dict[str, str]) -> list[dict[str, Any]]:
    """What orgdns manages at the end, as its registry says: one entry per zone."""
    from orgdns.aws.registry import Registry

    table = org.wiring.environment_value("ORGDNS_REGISTRY_TABLE")
    if not table:
        return []
    items = Registry(org.client("dynamodb"), table).all()
    return [
        {
            "zoneName": item.zone_name,
            "account": names.get(item.account_id, item.account_id),
            "accountId": item.account_id,
            "hostedZoneId": item.hosted_zone_id,
            "parentZoneName": item.parent_zone_name,
            "origin": item.origin,
            "certificates": [{"region": c.region, "arn": c.arn} for c in item.certificates],
            "lastOutcome": item.last_outcome.value if item.last_outcome else None,
        }
        for item in sorted(items, key=lambda i: i.zone_name)
    ]


def build_report(org: LocalOrganization) -> dict[str, Any]:
    with org.quiet():
        messages = org.status_messages()
        regions = {HOME}
        for message in messages:
            regions.update(c["region"] for c in message.document.get("certificates", []))
            domain = message.document.get("customDomain") or {}
            if domain.get("region"):
                regions.add(domain["region"])
        names = {account_id: name for name, account_id in org.accounts.items()}
        accounts = {
            account_id: _account(org, account_id, name, sorted(regions)) for name, account_id in org.accounts.items()
        }
        executions = _executions(org)
        registry = _registry(org, names)
        reconciles = _reconciles(org, messages)
    invocations = Counter(inv for inv in org.invocation_counts.elements())
    return {
        "reportVersion": REPORT_VERSION,
        "scenario": org.scenario.name,
        "simulatedSeconds": round(org.clock.elapsed(), 3),
        "accounts": accounts,
        "executions": executions,
        "registry": registry,
        "reconciles": reconciles,
        "snsMessages": [
            {
                "messageId": m.message_id,
                "simTime": round(m.sim_time, 3),
                "subject": m.subject,
                "attributes": m.attributes,
                "document": m.document,
            }
            for m in messages
        ],
        "keptStatuses": org.kept_statuses(),
        "lambdaInvocations": dict(sorted(invocations.items())),
        "apiCalls": {names.get(account, account): services for account, services in org.calls.summary().items()},
        "route53PeakRequestsPerSecond": {
            names.get(account, account): peak for account, peak in org.calls.per_second_peak("route53").items()
        },
        "faultsInjected": [
            {
                "service": f.call.service,
                "operation": f.call.operation,
                "account": names.get(f.call.account_id, f.call.account_id),
                "error": f.rule.error_code,
                "simTime": round(f.call.sim_time, 3),
            }
            for f in org.faults.injected
        ],
    }


def _account(org: LocalOrganization, account_id: str, name: str, regions: list[str]) -> dict[str, Any]:
    route53 = org.client("route53", account_id)
    zones = []
    for zone in paged(route53, "list_hosted_zones", "HostedZones"):
        zone_id = zone["Id"].rsplit("/", 1)[1]
        records = []
        for rrset in paged(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id):
            record: dict[str, Any] = {"name": rrset["Name"].rstrip("."), "type": rrset["Type"]}
            if "AliasTarget" in rrset:
                record["alias"] = rrset["AliasTarget"]["DNSName"].rstrip(".")
            else:
                record["ttl"] = rrset.get("TTL")
                record["values"] = [r["Value"] for r in rrset.get("ResourceRecords", [])]
            records.append(record)
        zones.append({"name": zone["Name"].rstrip("."), "id": zone_id, "records": records})
    certificates, domains, parameters = [], [], []
    for region in regions:
        ssm = org.client("ssm", account_id, region)
        for parameter in paged(ssm, "get_parameters_by_path", "Parameters", Path="/orgdns", Recursive=True):
            parameters.append({"region": region, "name": parameter["Name"], "value": parameter["Value"]})
        acm = org.client("acm", account_id, region)
        for summary in paged(acm, "list_certificates", "CertificateSummaryList"):
            detail = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
            certificates.append(
                {
                    "region": region,
                    "arn": detail["CertificateArn"],
                    "domainName": detail["DomainName"],
                    "subjectAlternativeNames": detail.get("SubjectAlternativeNames", []),
                    "status": detail["Status"],
                }
            )
        for item in paged(org.client("apigateway", account_id, region), "get_domain_names", "items"):
            domains.append(
                {
                    "region": region,
                    "domainName": item["domainName"],
                    "type": (item.get("endpointConfiguration", {}).get("types") or ["EDGE"])[0],
                    "target": item.get("distributionDomainName") or item.get("regionalDomainName"),
                    "status": item.get("domainNameStatus"),
                }
            )
    return {
        "name": name,
        "hostedZones": zones,
        "certificates": certificates,
        "customDomains": domains,
        "parameters": parameters,
    }


def _reconciles(org: LocalOrganization, messages: list[Any]) -> list[dict[str, Any]]:
    """Each reconcile, in the order started: its report from the reconcile bucket (mode, findings,
    actions, counts), else (a Rejected input writes no report) what its status said."""
    bucket = next(iter(org.wiring.buckets), None)
    s3 = org.client("s3")
    found = []
    for arn in org.reconcile_runs:
        run_id = arn.rsplit(":", 1)[1]
        status: dict[str, Any] = next(
            (
                m.document
                for m in messages
                if m.document.get("kind") == "reconcile" and m.document.get("runId") == run_id
            ),
            {},
        )
        entry: dict[str, Any] = {
            "runId": run_id,
            "mode": status.get("mode"),
            "outcome": status.get("outcome"),
            "summary": status.get("summary"),
            "findings": [],
            "actions": [],
            "counts": status.get("counts") or {},
            "error": status.get("error"),
        }
        if bucket:
            try:
                body = s3.get_object(Bucket=bucket, Key=f"reconciles/{run_id}/report.json")["Body"].read()
            except s3.exceptions.NoSuchKey:
                body = None
            if body:
                report = json.loads(body)
                entry.update(
                    {
                        key: report.get(key, entry.get(key))
                        for key in (
                            "mode",
                            "outcome",
                            "summary",
                            "findings",
                            "actions",
                            "counts",
                            "planText",
                            "accounts",
                            "zones",
                        )
                    }
                )
        found.append(entry)
    return found


def _executions(org: LocalOrganization) -> list[dict[str, Any]]:
    stepfunctions = org.client("stepfunctions")
    found = []
    for machine in paged(stepfunctions, "list_state_machines", "stateMachines"):
        for item in paged(stepfunctions, "list_executions", "executions", stateMachineArn=machine["stateMachineArn"]):
            detail = stepfunctions.describe_execution(executionArn=item["executionArn"])
            history = list(paged(stepfunctions, "get_execution_history", "events", executionArn=item["executionArn"]))
            found.append(
                {
                    "stateMachine": machine["name"],
                    "name": item["name"],
                    "status": detail["status"],
                    "error": detail.get("error"),
                    "historyLength": len(history),
                    "stateTransitions": sum(1 for e in history if e["type"].endswith("StateEntered")),
                    "input": json.loads(detail.get("input") or "null"),
                }
            )
    return sorted(found, key=lambda e: e["name"])


def paged(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every item of a listing, all pages (a report of hundreds of runs outgrows one page)."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def summary(report: dict[str, Any]) -> str:
    """The readable end of a local run: per account, zones, delegations, certificates, domains."""
    lines = [f"== {report['scenario']}: {report['simulatedSeconds'] / 60:.1f} simulated minutes =="]
    outcomes: dict[str, str] = {}
    for message in report["snsMessages"]:
        doc = message["document"]
        outcomes[str(doc.get("accountId"))] = f"{doc.get('outcome')} ({doc.get('zoneName') or '-'})"
    for account_id, account in report["accounts"].items():
        if not account["hostedZones"] and not account["certificates"] and account_id not in outcomes:
            continue
        lines.append(f"\n{account['name']} ({account_id}): last status {outcomes.get(account_id, '-')}")
        for zone in account["hostedZones"]:
            ns = next((r for r in zone["records"] if r["type"] == "NS" and r["name"] == zone["name"]), None)
            lines.append(
                f"  zone {zone['name']} ({zone['id']}) NS ttl={ns and ns.get('ttl')}: "
                f"{', '.join(ns['values']) if ns else '-'}"
            )
            for record in zone["records"]:
                if record["type"] == "NS" and record["name"] != zone["name"]:
                    lines.append(
                        f"    delegates {record['name']} -> {', '.join(record['values'])} (ttl {record['ttl']})"
                    )
                elif record["type"] == "CNAME":
                    lines.append(f"    CNAME {record['name']} -> {record['values'][0]}")
                elif "alias" in record:
                    lines.append(f"    {record['type']} {record['name']} -> alias {record['alias']}")
                elif record["type"] not in {"NS", "SOA"}:
                    lines.append(f"    {record['type']} {record['name']} -> {', '.join(record.get('values', []))}")
        for cert in account["certificates"]:
            names = ", ".join(cert["subjectAlternativeNames"])
            lines.append(f"  certificate {cert['region']} {cert['status']}: {names}")
        for domain in account["customDomains"]:
            lines.append(
                f"  custom domain {domain['domainName']} ({domain['type']}, {domain['region']}) -> "
                f"{domain['target']}: {domain['status']}"
            )
        for parameter in account.get("parameters", []):
            lines.append(f"  parameter {parameter['region']} {parameter['name']} = {parameter['value']}")
    for reconcile in report.get("reconciles", []):
        lines.append(f"\nreconcile {reconcile['runId']} ({reconcile.get('mode')}): {reconcile.get('outcome')}")
        if reconcile.get("planText"):
            lines.append(reconcile["planText"])
        elif reconcile.get("error"):
            lines.append(f"  {reconcile['error'].get('reason')}: {reconcile['error'].get('message')}")
    lines.append("\nexecutions:")
    for execution in report["executions"]:
        lines.append(
            f"  {execution['stateMachine'].removeprefix('orgdns-')} {execution['name']}: {execution['status']}"
            f"{' ' + execution['error'] if execution['error'] else ''} "
            f"({execution['stateTransitions']} state transitions, {execution['historyLength']} history events)"
        )
    lines.append("\nSNS status messages:")
    for message in report["snsMessages"]:
        doc = message["document"]
        minutes = message["simTime"] / 60
        detail = ""
        if doc.get("actionRequired"):
            detail = " add: " + "; ".join(f"{r['type']} {r['name']} -> {r['value']}" for r in doc["actionRequired"])
        elif doc.get("error"):
            detail = f" {doc['error'].get('reason')}: {doc['error'].get('message')}"
        if doc.get("kind") == "reconcile":
            detail = f" {doc['error'].get('reason')}: {doc['error'].get('message')}" if doc.get("error") else ""
            lines.append(f"  [{minutes:6.1f} min] {doc.get('outcome'):<14} reconcile ({doc.get('mode')}): "
                         f"{doc.get('summary') or ''}{detail}")  # fmt: skip
            continue
        if doc.get("kind") == "reconcileFinding":
            finding = doc["finding"]
            where = finding.get("recordName") or finding.get("zoneName") or finding.get("accountId")
            lines.append(f"  [{minutes:6.1f} min] {doc.get('outcome'):<14} {finding['type']} {where}: "
                         f"{doc['actionRequired'][0]['action']}")  # fmt: skip
            continue
        lines.append(
            f"  [{minutes:6.1f} min] {doc.get('outcome'):<14} {doc.get('zoneName') or doc.get('accountId')}"
            f" ({doc.get('trigger')}){detail}"
        )
    if report["keptStatuses"]:
        lines.append("\nstatuses SNS would not take (kept in the status dead-letter queue):")
        for doc in report["keptStatuses"]:
            lines.append(
                f"  {doc.get('outcome'):<14} {doc.get('zoneName') or doc.get('accountId')} ({doc.get('trigger')})"
            )
    calls = sum(n for services in report["apiCalls"].values() for ops in services.values() for n in ops.values())
    lines.append(
        f"\n{calls} AWS API calls, {sum(report['lambdaInvocations'].values())} Lambda invocations; "
        f"peak Route 53 requests/s per account: {report['route53PeakRequestsPerSecond']}"
    )
    return "\n".join(lines)


__all__ = ["MANAGEMENT", "build_report", "paged", "summary"]
