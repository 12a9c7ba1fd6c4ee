"""The registry adapter against moto, with the table as template.yaml declares it: typed items,
reads by key and through the indexes, the first format read and migrated, root ids cached."""

import json

import boto3
import pytest
from moto import mock_aws

from orgdns.aws.registry import Registry, to_item
from orgdns.models import CertificateRef, ManagedZone, Outcome, RecordSpec
from tests.unit.moto_world import create_tables

MANAGEMENT = "123456789012"
MEMBER = "444455556666"
OTHER = "555566667777"
ZONE = "demo.example.org"


@pytest.fixture
def dynamodb(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        create_tables()
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def registry(dynamodb):
    return Registry(dynamodb, "registry")


def managed_zone(name=ZONE, account_id=MEMBER, parent="example.org", **extra):
    return ManagedZone(
        zone_name=name,
        account_id=account_id,
        hosted_zone_id=extra.pop("hosted_zone_id", "ZDEMO"),
        parent_zone_name=parent,
        parent_account_id=MANAGEMENT,
        parent_hosted_zone_id="ZROOT",
        name_servers=["ns-1.example.net", "ns-2.example.net"],
        records=[
            RecordSpec(
                name=name, type="NS", ttl=60, values=["ns-1.example.net", "ns-2.example.net"],
                zone_name=parent, hosted_zone_id="ZROOT", account_id=MANAGEMENT, purpose="Delegation",
            ),
            RecordSpec(name=name, type="A", alias_target="Z2FDTNDATAQYW2/d1.cloudfront.net", purpose="Alias"),
        ],
        certificates=[CertificateRef(region="us-east-1", arn="arn:aws:acm:us-east-1:1:certificate/1", status="ISSUED")],
        last_outcome=Outcome.SUCCEEDED,
        **extra,
    )  # fmt: skip


def legacy_item(zone: ManagedZone) -> dict:
    """An item as the first registry format wrote it: the zone as one JSON string."""
    return {
        "zoneName": {"S": zone.zone_name},
        "accountId": {"S": zone.account_id},
        "document": {"S": json.dumps(zone.dump(), sort_keys=True)},
    }


def test_put_then_get_returns_the_zone_with_its_records(registry):
    zone = managed_zone()
    registry.put(zone)

    assert registry.get(ZONE) == zone


def test_items_hold_typed_attributes_not_one_json_string(registry, dynamodb):
    registry.put(managed_zone())

    item = dynamodb.get_item(TableName="registry", Key={"zoneName": {"S": ZONE}})["Item"]

    assert "document" not in item
    assert item["accountId"] == {"S": MEMBER}
    assert item["parentZoneName"] == {"S": "example.org"}
    assert item["hostedZoneId"] == {"S": "ZDEMO"}
    assert item["lastOutcome"] == {"S": "Succeeded"}
    assert item["origin"] == {"S": "created"}
    assert item["records"]["L"][0]["M"]["ttl"] == {"N": "60"}
    assert item["certificates"]["L"][0]["M"]["status"] == {"S": "ISSUED"}


@pytest.mark.parametrize(
    ("created", "self_service", "origin"),
    [(True, False, "created"), (False, False, "found"), (False, True, "self-service")],
)
def test_origin_says_how_the_zone_came_under_orgdns(created, self_service, origin):
    zone = managed_zone(created_by_orgdns=created, self_service=self_service)

    assert zone.origin == origin
    assert to_item(zone)["origin"] == {"S": origin}


def test_get_of_an_unknown_zone_is_none(registry):
    assert registry.get("unknown.example.org") is None


def test_get_many_returns_the_managed_zones_among_the_names(registry):
    registry.put(managed_zone())
    registry.put(managed_zone(f"a.{ZONE}", parent=ZONE))

    found = registry.get_many([ZONE, f"a.{ZONE}", "example.org", "org", ZONE])

    assert sorted(found) == sorted([ZONE, f"a.{ZONE}"])
    assert found[ZONE] == managed_zone()


def test_get_many_reads_more_than_one_hundred_keys(registry):
    for i in range(130):
        registry.put(managed_zone(f"z{i:03d}.example.org"))

    found = registry.get_many(f"z{i:03d}.example.org" for i in range(140))

    assert len(found) == 130


def test_children_come_through_the_parent_index(registry):
    registry.put(managed_zone())
    registry.put(managed_zone(f"a.{ZONE}", parent=ZONE))
    registry.put(managed_zone(f"b.{ZONE}", parent=ZONE))
    registry.put(managed_zone("other.example.org"))

    assert sorted(z.zone_name for z in registry.children(ZONE)) == [f"a.{ZONE}", f"b.{ZONE}"]
    assert sorted(z.zone_name for z in registry.children("example.org")) == [ZONE, "other.example.org"]
    assert registry.children(f"a.{ZONE}") == []


def test_children_under_a_name_are_read_by_the_sort_key_not_filtered_afterwards(registry, dynamodb):
    for name in ("team.example.org", "x.team.example.org", "y.x.team.example.org", "teamwork.example.org",
                 "steam.example.org", "other.example.org"):  # fmt: skip
        registry.put(managed_zone(name, parent="example.org"))

    below = registry.children("example.org", below="team.example.org")
    assert sorted(z.zone_name for z in below) == ["x.team.example.org", "y.x.team.example.org"]
    assert registry.children("example.org", below="nothing.example.org") == []
    # What DynamoDB is asked: a key condition on the prefix, so only matching items are read.
    query = dynamodb.query(
        TableName="registry", IndexName="byParent",
        KeyConditionExpression="parentZoneName = :p AND begins_with(reversedName, :r)",
        ExpressionAttributeValues={":p": {"S": "example.org"}, ":r": {"S": "org.example.team."}},
    )  # fmt: skip
    assert query["ScannedCount"] == 2


def test_of_account_comes_through_the_account_index(registry):
    registry.put(managed_zone())
    registry.put(managed_zone(f"a.{ZONE}", parent=ZONE))
    registry.put(managed_zone("other.example.org", account_id=OTHER))

    assert sorted(z.zone_name for z in registry.of_account(MEMBER)) == sorted([ZONE, f"a.{ZONE}"])
    assert [z.zone_name for z in registry.of_account(OTHER)] == ["other.example.org"]


def test_an_item_of_the_first_format_is_read_as_it_is(registry, dynamodb):
    zone = managed_zone()
    dynamodb.put_item(TableName="registry", Item=legacy_item(zone))

    assert registry.get(ZONE) == zone
    assert registry.get_many([ZONE]) == {ZONE: zone}
    assert registry.all() == [zone]


def test_migrate_rewrites_first_format_items_typed_so_the_indexes_see_them(registry, dynamodb):
    old = managed_zone()
    dynamodb.put_item(TableName="registry", Item=legacy_item(old))
    registry.put(managed_zone("typed.example.org"))

    assert registry.children("example.org") == [managed_zone("typed.example.org")]
    assert registry.migrate(dry_run=True) == [ZONE]
    assert "document" in dynamodb.get_item(TableName="registry", Key={"zoneName": {"S": ZONE}})["Item"]

    assert registry.migrate() == [ZONE]

    item = dynamodb.get_item(TableName="registry", Key={"zoneName": {"S": ZONE}})["Item"]
    assert "document" not in item
    assert registry.get(ZONE) == old
    assert sorted(z.zone_name for z in registry.children("example.org")) == [ZONE, "typed.example.org"]
    assert registry.migrate() == []


def test_delete_removes_only_the_same_hosted_zone_in_either_format(registry, dynamodb):
    registry.put(managed_zone())
    registry.delete(ZONE, "ZOTHER")
    assert registry.get(ZONE) is not None

    registry.delete(ZONE, "ZDEMO")
    assert registry.get(ZONE) is None

    dynamodb.put_item(TableName="registry", Item=legacy_item(managed_zone()))
    registry.delete(ZONE, "ZOTHER")
    assert registry.get(ZONE) is not None
    registry.delete(ZONE, "ZDEMO")
    assert registry.get(ZONE) is None


def test_root_zone_ids_are_cached_first_writer_wins_and_are_not_zones(registry):
    assert registry.root_zone_ids(["example.org"]) == {}

    registry.remember_root_zone_id("example.org", "ZROOT", MANAGEMENT)
    registry.remember_root_zone_id("example.org", "ZLATER", MANAGEMENT)

    assert registry.root_zone_ids(["example.org", "example.net"]) == {"example.org": "ZROOT"}
    assert registry.get_many(["example.org", "root#example.org"]) == {}
    assert registry.all() == []
    registry.forget_root_zone_id("example.org")
    assert registry.root_zone_ids(["example.org"]) == {}


def test_one_container_of_a_burst_takes_the_root_lookup_the_others_wait_for_it(registry, monkeypatch):
    from orgdns.aws import registry as registry_module

    now = [1000.0]
    monkeypatch.setattr(registry_module, "time", type("T", (), {"time": staticmethod(lambda: now[0])}))
    assert registry.claim_root_lookup("example.org") is True
    assert registry.claim_root_lookup("example.org") is False  # another container is looking
    now[0] += 31  # the first died while looking: its lease runs out
    assert registry.claim_root_lookup("example.org") is True
    registry.remember_root_zone_id("example.org", "ZROOT", MANAGEMENT)
    assert registry.root_zone_ids(["example.org"]) == {"example.org": "ZROOT"}
    now[0] += 100
    assert registry.claim_root_lookup("example.org") is False  # cached: nobody looks again


def test_a_burst_of_new_containers_looks_the_root_up_once(dynamodb, monkeypatch):
    from orgdns.aws.access import AwsAccess
    from orgdns.errors import TransientAwsError
    from tests.unit.moto_world import settings

    route53 = boto3.client("route53", region_name="us-east-1")
    root = route53.create_hosted_zone(Name="example.org", CallerReference="root")["HostedZone"]["Id"].split("/")[-1]
    named_only = settings(root).model_copy(update={"root_zones": (settings(root).root_zones[0].model_copy(
        update={"hosted_zone_id": None}),)})  # fmt: skip
    first, second = AwsAccess(named_only), AwsAccess(named_only)
    lookups = []
    original = type(first.route53(MANAGEMENT)).find_zones
    monkeypatch.setattr(
        type(first.route53(MANAGEMENT)), "find_zones", lambda self, name: lookups.append(name) or original(self, name)
    )
    first.registry().claim_root_lookup("example.org")  # the first container is looking right now
    with pytest.raises(TransientAwsError, match="being looked up"):
        second.root_zones()
    first.registry().remember_root_zone_id("example.org", root, MANAGEMENT)
    assert [z.hosted_zone_id for z in second.root_zones()] == [root]
    assert lookups == []


# --- conditional writes: what a step read before a teardown never comes back -------------------


def test_put_if_exists_does_not_bring_back_an_item_a_teardown_deleted(registry):
    zone = ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1")
    assert registry.put_if(zone, exists=False)
    assert not registry.put_if(zone, exists=False)  # a second registration of a new zone loses
    registry.delete(ZONE, "Z1")
    assert not registry.put_if(zone, exists=True)
    assert registry.get(ZONE) is None
    registry.put(zone)
    assert not registry.put_if(zone.model_copy(update={"account_id": OTHER}), exists=True)


def test_a_tombstone_tells_when_a_zone_of_that_name_was_torn_down_and_is_no_zone(registry):
    assert registry.get_with_tombstone(ZONE) == (None, None)
    registry.mark_torn_down(ZONE)
    item, torn = registry.get_with_tombstone(ZONE)
    assert item is None and isinstance(torn, int) and torn > 0
    assert registry.all() == [] and registry.get(ZONE) is None


def test_only_a_run_that_read_the_tags_later_may_take_the_certificates_over(registry):
    registry.put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1"))
    assert registry.claim_domain_certificate(ZONE, MEMBER, 2000)
    assert registry.claim_domain_certificate(ZONE, MEMBER, 2000)  # the same run again
    assert not registry.claim_domain_certificate(ZONE, MEMBER, 1000)  # an older run
    assert registry.claim_domain_certificate(ZONE, MEMBER, 3000)
    assert not registry.claim_domain_certificate(ZONE, OTHER, 4000)  # not that account's zone
    assert registry.get(ZONE).certificate_decided_at == 3000
    registry.put(registry.get(ZONE).model_copy(update={"torn_down_by": "evt-teardown"}))
    assert not registry.claim_domain_certificate(ZONE, MEMBER, 5000)  # being torn down


def test_an_older_run_that_wants_exactly_what_the_newer_one_set_may_go_on(registry):
    """Control Tower's two events for one account: two runs, the same names; neither is overtaken."""
    registry.put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1"))
    assert registry.claim_domain_certificate(ZONE, MEMBER, 2000, "a.example.org|us-east-1|none")
    assert registry.claim_domain_certificate(ZONE, MEMBER, 1000, "a.example.org|us-east-1|none")
    assert not registry.claim_domain_certificate(ZONE, MEMBER, 1000, "b.example.org|us-east-1|none")
    assert not registry.claim_domain_certificate(ZONE, MEMBER, 1000)
    item = registry.get(ZONE)
    assert (item.certificate_decided_at, item.certificate_wants) == (2000, "a.example.org|us-east-1|none")
    registry.put(item.model_copy(update={"torn_down_by": "evt-teardown"}))
    assert not registry.claim_domain_certificate(ZONE, MEMBER, 1000, "a.example.org|us-east-1|none")


def test_outputs_are_recorded_only_while_the_zone_is_the_accounts_and_not_being_torn_down(registry):
    registry.put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1"))
    parameter = {"region": "us-east-1", "name": f"/orgdns/{ZONE}/hosted-zone-id", "value": "Z1"}
    assert registry.set_parameters(ZONE, MEMBER, [parameter])
    assert [p.name for p in registry.get(ZONE).parameters] == [parameter["name"]]
    assert not registry.set_parameters(ZONE, OTHER, [])
    registry.put(registry.get(ZONE).model_copy(update={"torn_down_by": "evt-teardown"}))
    assert not registry.set_parameters(ZONE, MEMBER, [])


def test_a_warning_is_claimed_once_per_reason_and_cleared(registry):
    registry.put(ManagedZone(zone_name=ZONE, account_id=MEMBER, hosted_zone_id="Z1"))
    arn = "arn:aws:acm:us-east-1:444455556666:certificate/abc"
    assert registry.claim_warning(ZONE, MEMBER, arn, "NotInUse")
    assert not registry.claim_warning(ZONE, MEMBER, arn, "NotInUse")
    assert registry.claim_warning(ZONE, MEMBER, arn, "CertificateExpired")  # another reason
    registry.clear_warning(ZONE, MEMBER, arn)
    registry.clear_warning(ZONE, MEMBER, arn)  # nothing to clear: no error
    assert registry.claim_warning(ZONE, MEMBER, arn, "NotInUse")
    assert registry.get(ZONE).renewal_warnings == {arn: "NotInUse"}


def test_reconcile_warnings_are_spread_over_shards_written_only_when_they_change(registry, dynamodb):
    """Each finding warned about is remembered (about 150 bytes): one item would hold some 2,500 of
    them (DynamoDB's 400 KB), so they are spread over 32 items by a hash of the finding's key."""
    from orgdns.aws.registry import WARNING_SHARDS, warning_shard

    warnings = {f"DanglingDelegation|{MANAGEMENT}|example.org|old{i:05d}.example.org": "f" * 64 for i in range(6000)}
    registry.set_reconcile_warnings(warnings, {})
    assert registry.reconcile_warnings() == warnings
    shards = {warning_shard(key) for key in warnings}
    assert len(shards) == WARNING_SHARDS  # every shard has some, none all
    sizes = [
        len(json.dumps(dynamodb.get_item(TableName="registry", Key={"zoneName": {"S": s}})["Item"])) for s in shards
    ]
    assert max(sizes) < 100_000
    # One finding changes: only its shard is written again.
    changed = dict(warnings)
    first = next(iter(changed))
    changed[first] = "g" * 64
    calls = []
    original = registry._client.put_item
    registry._client.put_item = lambda **kw: calls.append(kw["Item"]["zoneName"]["S"]) or original(**kw)
    registry.set_reconcile_warnings(changed, warnings)
    assert calls == [warning_shard(first)]
    assert registry.reconcile_warnings() == changed
    # Every finding gone: the shards are deleted.
    registry.set_reconcile_warnings({}, changed)
    assert registry.reconcile_warnings() == {}


def test_reconcile_warnings_of_the_first_format_are_read_and_moved_into_the_shards(registry, dynamodb):
    from orgdns.aws.attributes import serialize

    old = {"TagDrift|1|a.example.org|": "x"}
    item = {"zoneName": {"S": "reconcile#warnings"}, "kind": {"S": "reconcile"}, "warnings": serialize(old)}
    dynamodb.put_item(TableName="registry", Item=item)
    assert registry.reconcile_warnings() == old
    registry.set_reconcile_warnings(old, old)  # unchanged, but still in the first format: moved
    assert "Item" not in dynamodb.get_item(TableName="registry", Key={"zoneName": {"S": "reconcile#warnings"}})
    assert Registry(dynamodb, "registry").reconcile_warnings() == old


def test_a_zone_found_missing_is_found_torn_down_even_when_batch_get_read_the_tombstone_first(registry, monkeypatch):
    """BatchGetItem reads its keys independently: the tombstone's key read before a teardown wrote it,
    the item's after the teardown deleted it. The tombstone is read again, after the item."""
    registry.put(managed_zone())
    original = registry._batch_get

    def straddled(keys):
        before = original(keys)  # the tombstone's key read here, before the teardown
        registry.mark_torn_down(ZONE)
        registry.delete(ZONE, "ZDEMO")  # the item's key read after
        return [item for item in before if item["zoneName"]["S"] != ZONE]

    monkeypatch.setattr(registry, "_batch_get", straddled)
    item, torn = registry.get_with_tombstone(ZONE)
    assert item is None and isinstance(torn, int)
