"""Sending to the Bot API when it misbehaves: retries that cannot duplicate. Getting updates: polling.py.

- `RetryingRateLimiter`: python-telegram-bot's AIORateLimiter (Telegram's 30 messages/s
  and 20/min per group; a 429 is waited out and retried `max_retries` times) that also
  resends a message after a failure that shows it was not delivered: the connection
  never opened, or Telegram answered with a server error (5xx). It never resends after
  a read or write timeout or a connection dropped mid-request: Telegram may have
  delivered that message, and Telegram has no idempotency key to tell. So a duplicate
  is possible only if Telegram processed a request and still answered 5xx.
- `PollingConnection`, `UpdateQueue` and `connect_with_backoff` are in polling.py and
  re-exported here, where callers import them from.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.storage import Replicas
from bot.telegram.polling import (
    COMMIT_INTERVAL,
    MAX_STARTUP_WAIT,
    MAX_UNCONFIRMED,
    PollingConnection,
    UpdateQueue,
    UpdateTracker,
    connect_with_backoff,
    describe,
)

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# Methods worth resending: the ones that deliver something to a user. A repeated
# answerCallbackQuery or answerInlineQuery would only be refused ("query is too old").
RESENDABLE_PREFIXES = ("send", "edit")
# A shared send slot (several replicas) this late is given up for a later one (seconds).
LATE_SLOT = 0.02
# Back-off before the first resend; doubled for each further one.
RESEND_BACKOFF = 0.5
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def surely_not_delivered(exc: TelegramError) -> bool:
    """True if `exc` proves the request was not carried out, so sending it again cannot duplicate it.

    A connection that never opened (refused, connect or pool timeout), or an answer from
    Telegram with an error status that is not one of the specific ones (400, 401, 403,
    409, 429 have their own exception types): in practice a 5xx from Telegram's front
    end. Read/write timeouts and connections dropped mid-request are not: Telegram may
    have processed the request before the answer was lost.
    """
    if isinstance(exc, BadRequest) or not isinstance(exc, NetworkError):
        return False
    cause = exc.__cause__
    if isinstance(cause, _NEVER_SENT):
        return True
    if isinstance(exc, TimedOut):
        return False
    # PTB raises a NetworkError without an httpx cause when Telegram answered with an
    # error status (with the JSON parse error as cause if the body was not JSON, as
    # from a proxy's 502 page).
    return cause is None or isinstance(cause, TelegramError)


# Sends that must never be resent after an error, whatever it proves: reminder rounds
# set it (bot/telegram/broadcast.py), where a duplicate reads as spam.
NO_RESEND: contextvars.ContextVar[bool] = contextvars.ContextVar("NO_RESEND", default=False)
# Added to the per-chat spacing: the network delays two requests unequally, and Telegram
# counts them when they arrive.
CHAT_SPACING_MARGIN = 0.05
# Per-chat send times remembered; older ones are pruned (they no longer delay anything).
_MAX_CHATS_REMEMBERED = 10_000


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also resends after failures that prove the message was not delivered,
    spaces messages to one chat, and paces paid broadcasts at their own rate.

    `resend_retries` resends at most (0 turns it off), after RESEND_BACKOFF seconds,
    then twice that, and so on; the wait happens outside the rate limiter, so other
    chats are not held up. Never inside a reminder round (NO_RESEND).

    `chat_per_second`: messages (send*) to one chat are spaced 1/rate seconds apart
    (plus a small margin). Telegram answers a faster chat with 429, and AIORateLimiter
    then holds *every* request for retry_after seconds: one user's burst would slow
    everybody down. 0 turns the spacing off.

    `paid_per_second`: requests with `allow_paid_broadcast` (reminder rounds with
    `reminders.paid_broadcast` on) bypass the overall limit; they are evenly spaced at
    this rate instead (Telegram allows up to 1000/s, paid in Stars). 0: only
    python-telegram-bot's own 1000/s limit applies.

    `replicas` (several replicas on PostgreSQL, bot/storage/replicas.py): the overall
    rate is one schedule shared by all replicas instead of this process's own (Telegram
    counts per token; bench/bench_pacer.py measured a static share per replica losing
    half the budget whenever one replica is idle or down), and each message an update
    causes is announced first (`before_send`), so a replica taking the update over after
    this one died does not answer it a second time.
    """

    def __init__(
        self,
        overall_max_rate: float,
        group_max_rate: float,
        max_retries: int,
        *,
        resend_retries: int,
        resend_backoff: float = RESEND_BACKOFF,
        chat_per_second: float = 0.0,
        paid_per_second: float = 0.0,
        replicas: Replicas | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # A bucket of one message every 1/rate seconds: AIORateLimiter's default bucket of
        # `rate` lets nearly 2x rate through in the first second of a broadcast, which
        # Telegram answers with 429s (bench/bench_broadcast.py: 24.5 msg/s and 501 429s
        # for 10 000 reminders at 30/s; evenly spaced at 29/s: 28.3 msg/s, no 429).
        shared = replicas is not None and replicas.shared
        super().__init__(
            overall_max_rate=0 if shared else 1,  # 0: no local overall limit, the shared schedule paces
            overall_time_period=1 / overall_max_rate,
            group_max_rate=group_max_rate,
            max_retries=max_retries,
        )
        self._replicas = replicas if shared else None
        self._interval = 1 / overall_max_rate
        self.resend_retries = resend_retries
        self._resend_backoff = resend_backoff
        self._sleep = sleep
        self._chat_interval = 1 / chat_per_second + CHAT_SPACING_MARGIN if chat_per_second > 0 else 0.0
        self._next_send: dict[int | str, float] = {}
        self._paid = AsyncLimiter(1, 1 / paid_per_second) if paid_per_second > 0 else None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        resendable = endpoint.startswith(RESENDABLE_PREFIXES) and not NO_RESEND.get()
        chat_id = data.get("chat_id")
        if self._replicas is not None and chat_id is not None:
            callback = self._shared(callback, endpoint, paced=not data.get("allow_paid_broadcast"))
        if self._chat_interval and chat_id is not None and endpoint.startswith("send") and endpoint != "sendChatAction":
            callback = self._spaced(callback, chat_id)
        attempt = 0
        while True:
            try:
                if self._paid is not None and data.get("allow_paid_broadcast"):
                    async with self._paid:
                        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if not resendable or attempt >= self.resend_retries or not surely_not_delivered(exc):
                    raise
                delay = self._resend_backoff * 2**attempt
                attempt += 1
                logger.warning(
                    "%s failed (%s: %s), not delivered: sending again in %.1f s (%d of %d)",
                    endpoint,
                    type(exc).__name__,
                    exc.message,
                    delay,
                    attempt,
                    self.resend_retries,
                )
                await self._sleep(delay)

    def _shared(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        endpoint: str,
        *,
        paced: bool,
    ) -> Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]:
        """`callback` in its slot of the replicas' shared schedule, announced first if it is a message."""
        replicas = self._replicas
        assert replicas is not None
        announce = endpoint.startswith(RESENDABLE_PREFIXES) and endpoint != "sendChatAction"

        async def shared(*args: Any, **kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            while paced:
                wait = await replicas.reserve_send(self._interval)
                due = time.monotonic() + wait
                if wait > 0:
                    await asyncio.sleep(wait)
                # Woken up too late (this process was busy): sent now, the message would
                # bunch up with the next replica's on-time one and Telegram could count 31
                # in a second. Take a later slot instead.
                if time.monotonic() - due <= LATE_SLOT:
                    break
            if announce:
                await replicas.before_send()
            return await callback(*args, **kwargs)

        return shared

    def _spaced(
        self, callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]], chat_id: int | str
    ) -> Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]:
        """`callback`, run no sooner than `chat_interval` after the previous message to `chat_id`.

        The turn is taken once the overall limiter has let the request through, so the
        spacing is between requests as they leave, not as they queue.
        """

        async def spaced(*args: Any, **kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            now = time.monotonic()
            turn = max(now, self._next_send.get(chat_id, now))
            self._next_send[chat_id] = turn + self._chat_interval
            if len(self._next_send) > _MAX_CHATS_REMEMBERED:
                self._next_send = {chat: at for chat, at in self._next_send.items() if at > now}
            if turn > now:
                await asyncio.sleep(turn - now)
            return await callback(*args, **kwargs)

        return spaced


# What callers import from here though it lives in polling.py.
__all__ = [
    "COMMIT_INTERVAL",
    "MAX_STARTUP_WAIT",
    "MAX_UNCONFIRMED",
    "PollingConnection",
    "UpdateQueue",
    "UpdateTracker",
    "connect_with_backoff",
    "describe",
]
