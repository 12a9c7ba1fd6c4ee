"""Cutting record changes into Route 53 batches: 1,000 values and 32,000 characters a call, an
UPSERT counting twice."""

from orgdns.batches import MAX_CHARACTERS, batches, fits_alone, past, weight
from orgdns.models import RecordSpec

SERVERS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]


def ns(name: str, servers: list[str] = SERVERS) -> RecordSpec:
    return RecordSpec(name=name, type="NS", ttl=60, values=servers)


def test_a_four_server_upsert_counts_eight_values_and_its_characters_twice():
    w = weight("UPSERT", ns("a.example.org"))
    assert w.values == 8
    assert w.characters == 2 * sum(len(s) + 1 for s in SERVERS)  # each written with its trailing dot


def test_a_delete_counts_once():
    assert weight("DELETE", ns("a.example.org")).values == 4


def test_125_delegations_fit_one_call_and_the_126th_starts_the_next():
    changes = [(i, "UPSERT", ns(f"d{i}.example.org")) for i in range(126)]
    cut = list(batches(changes))
    assert [len(b) for b in cut] == [125, 1]
    assert cut[0][0] == 0 and cut[1] == [125]


def test_a_thousand_delegations_take_eight_calls():
    changes = [(i, "UPSERT", ns(f"d{i}.example.org")) for i in range(1000)]
    assert [len(b) for b in batches(changes)] == [125] * 8


def test_the_character_limit_cuts_a_batch_before_the_value_limit():
    long_value = "x" * 3000
    records = [(i, "UPSERT", RecordSpec(name=f"t{i}.example.org", type="TXT", values=[long_value])) for i in range(12)]
    cut = list(batches(records))
    assert [len(b) for b in cut] == [5, 5, 2]  # 6,000 characters each: five make 30,000
    assert all(sum(2 * 3000 for _ in b) <= MAX_CHARACTERS for b in cut)


def test_a_change_too_big_for_any_batch_comes_alone():
    huge = RecordSpec(name="h.example.org", type="TXT", values=["y" * 20000])
    assert not fits_alone("UPSERT", huge)
    cut = list(batches([(0, "UPSERT", ns("a.example.org")), (1, "UPSERT", huge), (2, "UPSERT", ns("b.example.org"))]))
    assert cut == [[0], [1], [2]]


def test_nothing_to_cut_gives_no_batch():
    assert list(batches([])) == []


def test_a_range_read_stops_only_past_the_last_name_in_both_readings_of_the_order():
    assert past("zz.example.org", "dev.example.org")
    assert not past("dev.example.org", "dev.example.org")
    # Label by label, ("org", "example", "a-b") comes after ("org", "example", "a", "b"); read as one
    # string, "org.example.a-b" comes before "org.example.a.b" ("-" < "."): not past under both.
    assert not past("a-b.example.org", "b.a.example.org")
