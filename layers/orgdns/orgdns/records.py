"""Whether orgdns may write a record: it never overwrites or deletes what it did not write."""

from collections.abc import Iterable

from orgdns.errors import RecordConflict
from orgdns.models import ManagedZone, RecordSpec

RecordKey = tuple[str, str, str]  # (hosted zone id, name, type)


def key(record: RecordSpec) -> RecordKey:
    return (record.hosted_zone_id or "", record.name, record.type)


def owned_records(registry: Iterable[ManagedZone]) -> dict[RecordKey, RecordSpec]:
    """Every record the registry says orgdns wrote, by where it lives."""
    return {key(record): record for zone in registry for record in zone.records}


def same_content(a: RecordSpec, b: RecordSpec) -> bool:
    return (
        a.type == b.type
        and sorted(a.values) == sorted(b.values)
        and a.alias_target == b.alias_target
        and (a.alias_target is not None or a.ttl == b.ttl)
    )


def plan_write(
    wanted: RecordSpec,
    existing: list[RecordSpec],
    owned: dict[RecordKey, RecordSpec],
    superseded: Iterable[RecordSpec] = (),
) -> bool:
    """Decide whether ``wanted`` must be UPSERTed into its zone.

    Returns False when the zone already holds exactly ``wanted`` (a rerun writes nothing), True
    when it is absent or orgdns wrote the record that is there now (as ``owned`` says, or an earlier
    content orgdns wrote that this write replaces: ``superseded``), and raises RecordConflict
    when writing would overwrite a record orgdns did not write, or put a CNAME or NS record
    beside other records of the same name.
    """
    for record in existing:
        if record.type == wanted.type:
            if same_content(record, wanted):
                return False
            ours = [r for r in [owned.get(key(wanted)), *superseded] if r is not None and key(r) == key(wanted)]
            if not any(same_content(r, record) for r in ours):
                raise RecordConflict(
                    f"{wanted.zone_name or wanted.hosted_zone_id} already holds {record.type} {record.name} = "
                    f"{', '.join(record.values) or record.alias_target}; orgdns did not write it and will not "
                    "overwrite it"
                )
            return True
    exclusive = {"CNAME", "NS"}
    at_apex = wanted.name == wanted.zone_name
    others = [r for r in existing if r.type not in {wanted.type, "SOA"} and not (at_apex and r.type == "NS")]
    if others and (wanted.type in exclusive or any(r.type in exclusive for r in others)):
        raise RecordConflict(
            f"{wanted.zone_name or wanted.hosted_zone_id} already has {', '.join(sorted({r.type for r in others}))} "
            f"records at {wanted.name}; a {wanted.type} record cannot be added beside them"
        )
    return True


def merge_records(records: list[RecordSpec], new: list[RecordSpec]) -> list[RecordSpec]:
    """Replace records of the same (zone, name, type), keep the rest."""
    keys = {key(r) for r in new}
    return [r for r in records if key(r) not in keys] + list(new)


def foreign_records(in_parent: list[RecordSpec], parent_zone_id: str, item: ManagedZone | None) -> list[RecordSpec]:
    """The records at a name in its parent zone that orgdns did not write: at a zone's own name
    in its parent, only the zone's own delegation (``item``, if registered) is orgdns's."""
    owned = owned_records([item] if item else [])
    return [r for r in in_parent if (parent_zone_id, r.name, r.type) not in owned]
