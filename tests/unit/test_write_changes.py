"""The record writer against moto: every run bound for one zone in the fewest change batches,
each run answered with its own change, one bad record failing only its own run."""

import boto3
import pytest

from orgdns.aws.access import AwsAccess
from orgdns.errors import Route53Throttling
from orgdns.models import Decision, ManagedZone, Plan, RecordRequest, RecordSpec, Trigger, ZoneRef
from orgdns.steps.write_changes import write_changes
from tests.unit.moto_world import MANAGEMENT, management_with_root, settings

MEMBER = "444455556666"
SERVERS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]


class Tokens:
    """Stands in for Step Functions: what the writer answered each task token."""

    def __init__(self):
        self.answers: dict[str, tuple[str, object]] = {}

    def succeed(self, token, output):
        assert token not in self.answers, f"{token} answered twice"
        self.answers[token] = ("success", output)
        return True

    def fail(self, token, error, cause):
        assert token not in self.answers, f"{token} answered twice"
        self.answers[token] = (error, cause)
        return True


@pytest.fixture
def world(monkeypatch):
    with management_with_root(monkeypatch) as root:
        aws = AwsAccess(settings(root))
        tokens = Tokens()
        monkeypatch.setattr(aws, "task_tokens", lambda: tokens)
        route53 = boto3.client("route53", region_name="us-east-1")
        calls: list[int] = []
        original = route53_change = aws.route53(MANAGEMENT).__class__.change

        def counting_change(self, zone_id, changes, comment):
            calls.append(len(changes))
            return route53_change(self, zone_id, changes, comment)

        monkeypatch.setattr(aws.route53(MANAGEMENT).__class__, "change", counting_change)
        yield {"aws": aws, "root": root, "tokens": tokens, "route53": route53, "calls": calls, "original": original}


def register(world, name, account=MEMBER):
    world["aws"].registry().put(ManagedZone(zone_name=name, account_id=account, hosted_zone_id=f"Z{abs(hash(name))}"))


def change(world, name, token=None, owner_account=MEMBER, values=SERVERS):
    record = RecordSpec(
        name=name, type="NS", ttl=60, values=values, zone_name="example.org", hosted_zone_id=world["root"],
        account_id=MANAGEMENT, purpose="Delegation",
    )  # fmt: skip
    return RecordRequest(kind="change", task_token=token or f"t-{name}", record=record, owner=name,
                         owner_account_id=owner_account)  # fmt: skip


def check(world, name, token=None):
    plan = Plan(
        request_id="r", trigger=Trigger.MANUAL, account_id=MEMBER, zone_name=name,
        parent=ZoneRef(zone_name="example.org", account_id=MANAGEMENT, hosted_zone_id=world["root"]),
        certificate_regions=["us-east-1"], certificate_names=[name], ns_ttl=60,
    )  # fmt: skip
    return RecordRequest(
        kind="check", task_token=token or f"c-{name}", decision=Decision(decision="Proceed", plan=plan)
    )


def ns_names(world):
    records = world["route53"].list_resource_record_sets(HostedZoneId=world["root"], MaxItems="1000")
    return sorted(r["Name"] for r in records["ResourceRecordSets"] if r["Type"] == "NS" and r["Name"] != "example.org.")


def test_three_hundred_delegations_go_out_in_three_calls_each_run_with_its_change(world):
    names = [f"dev{i:03d}.example.org" for i in range(300)]
    for name in names:
        register(world, name)
    outcome = write_changes([(str(i), change(world, n)) for i, n in enumerate(names)], world["aws"])
    assert world["calls"] == [125, 125, 50]
    assert outcome.retry == [] and outcome.change_calls == 3
    answers = world["tokens"].answers
    assert {kind for kind, _ in answers.values()} == {"success"}
    change_ids = [answers[f"t-{n}"][1]["change"]["changeId"] for n in names]
    # The runs of one batch share its change (plain moto gives every change the same id; the local
    # organization gives each its own: tests/workflow/test_burst.py).
    assert len(set(change_ids[:125])) == len(set(change_ids[125:250])) == 1
    assert ns_names(world) == sorted(n + "." for n in names)


def test_a_record_route53_refuses_fails_only_its_own_run_with_route53s_message(world):
    names = ["a.example.org", "b.example.org", "c.example.org"]
    for name in [*names, "elsewhere.example.net"]:
        register(world, name)
    bad = change(world, "elsewhere.example.net")  # not a name of the zone: Route 53 refuses the batch
    outcome = write_changes([("1", change(world, names[0])), ("2", bad), ("3", change(world, names[1])),
                             ("4", change(world, names[2]))], world["aws"])  # fmt: skip
    answers = world["tokens"].answers
    assert answers["t-elsewhere.example.net"][0] == "RecordRejected"
    assert "Route 53 refused the change" in answers["t-elsewhere.example.net"][1]
    assert all(answers[f"t-{n}"][0] == "success" for n in names)
    assert ns_names(world) == [n + "." for n in names]
    assert world["calls"][0] == 4 and outcome.retry == []  # the batch first, then each record alone


def test_a_foreign_record_at_the_name_is_never_overwritten(world):
    register(world, "taken.example.org")
    register(world, "free.example.org")
    world["route53"].change_resource_record_sets(
        HostedZoneId=world["root"],
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "taken.example.org.", "Type": "NS", "TTL": 300,
            "ResourceRecords": [{"Value": "ns.elsewhere.example.net."}]}}]},
    )  # fmt: skip
    write_changes([("1", change(world, "taken.example.org")), ("2", change(world, "free.example.org"))], world["aws"])
    answers = world["tokens"].answers
    assert answers["t-taken.example.org"][0] == "RecordConflict"
    assert answers["t-free.example.org"][0] == "success"
    records = world["route53"].list_resource_record_sets(HostedZoneId=world["root"])["ResourceRecordSets"]
    taken = next(r for r in records if r["Name"] == "taken.example.org.")
    assert taken["ResourceRecords"] == [{"Value": "ns.elsewhere.example.net."}]


def test_a_request_whose_zone_is_no_longer_registered_for_its_account_writes_nothing(world):
    register(world, "gone.example.org", account="555566667777")  # another account's now
    write_changes([("1", change(world, "gone.example.org"))], world["aws"])
    assert world["tokens"].answers["t-gone.example.org"][0] == "ZoneWithdrawn"
    assert ns_names(world) == [] and world["calls"] == []


def test_a_record_already_in_place_is_answered_without_a_write(world):
    register(world, "a.example.org")
    write_changes([("1", change(world, "a.example.org", token="first"))], world["aws"])
    write_changes([("2", change(world, "a.example.org", token="again"))], world["aws"])
    answer = world["tokens"].answers["again"]
    assert answer[0] == "success" and "change" not in answer[1] and answer[1]["inSync"] is True
    assert world["calls"] == [1]


def test_two_runs_asking_for_the_same_record_share_one_write_and_different_values_conflict(world):
    register(world, "a.example.org")
    other = change(world, "a.example.org", token="other", values=["ns-9.awsdns-09.org"])
    write_changes([("1", change(world, "a.example.org", token="one")), ("2", change(world, "a.example.org", token="two")),
                   ("3", other)], world["aws"])  # fmt: skip
    answers = world["tokens"].answers
    assert answers["one"][1]["change"] == answers["two"][1]["change"]
    assert answers["other"][0] == "RecordConflict"
    assert world["calls"] == [1]


def test_checks_read_the_zone_once_and_a_name_holding_records_is_rejected(world):
    world["route53"].change_resource_record_sets(
        HostedZoneId=world["root"],
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "www.example.org.", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "elsewhere.net."}]}}]},
    )  # fmt: skip
    reads = []
    route53_class = world["aws"].route53(MANAGEMENT).__class__
    original = route53_class.records_named

    def counted(self, zone_id, names):
        reads.append(len(names))
        return original(self, zone_id, names)

    pytest.MonkeyPatch().setattr(route53_class, "records_named", counted)
    write_changes([(str(i), check(world, n)) for i, n in enumerate(["www.example.org", "dev1.example.org",
                                                                    "dev2.example.org"])], world["aws"])  # fmt: skip
    answers = world["tokens"].answers
    assert reads == [3]
    rejected = answers["c-www.example.org"][1]
    assert rejected["decision"] == "Reject" and rejected["reason"] == "NameInUse" and "CNAME" in rejected["message"]
    assert "reconcile" in rejected["message"]
    assert answers["c-dev1.example.org"][1]["decision"] == "Proceed"
    assert answers["c-dev1.example.org"][1]["plan"]["zoneName"] == "dev1.example.org"


def test_throttling_leaves_the_zones_messages_for_sqs_to_hand_out_again(world, monkeypatch):
    register(world, "a.example.org")
    register(world, "b.example.org")

    def throttled(self, zone_id, changes, comment):
        raise Route53Throttling("Rate exceeded")

    monkeypatch.setattr(world["aws"].route53(MANAGEMENT).__class__, "change", throttled)
    outcome = write_changes([("m1", change(world, "a.example.org")), ("m2", change(world, "b.example.org"))],
                            world["aws"])  # fmt: skip
    assert sorted(outcome.retry) == ["m1", "m2"]
    assert world["tokens"].answers == {}
