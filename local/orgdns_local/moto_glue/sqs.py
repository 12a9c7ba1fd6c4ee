"""SQS: queue time on the simulated clock, and Lambda's SQS event source mappings run as Lambda
runs them (patch 12)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.sqs import models as sqs_models
from moto.sqs.models import Queue, sqs_backends
from moto.utilities.arns import parse_arn

from .context import GlueContext, _Patches

LOG = logging.getLogger(__name__)

# Lambda hands a function at most 6 MB of records in one invocation, whatever the batch size.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024


def _patch_sqs(ctx: GlueContext, patches: _Patches) -> None:
    """Queue time is simulated time; a queue with an event source mapping is polled as Lambda
    polls it (`SqsPoller`), not invoked inline.

    Gaps: moto's SQS keeps visibility timeouts, delays and retention in real time
    (`unix_time` / `unix_time_millis` in moto/sqs/models.py), so a message handed out and not
    deleted would come back after 30 real minutes. And `Queue.add_message` runs a mapped
    function at once, in the sender's thread, with a batch of whatever is visible, ignoring the
    mapping's batching window, batch item failures and the function's concurrency: nothing like
    Lambda's pollers. Patched: both clocks read the simulated clock; `add_message` only adds the
    message (and tells the clock, so a poller waiting for messages sees it).
    """
    clock = ctx.clock
    patches.set(sqs_models, "unix_time", lambda *args: clock.now().timestamp())
    patches.set(sqs_models, "unix_time_millis", lambda *args: clock.now().timestamp() * 1000.0)

    def add_message(self: Queue, message: Any) -> None:
        mappings = self.lambda_event_source_mappings
        self.lambda_event_source_mappings = {}
        try:
            original_add(self, message)
        finally:
            self.lambda_event_source_mappings = mappings
        clock.notify()

    original_add = Queue.add_message
    patches.set(Queue, "add_message", add_message)


@dataclass(frozen=True)
class PollerKey:
    """The clock participant of one event source mapping's poller (a service, not work)."""

    queue_arn: str
    function_arn: str


@dataclass(frozen=True)
class EventSourceMapping:
    """An SQS event source of a function, as the template declares it (Events: Type SQS)."""

    queue_arn: str
    function_arn: str
    batch_size: int = 10
    batching_window_seconds: float = 0.0
    report_batch_item_failures: bool = False


class SqsPoller:
    """Lambda's poller for one SQS event source mapping, on the simulated clock.

    As Lambda does: once a message is visible, it gathers records for up to the batching window
    (less if the batch size is reached), receives them with the queue's visibility timeout,
    invokes the function synchronously with at most `batch_size` records and 6 MB, deletes what
    the function processed (all of the batch, or all but its `batchItemFailures` when the mapping
    reports them), and leaves the rest to come back after the visibility timeout; the queue's
    redrive policy moves a message received too often to its dead-letter queue (moto's own).

    One batch at a time: the emulator serves the mapping at a concurrency of one, which is what
    a function with ReservedConcurrentExecutions 1 gets on AWS (AWS would also start a second
    poller and see its invocations throttled, their messages coming back after the visibility
    timeout).
    """

    def __init__(self, ctx: GlueContext, mapping: EventSourceMapping) -> None:
        self._ctx = ctx
        self.mapping = mapping
        arn = parse_arn(mapping.queue_arn)
        self._account, self._region, self._queue_name = arn.account, arn.region, arn.resource_id
        self._key = PollerKey(mapping.queue_arn, mapping.function_arn)
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.invocations = 0
        self.batch_sizes: list[int] = []

    def _queue(self) -> Queue:
        return sqs_backends[self._account][self._region].get_queue(self._queue_name)

    def _visible(self) -> int:
        return len(self._queue().messages)

    def start(self) -> None:
        clock = self._ctx.clock
        clock.register(self._key)

        def run() -> None:
            try:
                with clock.bound(self._key):
                    self._loop()
            except Exception:  # a poller must not die silently: the runs waiting on it would hang
                LOG.exception("the SQS poller of %s stopped", self.mapping.function_arn)
                raise
            finally:
                clock.unregister(self._key)

        self._thread = threading.Thread(target=run, name=f"sqs-poller-{self._queue_name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped = True
        self._ctx.clock.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        clock = self._ctx.clock
        while not self._stopped:
            next_visible = self._next_visible_in()
            if self._visible() == 0:
                ready = lambda: self._stopped or self._visible() > 0  # noqa: E731
                if next_visible is None:
                    clock.wait_until(ready, check_stalls=False)
                else:
                    clock.wait_for(ready, next_visible)
                continue
            if self.mapping.batching_window_seconds > 0 and self._visible() < self.mapping.batch_size:
                clock.wait_for(
                    lambda: self._stopped or self._visible() >= self.mapping.batch_size,
                    self.mapping.batching_window_seconds,
                )
            if not self._stopped:
                try:
                    self._poll_once()
                except Exception:  # as Lambda's pollers do, go on: the messages come back after their timeout
                    LOG.exception("polling %s for %s failed", self._queue_name, self.mapping.function_arn)
                    clock.sleep(1.0)

    def _next_visible_in(self) -> float | None:
        """Seconds until the next message handed out (or delayed) becomes visible again."""
        now_ms = self._ctx.clock.now().timestamp() * 1000.0
        waits = [
            max(getattr(m, "visible_at", 0), getattr(m, "delayed_until", 0)) - now_ms
            for m in list(self._queue()._messages)
        ]
        waits = [w for w in waits if w >= 0]
        # SQS shows a message again once its time is past, not at it: look a millisecond later.
        return (min(waits) + 1) / 1000.0 if waits else None

    def _poll_once(self) -> None:
        backend = sqs_backends[self._account][self._region]
        queue = self._queue()
        messages = backend.receive_message(self._queue_name, self.mapping.batch_size, 0, queue.visibility_timeout)
        if not messages:
            return
        batch: list[Any] = []
        size = 0
        for message in messages:
            size += len(message.body)
            if batch and size > MAX_PAYLOAD_BYTES:  # the rest waits for the next invocation
                backend.change_message_visibility(self._queue_name, message.receipt_handle, 0)
                continue
            batch.append(message)
        event = {"Records": [self._record(m) for m in batch]}
        self.invocations += 1
        self.batch_sizes.append(len(batch))
        failed = self._invoke(event)
        if failed is None:  # the function failed: the whole batch comes back after the timeout
            return
        for message in batch:
            if message.id not in failed:
                backend.delete_message(self._queue_name, message.receipt_handle)

    def _record(self, message: Any) -> dict[str, Any]:
        return {
            "messageId": message.id,
            "receiptHandle": message.receipt_handle,
            "body": message.body,
            "attributes": {
                "ApproximateReceiveCount": str(message.approximate_receive_count),
                "SentTimestamp": str(message.sent_timestamp),
                "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
            },
            "messageAttributes": {},
            "md5OfBody": message.body_md5,
            "eventSource": "aws:sqs",
            "eventSourceARN": self.mapping.queue_arn,
            "awsRegion": self._region,
        }

    def _invoke(self, event: dict[str, Any]) -> set[str] | None:
        """The ids the function reported as failed; None when the invocation failed."""
        arn = parse_arn(self.mapping.function_arn)
        headers: dict[str, str] = {}
        try:
            with self._ctx.calls.counted():
                payload = lambda_backend(arn.account, arn.region).invoke(
                    self.mapping.function_arn, None, json.dumps(event), {}, headers
                )
        except Exception as exc:  # throttled or not found: the messages come back later
            LOG.warning("invoking %s from its SQS queue failed: %s", self.mapping.function_arn, exc)
            return None
        if "x-amz-function-error" in headers:
            LOG.warning("%s failed on an SQS batch: %s", self.mapping.function_arn, payload)
            return None
        if not self.mapping.report_batch_item_failures:
            return set()
        try:
            result = json.loads(payload) if payload else {}
        except ValueError:
            return None  # an unreadable response fails the whole batch, as on AWS
        failures = result.get("batchItemFailures", []) if isinstance(result, dict) else []
        return {str(item.get("itemIdentifier")) for item in failures if isinstance(item, dict)}
