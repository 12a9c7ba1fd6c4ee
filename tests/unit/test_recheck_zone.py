"""Write, then look: a self-service zone withdrawn while its run delegates it loses the delegation
just written (RecheckZone); Delegate refuses a nearer parent whose owner granted nothing."""

import boto3
import pytest

from orgdns.aws.access import AwsAccess
from orgdns.errors import NotGrantedByParentOwner, ZoneWithdrawn
from orgdns.models import Decision, ManagedZone, Plan, Trigger, WorkflowState, ZoneRef, ZoneResult
from orgdns.steps.delegate import delegate
from orgdns.steps.recheck_zone import recheck_zone
from tests.unit.moto_world import MANAGEMENT, management_with_root, member_client, settings

MEMBER = "444455556666"


@pytest.fixture
def world(monkeypatch):
    with management_with_root(monkeypatch) as root:
        route53 = boto3.client("route53", region_name="us-east-1")
        member = member_client("route53", MEMBER)
        zone = member.create_hosted_zone(Name="x.example.org", CallerReference="x")
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        aws = AwsAccess(settings(root))
        aws.registry().put(
            ManagedZone(zone_name="x.example.org", account_id=MEMBER, hosted_zone_id=zone_id, self_service=True)
        )
        plan = Plan(
            request_id="r", trigger=Trigger.ZONE_TAGGED, account_id=MEMBER, zone_name="x.example.org",
            parent=ZoneRef(zone_name="example.org", account_id=MANAGEMENT, hosted_zone_id=root),
            certificate_regions=["us-east-1"], certificate_names=["x.example.org", "*.x.example.org"], ns_ttl=60,
            hosted_zone_id=zone_id,
        )  # fmt: skip
        state = WorkflowState(
            decision=Decision(decision="Proceed", plan=plan),
            zone=ZoneResult(hosted_zone_id=zone_id, name_servers=zone["DelegationSet"]["NameServers"], created=False),
        )
        yield {"aws": aws, "state": state, "member": member, "zone_id": zone_id, "root": root, "route53": route53}


def delegate_and_write(world):
    """Delegate plans and registers; the record writer's write stands in here; then RecheckZone."""
    state = world["state"]
    result = delegate(state, world["aws"])
    world["aws"].route53(MANAGEMENT).change(world["root"], [("UPSERT", result.record)], "test")
    return recheck_zone(state.model_copy(update={"delegation": result}), world["aws"])


def delegations(world):
    records = world["route53"].list_resource_record_sets(HostedZoneId=world["root"])["ResourceRecordSets"]
    return [r["Name"] for r in records if r["Type"] == "NS" and r["Name"] != "example.org."]


def test_a_tagged_zone_keeps_its_delegation(world):
    world["member"].change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=world["zone_id"], AddTags=[{"Key": "orgdns:delegate", "Value": "true"}]
    )
    delegate_and_write(world)
    assert delegations(world) == ["x.example.org."]


def test_an_untagged_zone_gets_its_delegation_taken_back(world):
    with pytest.raises(ZoneWithdrawn, match="taken back"):
        delegate_and_write(world)
    assert delegations(world) == []
    assert world["aws"].registry().get("x.example.org") is None


def test_a_deleted_zone_gets_its_delegation_taken_back(world):
    world["member"].delete_hosted_zone(Id=world["zone_id"])
    with pytest.raises(ZoneWithdrawn):
        delegate_and_write(world)
    assert delegations(world) == []


def test_a_nearer_parent_owned_by_another_account_is_refused(world):
    """ResolveRequest allowed x.team.example.org under example.org; meanwhile another account's
    team.example.org was registered: Delegate must not write there (nor in the root)."""
    other = "555566667777"
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{other}:role/OrgDnsExecution", RoleSessionName="other"
    )["Credentials"]
    other_route53 = boto3.client(
        "route53", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
    )  # fmt: skip
    team_id = other_route53.create_hosted_zone(Name="team.example.org", CallerReference="team")["HostedZone"]["Id"]
    team_id = team_id.split("/")[-1]
    world["aws"].registry().put(ManagedZone(zone_name="team.example.org", account_id=other, hosted_zone_id=team_id))
    zone = world["member"].create_hosted_zone(Name="x.team.example.org", CallerReference="x.team")
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    world["aws"].registry().put(
        ManagedZone(zone_name="x.team.example.org", account_id=MEMBER, hosted_zone_id=zone_id, self_service=True)
    )
    plan = world["state"].plan.model_copy(update={"zone_name": "x.team.example.org", "hosted_zone_id": zone_id})
    state = world["state"].model_copy(
        update={
            "decision": Decision(decision="Proceed", plan=plan),
            "zone": ZoneResult(
                hosted_zone_id=zone_id, name_servers=zone["DelegationSet"]["NameServers"], created=False
            ),
        }
    )
    with pytest.raises(NotGrantedByParentOwner, match=r"now below team\.example\.org"):
        delegate(state, world["aws"])
    assert delegations(world) == []
    team_records = other_route53.list_resource_record_sets(HostedZoneId=team_id)["ResourceRecordSets"]
    assert {r["Type"] for r in team_records} == {"NS", "SOA"}
