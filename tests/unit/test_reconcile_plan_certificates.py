"""The reconcile's decisions about what a zone puts in service (orgdns.reconcile.plan): certificates
at risk, validation records no certificate needs, alias records and their custom domains. No AWS."""

from orgdns.models import CertificateRef, CustomDomainResult, CustomDomainType, ManagedZone, RecordSpec
from orgdns.reconcile.models import ObservedAccount, ObservedCertificate, ObservedDomain, ObservedZone
from orgdns.reconcile.plan import Naming, plan_reconcile
from orgdns.zones import KnownZone

MGMT, A = "111111111111", "222222222222"
ROOT = KnownZone("example.org", MGMT, "ZROOT", root=True)
NS_A = ["ns-1.awsdns-01.com", "ns-600.awsdns-02.net", "ns-1100.awsdns-03.org", "ns-1600.awsdns-04.co.uk"]
NOW = 1_800_000_000.0
DAY = 86400
ARN = f"arn:aws:acm:us-east-1:{A}:certificate/one"
ZONE = "a.example.org"
APEX_CNAME = RecordSpec(
    name=f"_aa.{ZONE}",
    type="CNAME",
    ttl=300,
    values=["_x.acm-validations.aws"],
    purpose="Validation",
    zone_name=ZONE,
    hosted_zone_id="ZA",
    account_id=A,
)
OLD_CNAME = RecordSpec(
    name=f"_bb.www.api.{ZONE}",
    type="CNAME",
    ttl=300,
    values=["_y.acm-validations.aws"],
    purpose="Validation",
    zone_name=ZONE,
    hosted_zone_id="ZA",
    account_id=A,
)
TARGET = "Z2OJLYMUO9EFXC/d-123.execute-api.us-east-1.amazonaws.com"
ALIASES = [
    RecordSpec(
        name=ZONE, type=t, alias_target=TARGET, purpose="Alias", zone_name=ZONE, hosted_zone_id="ZA", account_id=A
    )
    for t in ("A", "AAAA")
]
DOMAIN_TAGS = {"orgdns:subdomain": ZONE, "orgdns:custom-domain": "regional"}
DELEGATION = RecordSpec(
    name=ZONE,
    type="NS",
    ttl=300,
    values=NS_A,
    purpose="Delegation",
    zone_name="example.org",
    hosted_zone_id="ZROOT",
    account_id=MGMT,
)


def world(
    zone_records: list[RecordSpec],
    *,
    certificates: list[ObservedCertificate] = (),  # type: ignore[assignment]
    domains: list[ObservedDomain] = (),  # type: ignore[assignment]
    certified: dict[str, list[str]] | None = None,
    tags: dict[str, str] | None = None,
) -> list[ObservedAccount]:
    root = ObservedAccount(
        account_id=MGMT,
        management=True,
        zones=[
            ObservedZone(
                account_id=MGMT,
                hosted_zone_id="ZROOT",
                zone_name="example.org",
                name_servers=["ns-9.awsdns-09.com"],
                records=[DELEGATION],
            )
        ],
    )
    member = ObservedAccount(
        account_id=A,
        name="a",
        tags={"orgdns:subdomain": ZONE} if tags is None else tags,
        zones=[
            ObservedZone(account_id=A, hosted_zone_id="ZA", zone_name=ZONE, name_servers=NS_A, records=zone_records)
        ],
        certificates=list(certificates),
        domains=list(domains),
        certified_names=certified,
    )
    return [root, member]


def item(records: list[RecordSpec], *, domain: bool = False, **extra) -> ManagedZone:  # type: ignore[no-untyped-def]
    custom = CustomDomainResult(
        domain_name=ZONE,
        type=CustomDomainType.REGIONAL,
        region="us-east-1",
        certificate_arn=ARN,
        target_hosted_zone_id=TARGET.partition("/")[0],
        target_domain_name=TARGET.partition("/")[2],
        status="AVAILABLE",
        available=True,
    )
    return ManagedZone(
        zone_name=ZONE,
        account_id=A,
        hosted_zone_id="ZA",
        parent_zone_name="example.org",
        parent_account_id=MGMT,
        parent_hosted_zone_id="ZROOT",
        name_servers=NS_A,
        records=[DELEGATION, *records],
        certificates=[CertificateRef(region="us-east-1", arn=ARN, status="ISSUED")],
        custom_domain=custom if domain else None,
        certificate_wants=f"*.{ZONE} {ZONE}|us-east-1|{'regional@us-east-1' if domain else 'none'}",
        **extra,
    )


def served(target: str = TARGET, **fields) -> ObservedDomain:  # type: ignore[no-untyped-def]
    """The custom domain as orgdns set it up: regional, serving the zone's certificate."""
    values = {"endpoint_type": "REGIONAL", "certificate_arn": ARN, "target": target}
    return ObservedDomain(zone_name=ZONE, domain_name=ZONE, region="us-east-1", **{**values, **fields})


def cert(days_left: float = 150, **fields) -> ObservedCertificate:  # type: ignore[no-untyped-def]
    values = {"status": "ISSUED", "names": [ZONE, f"*.{ZONE}"], "not_after": NOW + days_left * DAY, "in_use": True}
    return ObservedCertificate(arn=ARN, region="us-east-1", zone_name=ZONE, **{**values, **fields})


def decide(accounts, registry):  # type: ignore[no-untyped-def]
    return plan_reconcile(accounts, registry, [ROOT], Naming("orgdns:", ""), NOW)


def kinds(findings) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(f.type, f.severity) for f in findings]


def test_a_healthy_certificate_and_domain_have_nothing_to_report():
    findings, actions = decide(
        world(
            [APEX_CNAME, *ALIASES],
            certificates=[cert()],
            certified={"us-east-1": [ZONE, f"*.{ZONE}"]},
            domains=[served()],
            tags=DOMAIN_TAGS,
        ),
        [item([APEX_CNAME, *ALIASES], domain=True)],
    )
    assert (findings, actions) == ([], [])


def test_a_validation_record_no_live_certificate_of_the_account_names_is_deleted_by_apply_only():
    findings, actions = decide(
        world([APEX_CNAME, OLD_CNAME], certificates=[cert()], certified={"us-east-1": [ZONE, f"*.{ZONE}"]}),
        [item([APEX_CNAME, OLD_CNAME])],
    )
    assert [(f.type, f.record_name, f.fixed_by_apply, f.fixed_by_audit) for f in findings] == [
        ("OrphanedValidationRecord", OLD_CNAME.name, True, False)
    ]
    [action] = actions
    assert (action.op, action.record, action.owner, action.in_audit) == ("delete", OLD_CNAME, ZONE, False)
    assert (action.owner_account, action.regions) == (A, ["us-east-1"])


def test_a_validation_record_is_needed_by_a_certificate_of_the_account_in_any_region_read_or_by_a_wildcard():
    for certified in ({"eu-west-1": [f"www.api.{ZONE}"]}, {"us-east-1": [ZONE, f"*.www.api.{ZONE}"]}):
        findings, _ = decide(
            world([APEX_CNAME, OLD_CNAME], certificates=[cert()], certified={"us-east-1": [ZONE], **certified}),
            [item([APEX_CNAME, OLD_CNAME])],
        )
        assert "OrphanedValidationRecord" not in {f.type for f in findings}


def test_a_validation_record_changed_by_hand_or_not_read_or_not_listed_is_never_deleted():
    edited = OLD_CNAME.model_copy(update={"values": ["someone.else.example"]})
    findings, actions = decide(
        world([APEX_CNAME, edited], certified={"us-east-1": [ZONE]}), [item([APEX_CNAME, OLD_CNAME])]
    )
    [finding] = findings
    assert finding.type == "OrphanedValidationRecord" and not finding.fixed_by_apply and actions == []
    assert "changed since orgdns wrote it" in finding.evidence and "someone.else.example" in finding.remedy
    # The account's certificates were not listed: nothing is decided.
    assert decide(world([APEX_CNAME, OLD_CNAME], certified=None), [item([APEX_CNAME, OLD_CNAME])]) == ([], [])
    # In a zone that was not read: nothing is decided either.
    elsewhere = OLD_CNAME.model_copy(update={"hosted_zone_id": "ZOTHER", "account_id": "444444444444"})
    assert decide(world([APEX_CNAME], certified={"us-east-1": [ZONE]}), [item([APEX_CNAME, elsewhere])]) == ([], [])


def test_a_missing_validation_record_puts_its_certificate_at_risk_and_is_written_again_in_audit():
    findings, actions = decide(
        world([], certificates=[cert()], certified={"us-east-1": [ZONE, f"*.{ZONE}"]}), [item([APEX_CNAME])]
    )
    [finding] = findings
    assert (finding.type, finding.severity, finding.resource, finding.fixed_by_audit) == (
        "CertificateAtRisk",
        "medium",
        ARN,
        True,
    )
    [action] = actions
    assert (action.op, action.kind, action.record, action.in_audit) == ("add", "record", APEX_CNAME, True)


def test_a_validation_record_changed_by_hand_puts_the_certificate_at_risk_for_a_human():
    edited = APEX_CNAME.model_copy(update={"values": ["elsewhere.example"]})
    findings, actions = decide(
        world([edited], certificates=[cert()], certified={"us-east-1": [ZONE]}), [item([APEX_CNAME])]
    )
    assert kinds(findings) == [("CertificateAtRisk", "medium")] and not findings[0].fixed_by_apply
    assert "changed by hand" in findings[0].evidence and actions == []


def test_certificates_near_their_end_without_renewal_or_failing_renewal_are_at_risk():
    cases = {
        "renewal failed": (cert(100, described=True, renewal_status="FAILED", renewal_reason="CAA_ERROR"), "high"),
        "renewal waiting": (cert(100, described=True, renewal_status="PENDING_VALIDATION"), "medium"),
        "near, not renewing": (cert(20, described=True), "high"),
        "near, not in use": (cert(20, described=True, in_use=False), "high"),
        "not in use, early": (cert(120, in_use=False), None),
        "near, renewing": (cert(20, described=True, renewal_status="PENDING_AUTO_RENEWAL"), None),
    }
    for why, (observed, severity) in cases.items():
        findings, actions = decide(
            world([APEX_CNAME], certificates=[observed], certified={"us-east-1": [ZONE]}), [item([APEX_CNAME])]
        )
        assert kinds(findings) == ([("CertificateAtRisk", severity)] if severity else []), why
        assert actions == [], why
        if severity:
            assert not findings[0].fixed_by_apply, why
    findings, _ = decide(
        world([APEX_CNAME], certificates=[cert(20, described=True, in_use=False)], certified={"us-east-1": [ZONE]}),
        [item([APEX_CNAME])],
    )
    assert "ACM will not renew it" in findings[0].evidence and "expires within 45 days" in findings[0].evidence


def test_the_certificate_of_a_custom_domain_that_no_service_uses_is_at_risk_at_once():
    findings, _ = decide(
        world(
            [APEX_CNAME, *ALIASES],
            certificates=[cert(150, in_use=False)],
            certified={"us-east-1": [ZONE]},
            domains=[served()],
            tags=DOMAIN_TAGS,
        ),
        [item([APEX_CNAME, *ALIASES], domain=True)],
    )
    assert kinds(findings) == [("CertificateAtRisk", "medium")]
    assert "it is the certificate of the custom domain" in findings[0].evidence


def test_a_certificate_gone_or_ended_starts_the_accounts_run_once_or_is_for_a_human_when_not_tag_driven():
    for observed in (cert(exists=False), cert(status="EXPIRED")):
        findings, actions = decide(world([APEX_CNAME], certificates=[observed]), [item([APEX_CNAME])])
        assert kinds(findings) == [("CertificateAtRisk", "high")] and findings[0].fixed_by_audit
        assert [(a.kind, a.account_id, a.finding) for a in actions] == [("run", A, "CertificateAtRisk")]
    findings, actions = decide(
        world([APEX_CNAME], certificates=[cert(exists=False)]), [item([APEX_CNAME], named_by="input")]
    )
    assert kinds(findings) == [("CertificateAtRisk", "high")] and not findings[0].fixed_by_apply and actions == []
    # Two certificates gone (two Regions) and drifted tags: one run settles them all.
    other = cert(exists=False).model_copy(update={"arn": ARN.replace("us-east-1", "eu-west-1"), "region": "eu-west-1"})
    findings, actions = decide(
        world(
            [APEX_CNAME],
            certificates=[cert(exists=False), other],
            tags={"orgdns:subdomain": ZONE, "orgdns:extra-names": f"x.{ZONE}"},
        ),
        [item([APEX_CNAME])],
    )
    assert sorted(f.type for f in findings) == ["CertificateAtRisk", "CertificateAtRisk", "TagDrift"]
    assert [a.kind for a in actions] == ["run"]
    assert len({f.key for f in findings}) == 3  # one ActionRequired per certificate


def test_alias_records_follow_their_custom_domain_only_as_orgdns_wrote_them():
    moved = "Z2OJLYMUO9EFXC/d-999.execute-api.us-east-1.amazonaws.com"
    now = served(moved)
    # The domain's target moved: apply points orgdns's aliases at it (a change, not in audit).
    findings, actions = decide(world(ALIASES, domains=[now], tags=DOMAIN_TAGS), [item(ALIASES, domain=True)])
    assert kinds(findings) == [("AliasDrift", "high")] and findings[0].fixed_by_apply
    assert not findings[0].fixed_by_audit
    assert [(a.op, a.record.type, a.record.alias_target, a.in_audit) for a in actions] == [
        ("change", "A", moved, False),
        ("change", "AAAA", moved, False),
    ]
    assert all(a.observed is not None and a.observed.alias_target == TARGET for a in actions)
    # One alias missing: written again, in audit too.
    findings, actions = decide(
        world(ALIASES[:1], domains=[now.model_copy(update={"target": TARGET})], tags=DOMAIN_TAGS),
        [item(ALIASES, domain=True)],
    )
    assert kinds(findings) == [("AliasDrift", "medium")] and findings[0].fixed_by_audit
    assert [(a.op, a.record.type, a.in_audit) for a in actions] == [("add", "AAAA", True)]
    # One changed by hand: left alone, for a human.
    edited = ALIASES[0].model_copy(update={"alias_target": "ZX/elsewhere.example"})
    findings, actions = decide(
        world([edited, ALIASES[1]], domains=[now], tags=DOMAIN_TAGS), [item(ALIASES, domain=True)]
    )
    assert kinds(findings) == [("AliasDrift", "high")] and not findings[0].fixed_by_apply
    assert [(a.op, a.record.type) for a in actions] == [("change", "AAAA")]


def test_aliases_of_a_custom_domain_that_is_gone_are_set_up_again_or_deleted_when_no_tag_asks_for_one():
    gone = ObservedDomain(zone_name=ZONE, domain_name=ZONE, region="us-east-1", exists=False)
    findings, actions = decide(world(ALIASES, domains=[gone], tags=DOMAIN_TAGS), [item(ALIASES, domain=True)])
    assert kinds(findings) == [("AliasDrift", "high")] and findings[0].fixed_by_audit
    assert [(a.kind, a.finding) for a in actions] == [("run", "AliasDrift")]
    # The zone was set up by a manual run: apply deletes the aliases orgdns wrote.
    findings, actions = decide(
        world(ALIASES, domains=[gone], tags=DOMAIN_TAGS), [item(ALIASES, domain=True, named_by="input")]
    )
    assert findings[0].fixed_by_apply and not findings[0].fixed_by_audit
    assert [(a.op, a.record.type, a.in_audit) for a in actions] == [("delete", "A", False), ("delete", "AAAA", False)]
    assert findings[0].remedy.startswith(f"DELETE {ZONE} A ALIAS {TARGET}")


def test_aliases_are_never_pointed_at_a_custom_domain_made_again_outside_orgdns():
    edge = served("Z2FDTNDATAQYW2/d111.cloudfront.net", endpoint_type="EDGE")
    other_cert = served("Z2OJLYMUO9EFXC/d-999.execute-api.us-east-1.amazonaws.com", certificate_arn="arn:other")
    for domain in (edge, other_cert):
        findings, actions = decide(world(ALIASES[:1], domains=[domain], tags=DOMAIN_TAGS), [item(ALIASES, domain=True)])
        assert kinds(findings) == [("AliasDrift", "high")] and not findings[0].fixed_by_apply
        assert "outside orgdns" in findings[0].evidence and actions == []  # not even the missing AAAA


def test_a_validation_record_missing_from_a_zone_written_under_a_grant_is_the_accounts_runs_to_write():
    """In a root (or another account's zone) the record was written because a grant allowed the
    name: only the run writes it again, once it has checked that the grant still does."""
    granted = APEX_CNAME.model_copy(
        update={
            "name": "_cc.api.example.org",
            "zone_name": "example.org",
            "hosted_zone_id": "ZROOT",
            "account_id": MGMT,
        }
    )
    observed = cert(names=[ZONE, f"*.{ZONE}", "api.example.org"])
    findings, actions = decide(
        world([APEX_CNAME], certificates=[observed], certified={"us-east-1": [ZONE]}), [item([APEX_CNAME, granted])]
    )
    assert kinds(findings) == [("CertificateAtRisk", "medium")] and findings[0].fixed_by_audit
    assert [(a.kind, a.finding) for a in actions] == [("run", "CertificateAtRisk")]  # no record written by reconcile
    # A zone a manual run set up: a human.
    findings, actions = decide(
        world([APEX_CNAME], certificates=[observed], certified={"us-east-1": [ZONE]}),
        [item([APEX_CNAME, granted], named_by="input")],
    )
    assert not findings[0].fixed_by_apply and actions == []


def test_a_certificate_at_risk_reads_the_same_every_day_until_something_changes():
    """Its ActionRequired is sent again only when the finding changes: no countdown in it."""
    from orgdns.reconcile.status import fingerprint

    marks = set()
    for day in range(3):
        findings, _ = plan_reconcile(
            world([APEX_CNAME], certificates=[cert(20, described=True, in_use=False)], certified={"us-east-1": [ZONE]}),
            [item([APEX_CNAME])],
            [ROOT],
            Naming("orgdns:", ""),
            NOW + day * DAY,
        )
        [finding] = findings
        marks.add(fingerprint(finding))
    assert len(marks) == 1 and "it expires on 2027-02-04 08:00 UTC" in finding.evidence


def bare_root() -> ObservedAccount:
    """The management account, its root with no delegation below it yet."""
    root = world([])[0]
    return root.model_copy(update={"zones": [root.zones[0].model_copy(update={"records": []})]})


def test_certificates_and_a_custom_domain_made_by_hand_are_adopted_by_the_run_that_sets_the_zone_up():
    """A tagged account never set up (a backfill) made its certificate and custom domain by hand:
    the run reuses the exact certificate and serves the domain as it is; partial matches are left."""
    exact = cert(status="ISSUED").model_copy(update={"arn": "arn:exact"})
    partial = cert().model_copy(update={"arn": "arn:partial", "region": "eu-west-1", "names": [ZONE]})
    domain = served(certificate_arn="arn:exact")
    tags = {**DOMAIN_TAGS, "orgdns:certificate-regions": "us-east-1 eu-west-1"}
    member = world([], tags=tags)[1].model_copy(
        update={"zones": [], "hand_made_certificates": [exact, partial], "hand_made_domain": domain}
    )
    findings, actions = decide([bare_root(), member], [])
    adoptable = sorted((f.resource, f.severity, f.fixed_by_audit) for f in findings if f.type == "Adoptable")
    assert adoptable == [("a.example.org", "low", True), ("arn:exact", "low", True), ("arn:partial", "low", False)]
    assert "partial match is not adopted" in next(f for f in findings if f.resource == "arn:partial").evidence
    assert sorted((a.op, a.kind, a.resource) for a in actions if a.kind != "run") == [
        ("adopt", "certificate", "arn:exact"),
        ("adopt", "domain", "a.example.org"),
    ]
    assert [a.finding for a in actions if a.kind == "run"] == ["Backfill"]  # the run that adopts them


def test_a_hand_made_custom_domain_the_run_could_not_serve_is_for_a_human():
    edge = served(endpoint_type="EDGE", certificate_arn="arn:someone-elses")
    member = world([], tags=DOMAIN_TAGS)[1].model_copy(update={"zones": [], "hand_made_domain": edge})
    findings, actions = decide([bare_root(), member], [])
    [domain] = [f for f in findings if f.type == "Adoptable"]
    assert (domain.severity, domain.fixed_by_apply) == ("medium", False)
    assert "CustomDomainFailed" in domain.evidence and [a.kind for a in actions] == ["run"]


def test_a_certificate_the_zones_own_run_is_still_validating_is_not_taken_for_a_hand_made_one():
    pending = cert(status="PENDING_VALIDATION").model_copy(update={"arn": "arn:the-runs-own"})
    member = world([], tags={"orgdns:subdomain": ZONE})[1].model_copy(update={"hand_made_certificates": [pending]})
    under_way = item([]).model_copy(update={"certificates": [], "last_outcome": None})
    findings, actions = decide([world([])[0], member], [under_way])
    assert [f for f in findings if f.type == "Adoptable"] == [] and actions == []
