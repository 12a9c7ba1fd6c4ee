import pytest

from orgdns.errors import RecordConflict
from orgdns.models import ManagedZone, RecordSpec
from orgdns.records import merge_records, owned_records, plan_write


def ns(values, ttl=60, zone="Z1"):
    return RecordSpec(
        name="demo.example.org", type="NS", ttl=ttl, values=values, zone_name="example.org", hosted_zone_id=zone
    )


def test_absent_record_is_written():
    assert plan_write(ns(["a", "b"]), [], {}) is True


def test_identical_record_is_not_rewritten():
    assert plan_write(ns(["a", "b"]), [ns(["b", "a"])], {}) is False


def test_foreign_record_is_never_overwritten():
    with pytest.raises(RecordConflict, match="did not write"):
        plan_write(ns(["a", "b"]), [ns(["evil"])], {})


def test_record_orgdns_wrote_may_be_updated():
    registry = [ManagedZone(zone_name="demo.example.org", account_id="1", hosted_zone_id="ZD", records=[ns(["old"])])]
    assert plan_write(ns(["new"]), [ns(["old"])], owned_records(registry)) is True


def test_record_changed_since_orgdns_wrote_it_is_not_overwritten():
    registry = [ManagedZone(zone_name="demo.example.org", account_id="1", hosted_zone_id="ZD", records=[ns(["old"])])]
    with pytest.raises(RecordConflict):
        plan_write(ns(["new"]), [ns(["changed-by-hand"])], owned_records(registry))


def test_ns_beside_other_records_is_a_conflict():
    a = RecordSpec(name="demo.example.org", type="A", ttl=300, values=["192.0.2.1"], hosted_zone_id="Z1")
    with pytest.raises(RecordConflict, match="cannot be added beside"):
        plan_write(ns(["a"]), [a], {})


def test_alias_at_apex_coexists_with_apex_ns_and_soa():
    alias = RecordSpec(
        name="demo.example.org",
        type="A",
        alias_target="Z2FDTNDATAQYW2/d1.cloudfront.net",
        zone_name="demo.example.org",
        hosted_zone_id="ZD",
    )
    apex = [
        RecordSpec(name="demo.example.org", type=t, ttl=60, values=["x"], hosted_zone_id="ZD") for t in ("NS", "SOA")
    ]
    assert plan_write(alias, apex, {}) is True


def test_merge_replaces_same_key_only():
    merged = merge_records([ns(["a"]), ns(["a"], zone="Z2")], [ns(["b"])])
    assert [(r.hosted_zone_id, r.values) for r in merged] == [("Z2", ["a"]), ("Z1", ["b"])]
