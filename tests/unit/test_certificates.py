import pytest

from orgdns.certificates import (
    certificate_names,
    covers_exactly,
    deduplicate_validation_records,
    validation_record_domain,
)
from orgdns.errors import RequestRejected


def test_names_are_apex_wildcard_and_extras_without_duplicates():
    assert certificate_names("demo.example.org", ["My-Budget-Advisor.example", "demo.example.org"]) == [
        "demo.example.org",
        "*.demo.example.org",
        "my-budget-advisor.example",
    ]


def test_too_many_names_is_rejected():
    with pytest.raises(RequestRejected, match="at most 10"):
        certificate_names("demo.example.org", [f"n{i}.example.org" for i in range(9)])


def test_invalid_extra_name_names_the_field():
    with pytest.raises(RequestRejected) as caught:
        certificate_names("demo.example.org", ["*.other.example.org"])
    assert caught.value.field == "extraNames"


def test_reuse_needs_exactly_the_same_names():
    wanted = ["demo.example.org", "*.demo.example.org"]
    assert covers_exactly({"*.demo.example.org", "DEMO.example.org"}, wanted)
    assert not covers_exactly({"demo.example.org"}, wanted)
    assert not covers_exactly({"demo.example.org", "*.demo.example.org", "x.example.org"}, wanted)


def test_apex_and_wildcard_share_one_record_across_regions():
    records = deduplicate_validation_records(
        [
            ("demo.example.org", "_a.demo.example.org", "_v.acm-validations.aws"),
            ("*.demo.example.org", "_a.demo.example.org", "_v.acm-validations.aws"),
            ("demo.example.org", "_a.demo.example.org", "_v.acm-validations.aws"),  # second Region
            ("x.example.net", "_b.x.example.net", "_w.acm-validations.aws"),
        ]
    )
    assert [(r.name, r.domains) for r in records] == [
        ("_a.demo.example.org", ("demo.example.org", "*.demo.example.org")),
        ("_b.x.example.net", ("x.example.net",)),
    ]


def test_conflicting_values_for_one_record_are_an_error():
    with pytest.raises(ValueError, match="two values"):
        deduplicate_validation_records([("a.org", "_a.a.org", "x"), ("a.org", "_a.a.org", "y")])


def test_validation_record_domain():
    assert validation_record_domain("_abc.demo.example.org") == "demo.example.org"
