"""StartReconcile: check the input, list the organization's ACTIVE accounts, and write them in
batches of 20 (one Map item each) for SurveyAccounts to read from the reconcile bucket."""

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from orgdns.aws.access import AwsAccess
from orgdns.reconcile.models import (
    ACCOUNTS_PER_BATCH,
    AccountBatch,
    AccountRef,
    ReconcileInput,
    ReconcileStart,
    reconcile_time,
)


def run_prefix(execution: str) -> str:
    return f"reconciles/{execution}/"


def start_reconcile(raw: Any, execution: str, aws: AwsAccess, started_at: str | None = None) -> ReconcileStart:
    """Reject bad input naming the field (nothing is read or written then); else list the accounts.

    ListAccounts pages hold at most 20 accounts and may come back empty with a NextToken (the
    adapter pages to the end). Accounts that are not ACTIVE (PENDING_ACTIVATION, SUSPENDED,
    PENDING_CLOSURE, CLOSED) are listed but not read: orgdns cannot enter a closed account, and a
    closure's teardown works from the parent's side. The management account is surveyed too (the roots,
    and any zone a delegation may name), but never gets a subdomain."""
    moment = datetime.fromtimestamp(reconcile_time(started_at), UTC) if started_at else datetime.now(UTC)
    start = ReconcileStart(started_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if not isinstance(raw, dict):
        start.decision, start.reason, start.field = "Reject", "InvalidInput", "input"
        start.message = f'the input must be a JSON object such as {{"mode": "plan"}}, got {type(raw).__name__}'
        return start
    try:
        start.mode = ReconcileInput.model_validate(raw).mode
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "input"
        start.decision, start.reason, start.field = "Reject", "InvalidInput", field
        if error["type"] == "extra_forbidden":
            start.message = f"unknown field {field!r}: a reconcile takes only mode (plan, audit or apply)"
        else:
            start.message = f"{field}: must be one of plan, audit, apply; got {error.get('input')!r}"
        return start
    management = aws.settings.management_account_id
    aws.root_zones()  # looked up (and cached in the registry) once, before the survey's batches need them
    listed = aws.organizations().accounts()
    # Every account, whatever its state: only ACTIVE ones are read, but a closed account's zones
    # in the registry are orphans, and an account missing from the list has left the organization.
    refs = [
        AccountRef(account_id=account_id, name=name, state=state, management=account_id == management)
        for account_id, name, state in listed
    ]
    if not any(ref.management for ref in refs):
        refs.insert(0, AccountRef(account_id=management, name="management", management=True))
    batches = [
        AccountBatch(index=i // ACCOUNTS_PER_BATCH, accounts=refs[i : i + ACCOUNTS_PER_BATCH])
        for i in range(0, len(refs), ACCOUNTS_PER_BATCH)
    ]
    store = aws.reconcile_store()
    start.bucket, start.prefix = store.bucket, run_prefix(execution)
    start.accounts_key = start.prefix + "accounts.json"
    store.put_json(start.accounts_key, [batch.dump() for batch in batches])
    start.batches, start.accounts = len(batches), len(refs)
    return start
