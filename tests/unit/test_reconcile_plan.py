"""The reconcile's decisions (orgdns.reconcile.plan), on observed worlds built by hand: no AWS."""

from orgdns.models import ManagedZone, RecordSpec
from orgdns.reconcile.models import ObservedAccount, ObservedZone
from orgdns.reconcile.plan import Naming, count, plan_reconcile
from orgdns.reconcile.render import plan_text, summary_line
from orgdns.zones import KnownZone

MGMT, A, B = "111111111111", "222222222222", "333333333333"
ROOT = KnownZone("example.org", MGMT, "ZROOT", root=True)
NAMING = Naming("orgdns:", "")
NS_A = ["ns-1.awsdns-01.com", "ns-600.awsdns-02.net", "ns-1100.awsdns-03.org", "ns-1600.awsdns-04.co.uk"]
NS_B = ["ns-2.awsdns-05.com", "ns-601.awsdns-06.net", "ns-1101.awsdns-07.org", "ns-1601.awsdns-08.co.uk"]


def ns(name: str, values: list[str], ttl: int = 300) -> RecordSpec:
    return RecordSpec(name=name, type="NS", ttl=ttl, values=sorted(values))


def root(*records: RecordSpec) -> ObservedAccount:
    zone = ObservedZone(
        account_id=MGMT,
        hosted_zone_id="ZROOT",
        zone_name="example.org",
        name_servers=["ns-9.awsdns-09.com"],
        records=[ns("example.org", ["ns-9.awsdns-09.com"]), *records],
    )
    return ObservedAccount(account_id=MGMT, name="management", management=True, zones=[zone])


def member(
    account_id: str, tags: dict[str, str] | None = None, *zones: ObservedZone, name: str = "m"
) -> ObservedAccount:
    return ObservedAccount(account_id=account_id, name=name, tags=tags or {}, zones=list(zones))


def zone(account_id: str, name: str, zone_id: str, servers: list[str]) -> ObservedZone:
    return ObservedZone(account_id=account_id, hosted_zone_id=zone_id, zone_name=name, name_servers=sorted(servers))


def managed(name: str, account_id: str, zone_id: str, servers: list[str], delegation: RecordSpec | None) -> ManagedZone:
    records = []
    if delegation is not None:
        records = [
            delegation.model_copy(
                update={
                    "zone_name": "example.org",
                    "hosted_zone_id": "ZROOT",
                    "account_id": MGMT,
                    "purpose": "Delegation",
                }
            )
        ]
    return ManagedZone(
        zone_name=name,
        account_id=account_id,
        hosted_zone_id=zone_id,
        parent_zone_name="example.org",
        parent_account_id=MGMT,
        parent_hosted_zone_id="ZROOT",
        name_servers=servers,
        records=records,
    )


def decide(accounts, registry=()):  # type: ignore[no-untyped-def]
    return plan_reconcile(list(accounts), list(registry), [ROOT], NAMING)


def test_a_matching_world_has_nothing_to_do():
    record = ns("a.example.org", NS_A)
    findings, actions = decide(
        [root(record), member(A, {"orgdns:subdomain": "a.example.org"}, zone(A, "a.example.org", "ZA", NS_A))],
        [managed("a.example.org", A, "ZA", NS_A, record)],
    )
    assert (findings, actions) == ([], [])


def test_a_hand_made_ns_record_naming_no_zone_dangles_and_is_never_deleted():
    findings, actions = decide([root(ns("old.example.org", NS_B))])
    assert [(f.type, f.severity, f.record_name, f.fixed_by_apply) for f in findings] == [
        ("DanglingDelegation", "high", "old.example.org", False)
    ]
    assert findings[0].remedy.startswith("DELETE old.example.org NS TTL 300 " + " ".join(sorted(NS_B)))
    assert actions == []


def test_a_delegation_orgdns_wrote_whose_zone_is_there_with_other_name_servers_is_rewritten_by_apply():
    stale = ns("a.example.org", NS_B)  # orgdns wrote it so; the zone has NS_A
    item = managed("a.example.org", A, "ZA", NS_A, stale)
    findings, actions = decide([root(stale), member(A, {}, zone(A, "a.example.org", "ZA", NS_A))], [item])
    assert [(f.type, f.fixed_by_apply, f.fixed_by_audit) for f in findings] == [("DelegationMismatch", True, False)]
    assert [(a.op, a.kind, a.in_audit, sorted(a.record.values)) for a in actions] == [
        ("change", "record", False, sorted(NS_A))
    ]


def test_the_zones_of_a_closed_account_are_orphans_torn_down_once_for_the_account():
    record = ns("gone.example.org", NS_B)
    closed = ObservedAccount(account_id=B, state="SUSPENDED")
    items = [managed("gone.example.org", B, "ZGONE", NS_B, record), managed("two.example.org", B, "ZTWO", NS_A, None)]
    findings, actions = decide([root(record), closed], items)
    assert sorted(f.type for f in findings) == ["DanglingDelegation", "RegistryOrphan", "RegistryOrphan"]
    assert [(a.kind, a.account_id, a.hosted_zone_id, a.in_audit) for a in actions] == [("teardown", B, None, True)]
    # An account no longer in the organization at all: the same.
    findings, actions = decide([root(record)], items[:1])
    assert [(a.kind, a.hosted_zone_id) for a in actions] == [("teardown", None)]


def test_a_registry_item_whose_zone_is_gone_is_an_orphan_torn_down_even_by_audit():
    record = ns("gone.example.org", NS_B)
    findings, actions = decide([root(record), member(A)], [managed("gone.example.org", A, "ZGONE", NS_B, record)])
    assert sorted(f.type for f in findings) == ["DanglingDelegation", "RegistryOrphan"]
    assert [(a.op, a.kind, a.in_audit) for a in actions] == [("delete", "teardown", True)]  # no second DELETE
    dangling = next(f for f in findings if f.type == "DanglingDelegation")
    assert dangling.fixed_by_audit and "teardown" in dangling.evidence


def test_only_zones_of_the_same_name_sharing_name_servers_match():
    """A zone of that name elsewhere in the organization, with other name servers, does not save a
    delegation from dangling."""
    findings, _ = decide([root(ns("x.example.org", NS_A)), member(B, {}, zone(B, "x.example.org", "ZX", NS_B))])
    assert [f.type for f in findings] == ["DanglingDelegation"]


def test_delegations_outside_route53_are_not_judged():
    findings, actions = decide(
        [root(ns("ext.example.org", ["ns1.other-dns.example.net", "ns2.other-dns.example.net"]))]
    )
    assert (findings, actions) == ([], [])


def test_partial_and_extra_name_servers_are_a_mismatch_fixed_only_where_orgdns_wrote_the_record():
    wrong = ns("a.example.org", [*NS_A[:2], NS_B[0]])
    item = managed("a.example.org", A, "ZA", NS_A, wrong)  # orgdns wrote it so (the zone was made again since)
    findings, actions = decide([root(wrong), member(A, {}, zone(A, "a.example.org", "ZA", NS_A))], [item])
    assert [(f.type, f.severity, f.fixed_by_apply) for f in findings] == [("DelegationMismatch", "high", True)]
    assert "lacks" in findings[0].evidence and "also names" in findings[0].evidence
    assert [(a.op, a.in_audit, sorted(a.record.values)) for a in actions] == [("change", False, sorted(NS_A))]
    assert actions[0].observed == wrong.model_copy(
        update={"zone_name": "example.org", "hosted_zone_id": "ZROOT", "account_id": MGMT}
    )
    # Edited by hand since orgdns wrote it: a finding for a human, never overwritten.
    hand = ns("a.example.org", NS_A[:3])
    findings, actions = decide([root(hand), member(A, {}, zone(A, "a.example.org", "ZA", NS_A))], [item])
    assert [(f.type, f.fixed_by_apply) for f in findings] == [("DelegationMismatch", False)] and actions == []


def test_a_delegation_orgdns_wrote_that_went_missing_is_written_again_by_audit():
    record = ns("a.example.org", NS_A)
    findings, actions = decide(
        [root(), member(A, {"orgdns:subdomain": "a.example.org"}, zone(A, "a.example.org", "ZA", NS_A))],
        [managed("a.example.org", A, "ZA", NS_A, record)],
    )
    assert [(f.type, f.fixed_by_audit) for f in findings] == [("MissingDelegation", True)]
    assert [(a.op, a.kind, a.in_audit, a.owner) for a in actions] == [("add", "record", True, "a.example.org")]


def test_a_hand_made_exact_delegation_of_the_zone_the_tags_ask_for_is_adoptable():
    record = ns("a.example.org", NS_A, ttl=172800)
    findings, actions = decide(
        [root(record), member(A, {"orgdns:subdomain": "a.example.org"}, zone(A, "a.example.org", "ZA", NS_A))]
    )
    assert [f.type for f in findings] == ["Adoptable"]
    assert [(a.op, a.kind, a.zone_name, a.hosted_zone_id, a.parent) for a in actions] == [
        ("adopt", "registry", "a.example.org", "ZA", "example.org")
    ]
    assert actions[0].adopted_records[0].ttl == 172800  # as observed: adoption changes no DNS


def test_a_hand_made_delegation_nobody_asks_for_is_left_alone():
    """Not asked for by tags (or asked for by another account): no adoption, no backfill over it."""
    record = ns("a.example.org", NS_A)
    for tags in ({}, {"orgdns:subdomain": "other.example.org"}):
        findings, actions = decide([root(record), member(A, tags, zone(A, "a.example.org", "ZA", NS_A))])
        assert [f.type for f in findings if f.type != "Backfill"] == []
        assert [a.kind for a in actions if a.kind != "run"] == []


def test_a_partial_hand_made_match_is_a_finding_never_adopted():
    partial = ns("a.example.org", NS_A[:2])
    findings, actions = decide(
        [root(partial), member(A, {"orgdns:subdomain": "a.example.org"}, zone(A, "a.example.org", "ZA", NS_A))]
    )
    assert sorted(f.type for f in findings) == ["Backfill", "DelegationMismatch"]
    # No run is started: it would end NameInUse every day. The Backfill finding says why.
    backfill = next(f for f in findings if f.type == "Backfill")
    assert not backfill.fixed_by_audit and "NameInUse" in backfill.evidence and actions == []


def test_accounts_whose_tags_ask_for_an_unmanaged_name_are_backfilled():
    findings, actions = decide(
        [
            root(),
            member(A, {"orgdns:subdomain": "a.example.org"}),
            member(B, {}),
            member("444444444444", {"orgdns:subdomain": "elsewhere.example.net"}),
        ]
    )
    assert [(f.type, f.account_id) for f in findings] == [("Backfill", A)]
    assert [(a.kind, a.account_id, a.in_audit) for a in actions] == [("run", A, True)]


def test_naming_rule_accounts_are_backfilled_and_bad_tags_are_not():
    naming = Naming("orgdns:", "{account_name}.example.org")
    findings, _ = plan_reconcile(
        [root(), member(A, {}, name="Team Blue"), member(B, {"orgdns:subdomain": "not a name!"})], [], [ROOT], naming
    )
    assert [(f.type, f.zone_name) for f in findings] == [("Backfill", "team-blue.example.org")]


def test_unreachable_accounts_are_reported_and_decide_nothing():
    record = ns("a.example.org", NS_A)
    unreachable = ObservedAccount(account_id=A, tags={"orgdns:subdomain": "a.example.org"}, error="AccessDenied")
    findings, actions = decide([root(record), unreachable], [managed("a.example.org", A, "ZA", NS_A, record)])
    # Its zone could not be seen: not an orphan; its delegation is reported, never deleted.
    assert sorted(f.type for f in findings) == ["AccountUnreachable", "DanglingDelegation"] and actions == []
    assert not next(f for f in findings if f.type == "DanglingDelegation").fixed_by_apply
    # A hand-made delegation naming no zone seen: reported, but uncertain, so never deleted.
    findings, actions = decide([root(ns("b.example.org", NS_B)), member(B), unreachable])
    dangling = next(f for f in findings if f.type == "DanglingDelegation")
    assert "could not be read" in dangling.evidence and not dangling.fixed_by_apply and actions == []


def test_counts_and_the_plan_text_follow_the_mode():
    record = ns("gone.example.org", NS_B)
    findings, actions = decide(
        [root(record, ns("old.example.org", NS_A)), member(A, {"orgdns:subdomain": "a.example.org"})],
        [managed("gone.example.org", B, "ZGONE", NS_B, record)],
    )
    apply = count(findings, actions, "apply")
    audit = count(findings, actions, "audit")
    # backfill; the teardown of B's zones (B is not in the organization); the hand-made dangling one
    assert (apply.add, apply.delete, apply.need_human) == (1, 1, 1)
    assert (audit.add, audit.delete, audit.need_human) == (1, 1, 1)
    from orgdns.reconcile.models import ReconcileMode

    assert summary_line(apply, ReconcileMode.PLAN) == (
        "Plan: 1 to add, 0 to change, 1 to delete, 0 to adopt; 1 finding needs a human."
    )
    text = plan_text(ReconcileMode.PLAN, findings, actions, apply)
    assert "  + subdomain run for account" in text and "  - teardown of gone.example.org" in text
    assert "  ! DanglingDelegation (high) old.example.org" in text


def test_options_changed_since_the_last_run_are_tag_drift_and_a_renamed_zone_is_torn_down_by_apply():
    record = ns("a.example.org", NS_A)
    item = managed("a.example.org", A, "ZA", NS_A, record).model_copy(
        update={"certificate_wants": "*.a.example.org a.example.org|us-east-1|none", "named_by": "tag"}
    )
    same = {"orgdns:subdomain": "a.example.org"}
    findings, actions = decide([root(record), member(A, same, zone(A, "a.example.org", "ZA", NS_A))], [item])
    assert (findings, actions) == ([], [])
    more = {**same, "orgdns:extra-names": "shop.example.org", "orgdns:custom-domain": "edge"}
    findings, actions = decide([root(record), member(A, more, zone(A, "a.example.org", "ZA", NS_A))], [item])
    assert [(f.type, f.fixed_by_audit) for f in findings] == [("TagDrift", True)]
    assert "shop.example.org" in findings[0].evidence and "edge@us-east-1" in findings[0].evidence
    assert [(a.op, a.kind, a.in_audit) for a in actions] == [("change", "run", True)]
    renamed = {"orgdns:subdomain": "b.example.org"}
    findings, actions = decide([root(record), member(A, renamed, zone(A, "a.example.org", "ZA", NS_A))], [item])
    drift = next(f for f in findings if f.type == "TagDrift")
    assert drift.fixed_by_apply and not drift.fixed_by_audit and "b.example.org" in drift.evidence
    # The new name's run (a backfill: once), and the old zone's teardown, which reads the tags again (apply only).
    assert [(a.kind, a.zone_name, a.in_audit) for a in actions] == [
        ("run", "b.example.org", True),
        ("teardown", "a.example.org", False),
    ]
    # Bad tags are not drift: their run is Rejected, naming the tag.
    bad = {**same, "orgdns:ns-ttl": "soon"}
    findings, _ = decide([root(record), member(A, bad, zone(A, "a.example.org", "ZA", NS_A))], [item])
    assert findings == []


def test_a_lost_delegation_is_written_again_only_towards_the_zone_the_survey_saw():
    record = ns("a.example.org", NS_A)
    item = managed("a.example.org", A, "ZA", NS_A, record)
    unreachable = ObservedAccount(account_id=A, tags={"orgdns:subdomain": "a.example.org"}, error="AccessDenied")
    findings, actions = decide([root(), unreachable], [item])
    missing = next(f for f in findings if f.type == "MissingDelegation")
    assert not missing.fixed_by_audit and "not seen" in missing.evidence and actions == []
    # A record without a purpose (an older registry item) at the zone's own name is its delegation.
    old = item.model_copy(update={"records": [r.model_copy(update={"purpose": None}) for r in item.records]})
    findings, actions = decide([root(), member(A, {}, zone(A, "a.example.org", "ZA", NS_A))], [old])
    assert [f.type for f in findings] == ["MissingDelegation"] and [a.op for a in actions] == ["add"]


def test_a_managed_name_delegated_to_another_accounts_zone_is_reported_and_never_rewritten():
    """Root's NS for a.example.org (orgdns's, for A's zone) names B's zone of that name: exactly, or
    in part (B made zones of the name until one shared a server)."""
    item = managed("a.example.org", A, "ZA", NS_A, ns("a.example.org", NS_A))
    for values in (NS_B, [*NS_B[:1], *NS_A[:1]]):
        hijack = ns("a.example.org", values)
        findings, actions = decide(
            [
                root(hijack),
                member(A, {}, zone(A, "a.example.org", "ZA", NS_A)),
                member(B, {}, zone(B, "a.example.org", "ZB", NS_B)),
            ],
            [item.model_copy(update={"records": [r.model_copy(update={"values": values}) for r in item.records]})],
        )
        assert [(f.type, f.severity, f.fixed_by_apply) for f in findings] == [("DelegationMismatch", "high", False)]
        assert "ZB" in findings[0].evidence and " ".join(sorted(NS_A)) in findings[0].remedy
        assert actions == []


def test_a_partial_match_to_an_unregistered_zone_is_never_rewritten():
    """The registered zone is gone and its account unreachable; another account made a zone of the
    name sharing a server: orgdns's own record is not pointed at it."""
    wrote = ns("a.example.org", NS_A)
    item = managed("a.example.org", A, "ZA", NS_A, wrote)
    squatter = zone(B, "a.example.org", "ZB", [NS_A[0], *NS_B[1:]])
    findings, actions = decide(
        [root(wrote), ObservedAccount(account_id=A, error="AccessDenied"), member(B, {}, squatter)], [item]
    )
    mismatch = next(f for f in findings if f.type == "DelegationMismatch")
    assert not mismatch.fixed_by_apply and actions == []
