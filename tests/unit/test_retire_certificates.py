"""RetireCertificates deletes only certificates orgdns requested, that the run replaces, that
nothing uses and that are older than the run's own; it keeps the registry in step."""

import time

from moto.acm.models import acm_backends

from orgdns.aws.access import AwsAccess
from orgdns.models import (
    CertificateCheck,
    CertificateRef,
    CertificatesResult,
    Decision,
    ManagedZone,
    Plan,
    Trigger,
    WorkflowState,
    ZoneRef,
)
from orgdns.steps.retire_certificates import retire_certificates
from tests.unit.moto_world import MANAGEMENT, management_with_root, member_client, settings

MEMBER = "333300003333"
ZONE = "app.example.org"


def request(names: list[str], tagged: bool = True, region: str = "us-east-1") -> str:
    acm = member_client("acm", MEMBER, region)
    extra = {"Tags": [{"Key": "orgdns:managed", "Value": "true"}]} if tagged else {}
    arn = acm.request_certificate(DomainName=names[0], SubjectAlternativeNames=names, ValidationMethod="DNS", **extra)[
        "CertificateArn"
    ]
    time.sleep(1.01)  # CreatedAt (whole seconds in moto) orders them
    return str(arn)


def ref(arn: str, region: str = "us-east-1") -> CertificateRef:
    return CertificateRef(region=region, arn=arn, status="ISSUED")


def state(new: str, replaces: list[str], root: str) -> WorkflowState:
    plan = Plan(
        request_id="r", trigger=Trigger.MANUAL, account_id=MEMBER, zone_name=ZONE,
        parent=ZoneRef(zone_name="example.org", account_id=MANAGEMENT, hosted_zone_id=root),
        certificate_regions=["us-east-1"], certificate_names=[ZONE, f"*.{ZONE}"], ns_ttl=300,
    )  # fmt: skip
    certificates = CertificatesResult(certificates=[ref(new)], replaces=[ref(a) for a in replaces])
    return WorkflowState(
        decision=Decision(decision="Proceed", plan=plan),
        certificates=certificates,
        certificate_check=CertificateCheck(all_issued=True, certificates=[ref(new)]),
    )


def arns() -> set[str]:
    listed = member_client("acm", MEMBER).list_certificates()["CertificateSummaryList"]
    return {c["CertificateArn"] for c in listed}


def test_old_certificates_orgdns_requested_are_deleted_and_others_kept(monkeypatch):
    with management_with_root(monkeypatch) as root:
        aws = AwsAccess(settings(root))
        old, foreign, busy = request([ZONE]), request([ZONE], tagged=False), request([ZONE, "x.example.org"])
        acm_backends[MEMBER]["us-east-1"].set_certificate_in_use_by(busy, "arn:aws:elasticloadbalancing:lb")
        new = request([ZONE, "www.example.org"])
        aws.registry().put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1",
                                       certificates=[ref(old), ref(foreign), ref(busy), ref(new)]))  # fmt: skip
        result = retire_certificates(state(new, [old, foreign, busy], root), aws)
        assert [c.arn for c in result.retired] == [old]
        assert [c.arn for c in result.kept] == [foreign]
        assert [(c.arn, c.in_use_by) for c in result.in_use] == [(busy, ["arn:aws:elasticloadbalancing:lb"])]
        assert arns() == {foreign, busy, new}
        # the registry no longer tracks what is gone or not orgdns's; the busy one waits for a later try
        assert [c.arn for c in aws.registry().get(ZONE).certificates] == [busy, new]


def test_a_certificate_requested_after_the_runs_own_is_a_later_runs_and_stays(monkeypatch):
    with management_with_root(monkeypatch) as root:
        aws = AwsAccess(settings(root))
        mine = request([ZONE, "a.example.org"])
        later = request([ZONE, "b.example.org"])  # a later run's, registered meanwhile
        aws.registry().put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1",
                                       certificates=[ref(mine), ref(later)]))  # fmt: skip
        result = retire_certificates(state(mine, [], root), aws)
        assert result.retired == [] and result.in_use == [] and result.kept == []
        assert arns() == {mine, later}


def test_a_certificate_already_gone_counts_as_retired(monkeypatch):
    with management_with_root(monkeypatch) as root:
        aws = AwsAccess(settings(root))
        gone = request([ZONE])
        member_client("acm", MEMBER).delete_certificate(CertificateArn=gone)
        new = request([ZONE, "www.example.org"])
        aws.registry().put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1",
                                       certificates=[ref(gone), ref(new)]))  # fmt: skip
        result = retire_certificates(state(new, [gone], root), aws)
        assert [c.arn for c in result.retired] == [gone]
        assert [c.arn for c in aws.registry().get(ZONE).certificates] == [new]
