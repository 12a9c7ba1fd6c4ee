"""The ReconcileWorkflow on the local organization: an organization set up by hand before orgdns,
drift, lost events; plan, audit and apply."""

from typing import Any

from conftest import play, statuses, zone_records

HANDMADE_NS = {
    "name": "handmade.example.org",
    "type": "NS",
    "ttl": 172800,
    "values": ["${nameservers:handmade:handmade.example.org}"],
}
DANGLING = ["ns-1.awsdns-01.com", "ns-600.awsdns-02.net", "ns-1100.awsdns-03.org", "ns-1600.awsdns-04.co.uk"]
BROWNFIELD: dict[str, Any] = {
    "management_zones": [
        {
            "name": "example.org",
            "records": [
                {"name": "www.example.org", "type": "A", "values": ["192.0.2.10"]},
                HANDMADE_NS,
                {"name": "old.example.org", "type": "NS", "values": DANGLING},
            ],
        }
    ],
    "accounts": [
        {
            "name": "handmade",
            "tags": {"orgdns:subdomain": "handmade.example.org"},
            "zones": [{"name": "handmade.example.org"}],
        },
        {"name": "untagged"},
        {"name": "tagged", "tags": {"orgdns:subdomain": "tagged.example.org"}},
    ],
}


def reconciles(report: dict[str, Any]) -> list[dict[str, Any]]:
    return report["reconciles"]


def types(reconcile: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (f["type"], f.get("recordName") or f.get("zoneName") or f.get("accountId")) for f in reconcile["findings"]
    )


def ns(records: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((r for r in records if r["type"] == "NS" and r["name"] == name), None)


def test_plan_finds_everything_and_writes_nothing():
    report = play([{"reconcile": {"mode": "plan"}}], **BROWNFIELD)
    [plan] = reconciles(report)
    assert plan["outcome"] == "Succeeded" and plan["mode"] == "plan"
    assert types(plan) == [
        ("Adoptable", "handmade.example.org"),
        ("Backfill", "tagged.example.org"),
        ("DanglingDelegation", "old.example.org"),
    ]
    assert plan["summary"] == "Plan: 1 to add, 0 to change, 0 to delete, 1 to adopt; 1 finding needs a human."
    dangling = next(f for f in plan["findings"] if f["type"] == "DanglingDelegation")
    assert dangling["remedy"].startswith("DELETE old.example.org NS TTL 300 " + " ".join(sorted(DANGLING)))
    assert not dangling["fixedByApply"]  # hand-made: never deleted by orgdns
    # Nothing written: no DNS change, no registry entry, no run started.
    calls = report["apiCalls"]
    for account in calls.values():
        assert not {"ChangeResourceRecordSets", "CreateHostedZone"} & set(account.get("route53", {}))
        assert "RequestCertificate" not in account.get("acm", {})
    assert [e["stateMachine"] for e in report["executions"]] == ["orgdns-ReconcileWorkflow"]
    assert report["registry"] == []
    [status] = statuses(report)
    assert (status["kind"], status["outcome"], status["mode"]) == ("reconcile", "Succeeded", "plan")
    assert status["report"]["key"].endswith("/report.json")


def test_apply_adopts_backfills_and_leaves_the_hand_made_dangling_delegation_with_its_delete():
    report = play(
        [{"reconcile": {"mode": "apply"}}, {"reconcile": {"mode": "apply"}, "after_runs": True}], **BROWNFIELD
    )
    first, second = reconciles(report)
    assert first["outcome"] == "ActionRequired"  # the hand-made dangling delegation needs a human
    results = {(a["kind"], a["zoneName"]): a.get("result") for a in first["actions"]}
    assert results == {
        ("registry", "handmade.example.org"): "adopted; subdomain run started",
        ("run", "tagged.example.org"): "run started",
    }
    registry = {item["zoneName"]: item for item in report["registry"]}
    assert registry["handmade.example.org"]["origin"] == "adopted"
    assert registry["handmade.example.org"]["lastOutcome"] == "Succeeded"
    assert registry["tagged.example.org"]["origin"] == "created"
    assert "untagged" not in {item["account"] for item in report["registry"]}
    root = zone_records(report, "management", "example.org")
    assert ns(root, "old.example.org")["values"] == DANGLING  # a hand-made record: never touched
    assert ns(root, "handmade.example.org") is not None and ns(root, "tagged.example.org") is not None
    # A second apply finds nothing more to do but the finding for a human, which is not sent again.
    assert types(second) == [("DanglingDelegation", "old.example.org")]
    assert second["actions"] == []
    findings_published = [d for d in statuses(report) if d.get("kind") == "reconcileFinding"]
    assert [d["finding"]["type"] for d in findings_published] == ["DanglingDelegation"]
    assert findings_published[0]["actionRequired"][0]["action"].startswith("DELETE old.example.org NS")


def test_audit_writes_a_lost_delegation_again_and_tears_down_a_zone_whose_delete_event_was_lost():
    report = play(
        [
            {"create_account": {"name": "prod", "tags": {"orgdns:subdomain": "prod.example.org"}}},
            {"create_account": {"name": "dev", "tags": {"orgdns:subdomain": "dev.example.org"}}},
            {
                "delete_records": {
                    "account": "management",
                    "zone": "example.org",
                    "name": "prod.example.org",
                    "types": ["NS"],
                },
                "after_runs": True,
            },
            {"delete_zone": {"account": "dev", "zone": "dev.example.org", "deliveries": 0}},
            {"reconcile": {"mode": "audit"}},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    audit, plan = reconciles(report)
    assert types(audit) == [
        ("DanglingDelegation", "dev.example.org"),
        ("MissingDelegation", "prod.example.org"),
        ("RegistryOrphan", "dev.example.org"),
    ]
    assert audit["outcome"] == "Succeeded"  # every finding is settled by audit
    root = zone_records(report, "management", "example.org")
    assert ns(root, "prod.example.org") is not None  # written again
    assert ns(root, "dev.example.org") is None  # its teardown removed it
    assert {item["zoneName"] for item in report["registry"]} == {"prod.example.org"}
    teardowns = [e for e in report["executions"] if e["stateMachine"] == "orgdns-TeardownWorkflow"]
    assert [e["status"] for e in teardowns] == ["SUCCEEDED"]
    # dev's tags still ask for dev.example.org: the next reconcile sets it up again (tags are the truth),
    # and its run will reuse the certificate the torn-down zone left (a teardown deletes none).
    assert types(plan) == [("Adoptable", "dev.example.org"), ("Backfill", "dev.example.org")]
    assert [a["kind"] for a in plan["actions"]] == ["run", "certificate"]


def test_an_edited_delegation_is_a_mismatch_for_a_human_and_apply_does_not_overwrite_it():
    extra = "ns-5.awsdns-09.com"
    report = play(
        [
            {"create_account": {"name": "prod", "tags": {"orgdns:subdomain": "prod.example.org"}}},
            {
                "add_records": {
                    "account": "management",
                    "zone": "example.org",
                    "records": [
                        {
                            "name": "prod.example.org",
                            "type": "NS",
                            "values": ["${nameservers:prod:prod.example.org}", extra],
                        }
                    ],
                },
                "after_runs": True,
            },
            {"reconcile": {"mode": "apply"}},
        ]
    )
    [apply] = reconciles(report)
    assert types(apply) == [("DelegationMismatch", "prod.example.org")]
    [mismatch] = apply["findings"]
    assert mismatch["severity"] == "high" and not mismatch["fixedByApply"]
    assert f"also names {extra}" in mismatch["evidence"]
    assert mismatch["remedy"].startswith("UPSERT prod.example.org NS") and extra not in mismatch["remedy"]
    assert apply["actions"] == [] and apply["outcome"] == "ActionRequired"
    assert extra in ns(zone_records(report, "management", "example.org"), "prod.example.org")["values"]


def test_bad_input_is_rejected_naming_the_field_and_reads_nothing():
    report = play(
        [
            {"reconcile": {"input": {"mode": "destroy"}}},
            {"reconcile": {"input": {"mode": "plan", "force": True}}},
            {"reconcile": {"input": ["plan"]}},
        ]
    )
    rejected = {d["error"]["field"]: d for d in statuses(report)}
    assert sorted(rejected) == ["force", "input", "mode"]
    assert {d["outcome"] for d in rejected.values()} == {"Rejected"}
    assert "plan, audit, apply" in rejected["mode"]["error"]["message"]
    assert "unknown field 'force'" in rejected["force"]["error"]["message"]
    assert all(e["status"] == "FAILED" for e in report["executions"])
    assert "organizations" not in report["apiCalls"].get("management", {})


def test_hundreds_of_accounts_and_zones_are_surveyed_across_pages_and_batches():
    """120 accounts (6 batches of 20, ListAccounts pages of 20) and a root zone of 250 record sets
    (a page of 300 holds them... with the delegations and the rest, more than one page of
    ListHostedZones in no account, but several pages of records in the root)."""
    accounts = []
    records = []
    for i in range(100):
        name = f"team{i:03d}"
        accounts.append(
            {
                "name": name,
                "tags": {"orgdns:subdomain": f"{name}.example.org"},
                "zones": [{"name": f"{name}.example.org"}],
            }
        )
        records.append(
            {"name": f"{name}.example.org", "type": "NS", "values": [f"${{nameservers:{name}:{name}.example.org}}"]}
        )
    for i in range(20):
        accounts.append({"name": f"new{i:03d}", "tags": {"orgdns:subdomain": f"new{i:03d}.example.org"}})
    records += [{"name": f"host{i:03d}.example.org", "type": "A", "values": ["192.0.2.1"]} for i in range(250)]
    report = play(
        [{"reconcile": {"mode": "plan"}}],
        management_zones=[{"name": "example.org", "records": records}],
        accounts=accounts,
        baseline=False,
    )
    [plan] = reconciles(report)
    assert plan["counts"]["byType"] == {"Adoptable": 100, "Backfill": 20}
    assert (plan["counts"]["adopt"], plan["counts"]["add"]) == (100, 20)
    survey = report["lambdaInvocations"]["SurveyAccount"]
    assert survey == 7  # 121 accounts with the management account: 7 batches of at most 20


def test_a_reconcile_racing_an_account_creation_ends_consistent():
    """The reconcile sees the new account before its run has registered the zone: it backfills,
    and the two runs for one account end in one zone, one delegation; a plan afterwards is clean."""
    report = play(
        [
            {"create_account": {"name": "prod", "tags": {"orgdns:subdomain": "prod.example.org"}}},
            {"reconcile": {"mode": "apply"}},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    first, last = reconciles(report)
    assert [f["type"] for f in first["findings"]] == ["Backfill"]  # it did race: the zone was not registered yet
    subdomain_runs = [e for e in report["executions"] if e["stateMachine"] == "orgdns-SubdomainWorkflow"]
    assert {e["status"] for e in subdomain_runs} == {"SUCCEEDED"}
    prod = next(a for a in report["accounts"].values() if a["name"] == "prod")
    assert [z["name"] for z in prod["hostedZones"]] == ["prod.example.org"]
    assert len(prod["certificates"]) == 1
    root = zone_records(report, "management", "example.org")
    assert [r["name"] for r in root if r["type"] == "NS"] == ["example.org", "prod.example.org"]
    assert last["findings"] == [] and last["actions"] == []


def test_a_tag_change_whose_event_was_lost_is_tag_drift_and_audit_runs_the_account_again():
    report = play(
        [
            {"create_account": {"name": "prod", "tags": {"orgdns:subdomain": "prod.example.org"}}},
            {
                "after_runs": True,
                "tag_account": {
                    "account": "prod",
                    "tags": {"orgdns:extra-names": "api.prod.example.org"},
                    "deliveries": 0,
                },
            },
            {"reconcile": {"mode": "audit"}},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    audit, plan = reconciles(report)
    assert types(audit) == [("TagDrift", "prod.example.org")]
    assert [a.get("result") for a in audit["actions"]] == ["run started"]
    prod = next(a for a in report["accounts"].values() if a["name"] == "prod")
    issued = [c for c in prod["certificates"] if c["status"] == "ISSUED"]
    assert [sorted(c["subjectAlternativeNames"]) for c in issued] == [
        ["*.prod.example.org", "api.prod.example.org", "prod.example.org"]
    ]
    assert plan["findings"] == []


def test_a_subdomain_tag_renamed_with_its_event_lost_is_set_up_by_audit_and_the_old_zone_torn_down_by_apply():
    report = play(
        [
            {"create_account": {"name": "prod", "tags": {"orgdns:subdomain": "prod.example.org"}}},
            {
                "after_runs": True,
                "tag_account": {"account": "prod", "tags": {"orgdns:subdomain": "live.example.org"}, "deliveries": 0},
            },
            {"reconcile": {"mode": "audit"}},
            {"reconcile": {"mode": "apply"}, "after_runs": True},
            {"reconcile": {"mode": "plan"}, "after_runs": True},
        ]
    )
    audit, apply, plan = reconciles(report)
    assert types(audit) == [("Backfill", "live.example.org"), ("TagDrift", "prod.example.org")]
    # Audit sets the new name up (additive) and leaves the old one.
    assert [(a["kind"], a.get("result")) for a in audit["actions"] if a["inAudit"]] == [("run", "run started")]
    assert types(apply) == [("TagDrift", "prod.example.org")]
    [teardown] = apply["actions"]
    assert (teardown["kind"], teardown["zoneName"], teardown["result"]) == (
        "teardown",
        "prod.example.org",
        "teardown started",
    )
    assert [item["zoneName"] for item in report["registry"]] == ["live.example.org"]
    root = zone_records(report, "management", "example.org")
    assert [r["name"] for r in root if r["type"] == "NS"] == ["example.org", "live.example.org"]
    assert plan["findings"] == [] and plan["actions"] == []
    torn = [d for d in statuses(report) if d.get("trigger") == "Reconcile" and "kind" not in d]
    assert [(d["zoneName"], d["outcome"]) for d in torn] == [
        ("live.example.org", "Succeeded"),  # audit's run for the new name
        ("prod.example.org", "Succeeded"),  # apply's teardown of the old one
    ]


def test_the_zones_of_a_closed_account_whose_teardown_failed_are_torn_down_by_the_next_audit():
    """The closure's own teardown fails (the root refuses changes for a while): the registry keeps
    the zone and orgdns's delegation stays, dangling. The next audit tears it down from the parent's
    side, once; later reconciles find nothing."""
    end = 20000
    report = play(
        [
            {"create_account": {"name": "bee", "tags": {"orgdns:subdomain": "b.example.org"}}},
            {"close_account": {"account": "bee"}, "after_runs": True, "at": 1000},
            {"note": "the closure's teardown has failed", "at": end, "after_runs": True},
            {"reconcile": {"mode": "audit"}},
            {"reconcile": {"mode": "apply"}, "after_runs": True},
        ],
        faults=[
            {
                "service": "route53",
                "operation": "ChangeResourceRecordSets",
                "error": "AccessDenied",
                "account": "management",
                "between_seconds": [900, end - 1000],
            }
        ],
    )
    audit, apply = reconciles(report)
    assert types(audit) == [("DanglingDelegation", "b.example.org"), ("RegistryOrphan", "b.example.org")]
    assert [(a["kind"], a.get("hostedZoneId"), a.get("result")) for a in audit["actions"]] == [
        ("teardown", None, "teardown started")
    ]
    assert report["registry"] == []
    assert ns(zone_records(report, "management", "example.org"), "b.example.org") is None
    assert apply["findings"] == [] and apply["actions"] == []
