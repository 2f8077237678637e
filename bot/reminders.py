"""When to remind subscribers to vote, and how to send one reminder round exactly once.

Pure logic: no Telegram, no SQL. The Telegram layer builds the schedule from config,
runs `due_now` at start (catch-up after downtime) and a JobQueue job at each `upcoming`
due time, and passes `send_round` a `send(chat_id)` that talks to the Bot API.

Delivery guarantee (why the claim comes before the send)
--------------------------------------------------------
For each chat, `send_round` first *claims* the (reminder, chat) pair in the store
(`mark_sent`: one INSERT OR IGNORE on a primary key, committed at once) and only
then sends. Whoever loses the claim skips the chat, so two rounds running at the
same time, a second bot process, or the same round after a restart can never send
a reminder to a chat twice.

The price is at-most-once rather than exactly-once when things go wrong:
- If the process dies (crash, kill -9, power cut) after the claim and before or
  during the send, the claim survives and that chat misses that one reminder.
  No protocol can do better here: Telegram offers no idempotency key, so after a
  crash we cannot know whether a message in flight was delivered, and the other
  order (send, then record) would instead resend on restart. The issue prefers a
  rare missed reminder over a duplicate (duplicates read as spam and get the bot
  blocked), and the window is one request per in-flight chat.
- A send that *surely* did not go out (Telegram said RetryAfter, or a connection
  error before the request was written) releases the claim with `unmark_sent`
  once the attempts are used up, so a later round (e.g. a retry job inside the
  grace window) can try again. The sender must report an ambiguous failure (a
  timeout, a reset or a 5xx after the request was sent: Telegram may have delivered
  it) as FAILED, which keeps the claim.
- A task cancelled while waiting to retry releases its claim; one cancelled
  during a send keeps it (delivery unknown, as after a crash).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.config import ElectionConfig, RemindersConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder occasion. `key` is stable across restarts and identifies it in the store."""

    key: str
    due: dt.datetime  # aware, in the election's time zone
    days_before: int


def reminder_key(voting_date: dt.date, days_before: int, at: dt.time) -> str:
    """e.g. "2024-11-27:d-7:19:00". The voting date is part of it, so a moved election
    gets fresh reminders while an edit of the other times leaves sent ones alone."""
    return f"{voting_date.isoformat()}:d-{days_before}:{at:%H:%M}"


def reminder_schedule(election: ElectionConfig, reminders: RemindersConfig) -> list[Reminder]:
    """Every configured reminder as an aware datetime in the election's zone, earliest first."""
    schedule: dict[str, Reminder] = {}
    for item in reminders.times:
        day = election.voting_date - dt.timedelta(days=item.days_before)
        due = dt.datetime.combine(day, item.time.replace(tzinfo=None), tzinfo=election.timezone)
        key = reminder_key(election.voting_date, item.days_before, item.time)
        schedule[key] = Reminder(key, due, item.days_before)  # a repeated line in config counts once
    return sorted(schedule.values(), key=lambda r: r.due)


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def due_now(schedule: Iterable[Reminder], now: dt.datetime, grace: dt.timedelta) -> list[Reminder]:
    """Reminders whose time has come but passed by no more than `grace`.

    Run at start-up to catch up on a reminder missed while the bot was down; one
    missed by longer than the grace window is skipped (an evening reminder the
    next morning would be confusing).
    """
    _require_aware(now)
    return [r for r in schedule if r.due <= now <= r.due + grace]


def upcoming(schedule: Iterable[Reminder], now: dt.datetime) -> list[Reminder]:
    """Reminders still in the future, earliest first: schedule a job for each."""
    _require_aware(now)
    return sorted((r for r in schedule if r.due > now), key=lambda r: r.due)


class SendOutcome(enum.Enum):
    """What `send(chat_id)` reports back to `send_round`."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the user blocked the bot or left the chat; unsubscribe them
    RETRY_LATER = "retry_later"  # surely not delivered, try again (no delay known: back off)
    FAILED = "failed"  # permanent or ambiguous (maybe delivered): do not try again


@dataclass(frozen=True, slots=True)
class RetryLater:
    """Surely not delivered; Telegram asked to wait `after` seconds (RetryAfter)."""

    after: float


SendResult = SendOutcome | RetryLater
Send = Callable[[int], Awaitable[SendResult]]
Fate = Literal["sent", "blocked", "failed", "skipped", "retry_later"]


class ReminderStore(Protocol):
    """The part of bot.storage.Store a reminder round uses."""

    async def pending_chats(self, reminder_key: str) -> list[int]: ...
    async def mark_sent(self, reminder_key: str, chat_id: int) -> bool: ...
    async def unmark_sent(self, reminder_key: str, chat_id: int) -> bool: ...
    async def unsubscribe(self, chat_id: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class RoundResult:
    sent: int = 0
    blocked: int = 0  # and unsubscribed
    failed: int = 0  # claim kept: not retried
    skipped_already_sent: int = 0  # another round (or an earlier run) holds the claim
    retry_later: int = 0  # claim released after transient failures: a later round may retry


async def send_round(
    reminder: Reminder,
    store: ReminderStore,
    send: Send,
    *,
    concurrency: int = 8,
    max_attempts: int = 3,
    max_wait: float = 60.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> RoundResult:
    """Send `reminder` to every subscriber that has not had it, each at most once.

    `concurrency` chats are in flight at a time; pacing under Telegram's limits is
    the sender's job (AIORateLimiter). A RETRY_LATER is retried after the delay
    Telegram gave (or 1, 2, 4... s) up to `max_attempts` sends per chat; a delay
    over `max_wait` gives up at once. See the module docstring for the guarantee.
    Store errors propagate (inside an ExceptionGroup) and end the round.
    """
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")
    chats = await store.pending_chats(reminder.key)
    fates: Counter[Fate] = Counter()

    async def worker(queue: Iterator[int]) -> None:
        # Workers share one iterator; next() never yields to the loop, so no chat is taken twice.
        for chat_id in queue:
            fates[await _deliver(reminder.key, chat_id, store, send, max_attempts, max_wait, sleep)] += 1

    queue = iter(chats)
    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(chats))):
            group.create_task(worker(queue))
    result = RoundResult(
        sent=fates["sent"],
        blocked=fates["blocked"],
        failed=fates["failed"],
        skipped_already_sent=fates["skipped"],
        retry_later=fates["retry_later"],
    )
    log.info("reminder %s: %s", reminder.key, result)
    return result


async def _deliver(
    key: str,
    chat_id: int,
    store: ReminderStore,
    send: Send,
    max_attempts: int,
    max_wait: float,
    sleep: Callable[[float], Awaitable[None]],
) -> Fate:
    """Claim, send (with retries), and settle one chat."""
    if not await store.mark_sent(key, chat_id):
        return "skipped"
    in_flight = False
    try:
        for attempt in range(1, max_attempts + 1):
            in_flight = True
            try:
                outcome = await send(chat_id)
            except Exception:
                # The sender should map errors to outcomes; if it did not, delivery is unknown.
                log.exception("sending reminder %s failed unexpectedly", key)
                return "failed"
            in_flight = False
            if outcome is SendOutcome.SENT:
                return "sent"
            if outcome is SendOutcome.BLOCKED:
                await store.unsubscribe(chat_id)
                return "blocked"
            if outcome is SendOutcome.FAILED:
                return "failed"
            delay = outcome.after if isinstance(outcome, RetryLater) else float(2 ** (attempt - 1))
            if attempt == max_attempts or delay > max_wait:
                break
            await sleep(delay)
        await store.unmark_sent(key, chat_id)
        return "retry_later"
    except asyncio.CancelledError:
        if not in_flight:
            await store.unmark_sent(key, chat_id)
        raise
