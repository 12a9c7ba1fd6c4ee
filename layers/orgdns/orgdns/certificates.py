"""Certificate names, reuse and validation records (pure decisions)."""

from collections.abc import Iterable
from dataclasses import dataclass

from orgdns.errors import RequestRejected
from orgdns.names import normalise_domain_name

MAX_NAMES_PER_CERTIFICATE = 10  # ACM default quota (raisable to 100)
MAX_FIRST_NAME_LENGTH = 64  # ACM: "The first domain name ... cannot exceed 64 octets, including periods"


def certificate_names(zone_name: str, extra_names: Iterable[str], field: str = "extraNames") -> list[str]:
    """``zone``, ``*.zone`` and the extra names, deduplicated, in that order."""
    if len(zone_name) > MAX_FIRST_NAME_LENGTH:
        raise RequestRejected(
            "NameTooLongForCertificate",
            f"{zone_name} has {len(zone_name)} characters; ACM limits a certificate's first name to "
            f"{MAX_FIRST_NAME_LENGTH}, so it cannot be certified",
            "zoneName",
        )
    names = [zone_name, f"*.{zone_name}"]
    for raw in extra_names:
        name = normalise_domain_name(raw, field)
        if name not in names:
            names.append(name)
    if len(names) > MAX_NAMES_PER_CERTIFICATE:
        raise RequestRejected(
            "TooManyNames",
            f"a certificate holds at most {MAX_NAMES_PER_CERTIFICATE} names (ACM default quota): "
            f"{zone_name} and its wildcard leave room for {MAX_NAMES_PER_CERTIFICATE - 2} extra names, "
            f"{len(names) - 2} were given",
            field,
        )
    return names


def covers_exactly(certificate_names: Iterable[str], wanted: Iterable[str]) -> bool:
    """A certificate is reused only when it names exactly what is wanted: no more, no fewer."""
    return {name.lower() for name in certificate_names} == {name.lower() for name in wanted}


@dataclass(frozen=True)
class ValidationRecord:
    name: str
    value: str
    domains: tuple[str, ...]  # the certificate names this record validates


def validation_record_domain(record_name: str) -> str:
    """The name a validation record belongs under: ``_token.demo.example.org`` -> ``demo.example.org``."""
    return record_name.split(".", 1)[1] if record_name.startswith("_") and "." in record_name else record_name


def deduplicate_validation_records(options: Iterable[tuple[str, str, str]]) -> list[ValidationRecord]:
    """(domain, record name, record value) triples -> one record per name.

    The apex and its wildcard share one record, and the token is the same in every Region,
    so one CNAME serves every certificate. Two values for one name cannot both be written.
    """
    by_name: dict[str, tuple[str, list[str]]] = {}
    for domain, name, value in options:
        if name in by_name:
            known_value, domains = by_name[name]
            if known_value != value:
                raise ValueError(f"ACM gave two values for validation record {name}: {known_value}, {value}")
            if domain not in domains:
                domains.append(domain)
        else:
            by_name[name] = (value, [domain])
    return [ValidationRecord(name, value, tuple(domains)) for name, (value, domains) in sorted(by_name.items())]
