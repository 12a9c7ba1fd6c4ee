"""FinishTeardown changes the registry only after the record writer: moved children get their
new parent and record, the torn-down zones' items go (if still theirs)."""

from orgdns.aws.access import AwsAccess
from orgdns.models import ManagedZone, RecordChange, RecordSpec, TeardownResult, WorkflowState, ZoneRef
from orgdns.steps.finish_teardown import finish_teardown
from tests.unit.moto_world import MANAGEMENT, management_with_root, settings

PARENT, CHILD = "111100001111", "222200002222"


def test_children_move_and_the_zone_goes_after_the_writer(monkeypatch):
    with management_with_root(monkeypatch) as root:
        aws = AwsAccess(settings(root))
        registry = aws.registry()
        old_ns = RecordSpec(name="c.p.example.org", type="NS", ttl=60, values=["ns-1.awsdns-01.org"],
                            zone_name="p.example.org", hosted_zone_id="ZP", account_id=PARENT)  # fmt: skip
        registry.put(ManagedZone(zone_name="p.example.org", account_id=PARENT, hosted_zone_id="ZP",
                                 parent_zone_name="example.org", torn_down_by="evt-1"))  # fmt: skip
        registry.put(ManagedZone(zone_name="c.p.example.org", account_id=CHILD, hosted_zone_id="ZC",
                                 parent_zone_name="p.example.org", records=[old_ns]))  # fmt: skip
        new_ns = old_ns.model_copy(
            update={"zone_name": "example.org", "hosted_zone_id": root, "account_id": MANAGEMENT}
        )
        teardown = TeardownResult(
            zones=["p.example.org"],
            changes=[RecordChange(record=new_ns, owner="c.p.example.org", owner_account_id=CHILD)],
            forget=[ZoneRef(zone_name="p.example.org", account_id=PARENT, hosted_zone_id="ZP")],
            children_moved=["c.p.example.org"],
        )
        # RemoveDelegation planned the move: the child's item is untouched until now
        assert registry.get("c.p.example.org").parent_zone_name == "p.example.org"
        result = finish_teardown(WorkflowState(teardown=teardown), aws)
        child = registry.get("c.p.example.org")
        assert (child.parent_zone_name, child.parent_hosted_zone_id) == ("example.org", root)
        assert [r.hosted_zone_id for r in child.records] == [root]
        assert registry.get("p.example.org") is None
        assert result.changes == [] and result.forget == [] and result.children_moved == ["c.p.example.org"]


def test_a_run_reading_the_registry_while_the_zone_is_forgotten_finds_the_zone_or_its_tombstone(monkeypatch):
    """FinishTeardown forgets a zone in two requests, and a CreateZone planned before the teardown
    (the account's tags removed meanwhile) may read between them: it must find the item (its
    conditional write then fails) or the tombstone (ZoneWithdrawn), never neither, or it registers
    the zone again and follows tags that are gone."""
    with management_with_root(monkeypatch) as root:
        aws = AwsAccess(settings(root))
        registry = aws.registry()
        registry.put(ManagedZone(zone_name="race.example.org", account_id=CHILD, hosted_zone_id="ZR",
                                 parent_zone_name="example.org", torn_down_by="evt-1"))  # fmt: skip
        seen = []  # (item found, tombstone found), read after each of FinishTeardown's writes

        def read_between(**_):
            item, torn = registry.get_with_tombstone("race.example.org")
            seen.append((item is not None, torn is not None))

        events = aws.sessions.home_client("dynamodb").meta.events
        for operation in ("PutItem", "DeleteItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem"):
            events.register(f"after-call.dynamodb.{operation}", read_between)
        teardown = TeardownResult(
            zones=["race.example.org"],
            forget=[ZoneRef(zone_name="race.example.org", account_id=CHILD, hosted_zone_id="ZR")],
        )
        finish_teardown(WorkflowState(teardown=teardown), aws)
        assert seen and seen[-1] == (False, True)
        assert (False, False) not in seen
