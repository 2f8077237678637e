"""The Telegram bot with its database: reminders, privacy, staff commands, recording.

Handler tests feed updates to the real Application with an offline request (see
tests/test_telegram_handlers.py) and a temporary SQLite store. Reminder rounds run
end to end: the bot long-polls the fake Bot API server, its JobQueue fires the round,
and the fake server counts what each chat received. The bot's clock is shifted (it
runs at real speed from a chosen moment), so a reminder configured for 2030 is "due
in one second" without waiting for a real minute boundary.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.clock import Clock
from bot.config import load_config
from bot.nlu.matcher import MatchResult
from bot.pipeline import Pipeline
from bot.reminders import Reminder, RetryLater, RoundResult, SendOutcome
from bot.replies.election import format_date
from bot.storage import EntryFeedback, SqliteStore, Store
from bot.storage.events import BufferedRecorder
from bot.storage.flood import FloodControl
from bot.telegram.admin import fit_problems, unanswered_limit
from bot.telegram.app import COMMANDS, MENU_JOB, STORAGE_COMMANDS, build_application, run_bot
from bot.telegram.broadcast import run_reminder_round, send_reminder
from tests.support.botapp import StartBot
from tests.support.clocks import clock_reading, make_clock
from tests.support.constants import ADMIN, AMBIGUOUS, ANSWERED, FIXED_NOW, GROUP, SALT, TOKEN, UNKNOWN, USER, WIB, App
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.offline import OfflineRequest, callback_data, feed
from tests.support.pipelines import force_suggestions, tuned, with_admin
from tests.support.reminders import VOTING_DAY, key, reminder_pipeline, round_result, running, subscribe


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    """A temporary database whose clock agrees with the pipeline's (7 days before voting day)."""
    async with await SqliteStore.open(db_path, salt=SALT, timezone=WIB, clock=make_clock(FIXED_NOW)) as opened:
        yield opened


@pytest.fixture
def staff_pipeline(pipeline: Pipeline) -> Pipeline:
    """The shipped pipeline (clock at FIXED_NOW) with ADMIN as the one staff member."""
    return replace(pipeline, config=with_admin(pipeline.config))


OfflineApp = Callable[..., AbstractAsyncContextManager[tuple[App, OfflineRequest]]]


@pytest.fixture
def offline_app(start_bot: StartBot, offline: OfflineRequest) -> OfflineApp:
    """`offline_app(pipeline, store, clock=None)`: start_bot with this file's defaults, yielding (app, offline).

    The clock defaults to FIXED_NOW like the pipeline's; flood control is out of the way
    (these tests send one user's updates back to back; it has its own tests).
    """

    @asynccontextmanager
    async def start(
        pipeline: Pipeline, store: Store | None, clock: Clock | None = None, *, paced: bool = False
    ) -> AsyncIterator[tuple[App, OfflineRequest]]:
        flood = FloodControl(1000, pipeline.config.bot.flood_seconds)
        options = {"store": store, "clock": clock or make_clock(FIXED_NOW), "flood": flood, "paced": paced}
        async with start_bot(pipeline, **options) as app:
            yield app, offline

    return start


@pytest.fixture
async def bot(
    staff_pipeline: Pipeline, store: Store, offline_app: OfflineApp
) -> AsyncIterator[tuple[App, OfflineRequest]]:
    force_suggestions(staff_pipeline, AMBIGUOUS)
    async with offline_app(staff_pipeline, store) as pair:
        yield pair


async def written(app: App) -> None:
    """Write the statistics the bot has buffered (it does so every fraction of a second by itself)."""
    assert isinstance(app.bot_data.recorder, BufferedRecorder)
    assert await app.bot_data.recorder.flush()


def texts(offline: OfflineRequest) -> list[str]:
    return [p["text"] for p in offline.sent()]


def db_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the file directly, the way someone holding a copy of it would."""
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql))


# --- /ingatkan, /berhenti, /privasi ---------------------------------------------------


async def test_subscribe_then_unsubscribe(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store, db_path: Path, pipeline: Pipeline
) -> None:
    app, offline = bot
    await feed(app, tg.command("/ingatkan"))
    (confirmation,) = texts(offline)
    messages = pipeline.kb.messages
    assert confirmation.startswith(
        messages.get("remind_on", election_name="Pilkada Serentak 2024", date="Rabu, 27 November 2024")
    )
    # The times come from config.yaml: H-7 and H-1 at 19:00, voting day at 06:00 (WIB).
    assert "• H-7: Rabu, 20 November 2024, 19.00 WIB" in confirmation
    assert "• H-1: Selasa, 26 November 2024, 19.00 WIB" in confirmation
    assert "• Hari H: Rabu, 27 November 2024, 06.00 WIB" in confirmation
    assert await store.subscribers() == [USER]
    assert db_rows(db_path, "SELECT chat_id FROM subscriptions") == [(USER,)]

    await feed(app, tg.command("/ingatkan"))
    assert texts(offline)[-1].startswith(messages.get("remind_already"))
    assert await store.subscribers() == [USER]

    await feed(app, tg.command("/berhenti"))
    assert texts(offline)[-1] == messages.get("remind_off")
    assert await store.subscribers() == []
    assert db_rows(db_path, "SELECT * FROM subscriptions") == []

    await feed(app, tg.command("/berhenti"))
    assert texts(offline)[-1] == messages.get("remind_none")


async def test_subscribe_lists_only_reminders_still_to_come(
    staff_pipeline: Pipeline, store: Store, tg: FakeBotApi, offline_app: OfflineApp
) -> None:
    day_before = make_clock(dt.datetime(2024, 11, 26, 20, 0, tzinfo=WIB))  # after the H-1 reminder
    pipeline = Pipeline.from_parts(staff_pipeline.config, staff_pipeline.kb, day_before)
    async with offline_app(pipeline, store, day_before) as (app, offline):
        await feed(app, tg.command("/ingatkan"))
    (text,) = texts(offline)
    assert "Hari H" in text and "H-1" not in text and "H-7" not in text


@pytest.mark.parametrize("moment", [dt.date(2024, 11, 28), dt.date(2025, 1, 1)])
async def test_subscribe_after_voting_day_is_refused_kindly(
    staff_pipeline: Pipeline,
    store: Store,
    tg: FakeBotApi,
    clock_at: Callable[[dt.datetime | dt.date], Clock],
    moment: dt.date,
    offline_app: OfflineApp,
) -> None:
    clock = clock_at(moment)
    pipeline = Pipeline.from_parts(staff_pipeline.config, staff_pipeline.kb, clock)
    async with offline_app(pipeline, store, clock) as (app, offline):
        await feed(app, tg.command("/ingatkan"))
        await feed(app, tg.command("/hitungmundur"))
    refusal, countdown = texts(offline)
    assert refusal == pipeline.replies.text(
        "remind_past", election_name="Pilkada Serentak 2024", date="Rabu, 27 November 2024"
    )
    assert "sudah lewat" in countdown  # /hitungmundur agrees
    assert await store.subscribers() == []


async def test_on_voting_day_after_the_last_reminder_nothing_is_stored(
    staff_pipeline: Pipeline, store: Store, tg: FakeBotApi, offline_app: OfflineApp
) -> None:
    noon = make_clock(dt.datetime(2024, 11, 27, 12, 0, tzinfo=WIB))
    pipeline = Pipeline.from_parts(staff_pipeline.config, staff_pipeline.kb, noon)
    async with offline_app(pipeline, store, noon) as (app, offline):
        await feed(app, tg.command("/ingatkan"))
    assert texts(offline) == [
        pipeline.replies.text("remind_no_more", election_name="Pilkada Serentak 2024", date="Rabu, 27 November 2024")
    ]
    assert await store.subscribers() == []


async def test_reminders_are_for_private_chats_only(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store, pipeline: Pipeline
) -> None:
    app, offline = bot
    await feed(app, tg.command("/ingatkan", chat_id=GROUP))
    await feed(app, tg.command("/berhenti@PilkadaTestBot", chat_id=GROUP))
    subscribe, stop = texts(offline)
    assert subscribe == pipeline.replies.text("remind_private_only", bot="PilkadaTestBot")
    assert "t.me/PilkadaTestBot" in subscribe
    # /berhenti in a group says how to stop, not how to subscribe.
    assert stop == pipeline.replies.text("remind_stop_group", bot="PilkadaTestBot")
    assert "/berhenti" in stop and "/ingatkan" not in stop
    assert await store.subscribers() == []


async def test_subscribe_in_a_group_after_voting_day_says_the_vote_has_passed(
    staff_pipeline: Pipeline, store: Store, tg: FakeBotApi, offline_app: OfflineApp
) -> None:
    after = make_clock(dt.date(2024, 11, 28))
    pipeline = Pipeline.from_parts(staff_pipeline.config, staff_pipeline.kb, after)
    async with offline_app(pipeline, store, after) as (app, offline):
        await feed(app, tg.command("/ingatkan@PilkadaTestBot", chat_id=GROUP))
    (text,) = texts(offline)
    assert text == pipeline.replies.text("remind_past", date="Rabu, 27 November 2024")
    assert await store.subscribers() == []


async def test_privacy_note(bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline) -> None:
    app, offline = bot
    await feed(app, tg.command("/privasi"))
    (text,) = texts(offline)
    assert text == pipeline.replies.text("privacy")
    for promise in ("hash", "belum bisa aku jawab", "/berhenti", "dihapus", "/hapus", "NIK", "nomor HP", "email"):
        assert promise in text
    # Honest about the hash (issue #14): whoever holds the salt can find an id again.
    assert "tidak bisa dikembalikan" not in text and "kunci" in text
    assert pipeline.replies.text("privacy_server") not in text  # one process on SQLite


async def test_privacy_note_on_a_shared_database_says_deleted_data_lingers_in_logs_and_backups(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline = bot
    app.bot_data.replicas.shared = True  # as PostgresReplicas: several replicas on PostgreSQL
    await feed(app, tg.command("/privasi"))
    (text,) = texts(offline)
    assert text == pipeline.replies.text("privacy") + "\n" + pipeline.replies.text("privacy_server")
    assert "cadangan" in text and "log" in text


@pytest.mark.parametrize("command", ["/hapus", "/lupakan", "/delete", "/hapus@PilkadaTestBot"])
async def test_forget_command_deletes_everything_about_the_user(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store, db_path: Path, pipeline: Pipeline, command: str
) -> None:
    app, offline = bot
    other = USER + 1
    for user in (USER, other):
        await feed(app, tg.text_message(UNKNOWN, user_id=user))
        await feed(app, tg.text_message(ANSWERED, user_id=user))
        await feed(app, tg.callback_query("d:apa_itu_golput", chat_id=user, user_id=user))
        await feed(app, tg.command("/ingatkan", user_id=user))
    await feed(app, tg.text_message(f"@PilkadaTestBot {UNKNOWN} lagi", chat_id=GROUP))  # asked in a group too
    offline.calls.clear()

    await feed(app, tg.command(command))
    assert texts(offline) == [pipeline.replies.text("forget_done")]
    await written(app)  # the statistics still buffered: the user's must not come back
    stats = await store.stats(FIXED_NOW.astimezone(WIB).date())
    assert (stats.questions_total, stats.unanswered_open, stats.subscribers) == (2, 1, 1)  # the other user's
    assert stats.feedback == (EntryFeedback("apa_itu_golput", 0, 1),)
    assert await store.subscribers() == [other]
    assert db_rows(db_path, "SELECT count(*) FROM sent_reminders") == [(0,)]


async def test_forget_command_says_so_when_it_could_not_delete(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, offline = bot

    async def broken(user_id: int) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "forget_user", broken)
    await feed(app, tg.command("/hapus"))
    assert texts(offline) == [pipeline.replies.text("forget_failed")]


async def test_help_and_menu_list_the_reminder_commands(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline = bot
    await feed(app, tg.command("/help"))
    assert texts(offline)[0].endswith(pipeline.replies.text("help_reminders"))
    await app.post_init(app)
    (menu,) = offline.sent("setMyCommands")
    commands = {c["command"]: c["description"] for c in menu["commands"]}
    assert list(commands) == [*COMMANDS, *STORAGE_COMMANDS]
    assert commands["ingatkan"] == pipeline.replies.text("command_ingatkan")
    assert commands["hapus"] == pipeline.replies.text("command_hapus")
    assert "/hapus" in pipeline.replies.text("help_reminders")
    assert not {"stats", "unanswered", "reload"} & commands.keys()  # staff commands stay hidden


async def test_post_init_queues_a_job_per_upcoming_reminder(bot: tuple[App, OfflineRequest]) -> None:
    app, _ = bot
    await app.post_init(app)
    names = sorted(job.name for job in app.job_queue.jobs() if job.name != MENU_JOB)
    assert names == [
        "reminder 2024-11-27:d-0:06:00 (scheduled)",
        "reminder 2024-11-27:d-1:19:00 (scheduled)",
        "reminder 2024-11-27:d-7:19:00 (scheduled)",
    ]


async def test_without_a_store_the_storage_commands_do_not_exist(
    pipeline: Pipeline, tg: FakeBotApi, offline_app: OfflineApp
) -> None:
    async with offline_app(replace(pipeline, config=with_admin(pipeline.config)), None) as (app, offline):
        for command in ("/ingatkan", "/berhenti", "/privasi"):
            await feed(app, tg.command(command))
        await feed(app, tg.command("/stats", user_id=ADMIN))
        await app.post_init(app)
        assert [job.name for job in app.job_queue.jobs()] == [MENU_JOB]  # no reminder jobs
    assert texts(offline) == [pipeline.replies.text("unknown_command")] * 4
    assert [c["command"] for c in offline.sent("setMyCommands")[0]["commands"]] == list(COMMANDS)


# --- recording --------------------------------------------------------------------------


async def test_questions_suggestion_choices_and_feedback_reach_the_store(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store
) -> None:
    app, offline = bot
    await feed(app, tg.text_message(ANSWERED))
    await feed(app, tg.text_message(UNKNOWN))
    await feed(app, tg.text_message(AMBIGUOUS))
    suggestion = offline.sent()[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await feed(app, tg.callback_query(suggestion, message_id=77, chat_id=USER))
    await feed(app, tg.callback_query("u:apa_itu_golput", chat_id=USER))
    assert (await store.stats(FIXED_NOW.astimezone(WIB).date())).questions_total == 0  # not written yet
    await written(app)  # statistics are written in batches, after the answers
    stats = await store.stats(FIXED_NOW.astimezone(WIB).date())
    assert (stats.questions_today, stats.answered_today, stats.users_today) == (3, 2, 1)
    assert stats.unanswered_open == 1  # the fallback; the suggestion was resolved by the press
    assert sum(n for _, n in stats.top_entries) == 2  # the answer and the chosen suggestion
    assert stats.feedback == (EntryFeedback("apa_itu_golput", 1, 0),)
    (row,) = await store.unanswered(10)
    assert row.kind == "fallback" and "nasi goreng" in row.normalized


async def test_a_suggestion_pressed_by_another_group_member_resolves_the_askers_question(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store
) -> None:
    # Issue #14 item 14: the press resolved the presser's own pending question instead.
    app, offline = bot
    asker, presser = USER, USER + 1
    await feed(app, tg.text_message("partisipasi", user_id=presser))  # the presser's own "did you mean", unresolved
    question = tg.mention(AMBIGUOUS, user_id=asker)
    await feed(app, question)
    did_you_mean = offline.sent()[-1]
    assert did_you_mean["reply_parameters"]["message_id"] == question["message"]["message_id"]
    press = tg.callback_query(callback_data(did_you_mean)[0], chat_id=GROUP, user_id=presser)
    # What Telegram sends: the bot's message, with the question it replied to.
    press["callback_query"]["message"]["reply_to_message"] = question["message"]
    await feed(app, press)
    await written(app)
    (left,) = await store.unanswered(10)
    assert left.normalized == "partisipasi"  # the presser's question is still open; the asker's is resolved


async def test_a_suggestion_pressed_on_a_group_message_whose_question_is_gone_resolves_nobodys(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store
) -> None:
    app, offline = bot
    await feed(app, tg.text_message("partisipasi", user_id=USER + 1))
    await feed(app, tg.mention(AMBIGUOUS, user_id=USER))
    suggestion = callback_data(offline.sent()[-1])[0]
    await feed(app, tg.callback_query(suggestion, chat_id=GROUP, user_id=USER + 1))  # no reply_to_message
    await written(app)
    assert sorted(r.normalized for r in await store.unanswered(10)) == sorted([AMBIGUOUS, "partisipasi"])
    assert offline.sent("editMessageText")  # the press still shows the answer


async def test_small_talk_stays_out_of_the_statistics_and_the_unanswered_log(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store
) -> None:
    app, offline = bot
    for text in ("ok", "wkwkwk", "?", "😂", "makasih", "halo", "thanks!", "mantap", "siap"):
        await feed(app, tg.text_message(text))
    await feed(app, tg.text_message(UNKNOWN))
    await written(app)
    stats = await store.stats(FIXED_NOW.astimezone(WIB).date())
    assert stats.questions_total == 1 and stats.unanswered_open == 1
    assert [text for text, _ in stats.top_unanswered] == ["resep nasi goreng"]
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    listed = texts(offline)[-1].splitlines()[1:]
    assert len(listed) == 1 and "nasi goreng" in listed[0]


# --- staff commands ---------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/stats", "/unanswered", "/unanswered 5", "/reload"])
async def test_staff_commands_look_unknown_to_everyone_else(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline, command: str
) -> None:
    app, offline = bot
    await feed(app, tg.command(command))  # USER is not staff
    await feed(app, tg.command("/tidakada"))  # a command that does not exist
    private = texts(offline)
    assert private == [pipeline.replies.text("unknown_command")] * 2
    await feed(app, tg.command(command, chat_id=GROUP))
    await feed(app, tg.command(command, chat_id=GROUP, user_id=ADMIN))  # staff too: not in a group
    assert texts(offline) == private  # silence in groups


async def test_stats_for_staff(bot: tuple[App, OfflineRequest], tg: FakeBotApi) -> None:
    app, offline = bot
    await feed(app, tg.text_message(ANSWERED))
    await feed(app, tg.text_message(UNKNOWN))
    await written(app)
    await feed(app, tg.command("/stats", user_id=ADMIN))
    sent = offline.sent()[-1]
    assert sent["chat_id"] == ADMIN
    text = sent["text"]
    assert text.startswith("<pre>Laporan pilkada-bot, 2024-11-20") and text.endswith("</pre>")
    assert "Pertanyaan hari ini:    2 (terjawab 1, dari 1 pengguna)" in text
    assert "Persentase terjawab:    50%" in text


async def test_unanswered_lists_fallback_questions_escaped(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store, pipeline: Pipeline
) -> None:
    app, offline = bot
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    assert texts(offline) == [pipeline.kb.staff.get("unanswered_empty")]
    await feed(app, tg.text_message(UNKNOWN))
    await written(app)
    # A question text with HTML in it (normalization would strip it, so write it directly).
    tricky = MatchResult("none", None, 12.0, (), "<b>kode</b> & rahasia", ())
    await store.record_match(USER, "x", tricky)
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    text = texts(offline)[-1]
    lines = text.splitlines()
    assert lines[0] == pipeline.kb.staff.get("unanswered_intro")
    assert "&lt;b&gt;kode&lt;/b&gt; &amp; rahasia" in lines[1]  # newest first, escaped
    assert "nasi goreng" in lines[2] and lines[2].startswith("20-11 10:00 [maaf]")
    await feed(app, tg.command("/unanswered 1", user_id=ADMIN))
    assert len(texts(offline)[-1].splitlines()) == 2


async def test_unanswered_labels_a_known_unknown_in_the_staff_words(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline = bot
    question = "siapa yang menang pilkada blora"
    assert pipeline.replies.for_question(question).kind == "unknown"
    await feed(app, tg.text_message(question))
    await written(app)
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    line = texts(offline)[-1].splitlines()[1]
    assert f"[{pipeline.kb.staff.get('unanswered_kind_unknown')}]" in line and "menang" in line


async def test_unanswered_shows_the_reasons_given_with_a_thumbs_down(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline = bot
    await feed(app, tg.callback_query("d:apa_itu_golput", chat_id=USER))
    await feed(app, tg.callback_query("r2:apa_itu_golput", chat_id=USER))
    await written(app)  # the vote and its reason are buffered like every statistic
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    lines = texts(offline)[-1].splitlines()
    assert lines[0] == pipeline.kb.staff.get("unanswered_empty")  # no unanswered question, but a reason
    assert lines[2] == pipeline.kb.staff.get("feedback_comments_intro")
    assert lines[3] == "20-11 10:00 👎 apa_itu_golput: Sulit dipahami"


@pytest.mark.parametrize(
    ("args", "limit"), [(None, 10), ([], 10), (["5"], 5), (["0"], 1), (["999"], 50), (["-3"], 1), (["lima"], 10)]
)
def test_unanswered_limit(args: list[str] | None, limit: int) -> None:
    assert unanswered_limit(args) == limit


@pytest.fixture
def kb_pipeline(kb_copy: KbCopy) -> Pipeline:
    """A pipeline over a copy of the knowledge base that the test may break."""
    config = with_admin(load_config(kb_copy.config_path, environ={}))
    return Pipeline.from_config(config, make_clock(FIXED_NOW))


async def test_reload_with_a_broken_kb_keeps_the_old_one(
    kb_copy: KbCopy, kb_pipeline: Pipeline, store: Store, tg: FakeBotApi, offline_app: OfflineApp
) -> None:
    # paced: unpacing would hand the bot a copy, and this test checks which pipeline it holds
    async with offline_app(kb_pipeline, store, paced=True) as (app, offline):
        kb_copy.replace("knowledge/messages.yaml", "  fallback:", "  fallbak:")
        kb_copy.replace("knowledge/entries.yaml", "answer:", "answr:", after="- id: salam")
        await feed(app, tg.command("/reload", user_id=ADMIN))
        reply = texts(offline)[-1]
        assert reply.startswith(kb_pipeline.kb.staff.get("reload_failed"))
        assert f"{kb_copy.where('knowledge/messages.yaml', 'fallbak:')}: unknown message 'fallbak'" in reply
        assert kb_copy.where("knowledge/entries.yaml", "answr:", after="- id: salam") in reply
        assert app.bot_data.pipeline is kb_pipeline
        await feed(app, tg.text_message(ANSWERED))  # still answering from the old one
        assert texts(offline)[-1].startswith(kb_pipeline.kb.entry("apa_itu_golput").answer.before[:40])


async def test_reload_with_a_good_kb_swaps_it_in(
    kb_copy: KbCopy, kb_pipeline: Pipeline, store: Store, tg: FakeBotApi, offline_app: OfflineApp
) -> None:
    # paced: unpacing would hand the bot a copy, and this test checks which pipeline it holds
    async with offline_app(kb_pipeline, store, paced=True) as (app, offline):
        kb_copy.replace("knowledge/messages.yaml", "Perintah itu tidak aku kenal.", "Perintah itu belum ada.")
        await feed(app, tg.command("/reload", user_id=ADMIN))
        fresh = app.bot_data.pipeline
        assert fresh is not kb_pipeline
        assert texts(offline)[-1] == f"{fresh.kb.staff.get('reload_ok')}\n{fresh.kb.summary()}"
        await feed(app, tg.command("/paslon"))
        assert texts(offline)[-1].startswith("Perintah itu belum ada.")


def test_reload_problems_are_cut_to_one_message() -> None:
    problems = [f"knowledge/entries.yaml:{i}: <bad> & worse" for i in range(1, 600)]
    text = fit_problems("Header", problems)
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "&lt;bad&gt; &amp; worse" in text and "<bad>" not in text
    shown = text.count("worse")
    assert text.endswith(f"… (+{599 - shown})")
    assert fit_problems("Header", problems[:3]) == "Header\n" + "\n".join(
        p.replace("<", "&lt;").replace(">", "&gt;").replace("& ", "&amp; ") for p in problems[:3]
    )


# --- the sender -------------------------------------------------------------------------


def raising(exc: Exception) -> Any:
    async def send_message(*args: Any, **kwargs: Any) -> None:
        raise exc

    return SimpleNamespace(send_message=send_message)


def timed_out_by(cause: Exception) -> TimedOut:
    try:
        raise TimedOut from cause
    except TimedOut as exc:
        return exc


def network_error_by(cause: Exception) -> NetworkError:
    """What python-telegram-bot raises for an httpx error: a NetworkError caused by it."""
    try:
        raise NetworkError(f"httpx.{type(cause).__name__}: {cause}") from cause
    except NetworkError as exc:
        return exc


# Built inside the test: constructing RetryAfter warns unless PTB_TIMEDELTA is set (autouse fixture).
ERRORS: list[tuple[Callable[[], Exception], object]] = [
    (lambda: Forbidden("Forbidden: bot was blocked by the user"), SendOutcome.BLOCKED),
    (lambda: Forbidden("Forbidden: user is deactivated"), SendOutcome.BLOCKED),
    (lambda: BadRequest("Bad Request: chat not found"), SendOutcome.BLOCKED),
    (lambda: BadRequest("Bad Request: message text is empty"), SendOutcome.FAILED),
    (lambda: RetryAfter(dt.timedelta(seconds=7)), RetryLater(7.0)),
    (lambda: network_error_by(httpx.ConnectError("connection refused")), SendOutcome.RETRY_LATER),
    # Issue 14, item 1: anything after the request went out may have been delivered.
    (lambda: NetworkError("Bad Gateway"), SendOutcome.FAILED),  # a 5xx: Telegram may have sent it first
    (lambda: network_error_by(httpx.ReadError("connection reset")), SendOutcome.FAILED),
    (lambda: network_error_by(httpx.RemoteProtocolError("server disconnected")), SendOutcome.FAILED),
    (TimedOut, SendOutcome.FAILED),  # the request may have been delivered
    (lambda: timed_out_by(httpx.ReadTimeout("read")), SendOutcome.FAILED),
    (lambda: timed_out_by(httpx.ConnectTimeout("connect")), SendOutcome.RETRY_LATER),  # never reached Telegram
    (lambda: timed_out_by(httpx.PoolTimeout("pool")), SendOutcome.RETRY_LATER),
    (lambda: TelegramError("something else"), SendOutcome.FAILED),
]


@pytest.mark.parametrize(("error", "outcome"), ERRORS)
async def test_send_reminder_maps_telegram_errors(error: Callable[[], Exception], outcome: object) -> None:
    assert await send_reminder(raising(error()), 5, "hai") == outcome


async def test_retry_after_seconds_without_ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    error = RetryAfter(dt.timedelta(seconds=4))
    monkeypatch.delenv("PTB_TIMEDELTA")  # a benchmark may run without it: no warning, same answer
    assert await send_reminder(raising(error), 5, "hai") == RetryLater(4.0)


async def test_send_reminder_over_http(api: FakeBotApi) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as plain_bot:
        assert await send_reminder(plain_bot, 5, "<b>Halo</b>") is SendOutcome.SENT
        api.block_chat(6)
        assert await send_reminder(plain_bot, 6, "hai") is SendOutcome.BLOCKED
        api.fail_next("sendMessage", 429, retry_after=3)
        assert await send_reminder(plain_bot, 5, "hai") == RetryLater(3.0)
        api.fail_next("sendMessage", 0)  # connection dropped after the request: maybe delivered
        assert await send_reminder(plain_bot, 5, "hai") is SendOutcome.FAILED
        api.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        assert await send_reminder(plain_bot, 7, "hai") is SendOutcome.BLOCKED
    (first, *_) = api.calls("sendMessage")
    assert first.params["parse_mode"] == "HTML"


async def test_run_reminder_round(api: FakeBotApi, store: Store) -> None:
    for chat in (31, 32, 33):
        await store.subscribe(chat)
    api.block_chat(32)
    reminder = Reminder("2030-01-10:d-1:19:00", dt.datetime(2030, 1, 9, 19, tzinfo=WIB), 1)
    async with Bot(TOKEN, base_url=api.base_url) as plain_bot:
        result = await run_reminder_round(plain_bot, store, reminder, "Besok!", concurrency=2)
        again = await run_reminder_round(plain_bot, store, reminder, "Besok!", concurrency=2)
    assert result == RoundResult(sent=2, blocked=1)
    assert again == RoundResult()
    assert await store.subscribers() == [31, 33]
    assert api.stats["sent"] == {31: 1, 33: 1}


# --- reminder rounds end to end -----------------------------------------------------------

GOOD, BLOCKED = 201, 202


async def test_reminder_round_then_restart_sends_exactly_once(
    api: FakeBotApi, pipeline: Pipeline, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.reminders")
    reminders = reminder_pipeline(pipeline, (1, "19:00"))
    due = dt.datetime.combine(VOTING_DAY - dt.timedelta(days=1), dt.time(19, 0), tzinfo=WIB)
    h1 = key(1, "19:00")
    await subscribe(db_path, GOOD, BLOCKED)
    api.block_chat(BLOCKED)  # 403 "bot was blocked by the user"

    async with running(reminders, db_path, clock_reading(due - dt.timedelta(seconds=1)), api) as app:
        assert [job.name for job in app.job_queue.jobs() if job.name != MENU_JOB] == [f"reminder {h1} (scheduled)"]
        (sent,) = await api.await_for("sendMessage", lambda c: c.params["chat_id"] == GOOD, timeout=10)
        assert await round_result(caplog, h1) == RoundResult(sent=1, blocked=1)
    date = format_date(VOTING_DAY, with_weekday=True)
    assert sent.params["text"] == pipeline.replies.text(
        "reminder_text", days=1, date=date, election_name="Pilkada Serentak 2024", region="Kabupaten Blora"
    )
    assert api.stats["sent"] == {GOOD: 1}
    assert api.stats["status"][403] == 1

    # Killed and restarted two minutes later, inside the grace window: the catch-up round
    # finds the reminder already claimed for GOOD and BLOCKED unsubscribed.
    async with running(reminders, db_path, clock_reading(due + dt.timedelta(minutes=2)), api) as app:
        assert await round_result(caplog, h1, nth=2) == RoundResult()
    assert api.stats["sent"] == {GOOD: 1}
    async with await SqliteStore.open(db_path, salt=SALT, timezone=WIB) as store:
        assert await store.subscribers() == [GOOD]
        assert await store.was_sent(h1, GOOD)


async def test_catch_up_within_the_grace_window_only(
    api: FakeBotApi, pipeline: Pipeline, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.reminders")
    # At 10:05 on voting day (grace 30 minutes) the bot starts after being down since 08:00.
    reminders = reminder_pipeline(pipeline, (0, "08:05"), (0, "10:00"))
    now = dt.datetime.combine(VOTING_DAY, dt.time(10, 5), tzinfo=WIB)
    await subscribe(db_path, GOOD)
    async with running(reminders, db_path, clock_reading(now), api):
        (sent,) = await api.await_for("sendMessage", timeout=10)
        assert await round_result(caplog, key(0, "10:00")) == RoundResult(sent=1)
    assert sent.params["text"] == pipeline.replies.text("reminder_text_today", election_name="Pilkada Serentak 2024")
    assert api.stats["sent"] == {GOOD: 1}
    assert not [r for r in caplog.records if key(0, "08:05") in r.getMessage()]  # two hours late: skipped
    async with await SqliteStore.open(db_path, salt=SALT, timezone=WIB) as store:
        assert await store.was_sent(key(0, "10:00"), GOOD)
        assert not await store.was_sent(key(0, "08:05"), GOOD)


async def test_sends_that_surely_failed_are_released_and_retried_later(
    api: FakeBotApi, pipeline: Pipeline, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.reminders")
    # The rate limiter does not wait out 429s here, so each one reaches the round.
    reminders = tuned(reminder_pipeline(pipeline, (1, "19:00")), rate_limit_max_retries=0)
    h1 = key(1, "19:00")
    await subscribe(db_path, GOOD)
    api.fail_next("sendMessage", 429, count=3, retry_after=1)  # refused on each of the 3 attempts
    due = dt.datetime.combine(VOTING_DAY - dt.timedelta(days=1), dt.time(19, 0), tzinfo=WIB)
    async with running(reminders, db_path, clock_reading(due + dt.timedelta(minutes=1)), api) as app:
        assert await round_result(caplog, h1) == RoundResult(retry_later=1)
        # The claim was released, and a retry round waits inside the grace window.
        assert [job.name for job in app.job_queue.jobs() if job.name != MENU_JOB] == [f"reminder {h1} (retry)"]
        assert not await app.bot_data.store.was_sent(h1, GOOD)
    assert api.stats["sent"] == {}


def test_run_bot_refuses_an_unusable_database_in_one_line(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "bot.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    config = replace(pipeline.config, bot=replace(pipeline.config.bot, database=broken))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert run_bot(replace(pipeline, config=config)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(broken) in err and "Traceback" not in err


async def test_a_paid_round_goes_past_telegrams_30_messages_a_second(
    pipeline: Pipeline, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # reminders.paid_broadcast: every reminder is sent with allow_paid_broadcast (0.1 Star
    # each), which Telegram does not count against the bot's 30 messages a second.
    caplog.set_level(logging.INFO, logger="bot.reminders")
    base = reminder_pipeline(pipeline, (1, "19:00"))
    paid = replace(base.config.reminders, paid_broadcast=True, paid_per_second=200.0)
    reminders = Pipeline.from_parts(replace(base.config, reminders=paid), base.kb)
    chats = range(7001, 7121)  # 120 subscribers: four seconds' worth at the free rate
    await subscribe(db_path, *chats)
    due = dt.datetime.combine(VOTING_DAY - dt.timedelta(days=1), dt.time(19, 0), tzinfo=WIB)
    with FakeBotApi(token=TOKEN, telegram_limits=True) as api:
        async with running(reminders, db_path, clock_reading(due + dt.timedelta(minutes=1)), api):
            assert await round_result(caplog, key(1, "19:00")) == RoundResult(sent=len(chats))
        sends = api.calls("sendMessage")
        stats = api.stats
    assert all(c.params.get("allow_paid_broadcast") is True for c in sends)
    assert stats["paid"] == len(chats) and stats["429"] == 0
    times = sorted(c.time for c in sends)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest > 30  # more in one second than the free limit lets through


async def test_free_rounds_stay_under_the_limit_and_are_never_paid(
    api: FakeBotApi, store: Store, pipeline: Pipeline
) -> None:
    for chat in range(7201, 7241):
        await store.subscribe(chat)
    api.enforce_limits()
    reminder = Reminder("2030-01-10:d-1:19:00", dt.datetime(2030, 1, 9, 19, tzinfo=WIB), 1)
    bot = build_application(pipeline, TOKEN, base_url=api.base_url).bot
    async with bot:
        result = await run_reminder_round(bot, store, reminder, "Besok!")
    assert result == RoundResult(sent=40)
    assert api.stats["paid"] == 0 and api.stats["429"] == 0
    assert not any("allow_paid_broadcast" in c.params for c in api.calls("sendMessage"))


async def test_the_menu_follows_the_phase_every_midnight(
    staff_pipeline: Pipeline, store: Store, clock_at, offline_app: OfflineApp
) -> None:
    """Started before the vote and still running after it, the bot re-words its menu each midnight."""
    moment = [dt.date(2024, 11, 26)]
    clock = lambda: clock_at(moment[0])()  # noqa: E731 - a clock the test can move
    pipeline = Pipeline.from_parts(staff_pipeline.config, staff_pipeline.kb, clock)
    async with offline_app(pipeline, store, clock) as (app, offline):
        await app.post_init(app)
        (job,) = app.job_queue.get_jobs_by_name(MENU_JOB)
        assert job.trigger.fields[5].expressions[0].first == 0  # daily at 00:00:05 WIB
        before = {c["command"]: c["description"] for c in offline.sent("setMyCommands")[-1]["commands"]}
        moment[0] = dt.date(2024, 11, 28)
        await job.callback(SimpleNamespace(bot=app.bot, bot_data=app.bot_data))
        after = {c["command"]: c["description"] for c in offline.sent("setMyCommands")[-1]["commands"]}
    assert before["ingatkan"] == "Ingatkan aku untuk mencoblos"
    assert after["ingatkan"] == pipeline.replies.text("command_ingatkan") != before["ingatkan"]
