import pytest

from orgdns.errors import RequestRejected
from orgdns.names import is_subdomain, is_within, normalise_domain_name, split_list


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("staging.demo.example.org", "staging.demo.example.org"),
        ("Staging.Demo.EXAMPLE.org", "staging.demo.example.org"),
        ("staging.demo.example.org.", "staging.demo.example.org"),
        ("  a-b.example.org ", "a-b.example.org"),
        ("xn--bcher-kva.example.org", "xn--bcher-kva.example.org"),
        ("0day.example.org", "0day.example.org"),
    ],
)
def test_normalises(raw, expected):
    assert normalise_domain_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "is empty"),
        (".", "is empty"),
        ("*.example.org", "contains '*'"),
        ("a..example.org", "empty label"),
        ("example", "single label"),
        ("a_b.example.org", "letters, digits"),
        ("-a.example.org", "letters, digits"),
        ("a-.example.org", "letters, digits"),
        ("bücher.example.org", "xn--bcher-kva.example.org"),
        ("a" * 64 + ".example.org", "at most 63"),
        (".".join(["abcdefghi"] * 26), "at most 253"),
        ("example.123", "numeric label"),
        ("a b.example.org", "letters, digits"),
        ("example.org..", "empty label"),
    ],
)
def test_rejects_with_a_reason(raw, fragment):
    with pytest.raises(RequestRejected) as caught:
        normalise_domain_name(raw)
    assert fragment in caught.value.message
    assert caught.value.field == "zoneName"


def test_rejects_non_strings():
    with pytest.raises(RequestRejected, match="must be a string"):
        normalise_domain_name(["a.example.org"])


def test_subdomain_relations_respect_label_boundaries():
    assert is_subdomain("a.example.org", "example.org")
    assert not is_subdomain("example.org", "example.org")
    assert not is_subdomain("badexample.org", "example.org")
    assert is_within("example.org", "example.org")


def test_split_list_uses_spaces():
    assert split_list(" a.example.org  b.example.org ") == ["a.example.org", "b.example.org"]
