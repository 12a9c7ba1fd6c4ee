"""SimClock: discrete-event time shared by threads."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from orgdns_local.moto_glue import ClockStalled, SimClock

START = datetime(2025, 1, 1, tzinfo=UTC)


def test_an_unregistered_sleeper_advances_time_at_once() -> None:
    clock = SimClock(START)
    clock.sleep(2400)
    assert clock.elapsed() == 2400
    assert clock.now() == START + timedelta(seconds=2400)


def test_participants_wake_in_order_of_their_wake_up_times() -> None:
    clock = SimClock(START)
    woke: list[tuple[str, float]] = []

    def flow(name: str, seconds: float) -> None:
        with clock.participant(name):
            clock.sleep(seconds)
            woke.append((name, clock.elapsed()))
            clock.sleep(seconds)
            woke.append((name, clock.elapsed()))

    threads = [threading.Thread(target=flow, args=args) for args in (("slow", 30), ("fast", 10))]
    for name in ("slow", "fast"):
        clock.register(f"starting-{name}")  # hold time until both flows have registered
    for thread in threads:
        thread.start()
    clock.wait_until(lambda: {"slow", "fast"} <= clock.participants(), 5)
    clock.unregister("starting-slow")
    clock.unregister("starting-fast")
    for thread in threads:
        thread.join(5)
    assert woke == [("fast", 10), ("fast", 20), ("slow", 30), ("slow", 60)]


def test_time_stands_still_while_a_participant_is_awake() -> None:
    clock = SimClock(START)
    clock.register("busy")
    sleeper = threading.Thread(target=clock.sleep, args=(60,))
    sleeper.start()
    sleeper.join(0.3)
    assert sleeper.is_alive() and clock.elapsed() == 0
    clock.unregister("busy")
    sleeper.join(5)
    assert clock.elapsed() == 60


def test_wait_until_lets_time_flow_and_returns_when_the_condition_holds() -> None:
    clock = SimClock(START)
    done = threading.Event()

    def flow() -> None:
        with clock.bound("flow"):
            clock.sleep(600)
        clock.unregister("flow")
        done.set()

    clock.register("flow")
    threading.Thread(target=flow).start()
    clock.wait_until(lambda: "flow" not in clock.participants(), 5)
    assert done.wait(5) and clock.elapsed() == 600


def test_waiting_for_a_condition_nobody_can_make_true_raises() -> None:
    clock = SimClock(START)
    with pytest.raises(ClockStalled, match="none has a wake-up time"):
        clock.wait_until(lambda: False, 5)


def test_watchdog_raises_when_an_awake_participant_never_moves() -> None:
    clock = SimClock(START, watchdog_real_seconds=0.5)
    clock.register("stuck")
    with pytest.raises(ClockStalled, match="awake participants: 'stuck'"):
        clock.sleep(10)


def test_a_signalled_waiter_wakes_on_its_signal_only() -> None:
    """`wait_for(..., signal=s)` is looked at when `notify(s)` is called, not at every clock event
    (a thousand task tokens waiting were each asked at every event); its timeout still holds."""
    clock = SimClock(START)
    answered = threading.Event()
    asked: list[int] = []

    def predicate() -> bool:
        asked.append(1)
        return answered.is_set()

    outcome: list[tuple[bool, float]] = []

    def waiter() -> None:
        with clock.participant("waiter"):
            outcome.append((clock.wait_for(predicate, 900, signal="token"), clock.elapsed()))

    with clock.participant("driver"):
        thread = threading.Thread(target=waiter)
        thread.start()
        clock.wait_until(lambda: "waiter" in clock.participants(), 5)
        clock.sleep(5)
        before = len(asked)
        clock.notify()  # someone else's news: the waiter is not asked
        clock.sleep(5)
        assert len(asked) == before
        answered.set()
        clock.notify("token")
        thread.join(5)
    assert outcome == [(True, 10)]


def test_a_signal_sent_before_the_waiter_sleeps_is_not_lost() -> None:
    clock = SimClock(START)
    answered = threading.Event()
    seen: list[bool] = []

    def predicate() -> bool:
        if not seen:  # first look, before the waiter is registered: the answer arrives right after
            seen.append(False)
            answered.set()
            clock.notify("token")
            return False
        return answered.is_set()

    assert clock.wait_for(predicate, 900, signal="token") is True
    assert clock.elapsed() == 0


def test_a_signalled_waiter_times_out_on_the_clock() -> None:
    clock = SimClock(START)
    assert clock.wait_for(lambda: False, 900, signal="token") is False
    assert clock.elapsed() == 900


def test_thousands_of_sleepers_wake_in_time_order() -> None:
    """The heap of timed sleepers: many flows with many wake-up times, each woken at its own."""
    clock = SimClock(START)
    woke: list[tuple[float, float]] = []
    lock = threading.Lock()

    def flow(n: int) -> None:
        with clock.participant(f"flow-{n}"):
            for step in range(3):
                wanted = clock.elapsed() + (n % 17) + step
                clock.sleep((n % 17) + step)
                with lock:
                    woke.append((wanted, clock.elapsed()))

    clock.register("hold")
    threads = [threading.Thread(target=flow, args=(n,)) for n in range(300)]
    for thread in threads:
        thread.start()
    clock.wait_until(lambda: len(clock.participants()) == 301, 10)
    clock.unregister("hold")
    for thread in threads:
        thread.join(30)
    assert len(woke) == 900 and all(wanted == at for wanted, at in woke)
