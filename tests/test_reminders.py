"""bot/reminders.py: the schedule, the catch-up window, and rounds sent exactly once.

Rounds run against the real SQLite store (bot/storage.py) on a temporary database,
because the store's claim is what makes "never twice" hold; the sender is a fake.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import Config, ElectionConfig, RemindersConfig, ReminderTime
from bot.reminders import (
    Reminder,
    RetryLater,
    RoundResult,
    SendOutcome,
    SendResult,
    due_now,
    reminder_key,
    reminder_schedule,
    send_round,
    upcoming,
)
from bot.storage import SqliteStore, Store
from tests.support.constants import SALT, WIB

ELECTION = ElectionConfig("Pilkada Serentak 2024", "Kabupaten Blora", dt.date(2024, 11, 27), WIB)
TIMES = RemindersConfig(
    (ReminderTime(7, dt.time(19, 0)), ReminderTime(1, dt.time(19, 0)), ReminderTime(0, dt.time(6, 0))), 30
)
H1 = Reminder("2024-11-27:d-1:19:00", dt.datetime(2024, 11, 26, 19, 0, tzinfo=WIB), 1)
CHATS = [101, 102, 103, -1001234567890, 105]


class FakeSender:
    """Records every send; `script[chat]` lists the outcomes to return, then SENT."""

    def __init__(self, script: dict[int, list[SendResult]] | None = None, delay: float = 0.0) -> None:
        self.script = script or {}
        self.delay = delay
        self.calls: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, chat_id: int) -> SendResult:
        self.calls.append(chat_id)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)  # lets other workers and rounds interleave
        finally:
            self.in_flight -= 1
        queue = self.script.get(chat_id)
        return queue.pop(0) if queue else SendOutcome.SENT

    @property
    def delivered(self) -> Counter[int]:
        return Counter(self.calls)


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    async with await SqliteStore.open(db_path, SALT, timezone=WIB) as opened:
        for chat in CHATS:
            await opened.subscribe(chat)
        yield opened


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB)


# --------------------------------------------------------------------- schedule


def test_schedule_from_config_times() -> None:
    schedule = reminder_schedule(ELECTION, TIMES)
    assert [(r.key, r.due, r.days_before) for r in schedule] == [
        ("2024-11-27:d-7:19:00", at(2024, 11, 20, 19, 0), 7),
        ("2024-11-27:d-1:19:00", at(2024, 11, 26, 19, 0), 1),
        ("2024-11-27:d-0:06:00", at(2024, 11, 27, 6, 0), 0),
    ]
    assert all(r.due.utcoffset() == dt.timedelta(hours=7) for r in schedule)  # WIB, whatever the server's zone


def test_schedule_keys_are_stable_and_order_free() -> None:
    reversed_times = RemindersConfig(tuple(reversed(TIMES.times)), 10)
    assert reminder_schedule(ELECTION, TIMES) == reminder_schedule(ELECTION, reversed_times)
    assert reminder_key(dt.date(2024, 11, 27), 7, dt.time(19, 0)) == "2024-11-27:d-7:19:00"
    # Moving the election gives new keys, so the reminders for the new date go out.
    moved = ElectionConfig(ELECTION.name, ELECTION.region, dt.date(2024, 12, 4), WIB)
    assert reminder_schedule(moved, TIMES)[0].key == "2024-12-04:d-7:19:00"


def test_repeated_time_counts_once() -> None:
    doubled = RemindersConfig((*TIMES.times, ReminderTime(1, dt.time(19, 0))), 30)
    assert len(reminder_schedule(ELECTION, doubled)) == 3


def test_shipped_config_schedule(config: Config) -> None:
    schedule = reminder_schedule(config.election, config.reminders)
    assert schedule, "config.yaml should configure reminders"
    assert all(r.due.tzinfo is config.election.timezone for r in schedule)
    assert len({r.key for r in schedule}) == len(schedule)
    assert [r.due for r in schedule] == sorted(r.due for r in schedule)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2024, 11, 26, 18, 59), []),  # not yet
        (at(2024, 11, 26, 19, 0), [H1.key]),  # on time
        (at(2024, 11, 26, 19, 20), [H1.key]),  # the bot was down 20 minutes: catch up
        (at(2024, 11, 26, 19, 30), [H1.key]),  # the last minute of the grace window
        (at(2024, 11, 26, 19, 31), []),  # too late: skipped, not sent at a confusing hour
        (dt.datetime(2024, 11, 26, 12, 10, tzinfo=dt.UTC), [H1.key]),  # 19:10 WIB given in UTC
        (at(2024, 11, 28, 6, 0), []),  # after voting day
    ],
)
def test_due_now_catch_up_window(now: dt.datetime, expected: list[str]) -> None:
    schedule = reminder_schedule(ELECTION, TIMES)
    assert [r.key for r in due_now(schedule, now, dt.timedelta(minutes=30))] == expected


def test_upcoming_lists_future_reminders_only() -> None:
    schedule = reminder_schedule(ELECTION, TIMES)
    assert [r.days_before for r in upcoming(schedule, at(2024, 11, 1, 0, 0))] == [7, 1, 0]
    assert [r.days_before for r in upcoming(schedule, at(2024, 11, 26, 19, 0))] == [0]
    assert upcoming(schedule, at(2024, 11, 27, 6, 1)) == []


def test_naive_now_is_refused() -> None:
    schedule = reminder_schedule(ELECTION, TIMES)
    with pytest.raises(ValueError, match="aware"):
        due_now(schedule, dt.datetime(2024, 11, 26, 19, 0), dt.timedelta(minutes=30))
    with pytest.raises(ValueError, match="aware"):
        upcoming(schedule, dt.datetime(2024, 11, 26, 19, 0))


# --------------------------------------------------------------------- rounds


async def test_round_sends_to_every_subscriber_once(store: Store) -> None:
    sender = FakeSender()
    result = await send_round(H1, store, sender, concurrency=3)
    assert result == RoundResult(sent=len(CHATS))
    assert sender.delivered == Counter(CHATS)
    assert await store.pending_chats(H1.key) == []
    again = await send_round(H1, store, sender)
    assert again == RoundResult()
    assert sender.delivered == Counter(CHATS)


async def test_two_concurrent_rounds_send_each_chat_once(store: Store) -> None:
    sender = FakeSender(delay=0.01)
    first, second = await asyncio.gather(
        send_round(H1, store, sender, concurrency=2), send_round(H1, store, sender, concurrency=4)
    )
    assert sender.delivered == Counter(CHATS)  # every chat exactly one message
    assert first.sent + second.sent == len(CHATS)
    # Both rounds saw every chat as pending; the one that lost the claim skipped it.
    assert first.skipped_already_sent + second.skipped_already_sent == len(CHATS)


async def test_two_processes_share_the_claims(db_path: Path, store: Store) -> None:
    sender = FakeSender(delay=0.01)
    async with await SqliteStore.open(db_path, SALT, timezone=WIB) as other:
        await asyncio.gather(send_round(H1, store, sender), send_round(H1, other, sender))
    assert sender.delivered == Counter(CHATS)


async def test_restart_neither_duplicates_nor_forgets(db_path: Path, store: Store) -> None:
    sender = FakeSender()
    await send_round(H1, store, sender)
    await store.close()  # the bot is killed...

    async with await SqliteStore.open(db_path, SALT, timezone=WIB) as reopened:  # ...and restarted
        assert sorted(await reopened.subscribers()) == sorted(CHATS)  # subscriptions survive
        schedule = reminder_schedule(ELECTION, TIMES)
        [again] = due_now(schedule, at(2024, 11, 26, 19, 5), dt.timedelta(minutes=30))
        assert again.key == H1.key
        assert await send_round(again, reopened, sender) == RoundResult()
        d0 = schedule[-1]
        assert await send_round(d0, reopened, sender) == RoundResult(sent=len(CHATS))  # the next one still goes
    assert sender.delivered == Counter({chat: 2 for chat in CHATS})


async def test_crash_between_claim_and_send_misses_rather_than_duplicates(db_path: Path, store: Store) -> None:
    # The process died right after claiming chat 102: the claim is on disk, the send never happened.
    assert await store.mark_sent(H1.key, 102)
    await store.close()
    sender = FakeSender()
    async with await SqliteStore.open(db_path, SALT, timezone=WIB) as reopened:
        result = await send_round(H1, reopened, sender)
    assert result.sent == len(CHATS) - 1
    assert 102 not in sender.delivered


async def test_blocked_chat_is_unsubscribed(store: Store) -> None:
    sender = FakeSender({103: [SendOutcome.BLOCKED]})
    result = await send_round(H1, store, sender)
    assert (result.sent, result.blocked) == (len(CHATS) - 1, 1)
    assert 103 not in await store.subscribers()
    assert await store.was_sent(H1.key, 103)  # nothing to retry


async def test_retry_later_waits_and_retries_the_same_chat(store: Store) -> None:
    sender = FakeSender({101: [RetryLater(5.0)], 102: [SendOutcome.RETRY_LATER, SendOutcome.RETRY_LATER]})
    sleep = FakeSleep()
    result = await send_round(H1, store, sender, sleep=sleep)
    assert result == RoundResult(sent=len(CHATS))
    assert sender.delivered[101] == 2 and sender.delivered[102] == 3
    assert sorted(sleep.waits) == [1.0, 2.0, 5.0]  # Telegram's delay; else 1 s, then 2 s


async def test_retries_are_bounded_and_release_the_claim(store: Store) -> None:
    sender = FakeSender({101: [SendOutcome.RETRY_LATER] * 3, 102: [RetryLater(600.0)]})
    sleep = FakeSleep()
    result = await send_round(H1, store, sender, max_attempts=3, max_wait=60, sleep=sleep)
    assert result == RoundResult(sent=len(CHATS) - 2, retry_later=2)
    assert sender.delivered[101] == 3  # bounded
    assert sender.delivered[102] == 1  # a wait longer than max_wait: give up at once, no sleep
    assert sleep.waits == [1.0, 2.0]
    assert await store.pending_chats(H1.key) == [101, 102]  # released: a later round may retry

    retry = await send_round(H1, store, sender, sleep=sleep)
    assert retry == RoundResult(sent=2)
    assert sender.delivered == Counter({101: 4, 102: 2, 103: 1, -1001234567890: 1, 105: 1})


async def test_failed_keeps_the_claim(store: Store) -> None:
    sender = FakeSender({105: [SendOutcome.FAILED]})
    assert (await send_round(H1, store, sender)).failed == 1
    assert await send_round(H1, store, sender) == RoundResult()
    assert sender.delivered[105] == 1
    assert 105 in await store.subscribers()  # a failure is not a block


async def test_sender_exception_fails_one_chat_not_the_round(store: Store) -> None:
    async def flaky(chat_id: int) -> SendResult:
        if chat_id == 102:
            raise RuntimeError("boom")
        return SendOutcome.SENT

    result = await send_round(H1, store, flaky)
    assert result == RoundResult(sent=len(CHATS) - 1, failed=1)
    assert await store.was_sent(H1.key, 102)  # maybe delivered: at most once


async def test_concurrency_is_bounded(store: Store) -> None:
    for chat in range(1, 40):
        await store.subscribe(chat)
    sender = FakeSender(delay=0.005)
    result = await send_round(H1, store, sender, concurrency=4)
    assert result.sent == len(CHATS) + 39
    assert sender.max_in_flight == 4


async def test_cancelled_while_waiting_to_retry_releases_the_claim(store: Store) -> None:
    waiting = asyncio.Event()

    async def slow_sleep(seconds: float) -> None:
        waiting.set()
        await asyncio.sleep(3600)

    sender = FakeSender({101: [RetryLater(30.0)]})
    task = asyncio.create_task(send_round(H1, store, sender, concurrency=1, sleep=slow_sleep))
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await store.was_sent(H1.key, 101)  # surely not delivered: free for the next round


async def test_cancelled_during_a_send_keeps_the_claim(store: Store) -> None:
    started = asyncio.Event()

    async def hanging(chat_id: int) -> SendResult:
        started.set()
        await asyncio.sleep(3600)
        return SendOutcome.SENT

    task = asyncio.create_task(send_round(H1, store, hanging, concurrency=1))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The request may have reached Telegram: the claim stays, like after a crash.
    first = min(CHATS)  # pending chats come in ascending order
    assert await store.was_sent(H1.key, first)


async def test_bad_arguments() -> None:
    never: Callable[[int], Awaitable[SendResult]] = FakeSender()
    with pytest.raises(ValueError):
        await send_round(H1, _NoStore(), never, concurrency=0)


class _NoStore:
    async def pending_chats(self, reminder_key: str) -> list[int]:
        raise AssertionError("not reached")

    async def mark_sent(self, reminder_key: str, chat_id: int) -> bool:
        raise AssertionError("not reached")

    async def unmark_sent(self, reminder_key: str, chat_id: int) -> bool:
        raise AssertionError("not reached")

    async def unsubscribe(self, chat_id: int) -> bool:
        raise AssertionError("not reached")
