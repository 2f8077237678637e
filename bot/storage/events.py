"""What the front ends report about conversations, so staff can learn from them.

The Telegram layer calls a Recorder; the SQLite store (bot/storage.py) implements it.
Raw user ids go in; the recorder decides what to keep (hashed ids, no message text
except unanswered questions and feedback), see the privacy note in messages.yaml.
Small talk ("ok", "makasih", bot/kb/smalltalk.py) is not a question and is never reported.

`BufferedRecorder` keeps the database off the answer path: each call only appends an
event to a list, and a background task writes the list in one transaction every
`interval` seconds (bot/storage.py: `Store.record_events`). A crash loses at most the
last interval of statistics; a database that cannot be written (disk full, another
process holding the write lock) costs statistics, never an answer. Reminder claims do
not go through here: they are written at once (bot/reminders.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.nlu.matcher import MatchResult

log = logging.getLogger(__name__)


class Recorder(Protocol):
    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        """A free-text question and the matcher's outcome (answer, suggest or none)."""

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        """The user resolved their latest "did you mean" by pressing a suggestion."""

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool, comment: str | None = None) -> None:
        """A 👍 or 👎 on an answer; `comment` is why (a reason button's label, or the user's words)."""


class NullRecorder:
    """Records nothing: the console chat and tests without storage."""

    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        return None

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        return None

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool, comment: str | None = None) -> None:
        return None


# --- events, for writing in batches ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    user_id: int
    text: str
    result: MatchResult
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class SuggestionChosen:
    user_id: int
    entry_id: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class FeedbackGiven:
    user_id: int
    entry_id: str
    positive: bool
    at: dt.datetime
    comment: str | None = None  # why: a reason button's label or the user's words (after 👎)


Event = QuestionAsked | SuggestionChosen | FeedbackGiven


class EventSink(Protocol):
    """Where a BufferedRecorder writes: all events of one call in one transaction, in order."""

    async def record_events(self, events: Sequence[Event]) -> None: ...


class EventRefused(Exception):
    """The database refused an event of the batch for what the event holds, not for its own trouble.

    Raised by the stores (bot/storage/recording.py) for the errors that say so (a character
    the database cannot keep, a number too large); writing the same event again cannot
    succeed, so a BufferedRecorder drops it (and only it).
    """


# How often a BufferedRecorder writes, and how much it holds while the database is away.
RECORD_INTERVAL = 0.2
MAX_BUFFERED = 20_000
# Storage errors are logged at most this often (with the count since the last line).
ERROR_LOG_INTERVAL = 60.0


class ErrorLog:
    """Logs a recurring error once, then at most once per `interval` seconds with a count.

    A database that stays locked or full would otherwise write one line per flush (five
    a second) for as long as it lasts.
    """

    def __init__(
        self, what: str, *, interval: float = ERROR_LOG_INTERVAL, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.what = what
        self.count = 0  # every error since the start
        self._interval = interval
        self._monotonic = monotonic
        self._last_logged: float | None = None
        self._unlogged = 0

    def error(self, exc: BaseException, detail: str = "") -> None:
        """Count one error; log it unless a line went out less than `interval` ago."""
        self.count += 1
        self._unlogged += 1
        now = self._monotonic()
        if self._last_logged is not None and now - self._last_logged < self._interval:
            return
        more = f" ({self._unlogged} error(s) since the last report, {self.count} in all)" if self.count > 1 else ""
        log.error("%s failed: %s: %s%s%s", self.what, type(exc).__name__, exc, detail, more)
        self._last_logged = now
        self._unlogged = 0


class BufferedRecorder:
    """A Recorder that answers at once and writes to `sink` in batches, every `interval` seconds.

    Never raises and never waits for the database. When a write fails the events stay
    buffered and are tried again at the next interval (a lock held by another process
    goes away); beyond `max_events` the oldest are dropped and counted in `lost`. Errors
    are counted in `errors.count` and logged at most once a minute.

    One bad event never holds up the others (issue 25, item 4): when the database refuses
    an event for what it holds (`EventRefused`), the batch is written again in halves, down
    to the refused event, which alone is dropped and counted in `dropped` (logged apart).
    A failure the store cannot tell apart from its own trouble is tried the same way now
    and then (at the 1st, 2nd, 4th, 8th, ... failure in a row): an event that fails alone
    while the next one is written is dropped too; two failing in a row mean the database
    is away, and everything is kept.

    Call `start()` on the running loop (the Application's post_init) and `close()`
    before the sink closes: it writes what is left.
    """

    def __init__(
        self,
        sink: EventSink,
        clock: Clock,
        *,
        interval: float = RECORD_INTERVAL,
        max_events: int = MAX_BUFFERED,
    ) -> None:
        if interval <= 0 or max_events < 1:
            raise ValueError("interval must be above 0 and max_events at least 1")
        self._sink = sink
        self._clock = clock
        self.interval = interval
        self._events: deque[Event] = deque()
        self._max_events = max_events
        self._task: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()
        self.written = 0
        self.lost = 0  # pushed out of a full buffer, or left when stopping with the database away
        self.errors = ErrorLog("Recording statistics in the database")
        # Events the database refused, each dropped alone (the others were written): counted and logged apart.
        self.refused = ErrorLog("Writing one statistics event the database refused (dropped; the others are written)")
        self._failures = 0  # failed writes in a row, with the same error
        self._failing: type[BaseException] | None = None

    def __len__(self) -> int:
        """Events waiting to be written."""
        return len(self._events)

    @property
    def dropped(self) -> int:
        """Events the database refused, dropped one by one (the others of their batches were written)."""
        return self.refused.count

    # Recorder -----------------------------------------------------------------------

    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        self._add(QuestionAsked(user_id, text, result, self._clock()))

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        self._add(SuggestionChosen(user_id, entry_id, self._clock()))

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool, comment: str | None = None) -> None:
        self._add(FeedbackGiven(user_id, entry_id, positive, self._clock(), comment))

    def _add(self, event: Event) -> None:
        self._events.append(event)
        if len(self._events) > self._max_events:
            self._events.popleft()
            self.lost += 1

    # writing ------------------------------------------------------------------------

    def start(self) -> None:
        """Write every `interval` seconds from now on (idempotent; needs a running loop)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="BufferedRecorder")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            # Shielded: close() cancels this task, but a write under way finishes (close waits for it).
            await asyncio.shield(self.flush())

    async def flush(self, *, probe: bool = True) -> bool:
        """Write what is buffered now, in one transaction; False if some of it is kept for later.

        `probe`: on a failure the store cannot explain, also try the events one by one now
        and then (class docstring); close() does not, so a stop while the database is locked
        waits for one write only.
        """
        async with self._writing:
            if not self._events:
                return True
            batch, self._events = self._events, deque()
            try:
                await self._write(batch, probe)
            finally:  # what is left is kept for the next try; what arrived meanwhile goes after
                if batch:
                    batch.extend(self._events)
                    self._events = batch
                    while len(self._events) > self._max_events:
                        self._events.popleft()
                        self.lost += 1
            return not batch

    async def _write(self, batch: deque[Event], probe: bool) -> None:
        """Write `batch`, taking out of it what was written or dropped. Never raises an Exception:
        the database's trouble must never reach a handler."""
        try:
            await self._sink.record_events(batch)
        except EventRefused as exc:
            self.errors.error(
                exc, f"; writing the {len(batch)} event(s) of the batch in parts, without the refused one"
            )
            await self._halves(batch, len(batch))
            return
        except Exception as exc:
            # A new kind of error starts a new streak: the database is back, and this is something else.
            self._failures = self._failures + 1 if type(exc) is self._failing else 1
            self._failing = type(exc)
            self.errors.error(exc, f"; {len(batch)} event(s) kept to try again")
            if probe and len(batch) > 1 and self._failures & (self._failures - 1) == 0:
                await self._one_by_one(batch)
            return
        self._failures, self._failing = 0, None
        self.written += len(batch)
        batch.clear()

    async def _halves(self, batch: deque[Event], count: int) -> bool:
        """Write the first `count` events of `batch`, which the database refused together, in halves.

        Each half is written in one transaction; a refused half is split again, down to the
        refused event, which is dropped: one bad event in n costs about 2 log2(n) writes.
        False (and the rest kept) if a write fails for another reason: the database's trouble.
        """
        if count == 1:
            event = batch[0]
            try:
                await self._sink.record_events([event])
            except EventRefused as exc:
                batch.popleft()
                self._drop(event, exc)
                return True
            except Exception:
                return False
            batch.popleft()
            self.written += 1
            return True
        for size in (count // 2, count - count // 2):
            try:
                await self._sink.record_events(list(itertools.islice(batch, size)))
            except EventRefused:
                if not await self._halves(batch, size):
                    return False
                continue
            except Exception:
                return False
            for _ in range(size):
                batch.popleft()
            self.written += size
        return True

    async def _one_by_one(self, batch: deque[Event]) -> None:
        """Write the events one at a time: drop the bad ones, keep all if the database is away.

        An event the store says it refuses is dropped. One that fails for another reason is
        a suspect, kept at the head: if the next event is written, the database works and
        the suspect (tried once more) is dropped; if the next fails too, the database is in
        trouble and everything left is kept, in order.
        """
        suspects = 0  # 0 or 1: batch[0] failed alone for a reason the store did not explain
        while len(batch) > suspects:
            event = batch[suspects]
            try:
                await self._sink.record_events([event])
            except EventRefused as exc:
                del batch[suspects]
                self._drop(event, exc)
                continue
            except Exception:
                if suspects:
                    return  # two in a row: the database's trouble, not the events'
                suspects = 1
                continue
            del batch[suspects]
            self.written += 1
            self._failures, self._failing = 0, None
            if suspects:
                suspect = batch[0]
                try:
                    await self._sink.record_events([suspect])
                except Exception as exc:
                    batch.popleft()
                    self._drop(suspect, exc)
                else:
                    batch.popleft()
                    self.written += 1
                suspects = 0

    def _drop(self, event: Event, exc: Exception) -> None:
        self.refused.error(exc, f" ({type(event).__name__})")

    async def forget(self, user_id: int) -> None:
        """Drop what is buffered about `user_id` (/hapus), after any write under way has finished.

        Then the store can delete the user's rows knowing no buffered event brings them back.
        """
        async with self._writing:
            kept = [e for e in self._events if e.user_id != user_id]
            self._events = deque(kept)

    async def close(self) -> None:
        """Stop the timer and write what is left (once; a failure is logged and the rest counted lost)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if not await self.flush(probe=False):
            self.lost += len(self._events)
            log.error("Stopping: %d statistics event(s) could not be written and are lost", len(self._events))
            self._events.clear()
