"""Bad input: odd updates never raise, users' HTML is never rendered, staff commands cannot be spoofed.

Updates go through the real Application with an offline request (as in
tests/test_telegram_handlers.py) and a temporary database, so the staff commands
exist. Property-based tests of normalization and matching on any text are in
tests/test_robustness_matching.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.nlu.matcher import MatchResult
from bot.pipeline import Pipeline
from bot.storage import SqliteStore, Store
from bot.storage.flood import FloodControl
from bot.telegram.inline import MAX_QUERY_LENGTH
from tests.support.botapp import StartBot
from tests.support.clocks import make_clock
from tests.support.constants import ADMIN, FIXED_NOW, GROUP, SALT, USER, WIB, App
from tests.support.fakebotapi import FakeBotApi
from tests.support.offline import OfflineRequest, feed
from tests.support.pipelines import force_suggestions, with_admin

FORUM = -1002000000001
# HTML a user might try to make the bot send: a link that looks official, bold text, a tag.
CANARY = '<a href="https://kpu-palsu.example">Klik di sini</a> <b>PENTING</b> <script>x</script> & golput'
CANARY_MARKS = ("<a href", "<b>", "<script")
SUGGESTED = "<b>golput</b> itu apa &"  # "did you mean" (forced by the bot fixture)


@pytest.fixture
async def store(tmp_path: Any) -> AsyncIterator[Store]:
    async with await SqliteStore.open(
        tmp_path / "bot.sqlite3", salt=SALT, timezone=WIB, clock=make_clock(FIXED_NOW)
    ) as s:
        yield s


@pytest.fixture
async def bot(
    pipeline: Pipeline, store: Store, start_bot: StartBot, offline: OfflineRequest
) -> AsyncIterator[tuple[App, OfflineRequest]]:
    """The bot with a database and ADMIN as staff, answering offline."""
    staff = Pipeline.from_parts(with_admin(pipeline.config), pipeline.kb, make_clock(FIXED_NOW))
    force_suggestions(staff, SUGGESTED)
    flood = FloodControl(1000, staff.config.bot.flood_seconds)  # updates back to back; it has its own tests
    async with start_bot(staff, store=store, clock=make_clock(FIXED_NOW), flood=flood) as app:
        yield app, offline


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Records at ERROR or above; the error handler logs every exception a handler raises."""
    caplog.set_level(logging.INFO)
    found: list[logging.LogRecord] = []
    yield found
    found.extend(r for r in caplog.records if r.levelno >= logging.ERROR)
    assert not found, [r.getMessage()[:300] for r in found]


def outgoing_texts(offline: OfflineRequest) -> list[str]:
    """Every piece of text the bot asked Telegram to show, from any method."""
    return [json.dumps(call.params, ensure_ascii=False) for call in offline.calls if call.method != "getMe"]


def assert_no_user_html(offline: OfflineRequest) -> None:
    for text in outgoing_texts(offline):
        for mark in CANARY_MARKS:
            assert mark not in text, text[:400]


# --- odd updates never raise ------------------------------------------------------------


def message(tg: FakeBotApi, text: str, **fields: Any) -> dict[str, Any]:
    return tg.text_message(text, **fields)["message"]


ODD_UPDATES: dict[str, Any] = {
    # Anonymous group admin or a linked channel: no `from`, a sender_chat instead.
    "group message without from_user": lambda tg: {
        "message": {k: v for k, v in tg.mention("golput itu apa")["message"].items() if k != "from"}
        | {"sender_chat": tg.chat(GROUP)}
    },
    "private message without from_user": lambda tg: {
        "message": {k: v for k, v in message(tg, "golput itu apa").items() if k != "from"}
    },
    "channel post": lambda tg: tg.channel_post("golput itu apa"),
    "channel post with a command": lambda tg: tg.channel_post("/stats"),
    "edited channel post": lambda tg: {"edited_channel_post": tg.channel_post("x")["channel_post"] | {"edit_date": 1}},
    "edited message": lambda tg: tg.edited_message("/start"),
    "forum topic mention": lambda tg: tg.mention("golput itu apa", chat_id=FORUM, message_thread_id=5),
    "forum topic command": lambda tg: tg.command("/topik@PilkadaTestBot", chat_id=FORUM, message_thread_id=5),
    "forum topic created (service message)": lambda tg: {
        "message": message(tg, "x", chat_id=FORUM, message_thread_id=6)
        | {"text": None, "forum_topic_created": {"name": "Pilkada", "icon_color": 7322096}}
    },
    "bot added to a group": lambda tg: {
        "my_chat_member": {
            "chat": tg.chat(GROUP),
            "from": tg.user(),
            "date": 0,
            "old_chat_member": {"status": "left", "user": tg.bot_user},
            "new_chat_member": {"status": "member", "user": tg.bot_user},
        }
    },
    "poll answer": lambda tg: {
        "poll_answer": {"poll_id": "1", "user": tg.user(), "option_ids": [0], "option_persistent_ids": ["a"]}
    },
    "join request": lambda tg: {
        "chat_join_request": {"chat": tg.chat(GROUP), "from": tg.user(), "user_chat_id": USER, "date": 0}
    },
    "callback without data": lambda tg: {"callback_query": tg.callback_query("x")["callback_query"] | {"data": None}},
    "callback on an inline message (no message)": lambda tg: {
        "callback_query": {k: v for k, v in tg.callback_query("e:apa_itu_golput")["callback_query"].items()}
        | {"message": None, "inline_message_id": "AAAA"}
    },
    "callback on an inaccessible message": lambda tg: {
        "callback_query": tg.callback_query("e:apa_itu_golput")["callback_query"]
        | {"message": {"chat": tg.chat(USER), "message_id": 9, "date": 0}}
    },
    "callback with unknown data": lambda tg: tg.callback_query("admin:stats"),
    "callback with forged 64-byte data": lambda tg: tg.callback_query("e:" + "a" * 62),
    "callback with over-long data": lambda tg: tg.callback_query("s:" + "x" * 5000),
    "callback with an entry id that looks like a path": lambda tg: tg.callback_query("e:../../etc/passwd"),
    "callback in a group": lambda tg: tg.callback_query("u:apa_itu_golput", chat_id=GROUP),
    "inline query of 100 kB": lambda tg: tg.inline_query("golput " * 15_000),
    "inline query of spaces": lambda tg: tg.inline_query("     "),
    "inline query of emoji and control characters": lambda tg: tg.inline_query("🗳️\u202e\x00\u200d"),
    "only a url": lambda tg: {
        "message": message(tg, "https://kpu.go.id", entities=[{"type": "url", "offset": 0, "length": 17}])
    },
    "only a mention of someone else": lambda tg: {
        "message": message(tg, "@someone", entities=[{"type": "mention", "offset": 0, "length": 8}])
    },
    "only a text mention": lambda tg: {
        "message": message(
            tg, "Budi", entities=[{"type": "text_mention", "offset": 0, "length": 4, "user": tg.user(999)}]
        )
    },
    "only a hashtag": lambda tg: {
        "message": message(tg, "#pilkada", entities=[{"type": "hashtag", "offset": 0, "length": 8}])
    },
    "only a bot command entity": lambda tg: {
        "message": message(tg, "/", entities=[{"type": "bot_command", "offset": 0, "length": 1}])
    },
    "only zero-width characters": lambda tg: tg.text_message("\u200b\u200c\u200d"),
    "100 kB private message": lambda tg: tg.text_message("golput " * 15_000),
    "a reply to the bot in a group, from a bot": lambda tg: {
        "message": message(tg, "golput?", chat_id=GROUP, reply_to_bot=True) | {"from": tg.bot_user | {"id": 4321}}
    },
}


@pytest.mark.parametrize("kind", list(ODD_UPDATES))
async def test_odd_updates_never_raise(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, errors: list[logging.LogRecord], kind: str
) -> None:
    app, offline = bot
    await feed(app, ODD_UPDATES[kind](tg))
    await asyncio.sleep(0)  # let a non-blocking handler task run
    apologies = [c for c in offline.calls if "Maaf, ada gangguan" in json.dumps(c.params, ensure_ascii=False)]
    assert apologies == []


async def test_forum_topic_replies_stay_in_the_topic(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, errors: list[logging.LogRecord]
) -> None:
    app, offline = bot
    await feed(app, ODD_UPDATES["forum topic command"](tg))
    await feed(app, ODD_UPDATES["forum topic mention"](tg))
    assert [s["message_thread_id"] for s in offline.sent()] == [5, 5]


async def test_callback_on_an_inaccessible_message_answers_below_it(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline, errors: list[logging.LogRecord]
) -> None:
    app, offline = bot
    await feed(app, ODD_UPDATES["callback on an inaccessible message"](tg))
    (sent,) = offline.sent()
    assert sent["chat_id"] == USER and sent["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:30])


async def test_inline_query_of_100_kb_is_answered_quickly_from_its_start(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, errors: list[logging.LogRecord]
) -> None:
    app, offline = bot
    start = time.perf_counter()
    await feed(app, tg.inline_query("golput " * 15_000))
    assert time.perf_counter() - start < 1.0
    (answer,) = offline.sent("answerInlineQuery")
    assert "apa_itu_golput" in [r["id"] for r in answer["results"]]
    assert MAX_QUERY_LENGTH == 256  # Telegram's own limit on inline queries


# --- users' HTML is shown as text, in every path that echoes what a user wrote --------------


async def test_question_paths_never_render_user_html(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, errors: list[logging.LogRecord]
) -> None:
    app, offline = bot
    await feed(app, tg.text_message(SUGGESTED))  # private: "did you mean"
    suggestion = offline.sent()[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert suggestion.startswith("s:")
    await feed(app, tg.callback_query(suggestion, message_id=77))  # the suggestion pressed
    await feed(app, tg.text_message(f"{CANARY} resep nasi goreng"))  # fallback
    await feed(app, tg.mention(CANARY))  # a group
    await feed(app, tg.text_message(CANARY * 40))  # too long
    await feed(app, tg.command(f"/tidakada {CANARY}"))  # unknown command
    await feed(app, tg.inline_query(CANARY))  # inline results and their button
    assert len(offline.sent()) == 5 and offline.sent("editMessageText") and offline.sent("answerInlineQuery")
    assert all(s.get("parse_mode") == "HTML" for s in offline.sent())  # so escaping is what matters
    assert_no_user_html(offline)


async def test_staff_lists_show_user_html_as_text(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, store: Store, errors: list[logging.LogRecord]
) -> None:
    app, offline = bot
    # Normalization strips < and >; store a question as if it had kept them.
    await store.record_match(USER, "x", MatchResult("none", None, 12.0, (), CANARY, ()))
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    await feed(app, tg.command("/stats", user_id=ADMIN))
    listing, stats = (s["text"] for s in offline.sent())
    assert "&lt;a href=" in listing and "&lt;b&gt;PENTING&lt;/b&gt;" in listing
    assert "&lt;a href=" in stats and stats.startswith("<pre>")
    assert_no_user_html(offline)


# --- staff commands cannot be spoofed ---------------------------------------------------


def staff_output(offline: OfflineRequest, pipeline: Pipeline) -> list[str]:
    """Replies that only a staff command produces."""
    staff = pipeline.kb.staff
    marks = ("<pre>", staff.get("unanswered_intro"), staff.get("unanswered_empty"), staff.get("reload_ok"))
    return [t for t in (s["text"] for s in offline.sent()) if any(m in t for m in marks)]


SPOOFS: dict[str, Any] = {
    "non-staff /stats": lambda tg: tg.command("/stats"),
    "non-staff /stats@ThisBot": lambda tg: tg.command("/stats@PilkadaTestBot"),
    "non-staff /unanswered 50": lambda tg: tg.command("/unanswered 50"),
    "non-staff /reload": lambda tg: tg.command("/reload"),
    "non-staff forwarding staff's /stats": lambda tg: tg.command(
        "/stats", forward_origin={"type": "user", "date": 0, "sender_user": tg.user(ADMIN)}
    ),
    "non-staff /stats without a command entity": lambda tg: tg.text_message("/stats"),
    "staff /stats@OtherBot": lambda tg: tg.command("/stats@OtherBot", user_id=ADMIN),
    "staff /stats in a photo caption": lambda tg: {
        "message": tg.photo("/stats", user_id=ADMIN)["message"]
        | {"caption_entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    },
    "staff /stats edited in": lambda tg: tg.edited_message("/stats", user_id=ADMIN),
    "staff /stats in a group": lambda tg: tg.command("/stats@PilkadaTestBot", chat_id=GROUP, user_id=ADMIN),
    "staff /ѕtats with a Cyrillic s": lambda tg: tg.command("/ѕtats", user_id=ADMIN),
    "staff inline query /stats": lambda tg: tg.inline_query("/stats", user_id=ADMIN),
    "staff button with data /stats": lambda tg: tg.callback_query("/stats", user_id=ADMIN),
    "a channel's post of /stats in a group it is linked to": lambda tg: {
        "message": {
            k: v for k, v in tg.command("/stats@PilkadaTestBot", chat_id=GROUP)["message"].items() if k != "from"
        }
        | {"sender_chat": tg.chat(-1009876543210, "channel")}
    },
}


@pytest.mark.parametrize("kind", list(SPOOFS))
async def test_staff_commands_cannot_be_spoofed(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline, errors: list[logging.LogRecord], kind: str
) -> None:
    app, offline = bot
    await feed(app, SPOOFS[kind](tg))
    assert staff_output(offline, pipeline) == []


async def test_staff_commands_do_work_for_staff(
    bot: tuple[App, OfflineRequest], tg: FakeBotApi, pipeline: Pipeline, errors: list[logging.LogRecord]
) -> None:
    # The other side of the spoofing tests: the same check would pass if the commands were gone.
    app, offline = bot
    await feed(app, tg.command("/stats@PilkadaTestBot", user_id=ADMIN))
    await feed(app, tg.command("/unanswered", user_id=ADMIN))
    assert len(staff_output(offline, pipeline)) == 2
