"""Getting updates: the getUpdates connection, its queue, and the first contact at start-up.

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
import datetime as dt
import json
import logging
import math
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

MAX_STARTUP_WAIT = 60.0  # seconds: the longest pause between two start-up attempts

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
