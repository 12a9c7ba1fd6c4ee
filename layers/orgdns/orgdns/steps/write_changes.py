"""WriteChanges: the record writer. Every run's delegation, and every run's check of its name in
the parent zone, arrives here as a message on the record queue (with the run's task token); one
invocation takes the batch SQS hands it and answers each run.

Per hosted zone, one invocation: reads the names it is asked about as one range of the zone's
listing, plans every record against what is there and what orgdns owns (the registry), writes
the records in the fewest ChangeResourceRecordSets calls Route 53 allows (``orgdns.batches``),
and answers each run with its own change id. A batch Route 53 refuses is split and each record
sent alone, as external-dns does, so one bad record fails only its own run, with Route 53's
message. A transient error (throttling, PriorRequestNotComplete, 5xx) leaves the zone's messages
on the queue: SQS hands them out again after the visibility timeout, and the re-read makes the
second pass write only what the first did not.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from orgdns.aws.access import AwsAccess
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
from orgdns.models import ChangeRef, DelegationResult, ManagedZone, RecordRequest, RecordSpec
from orgdns.records import foreign_records, owned_records, plan_write, same_content

# Errors that pass: the messages go back to the queue and are handed out again.
RETRYABLE = (Route53Throttling, PriorRequestNotComplete, ApiThrottling, TransientAwsError, AccountNotReady)


@dataclass
class Pending:
    message_id: str
    request: RecordRequest


@dataclass
class BatchOutcome:
    retry: list[str] = field(default_factory=list)  # message ids to hand out again (SQS batch item failures)
    answered: set[str] = field(default_factory=set)  # task tokens answered
    change_calls: int = 0


def write_changes(messages: Iterable[tuple[str, RecordRequest]], aws: AwsAccess) -> BatchOutcome:
    groups: dict[tuple[str, str], list[Pending]] = defaultdict(list)
    for message_id, request in messages:
        account_id, zone_id, _ = request.target
        groups[(account_id, zone_id)].append(Pending(message_id, request))
    outcome = BatchOutcome()
    for (account_id, zone_id), pending in sorted(groups.items()):
        try:
            _zone(account_id, zone_id, pending, aws, outcome)
        except RETRYABLE:
            outcome.retry.extend(p.message_id for p in pending if p.request.task_token not in outcome.answered)
    return outcome


def _answer(outcome: BatchOutcome, token: str) -> None:
    outcome.answered.add(token)


def _zone(account_id: str, zone_id: str, pending: list[Pending], aws: AwsAccess, outcome: BatchOutcome) -> None:
    tokens = aws.task_tokens()
    checks = [p for p in pending if p.request.kind == "check"]
    changes = [p for p in pending if p.request.kind == "change"]
    registry = aws.registry()
    owners = registry.get_many(
        {p.request.name for p in checks} | {p.request.owner for p in changes if p.request.owner is not None}
    )
    route53 = aws.route53(account_id)
    try:
        current = route53.records_named(zone_id, [p.request.name for p in pending])
    except HostedZoneNotFound:
        for p in pending:
            zone_name = p.request.target[2]
            tokens.fail(
                p.request.task_token, "ParentZoneMissing", f"parent zone {zone_name} ({zone_id}) no longer exists"
            )
            _answer(outcome, p.request.task_token)
        return

    for p in checks:
        _check(p.request, zone_id, current, owners, aws)
        _answer(outcome, p.request.task_token)

    planned = _plan(changes, current, owners, aws, outcome)
    for batch in batches((p, "UPSERT", _record(p)) for p in planned):
        _write(batch, zone_id, route53, aws, outcome)


def _check(
    request: RecordRequest,
    zone_id: str,
    current: dict[str, list[RecordSpec]],
    owners: dict[str, ManagedZone],
    aws: AwsAccess,
) -> None:
    decision = request.decision
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
    aws.task_tokens().succeed(request.task_token, decision.model_dump(mode="json", by_alias=True, exclude_none=True))


def _record(p: Pending) -> RecordSpec:
    assert p.request.record is not None
    return p.request.record


def _plan(
    changes: list[Pending],
    current: dict[str, list[RecordSpec]],
    owners: dict[str, ManagedZone],
    aws: AwsAccess,
    outcome: BatchOutcome,
) -> list[Pending]:
    """The changes to write; every other request is answered here (nothing to write, or refused)."""
    tokens = aws.task_tokens()
    planned: list[Pending] = []
    first: dict[tuple[str, str], RecordSpec] = {}  # (name, type) -> the record a request of this batch writes
    for p in changes:
        record = _record(p)
        owner = owners.get(p.request.owner or "")
        if owner is None or owner.account_id != p.request.owner_account_id:
            tokens.fail(
                p.request.task_token,
                "ZoneWithdrawn",
                f"{p.request.owner} was torn down while it was being delegated; nothing was written",
            )
            _answer(outcome, p.request.task_token)
            continue
        name_key = (record.name.lower(), record.type)
        try:
            if name_key in first and not same_content(first[name_key], record):
                raise RecordConflict(
                    f"another run asks for {record.type} {record.name} with other values at the same time; "
                    "nothing was written for this one"
                )
            needed = name_key not in first and plan_write(
                record, current.get(record.name.lower(), []), owned_records([owner])
            )
        except OrgDnsError as exc:
            tokens.fail(p.request.task_token, type(exc).__name__, str(exc))
            _answer(outcome, p.request.task_token)
            continue
        if name_key in first:
            planned.append(p)  # the same record as another request's: it shares that change
            continue
        first[name_key] = record
        if needed:
            planned.append(p)
        else:
            tokens.succeed(p.request.task_token, _result(record, None))
            _answer(outcome, p.request.task_token)
    return planned


def _write(batch: list[Pending], zone_id: str, route53: Route53, aws: AwsAccess, outcome: BatchOutcome) -> None:
    """One ChangeResourceRecordSets for the batch (a record asked for twice goes once); if Route 53
    refuses it, each record alone, so only the bad one fails."""
    tokens = aws.task_tokens()
    unique: dict[tuple[str, str], RecordSpec] = {}
    for p in batch:
        record = _record(p)
        unique.setdefault((record.name.lower(), record.type), record)
    account_id = _record(batch[0]).account_id or ""
    try:
        change_id = route53.change(
            zone_id,
            [("UPSERT", record) for record in unique.values()],
            f"orgdns: {len(unique)} delegation(s) for {len(batch)} run(s)",
        )
        outcome.change_calls += 1
    except RecordRejected as exc:
        outcome.change_calls += 1
        if len(unique) == 1:
            for p in batch:
                tokens.fail(p.request.task_token, "RecordRejected", str(exc))
                _answer(outcome, p.request.task_token)
            return
        by_record: dict[tuple[str, str], list[Pending]] = defaultdict(list)
        for p in batch:
            by_record[(_record(p).name.lower(), _record(p).type)].append(p)
        for group in by_record.values():
            _write(group, zone_id, route53, aws, outcome)
        return
    for p in batch:
        tokens.succeed(p.request.task_token, _result(_record(p), ChangeRef(account_id=account_id, change_id=change_id)))
        _answer(outcome, p.request.task_token)


def _result(record: RecordSpec, change: ChangeRef | None) -> dict[str, object]:
    return DelegationResult(record=record, change=change, in_sync=change is None).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
