"""A zone registered for another account during a run takes its names out of the run's
certificate: RequestCertificates requests nothing, WriteValidationRecords writes nothing."""

import pytest

from orgdns.aws.access import AwsAccess
from orgdns.errors import CertificateNameNotAllowed
from orgdns.models import (
    CertificateRef,
    CertificatesResult,
    Decision,
    ManagedZone,
    Plan,
    Trigger,
    WorkflowState,
    ZoneRef,
)
from orgdns.steps.request_certificates import request_certificates
from orgdns.steps.write_validation_records import write_validation_records
from tests.unit.moto_world import MANAGEMENT, management_with_root, member_client, settings

QA, OTHER = "444455556666", "777788889999"


@pytest.fixture
def world(monkeypatch):
    with management_with_root(monkeypatch) as root:
        qa_zone = member_client("route53", QA).create_hosted_zone(Name="qa.example.org", CallerReference="qa")
        qa_zone_id = qa_zone["HostedZone"]["Id"].split("/")[-1]
        other_zone = member_client("route53", OTHER).create_hosted_zone(Name="x.qa.example.org", CallerReference="x")
        other_zone_id = other_zone["HostedZone"]["Id"].split("/")[-1]
        aws = AwsAccess(settings(root))
        aws.registry().put(ManagedZone(zone_name="qa.example.org", account_id=QA, hosted_zone_id=qa_zone_id))
        names = ["qa.example.org", "*.qa.example.org", "x.qa.example.org"]  # the last was qa's when planned
        plan = Plan(
            request_id="r", trigger=Trigger.MANUAL, account_id=QA, zone_name="qa.example.org",
            parent=ZoneRef(zone_name="example.org", account_id=MANAGEMENT, hosted_zone_id=root),
            certificate_regions=["us-east-1"], certificate_names=names, ns_ttl=60,
        )  # fmt: skip
        state = WorkflowState(decision=Decision(decision="Proceed", plan=plan))
        # meanwhile, another run registers x.qa.example.org for another account
        aws.registry().put(ManagedZone(zone_name="x.qa.example.org", account_id=OTHER, hosted_zone_id=other_zone_id))
        yield aws, state, other_zone_id


def test_request_certificates_requests_nothing_for_a_name_taken_meanwhile(world):
    aws, state, _ = world
    with pytest.raises(CertificateNameNotAllowed, match=f"zone x.qa.example.org of account {OTHER}"):
        request_certificates(state, aws)
    assert member_client("acm", QA).list_certificates()["CertificateSummaryList"] == []


def test_write_validation_records_writes_nothing_for_a_name_taken_meanwhile(world):
    aws, state, other_zone_id = world
    names = state.plan.certificate_names
    arn = member_client("acm", QA).request_certificate(
        DomainName=names[0], SubjectAlternativeNames=names[1:], ValidationMethod="DNS"
    )["CertificateArn"]
    state = state.model_copy(
        update={
            "certificates": CertificatesResult(
                certificates=[CertificateRef(region="us-east-1", arn=arn, status="PENDING_VALIDATION")]
            )
        }
    )
    with pytest.raises(CertificateNameNotAllowed):
        write_validation_records(state, aws)
    records = member_client("route53", OTHER).list_resource_record_sets(HostedZoneId=other_zone_id)[
        "ResourceRecordSets"
    ]
    assert {r["Type"] for r in records} == {"NS", "SOA"}
    qa_records = [
        r for z in member_client("route53", QA).list_hosted_zones()["HostedZones"]
        for r in member_client("route53", QA).list_resource_record_sets(HostedZoneId=z["Id"])["ResourceRecordSets"]
    ]  # fmt: skip
    assert {r["Type"] for r in qa_records} == {"NS", "SOA"}
