"""How record changes bound for one hosted zone are cut into ChangeResourceRecordSets batches
(no AWS here).

Route 53 takes at most 1,000 ResourceRecord values and 32,000 characters of values in one
request, an UPSERT counting twice (it is a DELETE and a CREATE), and applies a batch all or
nothing: one change id for the whole batch, PENDING then INSYNC as one. A four-server NS UPSERT
counts 8 values, so about 125 delegations fit in one call.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from orgdns.models import RecordSpec

MAX_VALUES = 1000
MAX_CHARACTERS = 32000


@dataclass(frozen=True)
class Weight:
    values: int
    characters: int


def weight(action: str, record: RecordSpec) -> Weight:
    """What one change counts against a batch's limits. An alias record has no values but Route 53
    counts it as one; a name server or CNAME value is written with its trailing dot."""
    factor = 2 if action == "UPSERT" else 1
    values = record.values or ([record.alias_target] if record.alias_target else [""])
    characters = sum(len(value) + (1 if record.type in {"NS", "CNAME"} else 0) for value in values)
    return Weight(values=factor * len(values), characters=factor * characters)


def fits_alone(action: str, record: RecordSpec) -> bool:
    w = weight(action, record)
    return w.values <= MAX_VALUES and w.characters <= MAX_CHARACTERS


def batches[T](changes: Iterable[tuple[T, str, RecordSpec]]) -> Iterator[list[T]]:
    """Cut ``(item, action, record)`` triples, in order, into the fewest consecutive batches
    within Route 53's limits; yields the items of each batch. A change too big for any batch
    (``fits_alone`` is False) comes alone: Route 53 refuses it, and only it."""
    batch: list[T] = []
    values = characters = 0
    for item, action, record in changes:
        w = weight(action, record)
        if batch and (values + w.values > MAX_VALUES or characters + w.characters > MAX_CHARACTERS):
            yield batch
            batch, values, characters = [], 0, 0
        batch.append(item)
        values += w.values
        characters += w.characters
    if batch:
        yield batch


def listing_key(name: str) -> tuple[str, ...]:
    """Route 53 lists record sets by DNS name with the labels reversed (``com.example.www``)."""
    return tuple(reversed(name.lower().rstrip(".").split(".")))


def listing_text(name: str) -> str:
    """The same order read as one string, as some implementations compare it."""
    return ".".join(listing_key(name))


def past(name: str, last: str) -> bool:
    """Whether ``name`` comes after ``last`` in a listing under either reading of the order: a
    range read may stop there without missing a record set named ``last``."""
    return listing_key(name) > listing_key(last) and listing_text(name) > listing_text(last)
