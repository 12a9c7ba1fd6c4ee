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
counting as asleep with no wake-up time of its own, so it never holds time back; `wait_for(predicate,
timeout)` does the same with a wake-up time (a task token's TimeoutSeconds). A waiting predicate is
evaluated at every clock event, under the clock's lock, before time may advance: a condition that
another thread made true (a task token answered) wakes its waiter before the clock can jump past it.

Each sleeper waits on a condition of its own (sharing the clock's lock), and only the sleepers
that wake are notified. Timed sleepers wait in a heap by wake-up time, and a waiter whose
condition only changes when someone says so (a task token's answer) waits on a *signal*
(`wait_for(..., signal=s)`, woken by `notify(s)`) instead of being asked at every clock event: a
clock event costs a look at the few plain condition waiters and at the top of the heap, not at
every sleeper, so thousands of executions asleep at once stay cheap.

Two safety valves turn a hang into a `ClockStalled` error: every participant waits for a condition
and none has a wake-up time (nothing can ever happen), or no clock event has happened for
`watchdog_real_seconds` of real time while some participant is awake (a flow blocked on something
that is not the clock).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LOG = logging.getLogger(__name__)

# How often a waiting thread re-checks the safety valves. Wake-ups are notified, not polled, and
# so is the stall where nothing can ever happen (see _changed): the tick only bounds how late the
# watchdog notices a flow blocked outside the clock. Thousands of sleepers ticking often would
# spend the process's time (and the GIL) checking.
_TICK_REAL_SECONDS = 30.0


class ClockStalled(RuntimeError):
    """The simulated clock cannot make progress."""


class _Unregistered:
    """Stand-in participant for a thread that sleeps without being bound to one."""

    def __init__(self, thread_name: str) -> None:
        self.thread_name = thread_name

    def __repr__(self) -> str:
        return f"<unregistered thread {self.thread_name}>"


@dataclass(eq=False)
class _Sleeper:
    key: Hashable
    at: float | None  # wake-up time in elapsed seconds; None: only the predicate wakes it
    predicate: Callable[[], bool] | None
    cond: threading.Condition
    signal: Hashable | None = None  # the predicate is looked at only when this is notified
    awake: bool = False


class SimClock:
    """Discrete-event clock: time advances only when every participant is asleep."""

    def __init__(self, start: datetime, *, watchdog_real_seconds: float | None = 120.0) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start.astimezone(UTC)
        self._elapsed = 0.0
        self._watchdog = watchdog_real_seconds
        # The watchdog's own resolution: a tenth of its limit, at most the tick.
        self._tick = (
            _TICK_REAL_SECONDS if watchdog_real_seconds is None else min(_TICK_REAL_SECONDS, watchdog_real_seconds / 10)
        )
        self._lock = threading.RLock()  # a waiter's predicate may read the clock (participants())
        self._participants: set[Hashable] = set()
        self._timed: list[tuple[float, int, _Sleeper]] = []  # heap by wake-up time; woken entries linger
        self._timed_asleep = 0  # timed sleepers not yet woken
        self._order = itertools.count()  # ties in the heap wake in the order they fell asleep
        self._watching: set[_Sleeper] = set()  # condition waiters looked at on every clock event
        self._signalled: dict[Hashable, set[_Sleeper]] = {}  # signal -> its condition waiters
        self._untimed: set[_Sleeper] = set()  # asleep with no wake-up time
        self._asleep_count: dict[Hashable, int] = {}  # participant -> its sleepers
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
        with self._lock:
            if key in self._participants:
                raise ValueError(f"{key!r} is already a clock participant")
            self._participants.add(key)
            self._changed()

    def unregister(self, key: Hashable) -> None:
        """Remove a participant (no error if it is not registered)."""
        with self._lock:
            self._participants.discard(key)
            self._changed()

    def participants(self) -> frozenset[Hashable]:
        with self._lock:
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

    def notify(self, signal: Hashable | None = None) -> None:
        """Tell the clock that something a waiter's predicate reads may have changed; with
        `signal`, look at the waiters of that signal too."""
        with self._lock:
            if signal is not None:
                waiters = self._signalled.get(signal, ())
                for sleeper in [s for s in waiters if s.predicate is not None and s.predicate()]:
                    self._wake(sleeper)
            self._changed()

    # -- sleeping ---------------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """Block until simulated time has advanced by `seconds`."""
        if seconds <= 0:
            return
        self._wait(self._elapsed + seconds, None, check_stalls=True)

    def advance(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass for the caller (same as `sleep`)."""
        self.sleep(seconds)

    def wait_until(
        self, predicate: Callable[[], bool], timeout_real_seconds: float | None = None, *, check_stalls: bool = True
    ) -> None:
        """Block until `predicate()` holds, counting as asleep with no wake-up time meanwhile.

        The predicate is evaluated under the clock's lock at every clock event; raise TimeoutError
        after `timeout_real_seconds` of real time. `check_stalls=False` is for a background
        service (a queue poller) that may wait for ever without that being a hang.
        """
        if predicate():
            return
        deadline = None if timeout_real_seconds is None else time.monotonic() + timeout_real_seconds
        self._wait(None, predicate, check_stalls=check_stalls, real_deadline=deadline)
        if not predicate():
            raise TimeoutError(
                f"condition not met after {timeout_real_seconds} s of real time (simulated time {self._elapsed:.0f} s)"
            )

    def wait_for(self, predicate: Callable[[], bool], timeout: float | None, *, signal: Hashable | None = None) -> bool:
        """Block until `predicate()` holds or `timeout` simulated seconds have passed (None: no
        limit); return whether it holds. With `signal`, the predicate is looked at only when
        `notify(signal)` is called (whoever makes it true must do so), not at every clock event."""
        if predicate():
            return True
        at = None if timeout is None else self._elapsed + max(timeout, 0.0)
        self._wait(at, predicate, check_stalls=True, signal=signal)
        return predicate()

    # -- internals (called with the lock held) ----------------------------------------------

    def _wait(
        self,
        at: float | None,
        predicate: Callable[[], bool] | None,
        *,
        check_stalls: bool,
        real_deadline: float | None = None,
        signal: Hashable | None = None,
    ) -> None:
        with self._lock:
            key, temporary = self._sleeping_participant()
            sleeper = _Sleeper(key, at, predicate, threading.Condition(self._lock), signal)
            self._fall_asleep(sleeper)
            try:
                if predicate is not None and predicate():  # made true before the sleeper was seen
                    self._wake(sleeper)
                self._changed()
                while not sleeper.awake:
                    if real_deadline is not None and time.monotonic() > real_deadline:
                        return
                    if check_stalls:
                        self._check_stalled()
                    sleeper.cond.wait(self._tick)
            finally:
                self._leave(sleeper, key, temporary)

    def _fall_asleep(self, sleeper: _Sleeper) -> None:
        if sleeper.at is None:
            self._untimed.add(sleeper)
        else:
            heapq.heappush(self._timed, (sleeper.at, next(self._order), sleeper))
            self._timed_asleep += 1
        if sleeper.predicate is not None:
            if sleeper.signal is None:
                self._watching.add(sleeper)
            else:
                self._signalled.setdefault(sleeper.signal, set()).add(sleeper)
        self._asleep_count[sleeper.key] = self._asleep_count.get(sleeper.key, 0) + 1

    def _sleeping_participant(self) -> tuple[Hashable, bool]:
        key = self.current_participant()
        if key is not None and key in self._participants:
            return key, False
        stand_in = _Unregistered(threading.current_thread().name)
        self._participants.add(stand_in)
        return stand_in, True

    def _leave(self, sleeper: _Sleeper, key: Hashable, temporary: bool) -> None:
        if not sleeper.awake:
            self._wake(sleeper)
        if temporary:
            self._participants.discard(key)
        self._changed()

    def _wake(self, sleeper: _Sleeper) -> None:
        sleeper.awake = True
        if sleeper.at is None:
            self._untimed.discard(sleeper)
        else:
            self._timed_asleep -= 1  # its heap entry goes when it reaches the top
        if sleeper.predicate is not None:
            if sleeper.signal is None:
                self._watching.discard(sleeper)
            else:
                waiters = self._signalled.get(sleeper.signal)
                if waiters is not None:
                    waiters.discard(sleeper)
                    if not waiters:
                        del self._signalled[sleeper.signal]
        left = self._asleep_count[sleeper.key] - 1
        if left:
            self._asleep_count[sleeper.key] = left
        else:
            del self._asleep_count[sleeper.key]
        sleeper.cond.notify()

    def _changed(self) -> None:
        """Note a clock event: wake the waiters whose predicate holds, advance time if every
        participant sleeps, wake the sleepers whose time has come."""
        self._last_event = time.monotonic()
        for sleeper in [s for s in self._watching if s.predicate is not None and s.predicate()]:
            self._wake(sleeper)
        if self._participants and len(self._asleep_count) >= len(self._participants) and self._all_asleep():
            timed = self._timed
            while timed and timed[0][2].awake:
                heapq.heappop(timed)
            if timed:
                self._elapsed = max(self._elapsed, timed[0][0])
                while timed and (timed[0][2].awake or timed[0][0] <= self._elapsed):
                    sleeper = heapq.heappop(timed)[2]
                    if not sleeper.awake:
                        self._wake(sleeper)
            else:  # nothing can ever happen: let every waiter see it now, not at its next tick
                for sleeper in self._untimed:
                    sleeper.cond.notify()

    def _all_asleep(self) -> bool:
        if len(self._asleep_count) < len(self._participants):  # someone is awake: no need to look
            return False
        return all(key in self._asleep_count for key in self._participants)

    def _check_stalled(self) -> None:
        if self._all_asleep() and self._timed_asleep == 0:
            raise self._stalled("every participant waits for a condition and none has a wake-up time")
        idle = time.monotonic() - self._last_event
        if self._watchdog is not None and idle > self._watchdog:
            awake = ", ".join(sorted(repr(key) for key in self._participants if key not in self._asleep_count))
            raise self._stalled(f"no clock event for {idle:.0f} s of real time; awake participants: {awake}")

    def _stalled(self, reason: str) -> ClockStalled:
        message = f"simulated clock stalled at {self._elapsed:.1f} s: {reason}"
        LOG.error(message)
        return ClockStalled(message)
