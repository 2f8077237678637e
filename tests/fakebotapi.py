"""A small fake Telegram Bot API server for end-to-end tests and benchmarks.

Stdlib only. The server runs a ``ThreadingHTTPServer`` on 127.0.0.1 in a daemon thread, so it
works with whatever asyncio loop the test uses, and can also run as its own process::

    python tests/fakebotapi.py --port 8081 --token 123:ABC   # prints "listening on 127.0.0.1:8081"

Typical use with python-telegram-bot::

    with FakeBotApi(token=TOKEN) as api:
        app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
        api.push_update(api.command("/start"))
        call = api.wait_for("sendMessage")[0]       # or: await api.await_for(...)

PTB posts every request as form data (urlencoded, or multipart when uploading files) where
each value is a string: plain ``str`` values are sent as-is, everything else (ints, bools,
reply_markup, entities, ...) is ``json.dumps``-ed. We undo that so recorded ``params`` hold
plain Python values. Fault switches (``fail_next``, ``delay``, ``block_chat``,
``enforce_limits``) let reliability tests provoke the errors real Telegram produces.
In standalone mode, ``POST /_fake/<helper>`` with a JSON object of keyword arguments calls one
of the helpers in ``_CONTROL`` (e.g. ``/_fake/push_update {"update": {...}}``).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import email.parser
import email.policy
import itertools
import json
import math
import re
import socket
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_ID = 1000
DEFAULT_USER_ID = 111
DEFAULT_GROUP_ID = -1001234567890
# Values PTB sends raw (never JSON-encoded); decoding them would turn text "42" into int 42.
_STRING_PARAMS = frozenset(
    "text caption query data description short_description name title url next_offset "
    "callback_query_id inline_query_id parse_mode action secret_token switch_pm_text "
    "switch_pm_parameter start_parameter payload question explanation emoji language_code "
    "message_effect_id business_connection_id ip_address custom_title first_name last_name "
    "inline_message_id".split()
)
_DEFAULT_ERRORS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                   404: "Not Found", 409: "Conflict", 500: "Internal Server Error",
                   502: "Bad Gateway"}
_CONTROL = frozenset("push_update fail_next delay block_chat unblock_chat enforce_limits "
                     "clear_faults reset calls stats text_message command mention "
                     "callback_query inline_query".split())


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    time: float  # time.monotonic() when the request arrived
    status: int | None = None  # HTTP status we answered with (None while still in flight)


class ApiError(Exception):
    """Raised by method handlers to answer ``ok: false``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class _Window:  # sliding-window rate limit: at most `limit` accepted sends per `seconds`
    limit: int
    seconds: float
    hits: dict[Any, collections.deque] = field(default_factory=dict)


def parse_body(content_type: str, body: bytes, query: str = "") -> dict[str, Any]:
    """Decode urlencoded / multipart / JSON bodies (plus the query string) into plain values."""
    raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json" and body:
        raw.update(json.loads(body))
    elif ctype == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename() is None:
                raw[name] = data.decode("utf-8")
            else:  # uploaded file: keep metadata and bytes, never JSON-decode
                raw[name] = {"filename": part.get_filename(), "size": len(data), "data": data,
                             "content_type": part.get_content_type()}
    elif body:
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {k: _decode_value(k, v) for k, v in raw.items()}


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channelname" or a file_id


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Call):
        return asdict(obj)
    return f"<{len(obj)} bytes>" if isinstance(obj, bytes) else repr(obj)


def _chat_key(chat_id: Any) -> Any:
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return chat_id


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org; matters for benchmarks
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

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        pass


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
    """Fake Bot API server. See module docstring."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, port: int = 0,
                 username: str = "PilkadaTestBot", max_poll_hold: float = 10.0):
        self.token, self.username, self.max_poll_hold = token, username, max_poll_hold
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Pilkada Test Bot",
                         "username": username}
        self._port = port  # after the first start() the bound port is reused on restart
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)  # wakes long-polls and wait_for()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._conns: set[socket.socket] = set()
        self._ids = itertools.count(1)  # shared by user and bot messages, like a chat history
        self._update_ids = itertools.count(1)
        self.handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda p: {**self.bot_user, "can_join_groups": True,
                                "can_read_all_group_messages": False,
                                "supports_inline_queries": True},
            "getUpdates": self._get_updates, "sendMessage": self._send_message,
            "editMessageText": self._edit, "editMessageReplyMarkup": self._edit,
            "deleteMessage": lambda p: bool(self._messages.pop(
                (_chat_key(p.get("chat_id")), p.get("message_id")), None)),
            "setMyCommands": self._set_commands,
            "getMyCommands": lambda p: self._commands.get(self._scope(p), []),
            "deleteWebhook": self._delete_webhook,
            "setWebhook": lambda p: self._set(_webhook_url=p.get("url", "")),
            "getWebhookInfo": lambda p: {"url": self._webhook_url, "has_custom_certificate": False,
                                         "pending_update_count": len(self._updates)},
            **{m: (lambda p: True) for m in ("answerCallbackQuery", "answerInlineQuery",
                                              "sendChatAction", "close", "logOut")},
        }
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------
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
        with self._lock:  # kill keep-alive connections so clients see the server is gone
            for conn in list(self._conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
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
        """Forget calls, queued updates, sent messages, stats and faults."""
        with self._lock:
            self._calls: list[Call] = []
            self._updates: list[dict[str, Any]] = []
            self._messages: dict[tuple[Any, int], dict[str, Any]] = {}
            self._commands: dict[str, list] = {}
            self._webhook_url = ""
            self._stats: dict[str, Any] = {"429": 0, "sent": collections.Counter(),
                                           "status": collections.Counter()}
            self.clear_faults()

    # --- recording -------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    @property
    def stats(self) -> dict[str, Any]:
        """Snapshot: {"429": n, "sent": Counter(chat_id -> messages sent), "status": Counter}."""
        with self._lock:
            return {k: v.copy() if isinstance(v, collections.Counter) else v
                    for k, v in self._stats.items()}

    def _matching(self, method: str | None, predicate: Callable[[Call], bool] | None) -> list:
        return [c for c in self.calls(method) if predicate is None or predicate(c)]

    def _timeout_error(self, method: str | None, count: int, timeout: float) -> AssertionError:
        seen = [f"  {c.method} -> {c.status} {json.dumps(c.params, default=str)[:200]}"
                for c in self.calls()[-30:]]
        return AssertionError(
            f"timed out after {timeout}s waiting for {count} x {method or 'any'} call(s); "
            f"matched {len(self._matching(method, None))} without predicate. Calls seen "
            f"({len(self.calls())}, last 30):\n" + ("\n".join(seen) or "  <none>"))

    def wait_for(self, method: str | None, predicate: Callable[[Call], bool] | None = None,
                 count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until >= count calls of method (matching predicate(call)) have been recorded
        since the last reset(); return all matching calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(found := self._matching(method, predicate)) < count:
                if (left := deadline - time.monotonic()) <= 0:
                    raise self._timeout_error(method, count, timeout)
                self._cond.wait(left)
        return found

    async def await_for(self, method: str | None,
                        predicate: Callable[[Call], bool] | None = None,
                        count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Like wait_for() but polls with asyncio.sleep so the event loop keeps running."""
        deadline = time.monotonic() + timeout
        while len(found := self._matching(method, predicate)) < count:
            if time.monotonic() >= deadline:
                raise self._timeout_error(method, count, timeout)
            await asyncio.sleep(0.01)
        return found

    # --- fault injection -------------------------------------------------------------------
    def clear_faults(self) -> None:
        with self._lock:
            self._faults: dict[str, collections.deque[_Fault]] = {}
            self._delays: dict[str, float] = {}
            self._blocked: set[Any] = set()
            self._windows: list[tuple[str, _Window]] = []

    def fail_next(self, method: str, status: int, count: int = 1,
                  retry_after: int | None = None, description: str | None = None) -> None:
        """The next `count` calls of `method` ("*" = any) answer HTTP `status`, ok:false."""
        if status == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif status == 409 and method == "getUpdates":
            description = description or ("Conflict: terminated by other getUpdates request; "
                                          "make sure that only one bot instance is running")
        fault = _Fault(status, description or _DEFAULT_ERRORS.get(status, "Error"), retry_after)
        with self._lock:
            self._faults.setdefault(method, collections.deque()).extend([fault] * count)

    def delay(self, method: str, seconds: float) -> None:
        """Sleep `seconds` before answering `method` ("*" = any); 0 removes the delay."""
        with self._lock:
            self._delays[method] = seconds

    def block_chat(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked.add(_chat_key(chat_id))

    def unblock_chat(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked.discard(_chat_key(chat_id))

    def enforce_limits(self, per_second_overall: int | None = 30,
                       per_second_per_chat: int | None = 1,
                       per_minute_per_group: int | None = None) -> None:
        """Answer 429 + retry_after on send* methods over these limits; None disables one."""
        with self._lock:
            self._windows = [(scope, _Window(limit, secs)) for scope, limit, secs in (
                ("all", per_second_overall, 1.0), ("chat", per_second_per_chat, 1.0),
                ("group", per_minute_per_group, 60.0)) if limit]

    def _rate_limited(self, chat: Any) -> int | None:
        """Record a send if allowed; otherwise return seconds to wait."""
        now = time.monotonic()
        applicable = [(w, {"all": "*", "chat": chat, "group": chat}[scope])
                      for scope, w in self._windows
                      if scope != "group" or (isinstance(chat, int) and chat < 0)]
        for window, key in applicable:
            hits = window.hits.setdefault(key, collections.deque())
            while hits and now - hits[0] >= window.seconds:
                hits.popleft()
            if len(hits) >= window.limit:
                return max(1, math.ceil(window.seconds - (now - hits[0])))
        for window, key in applicable:
            window.hits[key].append(now)
        return None

    # --- updates -----------------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; assigns update_id if missing and returns it."""
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            self._cond.notify_all()
        return update["update_id"]

    def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), min(max(int(p.get("limit") or 100), 1), 100)
        allowed = p.get("allowed_updates") or []
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), self.max_poll_hold)
        with self._cond:
            while True:
                if offset > 0:  # confirms (forgets) everything below offset, like Telegram
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                elif offset < 0:
                    self._updates = self._updates[offset:]
                if allowed:
                    self._updates = [u for u in self._updates if any(k in u for k in allowed)]
                left = deadline - time.monotonic()
                if self._updates or left <= 0 or self._stopping.is_set():
                    return self._updates[:limit]
                self._cond.wait(left)

    # --- method implementations ---------------------------------------------------------------
    def _set(self, **attrs: Any) -> bool:
        with self._lock:
            self.__dict__.update(attrs)
        return True

    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        with self._lock:
            self._webhook_url = ""
            if p.get("drop_pending_updates"):
                self._updates.clear()
        return True

    @staticmethod
    def _scope(p: dict[str, Any]) -> str:
        return json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code", "")],
                          sort_keys=True)

    def _set_commands(self, p: dict[str, Any]) -> bool:
        with self._lock:
            self._commands[self._scope(p)] = list(p.get("commands") or [])
        return True

    def _send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        markup = p.get("reply_markup")
        msg = self._message(p["chat_id"], self.bot_user, text=p.get("text", ""),
                            entities=p.get("entities"),
                            message_thread_id=p.get("message_thread_id"),
                            is_topic_message=True if p.get("message_thread_id") else None,
                            # Telegram echoes only inline keyboards; PTB would choke on others.
                            reply_markup=markup if markup and "inline_keyboard" in markup else None)
        return msg

    def _edit(self, p: dict[str, Any]) -> dict[str, Any] | bool:
        if p.get("inline_message_id"):
            return True
        with self._lock:
            old = self._messages.get((_chat_key(p.get("chat_id")), p.get("message_id")))
            if old is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            new = {**old, "edit_date": int(time.time())}
            new.pop("reply_markup", None)
            if p.get("reply_markup"):
                new["reply_markup"] = p["reply_markup"]
            if "text" in p:
                new["text"] = p["text"]
            if (new.get("text"), new.get("reply_markup")) == (old.get("text"),
                                                              old.get("reply_markup")):
                raise ApiError(400, "Bad Request: message is not modified: specified new message"
                                    " content and reply markup are exactly the same as a current"
                                    " content and reply markup of the message")
            self._messages[(old["chat"]["id"], old["message_id"])] = new
            return new

    # --- HTTP plumbing -------------------------------------------------------------------------
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def _handle(self, h: _Handler) -> None:
        path, _, query = h.path.partition("?")
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        try:
            params = parse_body(h.headers.get("Content-Type", ""), body, query)
        except (ValueError, TypeError) as exc:
            return self._reply(h, 400, {"ok": False, "error_code": 400,
                                        "description": f"Bad Request: {exc}"})
        if path.startswith("/_fake/") and path[7:] in _CONTROL:
            try:
                attr = getattr(self, path[7:])
                result = attr(**params) if callable(attr) else attr
            except Exception as exc:  # report misuse to the remote caller
                return self._reply(h, 400, {"ok": False, "description": repr(exc)})
            return self._reply(h, 200, {"ok": True, "result": result})
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if not match:
            return self._reply(h, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = match.groups()
        call = Call(method, params, time.monotonic())
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        status, payload = self._answer(token, method, params)
        with self._cond:
            call.status = status
            self._stats["status"][status] += 1
            self._stats["429"] += status == 429
            self._cond.notify_all()
        if status == 0:  # fail_next(..., status=0): drop the connection without answering
            h.close_connection = True
            return
        self._reply(h, status, payload)

    def _answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._lock:
            pause = self._delays.get(method) or self._delays.get("*") or 0
        if pause:
            self._stopping.wait(pause)  # interruptible so stop() stays fast
        # Telegram method names are case-insensitive; handlers may be added at runtime.
        name = next((m for m in self.handlers if m.lower() == method.lower()), None)
        if name is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            chat = _chat_key(params.get("chat_id"))
            is_send = method.startswith("send") and method != "sendChatAction"
            with self._lock:
                for key in (method, "*"):
                    if self._faults.get(key):
                        f = self._faults[key].popleft()
                        raise ApiError(f.status, f.description,
                                       {"retry_after": f.retry_after} if f.retry_after else None)
                if method.startswith("send") and chat in self._blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if is_send and (wait := self._rate_limited(chat)) is not None:
                    raise ApiError(429, f"Too Many Requests: retry after {wait}",
                                   {"retry_after": wait})
            result = self.handlers[name](params)
            if is_send:
                with self._lock:
                    self._stats["sent"][chat] += 1
            return 200, {"ok": True, "result": result}
        except ApiError as e:
            body = {"ok": False, "error_code": e.status, "description": e.description}
            return e.status, body | ({"parameters": e.parameters} if e.parameters else {})
        except (KeyError, TypeError, ValueError) as e:  # missing/invalid params
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {e!r}"}

    def _reply(self, h: _Handler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, default=_jsonable).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            h.close_connection = True  # client gave up (e.g. its read timeout hit)

    # --- update builders (return Update dicts without update_id; pass to push_update) -------------
    def user(self, user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}",
                "username": f"user{user_id}", "language_code": "id"}

    def chat(self, chat_id: Any, chat_type: str | None = None) -> dict[str, Any]:
        key = _chat_key(chat_id)
        if not isinstance(key, int):  # "@channel" username: stable fake numeric id
            key, chat_type = -1000000000000 - zlib.crc32(key.encode()), chat_type or "channel"
        chat_type = chat_type or ("private" if key > 0 else "supergroup")
        if chat_type == "private":
            return {"id": key, "type": "private", **{k: v for k, v in self.user(key).items()
                                                     if k in ("first_name", "username")}}
        return {"id": key, "type": chat_type, "title": f"Test {chat_type} {key}"}

    def _message(self, chat_id: Any, sender: dict | None, chat_type: str | None = None,
                 **fields: Any) -> dict[str, Any]:
        chat = self.chat(chat_id, chat_type)
        msg = {"message_id": next(self._ids), "date": int(time.time()), "chat": chat}
        msg |= {"from": sender} if sender else {}
        msg |= {k: v for k, v in fields.items() if v is not None}
        with self._lock:  # remembered so edits and callback queries see the real message
            self._messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def text_message(self, text: str, chat_id: int | None = None, user_id: int = DEFAULT_USER_ID,
                     chat_type: str | None = None, entities: list[dict] | None = None,
                     reply_to_bot: bool = False, message_thread_id: int | None = None,
                     **extra: Any) -> dict[str, Any]:
        """Update with a user's text message. chat_id defaults to user_id (private chat);
        chat_type defaults to "private" for positive ids, "supergroup" otherwise."""
        chat_id = user_id if chat_id is None else chat_id
        reply = (self._message(chat_id, self.bot_user, chat_type, text="Pesan dari bot",
                               message_thread_id=message_thread_id) if reply_to_bot else None)
        thread = {"message_thread_id": message_thread_id, "is_topic_message": True}
        return {"message": self._message(
            chat_id, self.user(user_id), chat_type, text=text, entities=entities or None,
            reply_to_message=reply, **(thread if message_thread_id else {}), **extra)}

    def command(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """Update with a "/cmd[@bot] args" message carrying its bot_command entity."""
        assert text.startswith("/"), text
        head = text.split(maxsplit=1)[0]
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(head)}
        return self.text_message(text, entities=[entity, *kwargs.pop("entities", [])], **kwargs)

    def mention(self, text: str, chat_id: int = DEFAULT_GROUP_ID, **kwargs: Any) -> dict:
        """Group message mentioning the bot (prefixed if `text` lacks "@<username>")."""
        tag = "@" + self.username
        if tag.lower() not in text.lower():
            text = f"{tag} {text}"
        entities = [{"type": "mention", "offset": utf16_len(text[:m.start()]),
                     "length": utf16_len(tag)}
                    for m in re.finditer(re.escape(tag), text, re.IGNORECASE)]
        return self.text_message(text, chat_id=chat_id, entities=entities, **kwargs)

    def _media(self, chat_id: Any, user_id: int, **fields: Any) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        return {"message": self._message(chat_id, self.user(user_id), **fields)}

    def sticker(self, emoji: str = "👍", chat_id: int | None = None,
                user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        return self._media(chat_id, user_id, sticker={
            "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADsticker", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji})

    def photo(self, caption: str | None = None, chat_id: int | None = None,
              user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        sizes = [{"file_id": f"AgACAgIAAxkBAAE{w}", "file_unique_id": f"AQAD{w}", "width": w,
                  "height": w * 3 // 4, "file_size": w * 100} for w in (90, 320, 800)]
        return self._media(chat_id, user_id, photo=sizes, caption=caption)

    def location(self, latitude: float = -6.2, longitude: float = 106.816666,
                 chat_id: int | None = None, user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        return self._media(chat_id, user_id,
                           location={"latitude": latitude, "longitude": longitude})

    def edited_message(self, text: str, message_id: int | None = None, **kwargs: Any) -> dict:
        """Update where a user edited a message (message_id defaults to a fresh one)."""
        msg = self.text_message(text, **({"message_id": message_id} if message_id else {}),
                                **kwargs)["message"]
        msg["edit_date"] = msg["date"] + 1
        return {"edited_message": msg}

    def callback_query(self, data: str, message_id: int | None = None,
                       chat_id: int | None = None, user_id: int = DEFAULT_USER_ID) -> dict:
        """Button press on a bot message: the real sent message if message_id is known,
        else the last bot message in the chat, else a freshly made bot message."""
        chat = _chat_key(user_id if chat_id is None else chat_id)
        with self._lock:
            mine = [m for (c, i), m in self._messages.items() if c == chat
                    and m.get("from", {}).get("id") == BOT_ID and message_id in (None, i)]
        msg = mine[-1] if mine else self._message(chat, self.bot_user, text="Pilih:",
                                                   **({"message_id": message_id} if message_id
                                                      else {}))
        return {"callback_query": {"id": str(next(self._ids) * 7919), "from": self.user(user_id),
                                   "message": msg, "chat_instance": f"ci{chat}", "data": data}}

    def inline_query(self, query: str, user_id: int = DEFAULT_USER_ID, offset: str = "") -> dict:
        return {"inline_query": {"id": str(next(self._ids) * 104729), "from": self.user(user_id),
                                 "query": query, "offset": offset, "chat_type": "sender"}}

    def channel_post(self, text: str, chat_id: int = -1009876543210) -> dict[str, Any]:
        msg = self._message(chat_id, None, "channel", text=text)
        return {"channel_post": msg | {"sender_chat": msg["chat"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="PilkadaTestBot")
    args = parser.parse_args()
    api = FakeBotApi(args.token, port=args.port, username=args.username).start()
    print(f"listening on 127.0.0.1:{api.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()


if __name__ == "__main__":
    main()
