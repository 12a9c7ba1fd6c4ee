"""WriteChanges: the record writer. Every run's check of its name in the parent zone, its
delegation, its validation records bound for a zone another run may write to, and a teardown's
deletions arrive here as messages on the record queue (with the run's task token); one invocation
takes the batch SQS hands it and answers each run.

Per hosted zone, one pass: reads the names it is asked about as one range of the zone's
listing, plans every change against what is there and what orgdns owns (the registry), writes
them in the fewest ChangeResourceRecordSets calls Route 53 allows (``orgdns.batches``), and
answers each run with its own change ids. A batch Route 53 refuses is split and each record sent
alone, as external-dns does, so one bad record fails only its own run, with Route 53's message.
A DELETE removes a record only while it is exactly as the run says orgdns wrote it; a record
changed since is left in place and reported. A transient error (throttling,
PriorRequestNotComplete, 5xx) leaves the zone's messages on the queue: SQS hands them out again,
and the re-read makes the second pass write only what the first did not.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from orgdns.aws.access import AwsAccess
from orgdns.aws.clients import error_code
from orgdns.aws.route53 import Route53
from orgdns.batches import batches
from orgdns.errors import (
    AccountNotReady,
    ApiThrottling,
    HostedZoneNotFound,
    OrgDnsError,
    PriorRequestNotComplete,
    RecordConflict,
    RecordRejected,
    Route53Throttling,
    TransientAwsError,
)
from orgdns.models import (
    ChangeRef,
    ChangesResult,
    DelegationResult,
    ManagedZone,
    RecordChange,
    RecordRequest,
    RecordSpec,
)
from orgdns.records import foreign_records, owned_records, plan_write, same_content

# Errors that pass: the messages go back to the queue and are handed out again.
RETRYABLE = (Route53Throttling, PriorRequestNotComplete, ApiThrottling, TransientAwsError, AccountNotReady)

RecordName = tuple[str, str]  # (name in lowercase, type)


@dataclass
class Pending:
    """One request of the batch and what has become of it so far."""

    message_id: str
    request: RecordRequest
    result: ChangesResult = field(default_factory=ChangesResult)
    error: tuple[str, str] | None = None  # (error name, message): the request fails with it
    retry: bool = False  # a zone it touches met a passing error: SQS hands it out again

    def fail(self, error: str, message: str) -> None:
        if self.error is None:
            self.error = (error, message)


@dataclass
class Part:
    """One change of a request, in the zone being written."""

    pending: Pending
    change: RecordChange

    @property
    def record(self) -> RecordSpec:
        return self.change.record

    @property
    def key(self) -> RecordName:
        return (self.record.name.lower(), self.record.type)


@dataclass
class BatchOutcome:
    retry: list[str] = field(default_factory=list)  # message ids to hand out again (SQS batch item failures)
    answered: set[str] = field(default_factory=set)  # task tokens answered
    change_calls: int = 0


def write_changes(messages: Iterable[tuple[str, RecordRequest]], aws: AwsAccess) -> BatchOutcome:
    requests = [Pending(message_id, request) for message_id, request in messages]
    zones: dict[tuple[str, str], list[Pending]] = defaultdict(list)
    for pending in requests:
        for account_id, zone_id, _ in pending.request.targets():
            zones[(account_id, zone_id)].append(pending)
    outcome = BatchOutcome()
    for (account_id, zone_id), in_zone in sorted(zones.items()):
        try:
            _zone(account_id, zone_id, in_zone, aws, outcome)
        except RETRYABLE:
            for pending in in_zone:
                pending.retry = True
        except (ClientError, OrgDnsError) as exc:
            # Not passing (AccessDenied from a member role that does not allow this change, say):
            # the requests bound for this zone fail with AWS's answer; the batch's others go on.
            code = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
            for pending in in_zone:
                pending.fail(code, f"zone {zone_id} of account {account_id}: {exc}")
    for pending in requests:
        _answer(pending, aws, outcome)
    return outcome


def _answer(pending: Pending, aws: AwsAccess, outcome: BatchOutcome) -> None:
    """Answer a request once every zone it touches is done (a check is answered in its zone)."""
    token = pending.request.task_token
    if token in outcome.answered:
        return
    if pending.retry:
        outcome.retry.append(pending.message_id)
        return
    tokens = aws.task_tokens()
    try:
        if pending.error is not None:
            tokens.fail(token, *pending.error)
        elif pending.request.record is not None and not pending.request.changes:  # a delegation
            change = pending.result.changes[0] if pending.result.changes else None
            result = DelegationResult(record=pending.request.record, change=change, in_sync=change is None)
            tokens.succeed(token, result.model_dump(mode="json", by_alias=True, exclude_none=True))
        else:
            tokens.succeed(token, pending.result.model_dump(mode="json", by_alias=True, exclude_none=True))
    except RETRYABLE:
        # Step Functions throttled the answer: the request comes back, and its second pass finds
        # its records written and answers then.
        outcome.retry.append(pending.message_id)
        return
    outcome.answered.add(token)


def _zone(account_id: str, zone_id: str, in_zone: list[Pending], aws: AwsAccess, outcome: BatchOutcome) -> None:
    checks = [p for p in in_zone if p.request.kind == "check"]
    parts = [
        Part(p, change)
        for p in in_zone
        for change in p.request.all_changes()
        if (change.record.account_id, change.record.hosted_zone_id) == (account_id, zone_id)
    ]
    owners = aws.registry().get_many(
        {p.request.name for p in checks} | {part.change.owner for part in parts if part.change.owner is not None}
    )
    route53 = aws.route53(account_id)
    try:
        if checks:
            current = route53.records_named(zone_id, [p.request.name for p in checks])
            for p in checks:
                _check(p, zone_id, current, owners, aws=aws, outcome=outcome)
        careful = _write_as_expected(parts, zone_id, route53, owners, outcome)
        if careful:
            current = route53.records_named(zone_id, [part.record.name for part in careful])
            _write_as_found(careful, zone_id, route53, current, owners=owners, outcome=outcome)
    except HostedZoneNotFound:
        _zone_gone(account_id, zone_id, in_zone, checks=checks, parts=parts, aws=aws, outcome=outcome)


def _write_as_expected(
    parts: list[Part], zone_id: str, route53: Route53, owners: dict[str, ManagedZone], outcome: BatchOutcome
) -> list[Part]:
    """Write without reading first, with Route 53's conditional actions: CREATE fails if the record
    set exists, DELETE unless it is exactly as given. A delegation's name was checked free by its
    run's ReserveName, a CNAME Route 53 refuses beside other records itself, a DELETE repeats what
    orgdns wrote: so in a burst every batch goes through as it is, one request per batch, no
    listing of the zone. Returned, to be written against what the zone holds
    (``_write_as_found``): the changes of a batch Route 53 refused, a rerun's (the registry had the
    record), an NS record whose name was not checked in this zone (Route 53 takes one beside other
    records, which it would hide), and an UPSERT of a record this pass deletes."""
    deleting = {part.key for part in parts if part.change.action == "DELETE"}
    careful: list[Part] = []
    changes: list[tuple[Part, str]] = []
    first: dict[tuple[str, RecordName], Part] = {}  # (action, record): the part whose change serves it
    for part in parts:
        if part.change.action == "UPSERT":
            if not _may_write(part, owners):
                continue
            if (
                part.key in deleting  # written after the DELETE, against what is there then
                or part.change.written_before  # a rerun: most likely there already
                or (part.record.type != "CNAME" and not part.change.name_checked)  # NS beside others?
            ):
                careful.append(part)
                continue
        action = "CREATE" if part.change.action == "UPSERT" else "DELETE"
        served = first.get((action, part.key))
        if served is None:
            first[(action, part.key)] = part
            changes.append((part, action))
        elif action == "CREATE" and not same_content(served.record, part.record):
            part.pending.fail(
                "RecordConflict",
                f"another run asks for {part.record.type} {part.record.name} with other values at the same time; "
                "nothing was written for this one",
            )
        else:
            changes.append((part, action))  # the same record as another request's: it shares that change
    for batch in batches(((part, action), action, part.record) for part, action in changes):
        unique = {(action, part.key): part.record for part, action in batch}
        try:
            change_id = route53.change(
                zone_id,
                [(action, record) for (action, _), record in unique.items()],
                f"orgdns: {len(unique)} record change(s) for {len({p.pending.message_id for p, _ in batch})} run(s)",
            )
        except RecordRejected:
            careful.extend(part for part, _ in batch)
        else:
            _done(batch, ChangeRef(account_id=batch[0][0].record.account_id or "", change_id=change_id))
        finally:
            outcome.change_calls += 1
    return careful


def _may_write(part: Part, owners: dict[str, ManagedZone]) -> bool:
    """An UPSERT's zone must still be registered for its account, and not being torn down."""
    owner = owners.get(part.change.owner or "")
    if owner is None or owner.account_id != part.change.owner_account_id or owner.torn_down_by is not None:
        part.pending.fail(
            "ZoneWithdrawn",
            f"{part.change.owner} was torn down while its records were being written; nothing was written",
        )
        return False
    return True


def _write_as_found(
    parts: list[Part],
    zone_id: str,
    route53: Route53,
    current: dict[str, list[RecordSpec]],
    *,
    owners: dict[str, ManagedZone],
    outcome: BatchOutcome,
) -> None:
    """Plan each change against what the zone holds and what orgdns owns, then write it. The
    DELETEs go first in the batch: an UPSERT of a record being deleted is planned against the
    zone without it."""
    deletes = _plan_deletes([part for part in parts if part.change.action == "DELETE"], current)
    going = {part.key for part in deletes}
    after = {
        name: [r for r in records if (name, r.type) not in going] for name, records in current.items()
    }  # what the zone holds once the DELETEs are applied
    upserts = _plan_upserts([part for part in parts if part.change.action == "UPSERT"], after, owners)
    changes = [(part, "DELETE") for part in deletes] + [(part, "UPSERT") for part in upserts]
    for batch in batches(
        ((part, action), action, _current_or_wanted(part, action, current)) for part, action in changes
    ):
        _write(batch, zone_id, route53, current, outcome)


def _zone_gone(
    account_id: str,
    zone_id: str,
    in_zone: list[Pending],
    *,
    checks: list[Pending],
    parts: list[Part],
    aws: AwsAccess,
    outcome: BatchOutcome,
) -> None:
    zone_name = next(
        (
            name
            for p in in_zone
            for account, zone, name in p.request.targets()
            if (account, zone) == (account_id, zone_id)
        ),
        "",
    )
    message = f"parent zone {zone_name} ({zone_id}) no longer exists"
    for p in checks:
        if p.request.task_token not in outcome.answered:
            aws.task_tokens().fail(p.request.task_token, "ParentZoneMissing", message)
            outcome.answered.add(p.request.task_token)
    for part in parts:
        if part.change.action == "DELETE":  # the record went with its zone
            part.pending.result.removed.append(part.record)
        else:
            part.pending.fail("ParentZoneMissing", message)


def _check(
    p: Pending,
    zone_id: str,
    current: dict[str, list[RecordSpec]],
    owners: dict[str, ManagedZone],
    *,
    aws: AwsAccess,
    outcome: BatchOutcome,
) -> None:
    decision = p.request.decision
    assert decision is not None and decision.plan is not None
    plan = decision.plan
    item = owners.get(plan.zone_name)
    item = item if item is not None and item.account_id == plan.account_id else None
    foreign = foreign_records(current.get(plan.zone_name.lower(), []), zone_id, item)
    if foreign:
        taken = ", ".join(sorted({r.type for r in foreign}))
        decision = decision.model_copy(
            update={
                "decision": "Reject",
                "reason": "NameInUse",
                "message": (
                    f"{plan.parent.zone_name} already has {taken} records at {plan.zone_name} that orgdns did not "
                    "write; if they are a delegation made by hand, orgdns reconcile can adopt it"
                ),
                "field": "zoneName",
                "plan": None,
            }
        )
    aws.task_tokens().succeed(p.request.task_token, decision.model_dump(mode="json", by_alias=True, exclude_none=True))
    outcome.answered.add(p.request.task_token)


def _plan_deletes(parts: list[Part], current: dict[str, list[RecordSpec]]) -> list[Part]:
    """The DELETEs to send: a record still exactly as orgdns wrote it. One already gone counts
    as removed; one changed since is left in place and reported."""
    planned: list[Part] = []
    seen: set[RecordName] = set()
    for part in parts:
        there = [r for r in current.get(part.record.name.lower(), []) if r.type == part.record.type]
        if not there:
            part.pending.result.removed.append(part.record)
        elif same_content(there[0], part.record):
            if part.key in seen:  # two runs removing the same record: the first DELETE serves both
                part.pending.result.removed.append(part.record)
                continue
            seen.add(part.key)
            planned.append(part)
        else:
            part.pending.result.left.append(there[0].model_copy(update={"zone_name": part.record.zone_name}))
    return planned


def _plan_upserts(
    parts: list[Part], current: dict[str, list[RecordSpec]], owners: dict[str, ManagedZone]
) -> list[Part]:
    """The UPSERTs to send; every other part is settled here (nothing to write, or refused)."""
    planned: list[Part] = []
    first: dict[RecordName, RecordSpec] = {}  # the record a request of this batch writes at that name
    for part in parts:
        record = part.record
        if not _may_write(part, owners):
            continue
        owner = owners[part.change.owner or ""]
        try:
            if part.key in first and not same_content(first[part.key], record):
                raise RecordConflict(
                    f"another run asks for {record.type} {record.name} with other values at the same time; "
                    "nothing was written for this one"
                )
            needed = part.key not in first and plan_write(
                record, current.get(record.name.lower(), []), owned_records([owner]), owner.superseded
            )
        except OrgDnsError as exc:
            part.pending.fail(type(exc).__name__, str(exc))
            continue
        if part.key in first:
            planned.append(part)  # the same record as another request's: it shares that change
            continue
        first[part.key] = record
        if needed:
            planned.append(part)
        else:
            part.pending.result.written.append(record)
    return planned


def _current_or_wanted(part: Part, action: str, current: dict[str, list[RecordSpec]]) -> RecordSpec:
    """What a change sends: a DELETE repeats the record exactly as the zone holds it."""
    if action == "UPSERT":
        return part.record
    there = next(r for r in current.get(part.record.name.lower(), []) if r.type == part.record.type)
    return there.model_copy(update={"hosted_zone_id": part.record.hosted_zone_id})


def _write(
    batch: list[tuple[Part, str]],
    zone_id: str,
    route53: Route53,
    current: dict[str, list[RecordSpec]],
    outcome: BatchOutcome,
) -> None:
    """One ChangeResourceRecordSets for the batch (a record asked for twice goes once); if Route 53
    refuses it, each record alone, so only the bad one fails."""
    unique: dict[tuple[str, RecordName], RecordSpec] = {}
    for part, action in batch:
        unique.setdefault((action, part.key), _current_or_wanted(part, action, current))
    account_id = batch[0][0].record.account_id or ""
    try:
        change_id = route53.change(
            zone_id,
            [(action, record) for (action, _), record in unique.items()],
            f"orgdns: {len(unique)} record change(s) for {len({p.pending.message_id for p, _ in batch})} run(s)",
        )
        outcome.change_calls += 1
    except RecordRejected as exc:
        outcome.change_calls += 1
        if len(unique) == 1:
            for part, _ in batch:
                part.pending.fail("RecordRejected", str(exc))
            return
        by_record: dict[tuple[str, RecordName], list[tuple[Part, str]]] = defaultdict(list)
        for part, action in batch:
            by_record[(action, part.key)].append((part, action))
        for group in by_record.values():
            _write(group, zone_id, route53, current, outcome)
        return
    _done(batch, ChangeRef(account_id=account_id, change_id=change_id))


def _done(batch: list[tuple[Part, str]], change: ChangeRef) -> None:
    for part, action in batch:
        result = part.pending.result
        (result.removed if action == "DELETE" else result.written).append(part.record)
        if change not in result.changes:
            result.changes.append(change)
