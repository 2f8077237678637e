"""bot/storage: every behaviour of the Store interface, on both back ends.

Each test here runs twice: on a temporary SQLite file and on a fresh database in the
throwaway PostgreSQL server (tests/support/pgserver.py). What only one back end has (SQLite's
file, salt file and write-ahead log; PostgreSQL's URL, password and migration lock) is
in tests/test_storage_sqlite.py and tests/test_storage_postgres.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from bot.storage import EntryFeedback, PostgresStore, SqliteStore, StorageError, Store
from bot.storage.events import Recorder
from tests.support.clocks import FakeClock
from tests.support.constants import SALT, USER, WIB
from tests.support.secrets import SECRETS, TYPED_FORMS
from tests.support.storage import _tell_everything, match

OTHER_USER = 5_550_001_234
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TABLES = ("questions", "unanswered", "feedback", "subscriptions", "sent_reminders")


@dataclass
class Database:
    """One empty database of one back end: open stores on it, count its rows."""

    backend: str
    target: Path | str  # the SQLite file, or the PostgreSQL URL (password in the environment)
    password: str = ""

    async def open(self, salt: bytes = SALT, clock: FakeClock | None = None) -> Store:
        extra = {"clock": clock} if clock is not None else {}
        if isinstance(self.target, Path):
            return await SqliteStore.open(self.target, salt, timezone=WIB, **extra)
        return await PostgresStore.open(self.target, salt, timezone=WIB, **extra)

    def row_counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        if isinstance(self.target, Path):
            with sqlite3.connect(self.target) as conn:
                return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        with psycopg.connect(self.target, password=self.password) as pg:
            counts = {}
            for table in TABLES:
                row = pg.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[call-overload]
                assert row is not None
                counts[table] = int(row[0])
            return counts


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return Database("sqlite", tmp_path / "data" / "bot.sqlite3")
    url = request.getfixturevalue("postgres_url")
    server = request.getfixturevalue("postgres_server")
    return Database("postgres", url, server.password)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC))  # 10:00 WIB


@pytest.fixture
async def store(database: Database, clock: FakeClock) -> AsyncIterator[Store]:
    async with await database.open(clock=clock) as opened:
        yield opened


# --------------------------------------------------------------------- on both back ends


def test_store_is_a_recorder(store: Store) -> None:
    recorder: Recorder = store  # checked by mypy; the Telegram layer relies on it
    assert recorder is store


async def test_answer_counts_but_logs_nothing(store: Store) -> None:
    await store.record_match(USER, "kapan pilkada", match("answer", "jadwal_pencoblosan", score=88))
    assert await store.unanswered(10) == []
    stats = await store.stats(dt.date(2024, 11, 20))
    assert (stats.questions_today, stats.answered_today, stats.questions_total) == (1, 1, 1)


async def test_fallback_is_logged_with_best_candidate(store: Store, clock: FakeClock) -> None:
    await store.record_match(
        USER, "Siapa pemenang debat?", match("none", score=31.5, normalized="siapa menang debat", candidates=("debat",))
    )
    [row] = await store.unanswered(10)
    assert row.kind == "fallback"
    assert row.normalized == "siapa menang debat"
    assert (row.best_entry, row.best_score) == ("debat", 31.5)
    assert row.asked_at == clock.now


async def test_fallback_without_candidates_or_text(store: Store) -> None:
    await store.record_match(USER, "resep", match("none", score=0.0, normalized="resep nasi goreng"))
    await store.record_match(USER, "🙏🙏", match("none", score=0.0, normalized=""))
    [row] = await store.unanswered(10)
    assert (row.normalized, row.best_entry) == ("resep nasi goreng", None)
    assert (await store.stats(dt.date(2024, 11, 20))).questions_total == 2  # both counted


async def test_chosen_suggestion_resolves_only_that_users_latest(store: Store) -> None:
    await store.record_match(USER, "a", match("suggest", normalized="partisipasi", candidates=("p2024", "p2020")))
    await store.record_match(USER, "b", match("suggest", normalized="debat", candidates=("debat", "kampanye")))
    await store.record_match(OTHER_USER, "c", match("suggest", normalized="dpt", candidates=("dpt", "cek_dpt")))
    assert [r.kind for r in await store.unanswered(10)] == ["suggest"] * 3

    await store.record_suggestion_chosen(USER, "debat")
    assert [r.normalized for r in await store.unanswered(10)] == ["dpt", "partisipasi"]
    await store.record_suggestion_chosen(USER, "p2024")
    assert [r.normalized for r in await store.unanswered(10)] == ["dpt"]
    await store.record_suggestion_chosen(USER, "p2020")  # nothing left to resolve: ignored
    stats = await store.stats(dt.date(2024, 11, 20))
    assert (stats.questions_total, stats.answered_total, stats.unanswered_open) == (3, 2, 1)
    assert dict(stats.top_entries) == {"debat": 1, "p2024": 1}


async def test_unanswered_newest_first_with_limit(store: Store, clock: FakeClock) -> None:
    for i in range(5):
        clock.now += dt.timedelta(minutes=1)
        await store.record_match(USER, f"q{i}", match("none", score=10, normalized=f"pertanyaan {i}"))
    rows = await store.unanswered(3)
    assert [r.normalized for r in rows] == ["pertanyaan 4", "pertanyaan 3", "pertanyaan 2"]


async def test_feedback_one_vote_per_user_per_entry(store: Store) -> None:
    await store.record_feedback(USER, "a", True)
    await store.record_feedback(USER, "a", True)
    await store.record_feedback(USER, "a", False)  # changed their mind: replaces
    await store.record_feedback(OTHER_USER, "a", False)
    await store.record_feedback(USER, "b", True)
    stats = await store.stats(dt.date(2024, 11, 20))
    assert stats.feedback == (EntryFeedback("a", 0, 2), EntryFeedback("b", 1, 0))


async def test_feedback_comment_kept_for_same_vote_dropped_when_vote_changes(store: Store, clock: FakeClock) -> None:
    await store.record_feedback(USER, "a", False)
    clock.now += dt.timedelta(minutes=1)
    await store.record_feedback(USER, "a", False, comment="jawabannya kurang lengkap")
    await store.record_feedback(USER, "a", False)  # a repeated tap keeps the comment
    [comment] = await store.feedback_comments(10)
    assert (comment.entry_id, comment.positive, comment.comment) == ("a", False, "jawabannya kurang lengkap")
    await store.record_feedback(USER, "a", True)
    assert await store.feedback_comments(10) == []


async def test_concurrent_records_are_all_kept(store: Store) -> None:
    results = [match("none", score=5, normalized=f"q {i}") if i % 2 else match("answer", "x") for i in range(40)]
    await asyncio.gather(*(store.record_match(1000 + i, "t", r) for i, r in enumerate(results)))
    stats = await store.stats(dt.date(2024, 11, 20))
    assert (stats.questions_total, stats.answered_total, stats.unanswered_open) == (40, 20, 20)
    assert stats.users_today == 40


async def test_stats_figures(store: Store, clock: FakeClock) -> None:
    # Yesterday, 23:30 WIB = 16:30 UTC: counts for the 19th, not the 20th.
    clock.now = dt.datetime(2024, 11, 19, 16, 30, tzinfo=dt.UTC)
    await store.record_match(USER, "t", match("answer", "jadwal_pencoblosan"))
    await store.record_match(USER, "t", match("none", score=20, normalized="siapa menang"))
    clock.now = dt.datetime(2024, 11, 19, 17, 30, tzinfo=dt.UTC)  # 00:30 WIB on the 20th
    await store.record_match(USER, "t", match("answer", "jadwal_pencoblosan"))
    await store.record_match(OTHER_USER, "t", match("answer", "apa_itu_golput"))
    await store.record_match(OTHER_USER, "t", match("none", score=20, normalized="siapa menang"))
    await store.record_match(OTHER_USER, "t", match("none", score=20, normalized="jadwal debat"))
    await store.record_match(OTHER_USER, "t", match("suggest", normalized="dpt", candidates=("dpt", "cek")))
    await store.record_suggestion_chosen(OTHER_USER, "dpt")
    await store.subscribe(77)
    await store.record_feedback(USER, "jadwal_pencoblosan", True)

    stats = await store.stats(dt.date(2024, 11, 20), top=2)
    assert stats.day == dt.date(2024, 11, 20)
    assert (stats.questions_today, stats.answered_today, stats.users_today) == (5, 3, 2)
    assert (stats.questions_total, stats.answered_total) == (7, 4)
    assert stats.answer_rate == pytest.approx(4 / 7)
    assert stats.unanswered_open == 3
    assert stats.subscribers == 1
    assert stats.top_entries == (("jadwal_pencoblosan", 2), ("apa_itu_golput", 1))
    assert stats.top_unanswered == (("siapa menang", 2), ("jadwal debat", 1))
    assert stats.feedback == (EntryFeedback("jadwal_pencoblosan", 1, 0),)


async def test_stats_on_an_empty_database(store: Store) -> None:
    stats = await store.stats(dt.date(2024, 11, 20))
    assert stats.questions_total == 0 and stats.answer_rate is None
    assert stats.top_entries == stats.top_unanswered == ()
    assert stats.feedback == ()


async def test_subscribe_and_unsubscribe_confirm_changes(store: Store) -> None:
    assert await store.subscribe(10)
    assert not await store.subscribe(10)
    assert await store.subscribe(-5)
    assert await store.subscribers() == [-5, 10]
    assert await store.is_subscribed(10)
    assert await store.unsubscribe(10)
    assert not await store.unsubscribe(10)
    assert not await store.is_subscribed(10)
    assert await store.subscribers() == [-5]


async def test_mark_sent_claims_once_and_pending_chats_follow(store: Store) -> None:
    for chat in (1, 2, 3):
        await store.subscribe(chat)
    key = "2024-11-27:d-7:19:00"
    assert await store.pending_chats(key) == [1, 2, 3]
    assert await store.mark_sent(key, 2)
    assert not await store.mark_sent(key, 2)
    assert await store.was_sent(key, 2) and not await store.was_sent(key, 1)
    assert await store.pending_chats(key) == [1, 3]
    assert await store.pending_chats("2024-11-27:d-1:19:00") == [1, 2, 3]  # per reminder
    assert await store.unmark_sent(key, 2)
    assert not await store.unmark_sent(key, 2)
    assert await store.pending_chats(key) == [1, 2, 3]


async def test_concurrent_claims_have_one_winner(store: Store) -> None:
    wins = await asyncio.gather(*(store.mark_sent("k", 99) for _ in range(20)))
    assert wins.count(True) == 1


async def test_an_intact_database_passes_the_check(store: Store) -> None:
    await store.verify()
    await store.subscribe(3)
    assert await store.subscribers() == [3]


async def test_another_salt_is_refused(database: Database) -> None:
    async with await database.open():
        pass
    with pytest.raises(StorageError, match="another salt") as exc:
        await database.open(b"a-completely-different-salt")
    assert str(database.target).split("/")[-1] in str(exc.value)


async def test_claims_are_exclusive_across_two_connections(database: Database) -> None:
    # Two processes (two replicas, or the bot and a second instance started by mistake).
    async with await database.open() as a, await database.open() as b:
        wins = await asyncio.gather(*(s.mark_sent("k", chat) for chat in range(10) for s in (a, b)))
    assert wins.count(True) == 10


async def test_personal_data_is_redacted_before_it_is_stored(store: Store) -> None:
    # Issue #14 item 8: an unanswered question with a NIK, a phone number and an address
    # was kept verbatim and exported by `pilkada-bot unanswered`.
    raw = "nik 3316012345670001 hp 0812-3456-7890 email budi.s@gmail.com rumah di Jl. Melati no 12, bisa nyoblos?"
    normalized = "nik 3316012345670001 hp 0812 3456 7890 email budi s gmail com rumah di jl melati no 12 bisa coblos"
    await store.record_match(USER, raw, match("none", normalized=normalized))
    await store.record_feedback(USER, "jadwal_pencoblosan", False, comment="salah, tlp aku 081234567890")
    (row,) = await store.unanswered(10)
    assert row.normalized == "nik [NIK] hp [telepon] email [email] rumah di [alamat] bisa coblos"
    (comment,) = await store.feedback_comments(10)
    assert comment.comment == "salah, tlp aku [telepon]"


async def test_forget_user_deletes_everything_stored_about_that_user(store: Store, database: Database) -> None:
    await _tell_everything(store, USER)
    await _tell_everything(store, OTHER_USER)
    both = database.row_counts()
    assert both == {"questions": 8, "unanswered": 6, "feedback": 4, "subscriptions": 2, "sent_reminders": 2}

    await store.forget_user(USER)
    assert database.row_counts() == {k: v // 2 for k, v in both.items()}  # the other user's half
    assert await store.subscribers() == [OTHER_USER]
    assert {r.normalized for r in await store.unanswered(10)} == {"resep rahasia dua", "partisipasi dua"}
    assert [c.comment for c in await store.feedback_comments(10)] == ["kurang jelas dua"]

    await store.forget_user(USER)  # nothing left: no error
    await store.subscribe(USER)  # and the user can start again
    assert await store.mark_sent("2024-11-27:d-7:19:00", USER)


async def test_record_events_writes_a_batch_in_order(store: Store, clock: FakeClock) -> None:
    from bot.storage.events import FeedbackGiven, QuestionAsked, SuggestionChosen

    at = clock.now
    await store.record_events(
        [
            QuestionAsked(USER, "x", match("suggest", normalized="dpt", candidates=("dpt", "cek")), at),
            SuggestionChosen(USER, "dpt", at),
            QuestionAsked(OTHER_USER, "x", match("none", normalized="resep"), at),
            FeedbackGiven(OTHER_USER, "dpt", True, at),
        ]
    )
    stats = await store.stats(dt.date(2024, 11, 20))
    assert (stats.questions_total, stats.answered_total, stats.unanswered_open) == (2, 1, 1)
    assert stats.feedback == (EntryFeedback("dpt", 1, 0),)
    await store.record_events([])


async def test_record_events_keeps_a_feedback_reason_redacted(store: Store, clock: FakeClock) -> None:
    # After 👎 the reason follows the vote in the same batch (bot/telegram/feedback.py).
    from bot.storage.events import FeedbackGiven

    at = clock.now
    await store.record_events(
        [FeedbackGiven(USER, "dpt", False, at), FeedbackGiven(USER, "dpt", False, at, "salah, wa 081234567890")]
    )
    (comment,) = await store.feedback_comments(10)
    assert (comment.entry_id, comment.positive, comment.comment) == ("dpt", False, "salah, wa [telepon]")


async def test_typed_forms_of_personal_data_are_redacted_in_the_log_and_in_comments(store: Store, pipeline) -> None:
    # Issue 25, item 3: 7 of 8 of these forms were stored as typed. A question goes through
    # normalizing first (bot/nlu/text.py), a comment does not: both must come out redacted.
    from bot.storage.events import FeedbackGiven, QuestionAsked

    at = dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC)
    events: list[QuestionAsked | FeedbackGiven] = []
    for i, (text, _) in enumerate(TYPED_FORMS):
        normalized = pipeline.matcher.match(text).normalized
        events.append(QuestionAsked(1000 + i, text, match("none", normalized=normalized), at))
        events.append(FeedbackGiven(1000 + i, "dpt", False, at, text))
    await store.record_events(events)
    logged = [row.normalized for row in await store.unanswered(100)]
    comments = [c.comment for c in await store.feedback_comments(100)]
    assert len(logged) == len(comments) == len(TYPED_FORMS)
    leaks = [t for t in logged + comments if any(s in t.lower() for s in SECRETS)]
    assert leaks == []
    assert "nik[NIK] bagaimana pindah tps" in comments
    assert any(t.startswith("nik[NIK] bagaimana pindah tps") for t in logged)


async def test_a_comment_with_characters_the_database_refuses_is_cleaned_and_blocks_nothing(
    store: Store, clock: FakeClock
) -> None:
    # Issue 25, item 4: an unpaired surrogate (SQLite) or U+0000 (PostgreSQL) in a comment
    # failed its batch again and again, and nothing more was recorded for anyone.
    from bot.storage.events import BufferedRecorder

    recorder = BufferedRecorder(store, store.clock)
    await recorder.record_feedback(USER, "dpt", False, "salah\ud800 jawab\x00annya")
    for user in range(10):
        await recorder.record_match(100 + user, "x", match("none", normalized=f"resep {user}"))
    assert await recorder.flush()
    stats = await store.stats(dt.date(2024, 11, 20))
    assert (stats.questions_total, recorder.dropped) == (10, 0)
    (comment,) = await store.feedback_comments(10)
    assert comment.comment == "salah jawab annya"


@pytest.mark.parametrize("how", ["flush", "close"])
async def test_an_event_the_database_refuses_is_dropped_alone_and_counted(store: Store, how: str) -> None:
    # What cleaning cannot foresee: the bad event goes alone (counted, never tried again) and
    # the others of its batch are written, also when the bot stops.
    from bot.storage.events import BufferedRecorder

    recorder = BufferedRecorder(store, store.clock)
    for user in range(5):
        await recorder.record_match(100 + user, "x", match("none", normalized=f"resep {user}"))
    await recorder.record_feedback(USER, "dpt\x00\ud800", True)  # an entry id no knowledge base has
    for user in range(5, 10):
        await recorder.record_match(100 + user, "x", match("none", normalized=f"resep {user}"))
    if how == "flush":
        assert await recorder.flush()
        await recorder.record_match(OTHER_USER, "x", match("answer", "dpt"))
        assert await recorder.flush()
    else:
        await recorder.close()
    stats = await store.stats(dt.date(2024, 11, 20))
    assert stats.questions_total == (11 if how == "flush" else 10)
    assert (recorder.dropped, recorder.lost, len(recorder)) == (1, 0, 0)
    assert recorder.errors.count >= 1
