"""Statistics off the answer path: BufferedRecorder (bot/storage/events.py), with a fake sink and the SQLite store."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.nlu.matcher import MatchResult
from bot.storage import SqliteStore
from bot.storage.events import BufferedRecorder, ErrorLog, Event, QuestionAsked

NOW = dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC)
ANSWER = MatchResult("answer", "apa_itu_golput", 90.0, (), "golput itu apa", ())
NONE = MatchResult("none", None, 10.0, (), "resep nasi goreng", ())


class Sink:
    """Records each batch; `fail` makes the next writes raise."""

    def __init__(self) -> None:
        self.batches: list[list[Event]] = []
        self.fail: Exception | None = None

    async def record_events(self, events: Sequence[Event]) -> None:
        if self.fail is not None:
            raise self.fail
        self.batches.append(list(events))


async def test_calls_return_at_once_and_are_written_together() -> None:
    sink = Sink()
    recorder = BufferedRecorder(sink, lambda: NOW)
    await recorder.record_match(1, "golput?", ANSWER)
    await recorder.record_suggestion_chosen(1, "apa_itu_golput")
    await recorder.record_feedback(2, "apa_itu_golput", True)
    assert sink.batches == [] and len(recorder) == 3
    assert await recorder.flush()
    (batch,) = sink.batches
    assert [type(e).__name__ for e in batch] == ["QuestionAsked", "SuggestionChosen", "FeedbackGiven"]
    assert batch[0] == QuestionAsked(1, "golput?", ANSWER, NOW)
    assert recorder.written == 3 and len(recorder) == 0


async def test_the_timer_writes_every_interval_and_close_writes_the_rest() -> None:
    sink = Sink()
    recorder = BufferedRecorder(sink, lambda: NOW, interval=0.02)
    recorder.start()
    await recorder.record_match(1, "a", ANSWER)
    for _ in range(100):
        if sink.batches:
            break
        await asyncio.sleep(0.01)
    assert len(sink.batches) == 1
    await recorder.record_match(1, "b", ANSWER)
    await recorder.close()
    assert sum(len(b) for b in sink.batches) == 2


async def test_a_failing_database_keeps_the_events_logs_once_and_catches_up(caplog: pytest.LogCaptureFixture) -> None:
    sink = Sink()
    recorder = BufferedRecorder(sink, lambda: NOW)
    sink.fail = sqlite3.OperationalError("database is locked")
    for i in range(3):
        await recorder.record_match(i, "x", ANSWER)
        assert not await recorder.flush()
    assert recorder.errors.count == 3 and len(recorder) == 3
    logged = [r for r in caplog.records if "database is locked" in r.getMessage()]
    assert len(logged) == 1  # rate-limited: once, not at every flush
    sink.fail = None  # the other process let go of the lock
    assert await recorder.flush()
    assert [e.user_id for e in sink.batches[0]] == [0, 1, 2]  # nothing lost, in order


async def test_memory_is_bounded_while_the_database_is_away() -> None:
    sink = Sink()
    sink.fail = sqlite3.OperationalError("database or disk is full")
    recorder = BufferedRecorder(sink, lambda: NOW, max_events=5)
    for i in range(8):
        await recorder.record_match(i, "x", ANSWER)
    assert not await recorder.flush()
    assert len(recorder) == 5 and recorder.lost == 3
    await recorder.close()  # still failing: the rest is counted lost, and close does not raise
    assert recorder.lost == 8 and len(recorder) == 0


def test_error_log_reports_again_after_the_interval_with_a_count(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    errors = ErrorLog("Writing", interval=60, monotonic=lambda: now[0])
    with caplog.at_level(logging.ERROR):
        for _ in range(5):
            errors.error(OSError("disk full"))
            now[0] += 20
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and errors.count == 5
    assert "3 error(s) since the last report, 4 in all" in lines[1]


async def test_the_store_writes_a_batch_in_one_transaction(tmp_path: Path) -> None:
    async with await SqliteStore.open(tmp_path / "db.sqlite3", salt=b"s" * 32, clock=lambda: NOW) as store:
        recorder = BufferedRecorder(store, store.clock)
        for i in range(50):
            await recorder.record_match(i, "q", ANSWER if i % 2 else NONE)
        assert await recorder.flush()
        stats = await store.stats(NOW.date())
        assert (stats.questions_today, stats.answered_today, stats.users_today) == (50, 25, 50)
        assert len(await store.unanswered(100)) == 25


async def test_a_vote_and_its_reason_reach_the_store_in_order_redacted(tmp_path: Path) -> None:
    # After 👎 the reason (a button's label or the user's words) follows the vote in the same batch.
    async with await SqliteStore.open(tmp_path / "db.sqlite3", salt=b"s" * 32, clock=lambda: NOW) as store:
        recorder = BufferedRecorder(store, store.clock)
        await recorder.record_feedback(1, "apa_itu_golput", False)
        await recorder.record_feedback(1, "apa_itu_golput", False, "salah, hubungi aku di 081234567890")
        await recorder.record_feedback(2, "jadwal_pencoblosan", True)
        assert await recorder.flush()
        (comment,) = await store.feedback_comments(10)
        assert (comment.entry_id, comment.positive, comment.comment) == (
            "apa_itu_golput",
            False,
            "salah, hubungi aku di [telepon]",
        )


class PickySink(Sink):
    """Refuses every batch that holds the event of user `bad` (as a database refuses one row and
    rolls the whole transaction back); `down` makes every write fail, as a database that is away."""

    def __init__(self, bad: int, error: Exception) -> None:
        super().__init__()
        self.bad = bad
        self.error = error
        self.down = False
        self.tries = 0

    async def record_events(self, events: Sequence[Event]) -> None:
        self.tries += 1
        if self.down:
            raise sqlite3.OperationalError("database is locked")
        if any(e.user_id == self.bad for e in events):
            raise self.error
        self.batches.append(list(events))


def written_users(sink: Sink) -> list[int]:
    return [e.user_id for batch in sink.batches for e in batch]


@pytest.mark.parametrize("known", [True, False])
async def test_one_bad_event_is_dropped_alone_and_the_others_are_written(
    known: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 25, item 4: one event the database refused kept its batch failing, retried every
    # 0.2 s, and nothing more was recorded for anyone. Whatever the error (one the store
    # knows to be about the data: EventRefused, or not), the bad event goes alone and is counted.
    from bot.storage.events import EventRefused

    sink = PickySink(bad=666, error=EventRefused("UnicodeEncodeError") if known else KeyError("x"))
    recorder = BufferedRecorder(sink, lambda: NOW)
    for user in [1, 2, 3, 666, 4, 5, 6, 7, 8, 9, 10]:
        await recorder.record_match(user, "x", ANSWER)
    assert await recorder.flush()
    assert written_users(sink) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert (recorder.written, recorder.dropped, recorder.lost, len(recorder)) == (10, 1, 0, 0)
    assert recorder.errors.count >= 1
    assert any("dropped" in r.getMessage() for r in caplog.records)
    tries = sink.tries
    await recorder.record_match(11, "x", ANSWER)
    assert await recorder.flush()
    assert sink.tries == tries + 1, "the bad event is never tried again"
    assert written_users(sink)[-1] == 11


async def test_a_database_that_is_away_costs_no_event_even_with_one_bad_one_among_them() -> None:
    sink = PickySink(bad=666, error=KeyError("x"))
    recorder = BufferedRecorder(sink, lambda: NOW)
    sink.down = True
    for user in [1, 666, 2, 3]:
        await recorder.record_match(user, "x", ANSWER)
    for _ in range(10):
        assert not await recorder.flush()
    assert (len(recorder), recorder.dropped, recorder.lost) == (4, 0, 0), "kept while the database is away"
    assert sink.tries <= 10 + 2 * 5, "a write alone is tried now and then, not at every flush"
    sink.down = False
    assert await recorder.flush()
    assert written_users(sink) == [1, 2, 3] and recorder.dropped == 1


async def test_a_stop_never_drops_the_whole_buffer_for_one_bad_event() -> None:
    from bot.storage.events import EventRefused

    sink = PickySink(bad=666, error=EventRefused("UnicodeEncodeError: surrogates not allowed"))
    recorder = BufferedRecorder(sink, lambda: NOW)
    for user in [1, 666, 2]:
        await recorder.record_match(user, "x", ANSWER)
    await recorder.close()
    assert written_users(sink) == [1, 2]
    assert (recorder.dropped, recorder.lost) == (1, 0)


async def test_a_refused_event_among_thousands_costs_a_few_writes_not_one_per_event() -> None:
    # After an outage the buffer may hold thousands of events: written again in halves.
    from bot.storage.events import EventRefused

    sink = PickySink(bad=666, error=EventRefused("DataError"))
    recorder = BufferedRecorder(sink, lambda: NOW)
    users = [*range(1000, 1700), 666, *range(2000, 2300)]
    for user in users:
        await recorder.record_match(user, "x", ANSWER)
    assert await recorder.flush()
    assert written_users(sink) == [u for u in users if u != 666]
    assert recorder.dropped == 1
    assert sink.tries <= 2 + 2 * 10  # the batch, then two halves per level (log2(1001) < 10), then the event
