"""The record writer against moto: every run bound for one zone in the fewest change batches,
each run answered with its own change, one bad record failing only its own run."""

import boto3
import pytest

from orgdns.aws.access import AwsAccess
from orgdns.errors import ApiThrottling, Route53Throttling
from orgdns.models import Decision, ManagedZone, Plan, RecordChange, RecordRequest, RecordSpec, Trigger, ZoneRef
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
                         owner_account_id=owner_account, name_checked=True)  # fmt: skip  # as ReserveName did


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


def test_three_hundred_delegations_go_out_in_two_calls_each_run_with_its_change(world):
    """Written as CREATEs (each counts once against Route 53's 1,000 values: 250 four-server
    delegations a call), without reading the zone first."""
    names = [f"dev{i:03d}.example.org" for i in range(300)]
    for name in names:
        register(world, name)
    outcome = write_changes([(str(i), change(world, n)) for i, n in enumerate(names)], world["aws"])
    assert world["calls"] == [250, 50]
    assert outcome.retry == [] and outcome.change_calls == 2
    answers = world["tokens"].answers
    assert {kind for kind, _ in answers.values()} == {"success"}
    change_ids = [answers[f"t-{n}"][1]["change"]["changeId"] for n in names]
    # The runs of one batch share its change (plain moto gives every change the same id; the local
    # organization gives each its own: tests/workflow/test_burst.py).
    assert len(set(change_ids[:250])) == 1
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
    assert world["calls"] == [1, 1]  # the second: a CREATE Route 53 refuses (it is there), then nothing to write


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


# --- several changes in one request: teardown deletions, shared validation records -----------


def upsert_ns(world, name, values=SERVERS):
    world["route53"].change_resource_record_sets(
        HostedZoneId=world["root"],
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": name + ".", "Type": "NS", "TTL": 60, "ResourceRecords": [{"Value": v + "."} for v in values]}}]},
    )  # fmt: skip  # as Route 53 keeps them: with the trailing dot


def ns_record(world, name, values=SERVERS):
    return RecordSpec(name=name, type="NS", ttl=60, values=values, zone_name="example.org",
                      hosted_zone_id=world["root"], account_id=MANAGEMENT, purpose="Delegation")  # fmt: skip


def deletions(world, names, token):
    return RecordRequest(
        kind="change", task_token=token,
        changes=[RecordChange(action="DELETE", record=ns_record(world, n)) for n in names],
    )  # fmt: skip


def test_a_hundred_teardowns_delete_their_delegations_in_one_call(world):
    names = [f"old{i:03d}.example.org" for i in range(100)]
    for name in names:
        upsert_ns(world, name)
    outcome = write_changes([(str(i), deletions(world, [n], f"d-{n}")) for i, n in enumerate(names)], world["aws"])
    assert world["calls"] == [100] and outcome.retry == []
    answers = world["tokens"].answers
    assert all(answers[f"d-{n}"][0] == "success" for n in names)
    assert [r["name"] for r in answers["d-old000.example.org"][1]["removed"]] == ["old000.example.org"]
    assert len({answers[f"d-{n}"][1]["changes"][0]["changeId"] for n in names}) == 1
    assert ns_names(world) == []


def test_a_record_changed_since_orgdns_wrote_it_is_left_and_one_already_gone_counts_as_removed(world):
    upsert_ns(world, "changed.example.org", ["ns.elsewhere.example.net"])
    upsert_ns(world, "kept.example.org")
    request = deletions(world, ["changed.example.org", "absent.example.org", "kept.example.org"], "d")
    write_changes([("1", request)], world["aws"])
    kind, answer = world["tokens"].answers["d"]
    assert kind == "success"
    assert [r["name"] for r in answer["removed"]] == ["absent.example.org", "kept.example.org"]
    assert [(r["name"], r["values"]) for r in answer["left"]] == [("changed.example.org", ["ns.elsewhere.example.net"])]
    assert ns_names(world) == ["changed.example.org."]  # never deleted: orgdns did not write it so


def test_deleting_from_a_zone_that_is_gone_counts_as_removed(world):
    request = RecordRequest(
        kind="change", task_token="d",
        changes=[RecordChange(action="DELETE", record=ns_record(world, "x.example.org").model_copy(
            update={"hosted_zone_id": "ZGONE000000", "zone_name": "gone.example.org"}))],
    )  # fmt: skip
    write_changes([("1", request)], world["aws"])
    kind, answer = world["tokens"].answers["d"]
    assert kind == "success" and [r["name"] for r in answer["removed"]] == ["x.example.org"]


def test_a_request_spanning_zones_is_answered_once_when_every_zone_is_done(world, monkeypatch):
    """A message with changes in two zones; the second zone is throttled: no answer yet, the
    message goes back to the queue whole, and its second pass writes only what is still missing."""
    register(world, "a.example.org")
    other = world["route53"].create_hosted_zone(Name="example.net", CallerReference="net")["HostedZone"]["Id"]
    other_id = other.rsplit("/", 1)[-1]
    cname = RecordSpec(
        name="_x.login.example.net",
        type="CNAME",
        ttl=300,
        values=["_y.acm-validations.aws"],
        zone_name="example.net",
        hosted_zone_id=other_id,
        account_id=MANAGEMENT,
        purpose="Validation",
    )
    request = RecordRequest(kind="change", task_token="v", changes=[
        RecordChange(record=ns_record(world, "a.example.org"), owner="a.example.org", owner_account_id=MEMBER),
        RecordChange(record=cname, owner="a.example.org", owner_account_id=MEMBER),
    ])  # fmt: skip
    route53_class = world["aws"].route53(MANAGEMENT).__class__
    counting = route53_class.change

    def throttled_in_net(self, zone_id, changes, comment):
        if zone_id == other_id:
            raise Route53Throttling("Rate exceeded")
        return counting(self, zone_id, changes, comment)

    monkeypatch.setattr(route53_class, "change", throttled_in_net)
    outcome = write_changes([("m", request)], world["aws"])
    assert outcome.retry == ["m"] and world["tokens"].answers == {}
    monkeypatch.setattr(route53_class, "change", counting)
    write_changes([("m", request)], world["aws"])
    kind, answer = world["tokens"].answers["v"]
    assert kind == "success"
    assert sorted(r["name"] for r in answer["written"]) == ["_x.login.example.net", "a.example.org"]
    # the NS (its name not checked: read, then written) on the first pass; on the second it is read
    # and found there, and only the CNAME is written
    assert world["calls"] == [1, 1]


def test_a_delegation_deleted_and_asked_for_again_in_one_batch_goes_after_the_delete(world):
    """A zone torn down and set up again: the DELETE goes first, then the new delegation is
    written against the zone without the old one, in the same pass."""
    register(world, "again.example.org")
    upsert_ns(world, "again.example.org", ["ns-old.awsdns-00.org"])
    old = deletions(world, ["again.example.org"], "d")
    old.changes[0].record.values = ["ns-old.awsdns-00.org"]
    outcome = write_changes([("1", old), ("2", change(world, "again.example.org", token="u"))], world["aws"])
    assert outcome.retry == [] and world["tokens"].answers["d"][0] == "success"
    assert world["tokens"].answers["u"][0] == "success" and ns_names(world) == ["again.example.org."]
    records = world["route53"].list_resource_record_sets(HostedZoneId=world["root"])["ResourceRecordSets"]
    again = next(r for r in records if r["Name"] == "again.example.org.")
    assert sorted(v["Value"].rstrip(".") for v in again["ResourceRecords"]) == sorted(SERVERS)


def test_an_unchecked_ns_record_is_never_put_beside_records_orgdns_did_not_write(world):
    """Route 53 takes an NS record beside a TXT record (and the delegation would hide it): a
    delegation whose name was not checked in this zone (a child moved by a teardown, a parent that
    appeared since ReserveName) is read first, and refused."""
    register(world, "moved.example.org")
    world["route53"].change_resource_record_sets(
        HostedZoneId=world["root"],
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "moved.example.org.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"v=x"'}]}}]},
    )  # fmt: skip
    request = change(world, "moved.example.org").model_copy(update={"name_checked": False})
    write_changes([("1", request)], world["aws"])
    assert world["tokens"].answers["t-moved.example.org"][0] == "RecordConflict"
    assert ns_names(world) == []


def test_a_zone_being_torn_down_gets_nothing_more_written(world):
    world["aws"].registry().put(
        ManagedZone(zone_name="going.example.org", account_id=MEMBER, hosted_zone_id="ZGOING", torn_down_by="evt-1")
    )
    write_changes([("1", change(world, "going.example.org"))], world["aws"])
    assert world["tokens"].answers["t-going.example.org"][0] == "ZoneWithdrawn"
    assert ns_names(world) == [] and world["calls"] == []


def test_an_answer_step_functions_throttles_hands_the_request_back(world, monkeypatch):
    register(world, "a.example.org")
    register(world, "b.example.org")
    tokens = world["tokens"]
    original = tokens.succeed

    def throttled_once(token, output):
        if token == "t-a.example.org" and not getattr(tokens, "throttled", False):
            tokens.throttled = True
            raise ApiThrottling("stepfunctions throttled the request")
        return original(token, output)

    monkeypatch.setattr(tokens, "succeed", throttled_once)
    requests = [("m1", change(world, "a.example.org")), ("m2", change(world, "b.example.org"))]
    outcome = write_changes(requests, world["aws"])
    assert outcome.retry == ["m1"] and "t-b.example.org" in tokens.answers
    write_changes(requests[:1], world["aws"])  # SQS hands it out again: written already, answered now
    assert tokens.answers["t-a.example.org"][0] == "success"


def test_a_zone_whose_write_is_denied_fails_its_own_requests_only(world, monkeypatch):
    from botocore.exceptions import ClientError

    register(world, "a.example.org")
    other = world["route53"].create_hosted_zone(Name="example.net", CallerReference="net")["HostedZone"]["Id"]
    other_id = other.rsplit("/", 1)[-1]
    route53_class = world["aws"].route53(MANAGEMENT).__class__
    counting = route53_class.change

    def denied_in_net(self, zone_id, changes, comment):
        if zone_id == other_id:
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "ChangeResourceRecordSets"
            )
        return counting(self, zone_id, changes, comment)

    monkeypatch.setattr(route53_class, "change", denied_in_net)
    cname = RecordSpec(name="_x.login.example.net", type="CNAME", ttl=300, values=["_y.acm-validations.aws"],
                       zone_name="example.net", hosted_zone_id=other_id, account_id=MANAGEMENT)  # fmt: skip
    denied = RecordRequest(kind="change", task_token="v", changes=[
        RecordChange(record=cname, owner="a.example.org", owner_account_id=MEMBER)])  # fmt: skip
    outcome = write_changes([("1", denied), ("2", change(world, "a.example.org"))], world["aws"])
    assert outcome.retry == []
    assert world["tokens"].answers["v"][0] == "AccessDenied"
    assert world["tokens"].answers["t-a.example.org"][0] == "success"
