"""Domain-name rules, the same for event tags, manual input and configuration (no AWS here)."""

import re
from collections.abc import Iterable

from orgdns.errors import RequestRejected

MAX_NAME_LENGTH = 253  # presentation form without the trailing dot (RFC 1035: 255 octets on the wire)
MAX_LABEL_LENGTH = 63
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def normalise_domain_name(value: object, field: str = "zoneName") -> str:
    """Return ``value`` as a lowercase fully-qualified name without a trailing dot.

    Uppercase and one trailing dot are normalised away. Anything else that is not a plain
    host name (wildcards, underscores, non-ASCII, empty or overlong labels, a single label, an
    all-numeric top-level label) raises ``RequestRejected`` naming the field and the problem.
    """
    if not isinstance(value, str):
        raise RequestRejected("InvalidName", f"{field} must be a string, got {type(value).__name__}", field)
    name = value.strip()
    if name.endswith("."):
        name = name[:-1]
    if not name:
        raise RequestRejected("InvalidName", f"{field} is empty", field)
    if not name.isascii():
        raise RequestRejected(
            "InvalidName",
            f"{field} {value!r} is an internationalised name: give its ASCII form ({_punycode_hint(name)!r})",
            field,
        )
    name = name.lower()
    if "*" in name:
        raise RequestRejected(
            "InvalidName",
            f"{field} {value!r} contains '*': give the plain name, orgdns adds the wildcard certificate name itself",
            field,
        )
    if len(name) > MAX_NAME_LENGTH:
        raise RequestRejected(
            "InvalidName",
            f"{field} is {len(name)} characters long; a domain name has at most {MAX_NAME_LENGTH}",
            field,
        )
    labels = name.split(".")
    if len(labels) < 2:
        raise RequestRejected("InvalidName", f"{field} {value!r} is a single label, not a domain name", field)
    for label in labels:
        if not label:
            raise RequestRejected("InvalidName", f"{field} {value!r} has an empty label", field)
        if len(label) > MAX_LABEL_LENGTH:
            raise RequestRejected(
                "InvalidName",
                f"{field} has a label of {len(label)} characters ({label[:20]}...); "
                f"a label has at most {MAX_LABEL_LENGTH}",
                field,
            )
        if not _LABEL.match(label):
            raise RequestRejected(
                "InvalidName",
                f"{field} label {label!r} may hold only letters, digits and inner hyphens",
                field,
            )
    if labels[-1].isdigit():
        raise RequestRejected("InvalidName", f"{field} {value!r} ends in a numeric label", field)
    return name


def _punycode_hint(name: str) -> str:
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return "xn--..."


def is_subdomain(name: str, zone: str) -> bool:
    """True when ``name`` is strictly below ``zone`` (on a label boundary)."""
    return name.endswith("." + zone)


def is_within(name: str, zone: str) -> bool:
    """True when ``name`` is ``zone`` itself or below it."""
    return name == zone or is_subdomain(name, zone)


def ancestors(name: str) -> list[str]:
    """Every name strictly above ``name``, nearest first: ``a.b.example.org`` -> ``b.example.org``,
    ``example.org``, ``org``. The zones that could be a name's parent are among them."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels))]


def with_ancestors(names: Iterable[str]) -> set[str]:
    """Each name (a wildcard counts as its base name) and every name above it: the keys to read to
    know which managed zone answers for each."""
    out: set[str] = set()
    for name in names:
        base = name.removeprefix("*.")
        out.add(base)
        out.update(ancestors(base))
    return out


def fqdn(name: str) -> str:
    """Route 53 returns names with a trailing dot; orgdns compares them without."""
    return name if name.endswith(".") else name + "."


def bare(name: str) -> str:
    return name[:-1].lower() if name.endswith(".") else name.lower()


def split_list(value: str) -> list[str]:
    """Tag values cannot hold commas or '*': lists in tags are separated by spaces."""
    return [item for item in value.split() if item]
