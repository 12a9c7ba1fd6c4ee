"""Intake: EventBridge event -> one execution of the subdomain or the teardown workflow, named
after the event.

EventBridge delivers at least once. Naming the execution after the event id makes a duplicate
delivery a no-op: Step Functions refuses a second execution of the same name (for 90 days), or
returns the running one. Intake validates nothing else: the workflow's ResolveRequest does, so
a malformed event still ends in a published Rejected status.
"""

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from orgdns.aws.clients import aws_errors, error_code
from orgdns.request import account_tag_workflows, is_account_tag_event, is_certificate_event

MAX_NAME = 80


def execution_name(event: dict[str, Any]) -> str | None:
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        return None
    name = "evt-" + re.sub(r"[^A-Za-z0-9_-]", "-", event_id)
    return name[:MAX_NAME]


def ends_delegation(event: dict[str, Any], delegate_tag: str) -> bool:
    """Does this event (at face value) ask to end a delegation? The teardown re-reads everything."""
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return False
    name = detail.get("eventName")
    if name in {"DeleteHostedZone", "CloseAccountResult"}:
        return True
    if name != "ChangeTagsForResource":
        return False
    params = detail.get("requestParameters")
    if not isinstance(params, dict):
        return False
    removed = params.get("removeTagKeys") or params.get("tagKeys") or []
    added = {t.get("key"): t.get("value") for t in params.get("addTags") or [] if isinstance(t, dict)}
    return delegate_tag in removed or (delegate_tag in added and str(added[delegate_tag]).strip().lower() != "true")


def workflows_for(event: dict[str, Any], tag_prefix: str) -> list[str]:
    """The workflows one event starts, "subdomain" and/or "teardown", or "renewal" for ACM's
    certificate events: an account's tag change
    that sets the subdomain tag starts both (the teardown retires a name the tags no longer ask
    for, and skips when there is none)."""
    if is_certificate_event(event):
        return ["renewal"]
    if is_account_tag_event(event):
        return account_tag_workflows(event, tag_prefix)
    return ["teardown"] if ends_delegation(event, tag_prefix + "delegate") else ["subdomain"]


def start_workflow(event: dict[str, Any], state_machine_arn: str, client: Any) -> dict[str, Any]:
    """StartExecution; returns what happened: started, or duplicate of an earlier delivery."""
    name = execution_name(event)
    args: dict[str, Any] = {"stateMachineArn": state_machine_arn, "input": json.dumps(event)}
    if name:
        args["name"] = name
    try:
        with aws_errors("stepfunctions"):
            response = client.start_execution(**args)
    except ClientError as exc:
        if error_code(exc) == "ExecutionAlreadyExists":
            return {"started": False, "duplicate": True, "name": name}
        raise
    return {"started": True, "duplicate": False, "name": name, "executionArn": response["executionArn"]}
