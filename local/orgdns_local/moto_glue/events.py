"""EventBridge: rule targets the emulator runs (patch 3)."""

from __future__ import annotations

import copy
import datetime as _datetime
import json
import logging
import uuid
from typing import Any

from moto.events import models as events_models
from moto.events.models import EventPattern, Rule, events_backends
from moto.events.utils import EventTemplateParser
from moto.stepfunctions.responses import get_backend as sfn_backend
from moto.utilities.arns import parse_arn

from .awslambda import AsyncInvocation, invoke_async
from .context import DeliveryFailure, GlueContext, _Patches

LOG = logging.getLogger(__name__)

# -- 3. EventBridge targets ----------------------------------------------------------------------


def _patch_events(ctx: GlueContext, patches: _Patches) -> None:
    """Deliver events to Lambda and Step Functions targets; keep the envelope across buses.

    Gaps in `Rule.send_to_targets` (moto/events/models.py): a Lambda or state machine target
    raises NotImplementedError, and forwarding to another account's bus rebuilds the event through
    PutEvents, losing its id, account and region. Patched: those three target kinds are handled
    here, every other target by moto's original code. A Lambda target is invoked asynchronously
    as Lambda does it (`awslambda.invoke_async`: the first attempt in the caller's thread, then
    Lambda's two retries and the dead-letter queue); nothing is raised. A state
    machine target gets a StartExecution with the event as input. Target `Input` and
    `InputTransformer` are honoured; otherwise the target receives the whole event with an
    ISO-8601 `time`. `unix_time` in moto/events/models.py reads the clock, so event times and
    creation times are simulated.
    """
    original = Rule.send_to_targets

    def send_to_targets(self: Rule, original_event: Any, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        others = []
        for target in self.targets:
            arn = parse_arn(target["Arn"])
            if arn.service == "events" and arn.resource_type == "event-bus":
                _route_event(arn.account, arn.region, arn.resource_id, original_event)
            elif arn.service in ("lambda", "states"):
                payload = _target_input(target, original_event, transform_input)
                _deliver(ctx, self, target["Arn"], payload, str(original_event.get("id")))
            else:
                others.append(target)
        if others:
            rest = copy.copy(self)
            rest.targets = others
            original(rest, original_event, transform_input)

    patches.set(Rule, "send_to_targets", send_to_targets)
    patches.set(events_models, "unix_time", lambda: ctx.clock.now().timestamp())


def _patch_event_patterns(ctx: GlueContext, patches: _Patches) -> None:
    """Match patterns against fields inside arrays of objects, as EventBridge does.

    Gap: `EventPattern._flatten_dict` (moto/events/models.py) does not descend into arrays, so a
    pattern on `detail.requestParameters.tags.key` never matches Organizations' TagResource event,
    whose tags are `[{"key": ..., "value": ...}]`. EventBridge flattens arrays: a field of an
    array's objects holds the values of every element, and a filter matches when any does
    ("Arrays in event patterns", EventBridge user guide). Patched: an array's objects are
    flattened into per-field lists (scalars in the array stay the array's own value); moto's
    matchers already try each element of a list.
    """

    def flatten(node: Any, prefix: str = "", result: dict[str, Any] | None = None) -> dict[str, Any]:
        result = {} if result is None else result
        if isinstance(node, dict):
            for key, value in node.items():
                path = f"{prefix}.{key}" if prefix else key
                if isinstance(value, dict) and value:
                    flatten(value, path, result)
                elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
                    scalars = [item for item in value if not isinstance(item, (dict, list))]
                    if scalars:
                        result[path] = scalars
                    for item in value:
                        if isinstance(item, dict):
                            for inner, inner_value in flatten(item, path).items():
                                values = inner_value if isinstance(inner_value, list) else [inner_value]
                                result.setdefault(inner, []).extend(values)
                else:
                    result[path] = value
        return result

    patches.set(EventPattern, "_flatten_dict", staticmethod(flatten))


def _route_event(account_id: str, region: str, bus_name: str, event: dict[str, Any]) -> None:
    bus = events_backends[account_id][region].describe_event_bus(bus_name)
    for rule in list(bus.rules.values()):
        if rule.state == "ENABLED":
            rule.send_to_targets(copy.deepcopy(event))


def _target_input(target: dict[str, Any], event: dict[str, Any], transform: bool) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    if transform and "InputTransformer" in target:
        transformer = target["InputTransformer"]
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,
        )
    wire = {key: value for key, value in event.items() if key != "ingestion-time"}
    if isinstance(wire.get("time"), (int, float)):
        moment = _datetime.datetime.fromtimestamp(wire["time"], _datetime.UTC)
        wire["time"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return wire


def _deliver(ctx: GlueContext, rule: Rule, target_arn: str, payload: Any, event_id: str) -> None:
    arn = parse_arn(target_arn)
    if arn.service == "lambda":
        invoke_async(ctx, AsyncInvocation(target_arn, payload, event_id, rule.arn))
        return
    try:
        sfn_backend(arn.account, arn.region).start_execution(
            state_machine_arn=target_arn,
            name=str(uuid.uuid4()),
            execution_input=json.dumps(payload),
        )
    except Exception as exc:
        LOG.warning("EventBridge rule %s could not deliver to %s: %s", rule.arn, target_arn, exc)
        failure = DeliveryFailure(rule.arn, target_arn, event_id, str(exc), ctx.clock.elapsed())
        ctx.delivery_failures.append(failure)


def _parse_time(value: str) -> float:
    return _datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
