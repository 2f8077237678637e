"""Statistics off the answer path: BufferedRecorder (bot/events.py) with a fake sink and with the SQLite store."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.events import BufferedRecorder, ErrorLog, Event, QuestionAsked
from bot.matcher import MatchResult
from bot.storage import SqliteStore

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
