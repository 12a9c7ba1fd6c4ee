"""Simulated time for a local scenario: a discrete-event clock shared by every thread.

Step Functions executions run on their own threads. Each one is a *participant*: a logical flow
of control that is either awake (doing work) or asleep on the clock (a Wait state, a Retry
interval). Time stands still while any participant is awake; when every participant is asleep,
the clock jumps to the earliest wake-up time and wakes those sleepers. A 40-minute Wait therefore
costs milliseconds of real time, and two executions waiting 10 s and 30 s wake in that order.

A thread acts for the participant it is *bound* to (`participant(key)` or `bound(key)`). A thread
that sleeps without being bound to a registered participant (a helper thread, a thread of an
execution that has already ended) counts as a sleeping participant of its own while it sleeps, so
it can neither block time nor be forgotten.

`wait_until(predicate)` lets a thread wait for a condition (e.g. "no execution is running") while
counting as asleep with no wake-up time of its own, so it never holds time back.

Two safety valves turn a hang into a `ClockStalled` error: every participant waits for a condition
and none has a wake-up time (nothing can ever happen), or no clock event has happened for
`watchdog_real_seconds` of real time while some participant is awake (a flow blocked on something
that is not the clock).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

LOG = logging.getLogger(__name__)

_TICK_REAL_SECONDS = 0.5  # how often a waiting thread re-checks the safety valves


class ClockStalled(RuntimeError):
    """The simulated clock cannot make progress."""


class _Unregistered:
    """Stand-in participant for a thread that sleeps without being bound to one."""

    def __init__(self, thread_name: str) -> None:
        self.thread_name = thread_name

    def __repr__(self) -> str:
        return f"<unregistered thread {self.thread_name}>"


class SimClock:
    """Discrete-event clock: time advances only when every participant is asleep."""

    def __init__(self, start: datetime, *, watchdog_real_seconds: float | None = 120.0) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start.astimezone(UTC)
        self._elapsed = 0.0
        self._watchdog = watchdog_real_seconds
        self._cond = threading.Condition()
        self._participants: set[Hashable] = set()
        # token -> (participant, wake-up time in elapsed seconds, or None for wait_until)
        self._sleepers: dict[object, tuple[Hashable, float | None]] = {}
        self._local = threading.local()
        self._last_event = time.monotonic()

    # -- reading the time -------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated time, tz-aware UTC."""
        return self.to_datetime(self._elapsed)

    def elapsed(self) -> float:
        """Simulated seconds since the start."""
        return self._elapsed

    def to_datetime(self, elapsed: float) -> datetime:
        """The simulated time `elapsed` seconds after the start."""
        return self._start + timedelta(seconds=elapsed)

    # -- participants -----------------------------------------------------------------------

    def register(self, key: Hashable) -> None:
        """Add an awake participant: time will not advance until it sleeps or leaves."""
        with self._cond:
            if key in self._participants:
                raise ValueError(f"{key!r} is already a clock participant")
            self._participants.add(key)
            self._changed()

    def unregister(self, key: Hashable) -> None:
        """Remove a participant (no error if it is not registered)."""
        with self._cond:
            self._participants.discard(key)
            self._changed()

    def participants(self) -> frozenset[Hashable]:
        with self._cond:
            return frozenset(self._participants)

    @contextmanager
    def bound(self, key: Hashable | None) -> Iterator[None]:
        """Make the calling thread act for participant `key` (None: for no participant)."""
        previous = getattr(self._local, "key", None)
        self._local.key = key
        try:
            yield
        finally:
            self._local.key = previous

    def current_participant(self) -> Hashable | None:
        """The participant the calling thread acts for, if any."""
        return getattr(self._local, "key", None)

    @contextmanager
    def participant(self, key: Hashable) -> Iterator[None]:
        """Register `key`, bind the calling thread to it, unregister on exit."""
        self.register(key)
        try:
            with self.bound(key):
                yield
        finally:
            self.unregister(key)

    # -- sleeping ---------------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """Block until simulated time has advanced by `seconds`."""
        if seconds <= 0:
            return
        with self._cond:
            token = object()
            key, temporary = self._sleeping_participant()
            self._sleepers[token] = (key, self._elapsed + seconds)
            try:
                self._changed()
                while token in self._sleepers:
                    self._check_stalled()
                    self._cond.wait(_TICK_REAL_SECONDS)
            finally:
                self._leave(token, key, temporary)

    def advance(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass for the caller (same as `sleep`)."""
        self.sleep(seconds)

    def wait_until(self, predicate: Callable[[], bool], timeout_real_seconds: float | None = None) -> None:
        """Block until `predicate()` holds, counting as asleep with no wake-up time meanwhile.

        The predicate is evaluated under the clock's lock whenever a participant comes, goes or
        wakes; raise TimeoutError after `timeout_real_seconds` of real time.
        """
        deadline = None if timeout_real_seconds is None else time.monotonic() + timeout_real_seconds
        with self._cond:
            if predicate():
                return
            token = object()
            key, temporary = self._sleeping_participant()
            self._sleepers[token] = (key, None)
            try:
                self._changed()
                while not predicate():
                    if deadline is not None and time.monotonic() > deadline:
                        raise TimeoutError(
                            f"condition not met after {timeout_real_seconds} s of real time "
                            f"(simulated time {self._elapsed:.0f} s)"
                        )
                    self._check_stalled()
                    self._cond.wait(_TICK_REAL_SECONDS)
            finally:
                self._leave(token, key, temporary)

    # -- internals (called with the lock held) ----------------------------------------------

    def _sleeping_participant(self) -> tuple[Hashable, bool]:
        key = self.current_participant()
        if key is not None and key in self._participants:
            return key, False
        stand_in = _Unregistered(threading.current_thread().name)
        self._participants.add(stand_in)
        return stand_in, True

    def _leave(self, token: object, key: Hashable, temporary: bool) -> None:
        self._sleepers.pop(token, None)
        if temporary:
            self._participants.discard(key)
        self._changed()

    def _asleep(self) -> set[Hashable]:
        return {key for key, _ in self._sleepers.values()}

    def _changed(self) -> None:
        """Note a clock event, advance time if every participant sleeps, wake waiters."""
        self._last_event = time.monotonic()
        if self._participants and self._participants <= self._asleep():
            wake_ups = [at for _, at in self._sleepers.values() if at is not None]
            if wake_ups:
                self._elapsed = max(self._elapsed, min(wake_ups))
                for token, (_, at) in list(self._sleepers.items()):
                    if at is not None and at <= self._elapsed:
                        del self._sleepers[token]
        self._cond.notify_all()

    def _check_stalled(self) -> None:
        asleep = self._asleep()
        if self._participants <= asleep and all(at is None for _, at in self._sleepers.values()):
            raise self._stalled("every participant waits for a condition and none has a wake-up time")
        idle = time.monotonic() - self._last_event
        if self._watchdog is not None and idle > self._watchdog:
            awake = ", ".join(sorted(map(repr, self._participants - asleep)))
            raise self._stalled(f"no clock event for {idle:.0f} s of real time; awake participants: {awake}")

    def _stalled(self, reason: str) -> ClockStalled:
        message = f"simulated clock stalled at {self._elapsed:.1f} s: {reason}"
        LOG.error(message)
        return ClockStalled(message)
