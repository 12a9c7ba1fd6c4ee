from orgdns.models import ManagedZone
from orgdns.zones import KnownZone, authoritative_zone, children_to_adopt, find_parent, known_zones

ROOT = KnownZone("example.org", "111111111111", "ZROOT", root=True)
DEMO = KnownZone("demo.example.org", "222222222222", "ZDEMO")


def test_parent_is_the_longest_known_zone_strictly_above():
    assert find_parent("staging.demo.example.org", [ROOT, DEMO]) == DEMO
    assert find_parent("demo.example.org", [ROOT, DEMO]) == ROOT
    assert find_parent("other.example.net", [ROOT, DEMO]) is None
    assert find_parent("ademo.example.org", [ROOT, DEMO]) == ROOT


def test_authoritative_zone_includes_the_zone_itself():
    assert authoritative_zone("_x.demo.example.org", [ROOT, DEMO]) == DEMO
    assert authoritative_zone("demo.example.org", [ROOT, DEMO]) == DEMO
    assert authoritative_zone("my-budget-advisor.example", [ROOT, DEMO]) is None


def test_registry_entries_do_not_shadow_configured_roots():
    registry = [ManagedZone(zone_name="example.org", account_id="999999999999", hosted_zone_id="ZX")]
    assert known_zones([ROOT], registry) == [ROOT]


def _zone(name, parent):
    return ManagedZone(zone_name=name, account_id="333333333333", hosted_zone_id="Z" + name, parent_zone_name=parent)


def test_children_delegated_from_above_move_under_a_new_zone():
    registry = [
        _zone("staging.demo.example.org", "example.org"),  # set up before demo existed
        _zone("a.staging.demo.example.org", "staging.demo.example.org"),  # stays under staging
        _zone("qa.demo.example.org", "demo.example.org"),  # already under demo
        _zone("other.example.org", "example.org"),  # not below demo
    ]
    moved = children_to_adopt("demo.example.org", registry)
    assert [z.zone_name for z in moved] == ["staging.demo.example.org"]
