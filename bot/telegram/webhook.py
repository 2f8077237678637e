"""Serve Telegram's webhook ourselves: check the secret first, bound everything, answer after handling.

Why not python-telegram-bot's own webhook server (issue #14 item 6): it reads a body in
full before it checks the secret (four 95 MB requests took the bot from 60 to 519 MB),
never times out a slow body (1100 of them: "Too many open files"), and answers 200
before the update is handled, so a killed process loses what it had queued. This
server, on tornado (already installed with PTB's webhooks extra, and it can look at a
request's headers before its body arrives: `stream_request_body`):

- checks `X-Telegram-Bot-Api-Secret-Token` (constant-time) and the announced size
  before reading any of the body: 403 / 411 / 413, and the connection is closed;
- caps the body (`max_body_bytes`; Telegram's updates are a few kB), times out
  bodies that come too slowly (`request_timeout`), and bounds the open connections
  (`open_connections`);
- makes a connection earn its place (issue #25 item 1): until it has sent complete
  headers with the right secret it must do so within `header_timeout` (3 s) or be
  closed, and when every slot is taken the oldest such connection gives way to a new
  one (`ConnectionSlots`), so idle or slow-header connections cannot keep Telegram out;
- logs refusals once, then at most one summary a minute, never a line per request;
- answers 200 only after `handle(update)` returned, so Telegram delivers again what a
  killed or stopping process did not finish (a timeout or 5xx makes it retry);
- handles each update_id once (`UpdateIds`: a redelivery of one being handled waits
  for it, of one handled is answered at once; bounded memory);
- serves `GET /healthz` (200, or 503 while stopping) for a load balancer.

The handling is injected (`handle`), so the same server can sit in front of several
replicas later (issue #16); `run_application` below runs it for one PTB Application.
"""

from __future__ import annotations

import asyncio
import collections
import hmac
import json
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.storage import Replicas
from bot.telegram.network import connect_with_backoff

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JSONDict = dict[str, Any]
HandleUpdate = Callable[[JSONDict], Awaitable[None]]
# How often a flood of refused requests may add a line to the log.
REFUSAL_LOG_INTERVAL = 60.0
_MAX_HEADER_BYTES = 16 * 1024
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request and the whole server may take."""

    max_body_bytes: int = 256 * 1024
    request_timeout: float = 10.0  # for the body, and for a proven connection's next headers
    open_connections: int = 100
    # A new connection must send complete headers with the secret within this many seconds
    # (never more than request_timeout). Telegram (or nginx) sends them at once.
    header_timeout: float = 3.0

    @property
    def header_deadline(self) -> float:
        return min(self.header_timeout, self.request_timeout)


class ConnectionSlots(Generic[K]):
    """Who holds the server's `capacity` connections, and who gives way to a newcomer (issue #25 item 1).

    A connection is *proven* once it sent complete headers with the right secret; only
    Telegram (or nginx in front) can. When every slot is taken, a newcomer takes the
    place of the oldest connection that is not proven and has no such headers waiting
    to be read (`earned(key)`: they may have arrived a moment ago); if there is none,
    the newcomer is refused. So connections that connect and say nothing, or send their
    headers a byte at a time, are turned over instead of locking everyone else out,
    while a connection whose request is already there is never the one closed. Keys are
    kept in the order they arrived.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._open: dict[K, bool] = {}  # key -> proven

    def __len__(self) -> int:
        return len(self._open)

    def __contains__(self, key: object) -> bool:
        return key in self._open

    def admit(
        self,
        key: K,
        earned: Callable[[K], bool] = lambda key: False,
        partial: Callable[[K], bool] = lambda key: False,
    ) -> tuple[bool, K | None]:
        """(admitted, the connection to close to make room for it, if any).

        `partial(key)`: it has sent part of its headers and not the rest. Telegram sends its
        headers at once, so such a connection gives way first, before one that shows nothing
        (which may be Telegram's, its request read but not yet parsed).
        """
        victim: K | None = None
        if len(self._open) >= self.capacity:
            waiting = [k for k, proven in self._open.items() if not proven and not earned(k)]
            victim = next((k for k in waiting if partial(k)), None) or next(iter(waiting), None)
            if victim is None:
                return False, None
            del self._open[victim]
        self._open[key] = False
        return True, victim

    def prove(self, key: K) -> None:
        if key in self._open:
            self._open[key] = True

    def proven(self, key: K) -> bool:
        return self._open.get(key, False)

    def forget(self, key: K) -> None:
        self._open.pop(key, None)


def headers_earn_a_place(data: bytes, path: str, secret: bytes) -> bool:
    """True if `data` starts with complete request headers for `path` carrying the right secret."""
    end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), default=-1)
    if end < 0:
        return False
    first, *lines = data[:end].splitlines()
    parts = first.split(b" ")
    if len(parts) != 3 or parts[1].split(b"?", 1)[0] != path.encode():
        return False
    for line in lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == SECRET_HEADER.lower().encode():
            return hmac.compare_digest(value.strip(), secret)
    return False


def _waiting(stream: tornado.iostream.IOStream) -> bytes:
    """The bytes the peer sent that the server has not parsed yet (b"" if none, or the socket is gone).

    Both what tornado already read into its buffer and what still waits in the kernel: on a
    busy machine Telegram's headers can sit in tornado's buffer for a moment before they are
    parsed, and a connection whose request is there must not be the one that gives way.
    """
    buffered = bytes(getattr(stream, "_read_buffer", b"")[:_MAX_HEADER_BYTES])
    try:
        return buffered + stream.socket.recv(_MAX_HEADER_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:  # BlockingIOError: nothing waiting
        return buffered


class UpdateIds:
    """Each update_id handled once, with bounded memory.

    Telegram delivers an update again when our answer was not 2xx or came too late; a
    redelivery of an update still being handled waits for that handling, one of an
    update already handled is answered at once. Only the last `size` ids are kept:
    Telegram's redeliveries come within minutes, never thousands of updates later.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._done: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._running: dict[int, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        return len(self._done) + len(self._running)

    async def once(self, update_id: int, handle: Callable[[], Awaitable[None]]) -> bool:
        """Run `handle` unless this update was (or is being) handled; True if it ran here.

        If `handle` raises, the id is not remembered (a redelivery runs it again) and
        whoever waited for it gets the same error.
        """
        if update_id in self._done:
            return False
        running = self._running.get(update_id)
        if running is not None:
            await asyncio.shield(running)
            return False
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._running[update_id] = future
        try:
            await handle()
        except BaseException as exc:
            future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("handling was cancelled"))
            future.exception()  # retrieved: no "exception never retrieved" if nobody waited
            raise
        else:
            future.set_result(None)
            self._done[update_id] = None
            while len(self._done) > self._size:
                self._done.popitem(last=False)
        finally:
            del self._running[update_id]
        return True


class RefusalLog:
    """Refused requests as a few log lines: the first at once, then one summary per interval."""

    def __init__(self, interval: float = REFUSAL_LOG_INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._counts: collections.Counter[str] = collections.Counter()
        self._last: float | None = None
        self._flush: asyncio.TimerHandle | None = None

    def note(self, reason: str) -> None:
        now = self._clock()
        if self._last is None or now - self._last >= self._interval:
            self._last = now
            logger.warning(
                "Webhook: refused a request (%s); further refusals are summed up at most every %.0f s",
                reason,
                self._interval,
            )
            return
        self._counts[reason] += 1
        if self._flush is None:
            with_loop = asyncio.get_running_loop()
            self._flush = with_loop.call_later(self._last + self._interval - now, self.flush)

    def flush(self) -> None:
        """Log the refusals counted since the last line, if any."""
        self._flush = None
        if not self._counts:
            return
        self._last = self._clock()
        total = sum(self._counts.values())
        detail = ", ".join(f"{reason}: {n}" for reason, n in self._counts.most_common())
        logger.warning("Webhook: refused %d more request(s) (%s)", total, detail)
        self._counts.clear()

    def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        self.flush()


class WebhookServer:
    """An HTTP server for Telegram's webhook at `path`, handing each update to `handle`."""

    def __init__(
        self,
        handle: HandleUpdate,
        *,
        secret: str,
        path: str,
        limits: Limits = Limits(),
        update_ids: UpdateIds | None = None,
    ) -> None:
        self.handle = handle
        self.secret = secret.encode()
        self.limits = limits
        self.update_ids = update_ids or UpdateIds()
        self.refusals = RefusalLog()
        self.stopping = False
        self.in_flight: set[asyncio.Future[Any]] = set()
        self.path = "/" + path.strip("/")
        self.slots: ConnectionSlots[tornado.iostream.IOStream] = ConnectionSlots(limits.open_connections)
        self._http: _BoundedHTTPServer | None = None
        self.port = 0

    async def start(self, listen: str, port: int) -> None:
        """Listen on listen:port (0: any free port, then see `.port`); OSError if it cannot."""
        app = tornado.web.Application(
            [
                (self.path, _UpdateHandler, {"server": self}),
                ("/healthz", _HealthHandler, {"server": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=lambda handler: None,  # no access log: a flood would fill the disk
        )
        http = _BoundedHTTPServer(
            app,
            # tornado's header timeout, for every request; a connection that has not proven
            # itself gets the shorter `header_deadline` (see _BoundedHTTPServer).
            idle_connection_timeout=self.limits.request_timeout,
            body_timeout=self.limits.request_timeout,
            max_header_size=_MAX_HEADER_BYTES,
            max_body_size=self.limits.max_body_bytes,
            max_buffer_size=self.limits.max_body_bytes + _MAX_HEADER_BYTES,
            xheaders=True,
        )
        http.webhook = self
        sockets = tornado.netutil.bind_sockets(port, listen or None, backlog=128)
        http.add_sockets(sockets)
        self._http = http
        self.port = int(sockets[0].getsockname()[1])
        # tornado logs each malformed or timed-out request at INFO; our RefusalLog sums them up.
        logging.getLogger("tornado.general").setLevel(logging.WARNING)
        logging.getLogger("tornado.access").setLevel(logging.ERROR)

    async def stop(self, grace: float) -> None:
        """Stop listening, answer new requests 503, let updates being handled finish (at most `grace` s)."""
        self.stopping = True
        if self._http is None:
            return
        self._http.stop()
        if self.in_flight:
            _, late = await asyncio.wait(set(self.in_flight), timeout=grace)
            if late:
                logger.warning("Webhook: %d update(s) still handled after %.1f s: not confirmed", len(late), grace)
                for future in late:
                    future.cancel()
        await self._http.close_all_connections()
        self._http = None
        self.refusals.close()

    def track(self, coroutine: Coroutine[Any, Any, bool]) -> asyncio.Task[bool]:
        task = asyncio.ensure_future(coroutine)
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        return task


class _BoundedHTTPServer(tornado.httpserver.HTTPServer):
    """tornado's HTTPServer where a connection must earn its place (`ConnectionSlots`, `Limits.header_deadline`)."""

    webhook: WebhookServer  # set right after construction (tornado's Configurable owns __init__)

    def handle_stream(self, stream: tornado.iostream.IOStream, address: tuple[Any, ...]) -> None:
        webhook = self.webhook
        admitted, victim = webhook.slots.admit(
            stream,
            earned=lambda other: headers_earn_a_place(_waiting(other), webhook.path, webhook.secret),
            partial=lambda other: bool(_waiting(other)),
        )
        if not admitted:
            webhook.refusals.note("too many open connections")
            stream.close()
            return
        if victim is not None:
            webhook.refusals.note("a connection without complete headers gave way to a new one")
            victim.close()
        super().handle_stream(stream, address)
        asyncio.get_running_loop().call_later(webhook.limits.header_deadline, self._deadline, stream)

    def _deadline(self, stream: tornado.iostream.IOStream) -> None:
        slots = self.webhook.slots
        if stream in slots and not slots.proven(stream) and not stream.closed():
            self.webhook.refusals.note("no complete headers with the secret in time")
            slots.forget(stream)
            stream.close()

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        delegate = super().start_request(server_conn, request_conn)
        stream = getattr(server_conn, "stream", None)
        return _Proving(delegate, self.webhook, stream)

    def on_close(self, server_conn: object) -> None:
        if (stream := getattr(server_conn, "stream", None)) is not None:
            self.webhook.slots.forget(stream)
        super().on_close(server_conn)


class _Proving(tornado.httputil.HTTPMessageDelegate):
    """Marks a connection proven as soon as its headers are complete and carry the secret for the webhook path."""

    def __init__(
        self,
        delegate: tornado.httputil.HTTPMessageDelegate,
        webhook: WebhookServer,
        stream: tornado.iostream.IOStream | None,
    ) -> None:
        self._delegate = delegate
        self._webhook = webhook
        self._stream = stream

    def headers_received(
        self,
        start_line: tornado.httputil.RequestStartLine | tornado.httputil.ResponseStartLine,
        headers: tornado.httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        webhook = self._webhook
        if (
            self._stream is not None
            and isinstance(start_line, tornado.httputil.RequestStartLine)
            and start_line.path.split("?", 1)[0] == webhook.path
            and hmac.compare_digest(headers.get(SECRET_HEADER, "").encode(), webhook.secret)
        ):
            webhook.slots.prove(self._stream)
        return self._delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self._delegate.data_received(chunk)

    def finish(self) -> None:
        self._delegate.finish()

    def on_connection_close(self) -> None:
        self._delegate.on_connection_close()


class _Base(tornado.web.RequestHandler):
    server: WebhookServer

    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Never a traceback or a page: a status line is all a client needs.
        self.finish()

    def refuse(self, status: int, reason: str) -> None:
        self.server.refusals.note(reason)
        self.set_status(status)
        self.finish()


class _NotFoundHandler(_Base):
    def initialize(self) -> None:  # type: ignore[override]
        pass

    def prepare(self) -> None:
        self.set_status(404)
        self.finish()


class _HealthHandler(_Base):
    def get(self) -> None:
        if self.server.stopping:
            self.set_status(503)
        self.set_header("Content-Type", "text/plain")
        self.finish("stopping\n" if self.server.stopping else "ok\n")


@tornado.web.stream_request_body
class _UpdateHandler(_Base):
    """POST <path>: one update. Everything is checked from the headers, before the body is read."""

    SUPPORTED_METHODS = ("POST",)

    def prepare(self) -> None:
        server = self.server
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, server.secret):
            self._refuse_unread(403, "wrong or missing secret")
            return
        try:
            length = int(self.request.headers.get("Content-Length", ""))
        except ValueError:
            self._refuse_unread(411, "no Content-Length")
            return
        if length > server.limits.max_body_bytes:
            self._refuse_unread(413, "body too large")
            return
        if server.stopping:
            self._refuse_unread(503, "stopping")
            return
        self._chunks: list[bytes] = []
        self._started_body = False

    def _refuse_unread(self, status: int, reason: str) -> None:
        # The body is never read: the connection closes after this answer. Lift tornado's
        # size check meanwhile, or it would answer a second time ("400") about the size.
        self.request.connection.set_max_body_size(2**62)  # type: ignore[union-attr]
        self.set_header("Connection", "close")
        self.refuse(status, reason)

    def data_received(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    async def post(self) -> None:
        try:
            update = json.loads(b"".join(self._chunks))
            update_id = update["update_id"]
            if not isinstance(update, dict) or not isinstance(update_id, int):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            # Not an update Telegram would send; a retry would be the same.
            self.refuse(400, "not a Telegram update")
            return
        server = self.server
        task = server.track(server.update_ids.once(update_id, lambda: server.handle(update)))
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            # The server is stopping and gave up on this update: not confirmed, Telegram retries.
            self.set_status(503)
        except Exception:
            logger.exception("Webhook: handling update %d failed; Telegram will deliver it again", update_id)
            self.set_status(500)
        self.finish()

    def on_connection_close(self) -> None:
        # The client went away, or tornado closed a request that timed out.
        if not self._finished:
            self.server.refusals.note("request not completed (timed out or dropped)")


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where to listen and what to tell Telegram (bot.webhook in config.yaml)."""

    listen: str
    port: int
    path: str
    url: str
    secret: str
    max_connections: int = 40  # Telegram's setWebhook: at most this many connections at once
    limits: Limits = Limits()


def run_application(
    loop: asyncio.AbstractEventLoop,
    app: AnyApplication,
    settings: WebhookSettings,
    *,
    where: str,
    retries: int,
    backoff: float,
    grace: float,
    allowed_updates: Sequence[str] | None = None,
    redact: Callable[[str], str] = str,
    on_arrival: Callable[[Update], Awaitable[None]] | None = None,
    shared: Replicas | None = None,
) -> None:
    """Run an initialized `app` behind a WebhookServer until it is stopped, like PTB's run_webhook.

    Stopped by SystemExit or KeyboardInterrupt raised in the loop (a signal handler) or
    by `app.stop_running()`. The order is PTB's: post_init, listen, setWebhook (with
    the secret; tried `retries` more times with back-off while the Bot API at `where`
    cannot be reached), start, serve. On the way out: stop listening and let the updates being
    handled finish (at most `grace` seconds; the rest are not confirmed, so Telegram
    delivers them again), then stop, post_stop, shutdown, post_shutdown, and close the
    loop. A port that cannot be bound raises OSError, setWebhook failing NetworkError.

    `on_arrival(update)` runs first for each update (flood control counts it). With
    `shared` (several replicas on PostgreSQL), each update_id is also handled once
    across the replicas (bot/storage/replicas.py): a redelivery, or nginx resending a
    request to this replica after another one died, is answered without handling it
    twice. This process's own UpdateIds stays in front of it.
    """

    async def handle(update: JSONDict) -> None:
        if shared is None or not shared.shared:
            await process(app, update, on_arrival)
            return
        await shared.handle_once(int(update["update_id"]), lambda: process(app, update, on_arrival))

    server = WebhookServer(handle, secret=settings.secret, path=settings.path, limits=settings.limits)

    async def set_webhook() -> None:
        await app.bot.set_webhook(
            url=settings.url,
            secret_token=settings.secret,
            allowed_updates=allowed_updates,
            drop_pending_updates=False,
            max_connections=settings.max_connections,
        )

    try:
        if app.post_init is not None:
            loop.run_until_complete(app.post_init(app))
        loop.run_until_complete(server.start(settings.listen, settings.port))
        logger.info("Webhook: listening on %s:%d%s", settings.listen, server.port, server.path)
        reach = connect_with_backoff(set_webhook, where, retries=retries, backoff=backoff, redact=redact)
        loop.run_until_complete(reach)
        loop.run_until_complete(app.start())
        loop.run_forever()
    except (KeyboardInterrupt, SystemExit):
        logger.debug("Webhook: stop requested")
    finally:
        try:
            loop.run_until_complete(server.stop(grace))
            if app.running:
                loop.run_until_complete(app.stop())
                if app.post_stop is not None:
                    loop.run_until_complete(app.post_stop(app))
            loop.run_until_complete(app.shutdown())
            if app.post_shutdown is not None:
                loop.run_until_complete(app.post_shutdown(app))
        finally:
            loop.close()


async def process(
    app: AnyApplication, data: JSONDict, on_arrival: Callable[[Update], Awaitable[None]] | None = None
) -> None:
    """Handle one update the way PTB's own update fetcher does (with the app's update processor)."""
    try:
        update = Update.de_json(data, app.bot)
    except Exception as exc:
        # A retry would fail the same way: confirm it, log no content (it may hold user data).
        logger.error("Webhook: update %s could not be read (%s); skipped", data.get("update_id"), type(exc).__name__)
        return
    if on_arrival is not None:
        await on_arrival(update)
    await app.update_processor.process_update(update, app.process_update(update))
