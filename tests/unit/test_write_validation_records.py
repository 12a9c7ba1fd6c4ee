"""WriteValidationRecords writes the records of the run's own zone, and hands those bound for a
zone other runs write to (a root zone, under a grant) to the record writer."""

import boto3
import pytest

from orgdns.aws.access import AwsAccess
from orgdns.models import (
    CertificateRef,
    CertificatesResult,
    Decision,
    ManagedZone,
    Plan,
    Trigger,
    WorkflowState,
    ZoneRef,
    ZoneResult,
)
from orgdns.ownership import parse_grants
from orgdns.steps.write_validation_records import write_validation_records
from tests.unit.moto_world import MANAGEMENT, management_with_root, member_client, settings

QA = "444455556666"


@pytest.fixture
def world(monkeypatch):
    with management_with_root(monkeypatch) as root:
        zone = member_client("route53", QA).create_hosted_zone(Name="qa.example.org", CallerReference="qa")
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        aws = AwsAccess(settings(root).model_copy(update={"grants": parse_grants(f"login.example.org={QA}")}))
        aws.registry().put(ManagedZone(zone_name="qa.example.org", account_id=QA, hosted_zone_id=zone_id))
        names = ["qa.example.org", "*.qa.example.org", "login.example.org"]
        plan = Plan(
            request_id="r", trigger=Trigger.MANUAL, account_id=QA, zone_name="qa.example.org",
            parent=ZoneRef(zone_name="example.org", account_id=MANAGEMENT, hosted_zone_id=root),
            certificate_regions=["us-east-1"], certificate_names=names, ns_ttl=60,
        )  # fmt: skip
        arn = member_client("acm", QA).request_certificate(
            DomainName=names[0], SubjectAlternativeNames=names[1:], ValidationMethod="DNS"
        )["CertificateArn"]
        state = WorkflowState(
            decision=Decision(decision="Proceed", plan=plan),
            zone=ZoneResult(hosted_zone_id=zone_id, name_servers=[], created=True),
            certificates=CertificatesResult(
                certificates=[CertificateRef(region="us-east-1", arn=arn, status="PENDING_VALIDATION")]
            ),
        )
        yield aws, state, root, zone_id


def cnames(zone_id, client):
    return [r["Name"] for r in client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
            if r["Type"] == "CNAME"]  # fmt: skip


def test_the_root_zones_record_goes_to_the_writer_and_the_own_zones_is_written(world):
    aws, state, root, zone_id = world
    result = write_validation_records(state, aws)
    assert result.records_ready
    assert [c.record.name.endswith(".login.example.org") for c in result.shared] == [True]
    [change] = result.shared
    assert (change.action, change.owner, change.owner_account_id) == ("UPSERT", "qa.example.org", QA)
    assert (change.record.hosted_zone_id, change.record.account_id) == (root, MANAGEMENT)
    assert change.written_before is False
    assert cnames(root, boto3.client("route53", region_name="us-east-1")) == []  # not written here
    assert len(cnames(zone_id, member_client("route53", QA))) == 1  # qa's own (apex and wildcard share it)
    registered = aws.registry().get("qa.example.org")
    assert {r.name for r in registered.records} == {r.name for r in [*result.written, change.record]}


def test_a_rerun_says_the_writer_has_written_it_before(world):
    aws, state, _, _ = world
    write_validation_records(state, aws)
    [change] = write_validation_records(state, aws).shared
    assert change.written_before is True
