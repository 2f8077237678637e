"""Reminder rounds over Telegram: the sender, the round, and the JobQueue jobs that run them.

bot/reminders.py decides *when* (the schedule, the catch-up window) and guarantees
*at most once* per chat (a claim in the store before each send). This module adds
the Telegram side:

- `send_reminder` sends one message and maps every Telegram error to what
  `send_round` needs to know: sent, blocked (unsubscribe), surely not sent (retry),
  or maybe sent (never retry: a duplicate reads as spam and gets the bot blocked).
- `run_reminder_round` runs one reminder for every pending subscriber.
- `schedule_reminders` (post_init) queues a JobQueue job for each reminder still to
  come and a catch-up job for one missed by less than `reminders.grace_minutes`.
  Nothing about jobs is stored: each start rebuilds them from config, and the claims
  in the database keep a restart from sending anything twice.

Pacing is not done here: every request goes through the Application's rate limiter
(bot/telegram/network.py: 29 messages/s overall, shared with answers; with
`rate_limit.max_retries` it waits out and retries a 429 itself, and inside a round it
never resends after any other error). What it gives up on comes back as RetryAfter
and is left to `send_round`'s own retries. With `reminders.paid_broadcast` the sends
are paid broadcasts (`allow_paid_broadcast`, 0.1 Star each): they skip the 29/s that
answers use and are paced at `reminders.paid_per_second` instead.

Shutting down (SIGTERM, Ctrl+C) in the middle of a round: `stop_rounds` makes the
round start no new sends (chats not yet sent to stay unclaimed, so the catch-up round
of the next start sends them, if it starts within the grace window), lets the sends
already in flight finish for up to `bot.shutdown_grace` seconds, and only then cancels
them (a cancelled send keeps its claim: maybe delivered, never sent twice).

There is deliberately no /broadcast command: reminders are the only messages the bot
sends unasked, so a stolen admin account cannot spam every subscriber.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import warnings
from collections.abc import Callable
from typing import Any

import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Job, JobQueue
from telegram.warnings import PTBDeprecationWarning

from bot.config import RemindersConfig
from bot.reminders import (
    Reminder,
    ReminderStore,
    RetryLater,
    RoundResult,
    SendOutcome,
    SendResult,
    due_now,
    reminder_schedule,
    send_round,
    upcoming,
)
from bot.replies.election import format_date
from bot.storage.replicas import sending_reminder
from bot.telegram.handlers import BotData, Context
from bot.telegram.network import NO_RESEND
from bot.telegram.render import escape

logger = logging.getLogger(__name__)

# Chats in flight at once. The rate limiter paces the sends; a few in flight keep it
# busy despite network latency, without piling hundreds of requests into its queue.
ROUND_CONCURRENCY = 8
# After a round in which some sends surely failed (network down, flood control), try
# those chats again this much later, as long as that is still inside the grace window.
RETRY_ROUND_AFTER = dt.timedelta(minutes=2)
# Paid rounds: at most this many sends in flight (each holds an HTTP connection).
PAID_MAX_IN_FLIGHT = 64


# Errors raised before a single byte of the request went out: surely not delivered.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def send_reminder(bot: Bot, chat_id: int, text: str, *, paid: bool = False) -> SendResult:
    """Send `text` (HTML) to `chat_id` and report what happened, without raising.

    Forbidden or "chat not found" -> BLOCKED (send_round unsubscribes the chat).
    Only a provable non-delivery may be tried again: RetryAfter (Telegram refused it)
    -> RetryLater(seconds); no connection at all (refused, connect or pool timeout)
    -> RETRY_LATER. Everything that may have happened after the request went out is
    "maybe sent" -> FAILED, never retried: a read timeout, a connection reset before
    the answer, and a 5xx (Telegram may have delivered the message and failed
    afterwards). Any other error -> FAILED.

    `paid`: send as a paid broadcast (`allow_paid_broadcast`, Stars per message), which
    lifts Telegram's 30 messages/s (`reminders.paid_broadcast` in config.yaml).
    """
    try:
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, allow_paid_broadcast=paid or None)
    except Forbidden:  # blocked the bot, deleted the account, or left the chat
        return SendOutcome.BLOCKED
    except RetryAfter as exc:
        return RetryLater(_retry_after_seconds(exc))
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            return SendOutcome.BLOCKED
        return SendOutcome.FAILED
    except NetworkError as exc:  # TimedOut included
        if isinstance(exc.__cause__, _NEVER_SENT):
            return SendOutcome.RETRY_LATER
        return SendOutcome.FAILED  # maybe delivered
    except TelegramError:
        return SendOutcome.FAILED
    return SendOutcome.SENT


def _retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds, whatever PTB_TIMEDELTA says (int or timedelta)."""
    with warnings.catch_warnings():
        # Without PTB_TIMEDELTA=true PTB 22 warns on every read of retry_after.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class StopAwareStore:
    """The store as a round sees it: once `stopping()` is true, no chat can be claimed any more.

    The chats left over are counted in `left` and stay unclaimed, without a write per
    chat (a long subscriber list must not delay the shutdown).
    """

    def __init__(self, store: ReminderStore, stopping: Callable[[], bool]) -> None:
        self._store = store
        self._stopping = stopping
        self.left = 0

    async def pending_chats(self, reminder_key: str) -> list[int]:
        return await self._store.pending_chats(reminder_key)

    async def mark_sent(self, reminder_key: str, chat_id: int) -> bool:
        if self._stopping():
            self.left += 1
            return False
        return await self._store.mark_sent(reminder_key, chat_id)

    async def unmark_sent(self, reminder_key: str, chat_id: int) -> bool:
        return await self._store.unmark_sent(reminder_key, chat_id)

    async def unsubscribe(self, chat_id: int) -> bool:
        return await self._store.unsubscribe(chat_id)


async def run_reminder_round(
    bot: Bot,
    store: ReminderStore,
    reminder: Reminder,
    text: str,
    *,
    concurrency: int = ROUND_CONCURRENCY,
    stopping: Callable[[], bool] | None = None,
    paid: bool = False,
) -> RoundResult:
    """Send `reminder` (as the HTML `text`) to every subscriber that has not had it yet.

    With `stopping`, the round winds down once it returns true: chats not yet claimed
    are skipped, and a claimed chat whose send has not started is released (both are
    sent by a later round), while sends already under way finish. `paid`: as paid
    broadcasts. The rate limiter never resends inside a round (NO_RESEND): only
    `send_round` retries, and only what surely was not delivered.
    """
    token = NO_RESEND.set(True)  # seen by the workers send_round starts
    try:
        return await _run_round(bot, store, reminder, text, concurrency, stopping, paid)
    finally:
        NO_RESEND.reset(token)


async def _run_round(
    bot: Bot,
    store: ReminderStore,
    reminder: Reminder,
    text: str,
    concurrency: int,
    stopping: Callable[[], bool] | None,
    paid: bool,
) -> RoundResult:
    if stopping is None:

        async def send(chat_id: int) -> SendResult:
            with sending_reminder(reminder.key, chat_id):
                return await send_reminder(bot, chat_id, text, paid=paid)

        return await send_round(reminder, store, send, concurrency=concurrency)

    view = StopAwareStore(store, stopping)

    async def send_unless_stopping(chat_id: int) -> SendResult:
        if stopping():
            return RetryLater(math.inf)  # surely not sent: send_round releases the claim at once
        with sending_reminder(reminder.key, chat_id):
            return await send_reminder(bot, chat_id, text, paid=paid)

    result = await send_round(reminder, view, send_unless_stopping, concurrency=concurrency)
    if view.left:
        logger.info("reminder %s: stopped by shutdown, %d chat(s) left for the next start", reminder.key, view.left)
    return result


async def stop_rounds(data: BotData, grace: float) -> None:
    """Shutting down: start no new reminder sends, give those in flight `grace` seconds, then cancel them."""
    data.run_state = "stopping"
    running = {task for task in data.rounds if not task.done()}
    if not running:
        return
    logger.info("stopping: letting %d reminder round(s) finish the sends in flight (at most %g s)", len(running), grace)
    _, late = await asyncio.wait(running, timeout=grace)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)  # the cancelled rounds release the claims of chats not sent to
        logger.warning("stopping: %d reminder round(s) cancelled after %g s", len(late), grace)


def round_concurrency(reminders: RemindersConfig) -> int:
    """Sends in flight in a round: paid rounds keep `paid_per_second` busy across a round trip of ~0.25 s."""
    if not reminders.paid_broadcast:
        return ROUND_CONCURRENCY
    return max(ROUND_CONCURRENCY, min(PAID_MAX_IN_FLIGHT, math.ceil(reminders.paid_per_second / 4)))


def reminder_text(data: BotData, reminder: Reminder) -> str | None:
    """The reminder as HTML from messages.yaml; None if staff removed `reminder_text`."""
    messages = data.pipeline.kb.messages
    key = (
        "reminder_text_today" if reminder.days_before == 0 and messages.has("reminder_text_today") else "reminder_text"
    )
    if not messages.has(key):
        return None
    election = data.pipeline.config.election
    date = format_date(election.voting_date, with_weekday=True)
    return escape(data.text(key, days=reminder.days_before, date=date))


async def reminder_job(context: Context) -> None:
    """JobQueue callback: run the job's reminder round; queue a retry round if some sends must wait."""
    job = context.job
    data = context.bot_data
    if job is None or not isinstance(job.data, Reminder) or data.store is None:
        return
    reminder = job.data
    text = reminder_text(data, reminder)
    if text is None:
        # Sending the bare key to every subscriber would be worse than sending nothing.
        logger.error("reminder %s not sent: messages.yaml has no 'reminder_text'", reminder.key)
        return
    if data.stopping:
        return
    # A task of its own, so that stop_rounds can wait for it and, if need be, cancel it.
    reminders = data.pipeline.config.reminders
    store = data.store

    async def one_replica_at_a_time() -> RoundResult:
        # Every replica runs the same jobs: they take turns, and the claims make every
        # round after the first find nothing left to send. A replica that dies mid-round
        # lets the next one in, which sends to the chats not yet claimed.
        async with data.replicas.exclusive(f"reminder round {reminder.key}"):
            # Claims an earlier holder made but never started to send (it died while they
            # waited for their turn under the rate limit): surely not delivered, send them now.
            if released := await data.replicas.release_unsent(reminder.key):
                logger.info("reminder %s: %d claim(s) of a stopped replica released", reminder.key, released)
            return await run_reminder_round(
                context.bot,
                store,
                reminder,
                text,
                stopping=lambda: data.stopping,
                concurrency=round_concurrency(reminders),
                paid=reminders.paid_broadcast,
            )

    round_task = asyncio.create_task(one_replica_at_a_time(), name=f"reminder round {reminder.key}")
    data.rounds.add(round_task)
    round_task.add_done_callback(data.rounds.discard)
    try:
        result = await round_task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if round_task.cancelled() and current is not None and not current.cancelling():
            return  # cancelled by stop_rounds, which logs it
        raise
    if data.stopping:
        return  # what is left is for the catch-up round of the next start
    grace = dt.timedelta(minutes=data.pipeline.config.reminders.grace_minutes)
    if result.retry_later and context.job_queue is not None:
        if data.clock() + RETRY_ROUND_AFTER <= reminder.due + grace:
            logger.info("reminder %s: %d chat(s) will be retried", reminder.key, result.retry_later)
            _queue(context.job_queue, reminder, RETRY_ROUND_AFTER.total_seconds(), "retry")
        else:
            logger.warning(
                "reminder %s: %d chat(s) missed it (the grace window ends before a retry)",
                reminder.key,
                result.retry_later,
            )


def schedule_reminders(job_queue: JobQueue[Context], data: BotData) -> None:
    """At start: a catch-up job for each reminder missed by less than the grace window, a job per upcoming one.

    Called on every start (post_init); the claims in the store make rescheduling safe.
    """
    if data.store is None:
        return
    config = data.pipeline.config
    schedule = reminder_schedule(config.election, config.reminders)
    now = data.clock()
    grace = dt.timedelta(minutes=config.reminders.grace_minutes)
    for reminder in due_now(schedule, now, grace):
        logger.info("reminder %s was due at %s: catching up now", reminder.key, reminder.due.isoformat())
        _queue(job_queue, reminder, 0.0, "catch-up")
    for reminder in upcoming(schedule, now):
        _queue(job_queue, reminder, (reminder.due - now).total_seconds(), "scheduled", grace)
    logger.info("%d reminder job(s) queued", len(job_queue.jobs()))


def _queue(
    # JobQueue[Any]: PTB types CallbackContext.job_queue with a type variable of its own.
    job_queue: JobQueue[Any],
    reminder: Reminder,
    delay: float,
    why: str,
    grace: dt.timedelta | None = None,
) -> Job[Any]:
    # A delay relative to `data.clock()` rather than the absolute due time, so the job
    # queue and the bot agree on "now" even when tests shift the clock.
    # misfire_grace_time: APScheduler silently drops a job that starts more than 1 s late
    # (e.g. the loop was busy, or queued before the job queue started); allow the grace
    # window instead, and without limit for catch-up and retry jobs.
    misfire = max(int(grace.total_seconds()), 1) if grace is not None else None  # APScheduler wants >= 1
    return job_queue.run_once(
        reminder_job,
        when=max(delay, 0.0),
        data=reminder,
        name=f"reminder {reminder.key} ({why})",
        job_kwargs={"misfire_grace_time": misfire},
    )
