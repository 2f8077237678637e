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
import contextlib
import contextvars
import datetime as dt
import json
import logging
import math
import time
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter
from telegram.warnings import PTBDeprecationWarning

from bot.storage import Replicas

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# Methods worth resending: the ones that deliver something to a user. A repeated
# answerCallbackQuery or answerInlineQuery would only be refused ("query is too old").
RESENDABLE_PREFIXES = ("send", "edit")
# A shared send slot (several replicas) this late is given up for a later one (seconds).
LATE_SLOT = 0.02
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


# What getUpdates gets once this process has stepped aside: no updates, a moment later.
_NO_UPDATES = b'{"ok": true, "result": []}'
_LATCHED_PAUSE = 0.2
# While updates are being handled, confirm the handled ones to Telegram this often (one
# short getUpdates). A SIGKILL re-delivers at most what was handled in this window.
COMMIT_INTERVAL = 0.2
# When fetching more, at most this many fetched updates stay unconfirmed (running, or waiting
# behind their own chat): Telegram returns them first, and at most 100 updates per call.
MAX_UNCONFIRMED = 50


class UpdateQueue(asyncio.Queue[object]):
    """The Application's update queue; `on_arrival` sees every update as it arrives (flood control)."""

    def __init__(self, on_arrival: Callable[[object], None] | None = None) -> None:
        super().__init__()
        self.on_arrival = on_arrival

    def _put(self, item: object) -> None:
        if self.on_arrival is not None:
            try:
                self.on_arrival(item)
            except Exception:  # counting must never lose the update itself
                logger.exception("checking an arriving update failed; it is handled without the check")
        super()._put(item)


class UpdateTracker:
    """Which of the updates fetched by polling are taken up and which are handled.

    `PollingConnection` reports what it fetched; the update processor
    (bot/telegram/processing.py) reports when an update is taken up (it got a handler
    slot, or waits behind an earlier update of its own chat) and when it is handled.
    From that the connection knows when to fetch more (nothing fetched is left waiting
    for a slot) and what it may confirm to Telegram (everything before the oldest
    update not yet handled).
    """

    def __init__(self) -> None:
        self._open: OrderedDict[int, bool] = OrderedDict()  # fetched, unconfirmed: id -> handled
        self._untaken: set[int] = set()
        self.confirmed = 0  # the offset last sent: every update below it is confirmed
        self.seen = 0  # the highest update_id fetched
        self._changed: asyncio.Event | None = None

    @property
    def waiting(self) -> int:
        """Fetched updates not yet taken up."""
        return len(self._untaken)

    @property
    def unconfirmed(self) -> int:
        """Fetched updates not yet confirmed to Telegram (handled or not)."""
        return len(self._open)

    @property
    def in_flight(self) -> int:
        """Fetched, unconfirmed updates not yet handled."""
        return sum(1 for handled in self._open.values() if not handled)

    def fetched(self, update_id: int) -> None:
        self.seen = max(self.seen, update_id)
        self._open[update_id] = False
        self._untaken.add(update_id)

    def taken(self, update_id: int) -> None:
        if update_id in self._untaken:
            self._untaken.discard(update_id)
            self._wake()

    def handled(self, update_id: int) -> None:
        self._untaken.discard(update_id)
        if update_id in self._open:
            self._open[update_id] = True
        self._wake()

    def commit_due(self) -> bool:
        """True if updates were handled that Telegram has not been told about yet."""
        return bool(self._open) and self._open[next(iter(self._open))]

    def offset(self, *, fetching: bool) -> int:
        """The getUpdates offset that confirms what may be confirmed now (and forgets it here).

        `fetching`: the call is to bring new updates, so at most MAX_UNCONFIRMED may stay
        unconfirmed (Telegram returns them first, and at most 100 in all); the oldest
        beyond that are confirmed though not yet handled. Rare: only updates waiting
        behind their own chat add to the ones running.
        """
        while self._open and self._open[next(iter(self._open))]:
            self._open.popitem(last=False)
        while fetching and len(self._open) > MAX_UNCONFIRMED:
            self._open.popitem(last=False)
        offset = next(iter(self._open)) if self._open else self.seen + 1
        self.confirmed = max(self.confirmed, offset)
        return self.confirmed

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()

    async def changed(self, timeout: float | None) -> None:
        """Return after the next take-up or handled update, or after `timeout` seconds."""
        if self._changed is None:
            self._changed = asyncio.Event()
        self._changed.clear()
        # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._changed.wait()


def _request_data(parameters: dict[str, Any]) -> RequestData:
    """getUpdates parameters as python-telegram-bot sends them (getUpdates has no files).

    RequestParameter is internal to python-telegram-bot (pinned to v22 in pyproject.toml);
    the polling tests exercise this on every run.
    """
    return RequestData([RequestParameter(name, value, None) for name, value in parameters.items()])


class PollingConnection(BaseRequest):
    """The getUpdates connection: fetches no further ahead than the bot handles, confirms as it handles,
    skips updates it cannot read, and steps aside on a 409.

    Backpressure: python-telegram-bot fetches updates as fast as Telegram hands them
    out. Once `pace` is called, the next batch is fetched only when every update of
    the previous ones has been taken up (it is being handled, or waits behind an
    earlier update from the same chat), so at most one batch (100) waits for a
    handler; the rest stays with Telegram, safe across a restart.

    Confirming: Telegram forgets an update once a getUpdates call passes an offset
    above it; PTB's offset confirms everything fetched. Here the offset confirms only
    what has been handled (an update still being handled is fetched again by such a
    call and filtered out), at most COMMIT_INTERVAL after it was handled. A SIGKILL
    therefore re-delivers after the restart only what was handled in that window
    (answered twice) and what was still being handled (answered after all, or, if its
    answer had already gone out, twice), never more than MAX_UNCONFIRMED updates.
    While updates are being handled, polls are short (timeout 0, every
    COMMIT_INTERVAL); the long poll is used when nothing is in flight.

    Updates the library cannot read (a new or malformed type): python-telegram-bot
    would log the whole batch at CRITICAL, raw ids and text included, and fetch it
    again forever. Each update is parsed here first; one that fails is logged by its
    update_id only, confirmed and skipped, and the rest of the batch goes on.

    Conflict: Telegram lets one consumer poll a token; a second `getUpdates`
    terminates the first one's request with 409. Polling again would fight the other
    process for updates (PTB retries forever, and its shutdown calls getUpdates once
    more), so after a 409 every call answers "no updates" locally until the process
    has stopped (bot/telegram/errors.py stops it).
    """

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner
        self.conflict = False
        self.tracker = UpdateTracker()
        self.skipped = 0  # updates that could not be parsed
        self._paced = False
        self._polling: Callable[[], bool] = lambda: False
        self._last_poll = -math.inf

    def pace(self, polling: Callable[[], bool]) -> None:
        """While `polling()` is true, fetch only when the tracker allows, and confirm only handled updates.

        Not for the last getUpdates of a shutdown (the updater has stopped polling by
        then), which confirms everything fetched: the shutdown answers all of it.
        """
        self._paced = True
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
        timeouts = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        if not url.endswith("/getUpdates") or request_data is None:
            return await self._send(url, method, request_data, **timeouts)
        params: dict[str, Any] = dict(request_data.parameters)
        tracker = self.tracker
        if self._paced and self._polling():
            if (refused := await self._wait_for_room(url, method, params, timeouts)) is not None:
                return refused
            if not self._polling():
                return 200, _NO_UPDATES  # stopped while waiting: no new long poll now
            params["offset"] = tracker.offset(fetching=True)
            if tracker.unconfirmed:  # they come back first (filtered out below): no long poll then
                params["timeout"] = 0
            self._last_poll = asyncio.get_running_loop().time()
        else:
            # Stopping: confirm everything fetched (the shutdown answers it) and what was skipped.
            params["offset"] = max(int(params.get("offset", 0)), tracker.seen + 1)
        code, payload = await self._send(url, method, _request_data(params), **timeouts)
        if code != 200:
            return code, payload
        return code, self._new_updates(payload)

    async def _wait_for_room(
        self, url: str, method: str, params: dict[str, Any], timeouts: dict[str, Any]
    ) -> tuple[int, bytes] | None:
        """Wait until nothing fetched waits for a handler (or a poll is due), confirming handled updates meanwhile.

        Returns the answer to hand back instead of polling: an error on a confirming call (a 409).
        """
        tracker = self.tracker
        loop = asyncio.get_running_loop()
        while self._polling():
            since = loop.time() - self._last_poll
            if not tracker.waiting and (tracker.in_flight == 0 or since >= COMMIT_INTERVAL):
                return None
            if tracker.waiting and tracker.commit_due() and since >= COMMIT_INTERVAL:
                # Only confirm: limit 1 returns the oldest update in flight, which is filtered out.
                confirm = params | {"offset": tracker.offset(fetching=False), "timeout": 0, "limit": 1}
                self._last_poll = loop.time()
                code, payload = await self._send(url, method, _request_data(confirm), **timeouts)
                if code != 200:
                    return code, payload
                self._new_updates(payload)
                continue
            await tracker.changed(max(COMMIT_INTERVAL - since, 0.01) if tracker.unconfirmed else None)
        return None

    async def _send(
        self, url: str, method: str, request_data: RequestData | None, **timeouts: Any
    ) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(url, method, request_data, **timeouts)
        if code == 409:
            self.conflict = True
        return code, payload

    def _new_updates(self, payload: bytes) -> bytes:
        """The answer without updates fetched before and without updates the library cannot parse."""
        try:
            body = json.loads(payload)
            result = body["result"]
        except (ValueError, KeyError, TypeError):
            return payload  # PTB reports it
        if not isinstance(result, list):
            return payload
        tracker = self.tracker
        fresh = []
        for item in result:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int) or update_id <= tracker.seen:
                continue
            try:
                Update.de_json(item, None)
            except Exception as exc:
                self.skipped += 1
                logger.error(
                    "Skipping update %d: python-telegram-bot cannot read it (%s); its content is not logged",
                    update_id,
                    type(exc).__name__,
                )
                tracker.fetched(update_id)
                tracker.handled(update_id)
                continue
            tracker.fetched(update_id)
            fresh.append(item)
        if len(fresh) == len(result):
            return payload
        body["result"] = fresh
        return json.dumps(body).encode()


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
