"""Telegram's side of a webhook, for tests: deliver updates to a URL the way Telegram does.

What Telegram documents or is seen doing, and this sender copies:
- it posts each update as JSON with the `X-Telegram-Bot-Api-Secret-Token` header;
- at most `max_connections` requests are open at once (setWebhook's max_connections);
- one chat's updates go in order: the next waits until the previous was confirmed;
- an update is confirmed by any 2xx answer; anything else (other status, timeout,
  connection refused or dropped) makes it deliver the same update again later.

Every attempt is recorded (`Attempt`), so a test can say when an update was first
sent, how often, and when it was finally confirmed.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Attempt:
    update_id: int
    started: float  # time.monotonic()
    finished: float
    status: int  # HTTP status, or 0 for a connection error or timeout


@dataclass
class Delivery:
    """What happened to every update handed to `deliver`."""

    attempts: list[Attempt] = field(default_factory=list)
    confirmed: dict[int, float] = field(default_factory=dict)  # update_id -> monotonic time of the 2xx
    first_sent: dict[int, float] = field(default_factory=dict)
    given_up: list[int] = field(default_factory=list)

    def retried(self) -> dict[int, int]:
        """update_id -> number of attempts, for updates that needed more than one."""
        counts = collections.Counter(a.update_id for a in self.attempts)
        return {update_id: n for update_id, n in counts.items() if n > 1}


def _chat_of(update: JSON) -> Any:
    for key in ("message", "edited_message", "callback_query", "channel_post"):
        if key in update:
            body = update[key]
            message = body.get("message", body) if key == "callback_query" else body
            if isinstance(message, dict) and "chat" in message:
                return message["chat"]["id"]
    return ("update", update["update_id"])  # no chat: no ordering constraint


class WebhookSender:
    """Posts updates to `url` as Telegram would (see the module docstring)."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        verify: ssl.SSLContext | bool = True,
        max_connections: int = 40,
        timeout: float = 60.0,
        retry_delays: Iterable[float] = (0.5, 1, 2, 4, 8, 8, 8, 8),
    ) -> None:
        self.url = url
        self.secret = secret
        self.max_connections = max_connections
        self.retry_delays = tuple(retry_delays)
        self._client = httpx.AsyncClient(
            verify=verify,
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )
        self._slots = asyncio.Semaphore(max_connections)

    async def close(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> WebhookSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def deliver(
        self, updates: Iterable[JSON], *, rate: float | None = None, report: Delivery | None = None
    ) -> Delivery:
        """Deliver `updates` (offered at `rate` per second, or all at once), until each is confirmed or given up."""
        report = report or Delivery()
        chats: dict[Any, asyncio.Queue[JSON]] = {}
        workers: list[asyncio.Task[None]] = []
        start = time.monotonic()
        for i, update in enumerate(updates):
            if rate:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            chat = _chat_of(update)
            queue = chats.get(chat)
            if queue is None:
                queue = chats[chat] = asyncio.Queue()
                workers.append(asyncio.create_task(self._chat_worker(queue, report)))
            queue.put_nowait(update)
        for queue in chats.values():
            await queue.join()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        return report

    async def _chat_worker(self, queue: asyncio.Queue[JSON], report: Delivery) -> None:
        while True:
            update = await queue.get()
            try:
                await self._deliver_one(update, report)
            finally:
                queue.task_done()

    async def _deliver_one(self, update: JSON, report: Delivery) -> None:
        update_id = int(update["update_id"])
        for delay in (*self.retry_delays, None):
            async with self._slots:
                started = time.monotonic()
                report.first_sent.setdefault(update_id, started)
                try:
                    response = await self._client.post(self.url, json=update, headers={SECRET_HEADER: self.secret})
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                finished = time.monotonic()
            report.attempts.append(Attempt(update_id, started, finished, status))
            if 200 <= status < 300:
                report.confirmed[update_id] = finished
                return
            if delay is None:
                break
            await asyncio.sleep(delay)
        report.given_up.append(update_id)
