"""Fake Telegram Bot API server for end-to-end tests and benchmarks (stdlib only).

A ``ThreadingHTTPServer`` on 127.0.0.1 runs in a daemon thread, so it works with any asyncio
loop in the test process; ``python -m tests.support.fakebotapi --port N --token T`` runs it standalone
(prints ``listening on 127.0.0.1:PORT``; drive it via ``POST /_fake/<helper>`` with a JSON
object of keyword arguments, e.g. ``/_fake/push_update {"update": {...}}``)::

    with FakeBotApi(token=TOKEN) as api:
        app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
        api.push_update(api.command("/start"))
        call = api.wait_for("sendMessage")[0]       # or: await api.await_for(...)

python-telegram-bot posts form data (urlencoded; multipart when uploading files) in which
``str`` values are sent raw and everything else (ints, bools, reply_markup, entities...) is
``json.dumps``-ed; ``parse_body`` undoes that so recorded ``Call.params`` hold plain values.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import email.parser
import email.policy
import itertools
import json
import math
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_ID = 1000
DEFAULT_USER_ID = 111
DEFAULT_GROUP_ID = -1001234567890
# Params PTB always sends raw: JSON-decoding them would turn the text "42" into the int 42.
_STRING_PARAMS = frozenset((
    "text", "caption", "query", "data", "description", "short_description", "name", "title", "url",
    "next_offset", "callback_query_id", "inline_query_id", "inline_message_id", "parse_mode",
    "action", "secret_token", "switch_pm_text", "switch_pm_parameter", "start_parameter",
    "payload", "question", "explanation", "emoji", "language_code", "message_effect_id",
    "business_connection_id", "ip_address", "custom_title", "photo", "document"))
_DEFAULT_ERRORS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                   409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway"}
_CONTROL = frozenset((  # helpers exposed as POST /_fake/<name> for the standalone mode
    "push_update", "push_updates", "fail_next", "delay", "round_trip", "drop_after_delivery", "block_chat",
    "unblock_chat", "enforce_limits",
    "clear_faults", "reset", "calls", "stats", "text_message", "command", "mention",
    "callback_query", "inline_query"))
Predicate = Callable[["Call"], bool]
JSON = dict[str, Any]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    params: JSON
    time: float  # time.monotonic() when the request arrived
    status: int | None = None  # HTTP status answered; None while in flight (e.g. delayed)
    finished: float | None = None  # time.monotonic() when the answer was written (None: not yet)


class ApiError(Exception):
    """Raise from a handler to answer ``ok: false`` with this HTTP status."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def parse_body(content_type: str, body: bytes, query: str = "") -> JSON:
    """Decode urlencoded / multipart / JSON bodies (plus the query string) to plain values."""
    raw: JSON = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json" and body:
        raw.update(json.loads(body))
    elif ctype == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in msg.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            raw[name] = data.decode() if part.get_filename() is None else {  # uploaded file
                "filename": part.get_filename(), "content_type": part.get_content_type(),
                "size": len(data), "data": data}
    elif body:
        raw.update(parse_qsl(body.decode(), keep_blank_values=True))
    return {k: _decode_value(k, v) for k, v in raw.items()}


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channelname" or a file_id


def _chat_key(chat_id: Any) -> Any:
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return chat_id


def _jsonable(obj: Any) -> Any:
    return asdict(obj) if isinstance(obj, Call) else (
        f"<{len(obj)} bytes>" if isinstance(obj, bytes) else repr(obj))


def _error(status: int, description: str, parameters: JSON | None = None) -> JSON:
    body = {"ok": False, "error_code": status, "description": description}
    return body | ({"parameters": parameters} if parameters else {})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive like api.telegram.org; matters for benchmarks
    disable_nagle_algorithm = True  # headers and body go out as separate writes: avoid 40ms stalls
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.api._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.api._track(self.connection, add=False)
        super().finish()

    def do_POST(self) -> None:
        self.server.api._handle(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a held long-poll must not delay stop()

    def __init__(self, api: FakeBotApi, port: int):
        self.api = api
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # clients hanging up are expected
            super().handle_error(request, client_address)


class FakeBotApi:
    """The fake server; see the module docstring. All public methods are thread-safe."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, port: int = 0,
                 username: str = "PilkadaTestBot", max_poll_hold: float = 10.0,
                 round_trip: float = 0.0, telegram_limits: bool = False):
        """`round_trip` (seconds): every Bot API call answered that much later, half before and
        half after it is carried out, like a Bot API across the internet (see round_trip()).
        `telegram_limits`: enforce Telegram's documented limits from the start (enforce_limits())."""
        self.token, self.username, self.max_poll_hold = token, username, max_poll_hold
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Pilkada Test Bot",
                         "username": username}
        self._port = port  # after the first start() the bound port is reused on restart
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)  # wakes long-polls and wait_for()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._conns: set[socket.socket] = set()
        self._ids = itertools.count(1)  # message ids, shared by users and bot like one history
        self._update_ids = itertools.count(1)
        # method -> fn(params) -> result; tests may add more. Names match case-insensitively.
        self.handlers: dict[str, Callable[[JSON], Any]] = {
            "getMe": lambda p: self.bot_user | {"can_join_groups": True,
                                                "can_read_all_group_messages": False,
                                                "supports_inline_queries": True},
            "getUpdates": self._get_updates, "sendMessage": self._send_message,
            "sendPhoto": lambda p: self._send_file(p, "photo"),
            "sendDocument": lambda p: self._send_file(p, "document"),
            "editMessageText": self._edit, "editMessageReplyMarkup": self._edit,
            "deleteMessage": lambda p: bool(self._messages.pop(
                (_chat_key(p.get("chat_id")), p.get("message_id")), None)),
            "setMyCommands": self._set_commands,
            "getMyCommands": lambda p: self._commands.get(self._scope(p), []),
            "setWebhook": self._set_webhook, "deleteWebhook": self._set_webhook,
            "getWebhookInfo": lambda p: {"url": self._webhook_url, "has_custom_certificate": False,
                                         "pending_update_count": len(self._updates)},
            **{m: (lambda p: True) for m in ("answerCallbackQuery", "answerInlineQuery",
                                              "sendChatAction", "close", "logOut")}}
        self._default_round_trip, self._default_limits = round_trip, telegram_limits
        self.reset()

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        self._stopping.clear()
        self._server = _Server(self, self._port)
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="fakebotapi", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()  # release held getUpdates at once
        self._server.shutdown()
        self._server.server_close()
        with self._lock:  # drop keep-alive connections so clients notice the server is gone
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._server = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._port, "server never started"
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def reset(self) -> None:
        """Forget calls, queued updates, sent messages, stats and faults (the round trip and
        limits given to the constructor stay)."""
        with self._lock:
            self._calls: list[Call] = []
            self._updates: list[JSON] = []
            self._messages: dict[tuple[Any, Any], JSON] = {}
            self._commands: dict[str, list[Any]] = {}
            self._webhook_url = ""
            self._files: dict[str, JSON] = {}  # file_id -> the upload (filename, content_type, size, data)
            self._stats: JSON = {"429": 0, "sent": collections.Counter(),
                                 "status": collections.Counter(), "paid": 0,
                                 "refused_by": collections.Counter()}
            self.clear_faults()

    # --- recording ----------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    @property
    def stats(self) -> JSON:
        """Snapshot: {"429": n, "sent": Counter(chat_id -> successful send* calls),
        "status": Counter(http_status -> n), "paid": successful sends with allow_paid_broadcast,
        "refused_by": Counter(limit -> 429s it caused: "all", "chat", "group", "paid")}."""
        with self._lock:
            return {k: v.copy() if isinstance(v, collections.Counter) else v
                    for k, v in self._stats.items()}

    def _matching(self, method: str | None, predicate: Predicate | None) -> list[Call]:
        def ok(call: Call) -> bool:
            try:
                return predicate is None or bool(predicate(call))
            except (KeyError, TypeError, IndexError):  # e.g. params lacking the key
                return False
        return [c for c in self.calls(method) if ok(c)]

    def _timeout_error(self, method: str | None, count: int, timeout: float) -> AssertionError:
        seen = self.calls()
        lines = [f"  {c.method} -> {c.status} {json.dumps(c.params, default=_jsonable)[:200]}"
                 for c in seen[-30:]]
        return AssertionError(
            f"timed out after {timeout}s waiting for {count} x {method or 'any'} call(s); "
            f"{len(self.calls(method))} {method} call(s) without the predicate. "
            f"Calls seen ({len(seen)}, last 30):\n" + ("\n".join(lines) or "  <none>"))

    def wait_for(self, method: str | None, predicate: Predicate | None = None,
                 count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until >= count calls of method (None = any) matching predicate(call) were
        recorded since the last reset(); return all matching calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(found := self._matching(method, predicate)) < count:
                if (left := deadline - time.monotonic()) <= 0:
                    raise self._timeout_error(method, count, timeout)
                self._cond.wait(left)
        return found

    async def await_for(self, method: str | None, predicate: Predicate | None = None,
                        count: int = 1, timeout: float = 5.0) -> list[Call]:
        """wait_for() that polls with asyncio.sleep so the event loop keeps running."""
        deadline = time.monotonic() + timeout
        while len(found := self._matching(method, predicate)) < count:
            if time.monotonic() >= deadline:
                raise self._timeout_error(method, count, timeout)
            await asyncio.sleep(0.01)
        return found

    # --- fault injection ----------------------------------------------------------------
    def clear_faults(self) -> None:
        """Remove faults, delays and limits, except the constructor's round trip and limits."""
        with self._lock:
            self._faults: dict[str, collections.deque[tuple[int, str, JSON | None]]] = {}
            self._delays: dict[str, float] = {}
            self._delay_counts: dict[str, int] = {}
            self._round_trip = 0.0
            self._drop_after: dict[str, int] = {}
            self._blocked: set[Any] = set()
            self._windows: list[tuple[str, int, float, dict[Any, collections.deque[float]]]] = []
            if self._default_round_trip:
                self.round_trip(self._default_round_trip)
            if self._default_limits:
                self.enforce_limits()

    def fail_next(self, method: str, status: int, count: int = 1,
                  retry_after: int | None = None, description: str | None = None) -> None:
        """Answer the next `count` calls of `method` ("*" = any) with HTTP `status` and
        ok:false. status=0 drops the connection without answering (a network error)."""
        if status == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif status == 409 and method == "getUpdates":
            description = description or ("Conflict: terminated by other getUpdates request; "
                                          "make sure that only one bot instance is running")
        params = {"retry_after": retry_after} if retry_after else None
        fault = (status, description or _DEFAULT_ERRORS.get(status, "Error"), params)
        with self._lock:
            self._faults.setdefault(method, collections.deque()).extend([fault] * count)

    def delay(self, method: str, seconds: float, count: int | None = None) -> None:
        """Sleep before answering `method` ("*" = any); 0 removes the delay. With `count`, only
        the next `count` calls of `method` are delayed."""
        with self._lock:
            self._delays[method] = seconds
            if count is None:
                self._delay_counts.pop(method, None)
            else:
                self._delay_counts[method] = count

    def round_trip(self, seconds: float) -> None:
        """Answer every call `seconds` later: half before it is carried out (the request
        travelling; Telegram's limits count it then) and half after (the answer travelling).
        A long poll holds for its timeout on top of that. 0 removes it."""
        with self._lock:
            self._round_trip = seconds

    def drop_after_delivery(self, method: str, count: int = 1) -> None:
        """Carry out the next `count` calls of `method` (the message is delivered and counted)
        but hang up instead of answering: the client cannot tell whether it went out."""
        with self._lock:
            self._drop_after[method] = self._drop_after.get(method, 0) + count

    def block_chat(self, chat_id: int | str) -> None:
        """send* to this chat -> 403 "Forbidden: bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(_chat_key(chat_id))

    def unblock_chat(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked.discard(_chat_key(chat_id))

    def enforce_limits(self, per_second_overall: int | None = 30, per_second_per_chat: int |
                       None = 1, per_minute_per_group: int | None = 20,
                       paid_per_second: int | None = 1000) -> None:
        """Sliding-window limits on send* (not sendChatAction); excess -> 429 + retry_after.
        None disables a limit. Telegram documents 30/s overall, 1/s per chat, 20/min per
        group, and up to 1000/s for paid broadcasts (allow_paid_broadcast), which do not
        count against the 30/s."""
        with self._lock:
            self._windows = [(scope, limit, secs, {}) for scope, limit, secs in (
                ("all", per_second_overall, 1.0), ("chat", per_second_per_chat, 1.0),
                ("group", per_minute_per_group, 60.0), ("paid", paid_per_second, 1.0)) if limit]

    def _rate_limited(self, chat: Any, paid: bool = False) -> int | None:
        """Count a send if every window allows it, else return seconds to wait."""
        now, is_group = time.monotonic(), isinstance(chat, int) and chat < 0
        applies = {"all": not paid, "chat": True, "group": is_group, "paid": paid}
        windows = [(scope, limit, secs, hits.setdefault(chat if scope in ("chat", "group") else "*",
                                                        collections.deque()))
                   for scope, limit, secs, hits in self._windows if applies[scope]]
        for scope, limit, secs, hits in windows:
            while hits and now - hits[0] >= secs:
                hits.popleft()
            if len(hits) >= limit:
                self._stats["refused_by"][scope] += 1
                return max(1, math.ceil(secs - (now - hits[0])))
        for _, _, _, hits in windows:
            hits.append(now)
        return None

    # --- Bot API methods ----------------------------------------------------------------
    def push_update(self, update: JSON) -> int:
        """Queue an update for getUpdates; assigns update_id if missing and returns it."""
        with self._cond:
            update_id: int = update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            self._cond.notify_all()
        return update_id

    def push_updates(self, updates: list[JSON]) -> list[int]:
        """Queue several updates at once: a getUpdates call sees all of them or none."""
        with self._cond:
            return [self.push_update(update) for update in updates]

    def _get_updates(self, p: JSON) -> list[JSON]:
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), min(max(int(p.get("limit") or 100), 1), 100)
        allowed = p.get("allowed_updates") or []
        # Capped hold: a poll abandoned by its client (PTB shutdown) must not linger long.
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), self.max_poll_hold)
        with self._cond:
            while True:
                if offset > 0:  # confirms (forgets) every update below offset, like Telegram
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                elif offset < 0:
                    self._updates = self._updates[offset:]
                if allowed:
                    self._updates = [u for u in self._updates if any(k in u for k in allowed)]
                left = deadline - time.monotonic()
                if self._updates or left <= 0 or self._stopping.is_set():
                    return self._updates[:limit]
                self._cond.wait(left)

    def _set_webhook(self, p: JSON) -> bool:  # setWebhook and deleteWebhook
        with self._lock:
            self._webhook_url = p.get("url", "")
            if p.get("drop_pending_updates"):
                self._updates.clear()
        return True

    @staticmethod
    def _scope(p: JSON) -> str:
        return json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code", "")],
                          sort_keys=True)

    def _set_commands(self, p: JSON) -> bool:
        with self._lock:
            self._commands[self._scope(p)] = list(p.get("commands") or [])
        return True

    def _send_message(self, p: JSON) -> JSON:
        markup, thread = p.get("reply_markup"), p.get("message_thread_id")
        return self._message(
            p["chat_id"], self.bot_user, text=p["text"], entities=p.get("entities"),
            message_thread_id=thread, is_topic_message=True if thread else None,
            # Telegram echoes only inline keyboards (PTB could not parse the others).
            reply_markup=markup if markup and "inline_keyboard" in markup else None)

    def _send_file(self, p: JSON, kind: str) -> JSON:
        """sendPhoto / sendDocument: an upload gets a new file_id; a file_id given instead must
        be one this server handed out (like Telegram's, for this bot)."""
        file = p[kind]
        with self._lock:
            if isinstance(file, dict):
                file_id = f"{kind}-{next(self._ids)}"
                self._files[file_id] = file
            elif file in self._files:
                file_id = file
            else:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            upload = self._files[file_id]
        meta = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": upload["size"]}
        if kind == "photo":
            data = upload["data"]  # PNG: width and height are the first fields of IHDR
            width, height = ((int.from_bytes(data[16:20]), int.from_bytes(data[20:24]))
                             if data.startswith(b"\x89PNG\r\n\x1a\n") else (0, 0))
            fields: JSON = {"photo": [meta | {"width": width, "height": height}]}
        else:
            fields = {"document": meta | {"file_name": upload["filename"],
                                          "mime_type": upload["content_type"]}}
        thread = p.get("message_thread_id")
        return self._message(p["chat_id"], self.bot_user, caption=p.get("caption"),
                             message_thread_id=thread, is_topic_message=True if thread else None,
                             **fields)

    def uploaded(self, file_id: str) -> bytes:
        """The bytes uploaded under `file_id` by sendPhoto / sendDocument."""
        with self._lock:
            return bytes(self._files[file_id]["data"])

    def _edit(self, p: JSON) -> JSON | bool:
        if p.get("inline_message_id"):
            return True
        with self._lock:
            old = self._messages.get((_chat_key(p.get("chat_id")), p.get("message_id")))
            if old is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            # Like Telegram, omitting reply_markup removes the inline keyboard.
            new = {k: v for k, v in old.items() if k != "reply_markup"}
            new |= {"text": p.get("text", old.get("text")), "edit_date": int(time.time())}
            new |= {"reply_markup": p["reply_markup"]} if p.get("reply_markup") else {}
            if [new.get(k) for k in ("text", "reply_markup")] == [old.get("text"),
                                                                  old.get("reply_markup")]:
                raise ApiError(400, "Bad Request: message is not modified: specified new "
                                    "message content and reply markup are exactly the same "
                                    "as a current content and reply markup of the message")
            self._messages[(old["chat"]["id"], old["message_id"])] = new
            return new

    # --- HTTP plumbing ------------------------------------------------------------------
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def _handle(self, h: _Handler) -> None:
        path, _, query = h.path.partition("?")
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        try:
            params = parse_body(h.headers.get("Content-Type", ""), body, query)
        except (ValueError, TypeError) as exc:
            return self._reply(h, 400, _error(400, f"Bad Request: {exc}"))
        if path.startswith("/_fake/") and path[7:] in _CONTROL:
            try:
                attr = getattr(self, path[7:])
                return self._reply(h, 200, {"ok": True, "result": attr(**params)
                                            if callable(attr) else attr})
            except Exception as exc:  # report misuse to the remote caller
                return self._reply(h, 400, _error(400, repr(exc)))
        if not (match := re.fullmatch(r"/bot([^/]+)/(\w+)", path)):
            return self._reply(h, 404, _error(404, "Not Found"))
        token, method = match.groups()
        call = Call(method, params, time.monotonic())
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
            half_trip = self._round_trip / 2
        if half_trip:
            self._stopping.wait(half_trip)  # the request on its way (interruptible: stop() stays fast)
        status, payload = self._answer(token, method, params)
        with self._cond:
            if status == 200 and self._drop_after.get(method):
                self._drop_after[method] -= 1
                status = 0  # carried out, but the answer never arrives
        if half_trip:
            self._stopping.wait(half_trip)  # the answer on its way
        with self._cond:
            call.status = status
            call.finished = time.monotonic()
            self._stats["status"][status] += 1
            self._stats["429"] += status == 429
            self._cond.notify_all()
        if status == 0:  # fail_next(..., status=0) or drop_after_delivery(): hang up without answering
            h.close_connection = True
        else:
            self._reply(h, status, payload)

    def _answer(self, token: str, method: str, params: JSON) -> tuple[int, JSON]:
        if token != self.token:
            return 401, _error(401, "Unauthorized")
        with self._lock:
            key = method if self._delays.get(method) else "*"
            pause = self._delays.get(key)
            if pause and key in self._delay_counts:
                self._delay_counts[key] -= 1
                if self._delay_counts[key] <= 0:
                    del self._delays[key], self._delay_counts[key]
        if pause:
            self._stopping.wait(pause)  # interruptible, so stop() stays fast
        name = next((m for m in self.handlers if m.lower() == method.lower()), None)
        if name is None:
            return 404, _error(404, "Not Found")
        chat = _chat_key(params.get("chat_id"))
        is_send = method.startswith("send") and method != "sendChatAction"
        try:
            with self._lock:  # faults come first and have no side effects
                for key in (method, "*"):
                    if self._faults.get(key):
                        raise ApiError(*self._faults[key].popleft())
                if method.startswith("send") and chat in self._blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                paid = bool(params.get("allow_paid_broadcast"))
                if is_send and (wait := self._rate_limited(chat, paid)) is not None:
                    raise ApiError(429, f"Too Many Requests: retry after {wait}",
                                   {"retry_after": wait})
            result = self.handlers[name](params)
            if is_send:
                with self._lock:
                    self._stats["sent"][chat] += 1
                    self._stats["paid"] += paid
            return 200, {"ok": True, "result": result}
        except ApiError as e:
            return e.status, _error(e.status, e.description, e.parameters)
        except (KeyError, TypeError, ValueError) as e:  # missing or malformed params
            return 400, _error(400, f"Bad Request: bad or missing parameter {e!r}")

    def _reply(self, h: _Handler, status: int, payload: JSON) -> None:
        data = json.dumps(payload, default=_jsonable).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            h.close_connection = True  # client gave up (e.g. its read timeout hit)

    # --- update builders: return Update dicts without update_id, for push_update() --------
    def user(self, user_id: int = DEFAULT_USER_ID) -> JSON:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}",
                "username": f"user{user_id}", "language_code": "id"}

    def chat(self, chat_id: Any, chat_type: str | None = None) -> JSON:
        """Chat dict; type defaults to "private" for ids > 0, else "supergroup"."""
        key = _chat_key(chat_id)
        if not isinstance(key, int):  # "@channel" username: stable fake numeric id
            key, chat_type = -1000000000000 - zlib.crc32(key.encode()), chat_type or "channel"
        chat_type = chat_type or ("private" if key > 0 else "supergroup")
        if chat_type == "private":
            return {"id": key, "type": "private", "first_name": f"User{key}",
                    "username": f"user{key}"}
        return {"id": key, "type": chat_type, "title": f"Test {chat_type} {key}"}

    def _message(self, chat_id: Any, sender: JSON | None, chat_type: str | None = None,
                 **fields: Any) -> JSON:
        chat = self.chat(chat_id, chat_type)
        msg = {"message_id": next(self._ids), "date": int(time.time()), "chat": chat}
        msg |= ({"from": sender} if sender else {}) | {
            k: v for k, v in fields.items() if v is not None}
        with self._lock:  # remembered so edits and callback queries see the real message
            self._messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def text_message(self, text: str, chat_id: int | None = None, user_id: int = DEFAULT_USER_ID,
                     chat_type: str | None = None, entities: list[JSON] | None = None,
                     reply_to_bot: bool = False, message_thread_id: int | None = None,
                     **extra: Any) -> JSON:
        """A user's text message; chat_id defaults to user_id (private chat). `extra` adds or
        overrides message fields."""
        chat_id = user_id if chat_id is None else chat_id
        thread = {"message_thread_id": message_thread_id,
                  "is_topic_message": True if message_thread_id else None}
        reply = self._message(chat_id, self.bot_user, chat_type, text="Pesan dari bot",
                              **thread) if reply_to_bot else None
        return {"message": self._message(chat_id, self.user(user_id), chat_type, text=text,
                                         entities=entities or None, reply_to_message=reply,
                                         **thread | extra)}

    def command(self, text: str, **kwargs: Any) -> JSON:
        """"/cmd[@bot] args" message with its bot_command entity; kwargs as text_message."""
        head = text.split(maxsplit=1)[0]
        assert head.startswith("/"), text
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(head)}
        return self.text_message(text, entities=[entity, *kwargs.pop("entities", [])], **kwargs)

    def mention(self, text: str, chat_id: int = DEFAULT_GROUP_ID, **kwargs: Any) -> JSON:
        """Group message with a mention entity per "@<bot username>" (prefixed if absent)."""
        tag = "@" + self.username
        text = text if tag.lower() in text.lower() else f"{tag} {text}"
        entities = [{"type": "mention", "offset": utf16_len(text[:m.start()]),
                     "length": utf16_len(tag)}
                    for m in re.finditer(re.escape(tag), text, re.IGNORECASE)]
        return self.text_message(text, chat_id=chat_id, entities=entities, **kwargs)

    def _media(self, chat_id: int | None, user_id: int, **fields: Any) -> JSON:
        chat = user_id if chat_id is None else chat_id
        return {"message": self._message(chat, self.user(user_id), **fields)}

    def sticker(self, emoji: str = "👍", chat_id: int | None = None,
                user_id: int = DEFAULT_USER_ID) -> JSON:
        return self._media(chat_id, user_id, sticker={
            "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADsticker", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji})

    def photo(self, caption: str | None = None, chat_id: int | None = None,
              user_id: int = DEFAULT_USER_ID) -> JSON:
        sizes = [{"file_id": f"AgACAgIAAxkBAAE{w}", "file_unique_id": f"AQAD{w}", "width": w,
                  "height": w * 3 // 4, "file_size": w * 100} for w in (90, 320, 800)]
        return self._media(chat_id, user_id, photo=sizes, caption=caption)

    def location(self, latitude: float = -6.2, longitude: float = 106.8166,
                 chat_id: int | None = None, user_id: int = DEFAULT_USER_ID) -> JSON:
        return self._media(chat_id, user_id, location={"latitude": latitude,
                                                       "longitude": longitude})

    def edited_message(self, text: str, message_id: int | None = None, **kwargs: Any) -> JSON:
        """A user edited their message (kwargs as text_message)."""
        msg = self.text_message(text, message_id=message_id, **kwargs)["message"]
        return {"edited_message": msg | {"edit_date": msg["date"] + 1}}

    def callback_query(self, data: str, message_id: int | None = None,
                       chat_id: int | None = None, user_id: int = DEFAULT_USER_ID) -> JSON:
        """Button press on a bot message: the one sent with message_id (default: the latest
        bot message in the chat), or a made-up bot message if there is none."""
        chat = _chat_key(user_id if chat_id is None else chat_id)
        with self._lock:
            mine = [m for (c, i), m in self._messages.items() if c == chat
                    and m.get("from", {}).get("id") == BOT_ID and message_id in (None, i)]
        msg = mine[-1] if mine else self._message(chat, self.bot_user, text="Pilih:",
                                                   message_id=message_id)
        return {"callback_query": {"id": str(next(self._ids) * 7919), "from": self.user(user_id),
                                   "message": msg, "chat_instance": f"ci{chat}", "data": data}}

    def inline_query(self, query: str, user_id: int = DEFAULT_USER_ID, offset: str = "") -> JSON:
        return {"inline_query": {"id": str(next(self._ids) * 104729), "from": self.user(user_id),
                                 "query": query, "offset": offset, "chat_type": "sender"}}

    def channel_post(self, text: str, chat_id: int = -1009876543210) -> JSON:
        msg = self._message(chat_id, None, "channel", text=text)
        return {"channel_post": msg | {"sender_chat": msg["chat"]}}


class FakeBotApiProcess:
    """The fake server in a process of its own (the standalone mode), driven over /_fake/.

    For load tests that hold the fake to Telegram's limits: in the test's process its
    threads compete for one GIL with the test's own client (bench/bench_replicas.py
    measured 1.5 -> 4.7 ms of that process's CPU per update), and a stall there lets
    requests that arrived apart be counted a few ms apart, so the sliding windows refuse
    sends the bot paced correctly. `Call.time` stays comparable: CLOCK_MONOTONIC is the
    same for every process on the machine."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._process: subprocess.Popen[str] | None = None
        self._address = ""

    def start(self) -> FakeBotApiProcess:
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--port", "0", "--token", self.token],
            stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"the fake Bot API did not start: {line!r}")
        self._address = line.rsplit(" ", 1)[1]
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    @property
    def base_url(self) -> str:
        return f"http://{self._address}/bot"

    def _control(self, name: str, **params: Any) -> Any:
        request = urllib.request.Request(f"http://{self._address}/_fake/{name}",
                                         data=json.dumps(params).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())["result"]

    def enforce_limits(self, **limits: int | None) -> None:
        self._control("enforce_limits", **limits)

    def stats(self) -> JSON:
        """As FakeBotApi.stats, through JSON: chat ids in "sent" are strings."""
        result: JSON = self._control("stats")
        return result

    def calls(self, method: str | None = None) -> list[Call]:
        return [Call(**c) for c in self._control("calls", method=method)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="PilkadaTestBot")
    args = parser.parse_args()
    api = FakeBotApi(args.token, port=args.port, username=args.username).start()
    print(f"listening on 127.0.0.1:{api.port}", flush=True)
    try:
        threading.Event().wait()  # serve until killed
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()


if __name__ == "__main__":
    main()
