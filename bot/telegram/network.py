"""What the bot does when the Bot API misbehaves: retries that cannot duplicate, back-off, and stepping aside.

- `RetryingRateLimiter`: python-telegram-bot's AIORateLimiter (Telegram's 30 messages/s
  and 20/min per group; a 429 is waited out and retried `max_retries` times) that also
  resends a message after a failure that shows it was not delivered: the connection
  never opened, or Telegram answered with a server error (5xx). It never resends after
  a read or write timeout or a connection dropped mid-request: Telegram may have
  delivered that message, and Telegram has no idempotency key to tell. So a duplicate
  is possible only if Telegram processed a request and still answered 5xx.
- `PollingConnection` (with `UpdateQueue`): the getUpdates connection. It fetches the
  next batch of updates only when the previous one has been taken up (so a shutdown
  has at most one batch to answer), and after the first `409 Conflict` (another
  process polls with the same token, or a webhook is set) it never calls getUpdates
  again, so this process does not steal updates from the other one while it shuts
  down (the error handler stops it, see bot/telegram/errors.py).
- `connect_with_backoff`: the first contact at start-up (getMe), tried again with
  exponential back-off while the Bot API cannot be reached.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import BaseRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# Methods worth resending: the ones that deliver something to a user. A repeated
# answerCallbackQuery or answerInlineQuery would only be refused ("query is too old").
RESENDABLE_PREFIXES = ("send", "edit")
# Back-off before the first resend; doubled for each further one.
RESEND_BACKOFF = 0.5
MAX_STARTUP_WAIT = 60.0  # seconds: the longest pause between two start-up attempts
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


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also resends after failures that prove the message was not delivered.

    `resend_retries` resends at most (0 turns it off), after RESEND_BACKOFF seconds,
    then twice that, and so on; the wait happens outside the rate limiter, so other
    chats are not held up.
    """

    def __init__(
        self,
        overall_max_rate: float,
        group_max_rate: float,
        max_retries: int,
        *,
        resend_retries: int,
        resend_backoff: float = RESEND_BACKOFF,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # A bucket of one message every 1/rate seconds: AIORateLimiter's default bucket of
        # `rate` lets nearly 2x rate through in the first second of a broadcast, which
        # Telegram answers with 429s (bench/bench_broadcast.py: 24.5 msg/s and 501 429s
        # for 10 000 reminders at 30/s; evenly spaced at 29/s: 28.3 msg/s, no 429).
        super().__init__(
            overall_max_rate=1,
            overall_time_period=1 / overall_max_rate,
            group_max_rate=group_max_rate,
            max_retries=max_retries,
        )
        self.resend_retries = resend_retries
        self._resend_backoff = resend_backoff
        self._sleep = sleep

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        resendable = endpoint.startswith(RESENDABLE_PREFIXES)
        attempt = 0
        while True:
            try:
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


# What getUpdates gets once this process has stepped aside: no updates, a moment later.
_NO_UPDATES = b'{"ok": true, "result": []}'
_LATCHED_PAUSE = 0.2


class UpdateQueue(asyncio.Queue[object]):
    """The Application's update queue, which can wait until it is empty (see PollingConnection)."""

    def __init__(self) -> None:
        super().__init__()
        self._emptied = asyncio.Event()
        self._emptied.set()

    def _put(self, item: object) -> None:
        super()._put(item)
        self._emptied.clear()

    def _get(self) -> object:
        item = super()._get()
        if self.empty():
            self._emptied.set()
        return item

    async def emptied(self) -> None:
        """Return once every queued update has been taken up for handling."""
        await self._emptied.wait()


class PollingConnection(BaseRequest):
    """The getUpdates connection: fetches no further ahead than the bot handles, and steps aside on a 409.

    Backpressure: python-telegram-bot fetches updates as fast as Telegram hands them
    out, confirms everything fetched when it stops, and answers all of it before it
    exits. Under heavy traffic that is hundreds of queued updates, each answer paced
    at Telegram's 30 messages/s: a SIGTERM would take minutes, and a SIGKILL then
    loses updates already confirmed. Once `pace` is called, the next getUpdates
    waits until the previous batch has been taken up, so at most one batch (100) is
    queued; the rest stays with Telegram, safe across a restart. (With PTB's
    concurrent_updates on, updates leave the queue at once and this does not limit.)

    Conflict: Telegram lets one consumer poll a token; a second `getUpdates`
    terminates the first one's request with 409. Polling again would fight the other
    process for updates (PTB retries forever, and its shutdown calls getUpdates once
    more), so after a 409 every call answers "no updates" locally until the process
    has stopped (bot/telegram/errors.py stops it).
    """

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner
        self.conflict = False
        self._queue: UpdateQueue | None = None
        self._polling: Callable[[], bool] = lambda: False

    def pace(self, queue: UpdateQueue, polling: Callable[[], bool]) -> None:
        """While `polling()` is true, fetch only once `queue` is empty.

        Not for the last getUpdates of a shutdown (the updater has stopped polling by
        then), which confirms what was fetched.
        """
        self._queue = queue
        self._polling = polling

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.conflict:
            await asyncio.sleep(_LATCHED_PAUSE)  # no busy loop while the process stops
            return 200, _NO_UPDATES
        if self._queue is not None and self._polling():
            await self._queue.emptied()
        code, payload = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code == 409:
            self.conflict = True
        return code, payload


async def connect_with_backoff(
    connect: Callable[[], Awaitable[None]],
    where: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    redact: Callable[[str], str] = str,
) -> None:
    """Call `connect` until it succeeds, at most `retries` more times after network errors.

    Waits `backoff` seconds after the first failure, then twice as long each time (at
    most MAX_STARTUP_WAIT), logging one line per failure that says where and why.
    Raises the last NetworkError when the retries are used up; any other error (e.g.
    InvalidToken: retrying cannot fix a wrong token) at once.
    """
    attempt = 0
    while True:
        try:
            await connect()
            if attempt:
                logger.info("Reached the Bot API at %s after %d failed attempt(s)", where, attempt)
            return
        except (NetworkError, RetryAfter) as exc:
            if attempt >= retries:
                raise
            delay = min(backoff * 2**attempt, MAX_STARTUP_WAIT)
            if isinstance(exc, RetryAfter):
                delay = max(delay, _seconds(exc))
            attempt += 1
            logger.warning(
                "Cannot reach the Bot API at %s (%s); trying again in %.1f s (retry %d of %d)",
                where,
                redact(describe(exc)),
                delay,
                attempt,
                retries,
            )
            await sleep(delay)


def describe(exc: BaseException) -> str:
    """`Type: message` in one line, e.g. "NetworkError: httpx.ConnectError: All connection attempts failed"."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # Without PTB_TIMEDELTA=true PTB 22 warns on every read of retry_after.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
