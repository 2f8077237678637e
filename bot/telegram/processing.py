"""How updates are handled: many chats at once, each chat's updates strictly in order.

python-telegram-bot handles one update at a time by default, so every reply waits out
a whole Bot API round trip before the next user's question is even looked at: with
the Bot API 100 ms away that is about 10 answers per second, a third of what Telegram
allows (docs/performance.md). `ChatOrderedProcessor` (PTB's `BaseUpdateProcessor`
hook) runs up to `concurrency` handlers at once, across chats, while a chat's second
update waits for its first: a user's second question is never answered before the
first, and a button press never overtakes the message it belongs to.

An update waiting behind its own chat does not take a handler slot, so a chat held
up by Telegram (a group at its 20 messages a minute) holds up nobody else. The
tracker (bot/telegram/network.py) hears when each update is taken up and handled,
which is what polling paces itself and confirms updates by.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# With concurrency above 1, python-telegram-bot starts a task for every update as soon as
# it leaves the update queue, and its own semaphore (this size) bounds those tasks; the
# handler slots are ours. Polling fetches only about one batch (100) ahead, so this is
# never reached in practice; it bounds memory if something else floods the queue.
MAX_TAKEN_IN = 10_000


def ordering_key(update: object) -> int | None:
    """What an update must stay in order with: its chat, or its user when it has no chat (inline queries)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def update_id_of(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None


def _ignore(update_id: int) -> None:
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to `concurrency` updates handled at once; updates with the same `ordering_key` one after another.

    `admit(update)` False: the update is skipped without being queued behind its chat
    (flood control dropped it when it arrived). `taken(update_id)` and
    `handled(update_id)` report progress (bot/telegram/network.py's UpdateTracker).
    With `concurrency` 1 this is python-telegram-bot's own sequential handling.
    """

    def __init__(
        self,
        concurrency: int,
        *,
        admit: Callable[[object], bool] = lambda update: True,
        taken: Callable[[int], None] = _ignore,
        handled: Callable[[int], None] = _ignore,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        super().__init__(1 if concurrency == 1 else MAX_TAKEN_IN)
        self.concurrency = concurrency
        self._admit = admit
        self._taken = taken
        self._handled = handled
        self._slots = asyncio.Semaphore(concurrency)
        self._tails: dict[int, asyncio.Event] = {}  # per chat: set when its latest update is done
        self._running: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> int:
        """Updates being handled right now (holding a slot)."""
        return len(self._running)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the Application has waited for every update by now."""

    def cancel_running(self) -> int:
        """Cancel the handlers running now (a second stop signal); returns how many."""
        for task in self._running:
            task.cancel()
        return len(self._running)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        update_id = update_id_of(update)
        if not self._admit(update):
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # never started: nothing to clean up
            if update_id is not None:
                self._handled(update_id)
            return
        key = ordering_key(update)
        previous = self._tails.get(key) if key is not None else None
        done = asyncio.Event()
        if key is not None:
            self._tails[key] = done
        try:
            if previous is not None:
                if update_id is not None:
                    self._taken(update_id)  # waits for its own chat, not for a slot
                await previous.wait()
            async with self._slots:
                if update_id is not None:
                    self._taken(update_id)
                task = asyncio.current_task()
                if task is not None:
                    self._running.add(task)
                try:
                    await coroutine
                finally:
                    if task is not None:
                        self._running.discard(task)
        finally:
            done.set()
            if key is not None and self._tails.get(key) is done:
                del self._tails[key]
            if update_id is not None:
                self._handled(update_id)
            if isinstance(coroutine, Coroutine):
                with contextlib.suppress(RuntimeError):
                    coroutine.close()  # cancelled before it started: no "never awaited" warning
