"""bot/telegram handlers, driven through the real Application with an offline request.

`OfflineRequest` answers every Bot API call locally and records it, so each test feeds
real `Update` objects to `app.process_update` and asserts on what the bot would have
sent to Telegram. Update dicts come from the fake server's builders (not started).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.pipeline import Pipeline
from bot.telegram import feedback, handlers
from bot.telegram.render import render_reply
from tests.support.botapp import StartBot
from tests.support.constants import AMBIGUOUS, ANSWERED, GROUP, TOKEN, UNKNOWN, USER, App
from tests.support.fakebotapi import FakeBotApi
from tests.support.offline import FakeRecorder, OfflineRequest, callback_data, feed, keyboard
from tests.support.pipelines import force_suggestions


@pytest.fixture
def recorder() -> FakeRecorder:
    return FakeRecorder()


@pytest.fixture
async def app(pipeline: Pipeline, start_bot: StartBot, recorder: FakeRecorder) -> AsyncIterator[App]:
    force_suggestions(pipeline, AMBIGUOUS)
    async with start_bot(pipeline, recorder=recorder) as application:
        yield application


def start_menu(pipeline: Pipeline) -> list[str]:
    """Callback data of the welcome's keyboard: the first-minute topics, then "more topics"."""
    return [*(f"e:{t.entry}" for t in pipeline.kb.messages.start_topics), "t:all"]


# --- private chat -------------------------------------------------------------------


async def test_start_sends_welcome_with_topic_keyboard(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.command("/start"))
    (sent,) = offline.sent()
    assert sent["chat_id"] == USER
    assert sent["text"] == pipeline.replies.welcome().text
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in sent  # no quoting in a private chat
    assert callback_data(sent) == start_menu(pipeline)


async def test_more_topics_sends_the_whole_topic_list(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.command("/start"))
    assert start_menu(pipeline)[:3] == ["e:jadwal_pencoblosan", "e:kenapa_memilih", "e:apa_itu_golput"]
    await feed(app, tg.callback_query("t:all", chat_id=USER))
    welcome, topics = offline.sent()
    assert welcome["text"] == pipeline.replies.welcome().text
    assert topics["text"] == pipeline.kb.messages.get("topics_intro")
    assert callback_data(topics) == [f"e:{t.entry}" for t in pipeline.kb.messages.topics]
    assert offline.sent("editMessageText") == []  # the welcome stays as it was
    await feed(app, tg.callback_query("e:jadwal_pencoblosan", chat_id=USER))
    answer = offline.sent()[-1]["text"]
    assert "sudah lewat" in answer or "hari lagi" in answer  # the date, and whether it has passed


@pytest.mark.parametrize(
    ("command", "build"),
    [
        ("/help", "help"),
        ("/bantuan", "help"),
        ("/topik", "topics"),
        ("/hitungmundur", "countdown"),
        ("/sumber", "sources"),
    ],
)
async def test_commands(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, command: str, build: str
) -> None:
    await feed(app, tg.command(command))
    (sent,) = offline.sent()
    assert sent["text"] == getattr(pipeline.replies, build)().text


async def test_countdown_says_seven_days(app: App, offline: OfflineRequest, tg: FakeBotApi) -> None:
    await feed(app, tg.command("/hitungmundur"))
    assert "7 hari lagi" in offline.sent()[0]["text"]


async def test_unknown_command(app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline) -> None:
    await feed(app, tg.command("/paslon"))
    assert offline.sent()[0]["text"] == pipeline.replies.text("unknown_command")


async def test_question_gets_answer_source_line_and_buttons(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    expected = pipeline.replies.for_question(ANSWERED)
    assert expected.kind == "answer" and expected.entry_id == "apa_itu_golput" and expected.source_line
    await feed(app, tg.text_message(ANSWERED))
    (sent,) = offline.sent()
    assert sent["text"] == f"{expected.text}\n\n<i>{expected.source_line}</i>"
    rows = keyboard(sent)
    related = pipeline.kb.entry("apa_itu_golput").related[:3]
    # Related entries, then Bagikan, the card and the feedback, then "Bagikan ke WhatsApp" on a row of its own.
    assert [row[0]["callback_data"] for row in rows[:-2]] == [f"e:{r}" for r in related]
    (whatsapp,) = rows[-1]
    assert whatsapp["url"].startswith("https://wa.me/?text=")
    share, card, up, down = rows[-2]
    assert share["switch_inline_query"] == pipeline.kb.entry("apa_itu_golput").title
    assert card["callback_data"] == "c:apa_itu_golput"
    assert (up["callback_data"], down["callback_data"]) == ("u:apa_itu_golput", "d:apa_itu_golput")
    assert recorder.calls == [("match", USER, ANSWERED, "answer")]


async def test_user_html_is_never_echoed_unescaped(app: App, offline: OfflineRequest, tg: FakeBotApi) -> None:
    await feed(app, tg.text_message("<b>golput</b> itu apa & kenapa"))
    text = offline.sent()[0]["text"]
    assert "<b>" not in text
    assert "&" not in text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


async def test_suggestion_press_edits_the_message_into_the_answer(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    suggested = pipeline.replies.for_question(AMBIGUOUS)
    assert suggested.kind == "suggest" and suggested.suggestions
    await feed(app, tg.text_message(AMBIGUOUS))
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.replies.text("did_you_mean")
    # Every suggestion, then "Bukan ini" (none of these).
    assert callback_data(sent) == [*(f"s:{i}" for i in suggested.suggestions), f"n:{suggested.suggestions[0]}"]

    choice = suggested.suggestions[0]
    await feed(app, tg.callback_query(f"s:{choice}", message_id=4242, chat_id=USER))
    (edit,) = offline.sent("editMessageText")
    answer = pipeline.replies.for_entry(choice)
    assert (edit["chat_id"], edit["message_id"]) == (USER, 4242)
    assert edit["text"].startswith(answer.text.split("\n")[0])
    assert edit["reply_markup"]["inline_keyboard"][-2][0]["switch_inline_query"] == pipeline.kb.entry(choice).title
    assert len(offline.sent("answerCallbackQuery")) == 1
    assert len(offline.sent()) == 1  # edited in place, no new message
    assert recorder.calls == [("match", USER, AMBIGUOUS, "suggest"), ("suggestion_chosen", USER, choice)]


async def test_topic_button_sends_a_new_message(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.callback_query("e:jadwal_pencoblosan", chat_id=USER))
    (sent,) = offline.sent()
    assert sent["text"].startswith(pipeline.kb.entry("jadwal_pencoblosan").answer.before.split("\n")[0])
    assert offline.sent("editMessageText") == []
    (answered,) = offline.sent("answerCallbackQuery")
    assert "text" not in answered  # no toast: the answer itself is the response


async def test_fallback_offers_topics(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message(UNKNOWN))
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.replies.fallback().text
    assert callback_data(sent) == [f"e:{t.entry}" for t in pipeline.kb.messages.topics]
    assert recorder.calls == [("match", USER, UNKNOWN, "none")]


async def test_thumbs_up_is_recorded_and_thanked(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.callback_query("u:apa_itu_golput", chat_id=USER))
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.kb.messages.get("feedback_thanks")
    assert recorder.calls == [("feedback", USER, "apa_itu_golput", True)]
    assert offline.sent() == [] and offline.sent("editMessageText") == []  # the answer stays


async def test_thumbs_down_asks_why_with_one_tap_reasons(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.callback_query("d:apa_itu_golput", chat_id=USER))
    assert recorder.calls == [("feedback", USER, "apa_itu_golput", False)]
    (toast,) = offline.sent("answerCallbackQuery")
    assert "text" not in toast  # the question below says thanks
    (ask,) = offline.sent()
    messages = pipeline.kb.messages
    assert ask["text"] == messages.get("feedback_why")
    assert "reply_parameters" not in ask
    labels = [b["text"] for row in keyboard(ask) for b in row]
    assert labels == [*messages.feedback_reasons, messages.get("feedback_write_button")]
    assert messages.feedback_reasons == ("Jawabannya salah", "Tidak menjawab pertanyaanku", "Sulit dipahami")
    data = callback_data(ask)
    assert data == ["r0:apa_itu_golput", "r1:apa_itu_golput", "r2:apa_itu_golput", "w:apa_itu_golput"]
    assert offline.sent("editMessageText") == []  # the answer itself stays as it was

    await feed(app, tg.callback_query("r1:apa_itu_golput", message_id=9001, chat_id=USER))
    assert recorder.calls[-1] == ("feedback", USER, "apa_itu_golput", False, "Tidak menjawab pertanyaanku")
    (edit,) = offline.sent("editMessageText")
    assert edit["message_id"] == 9001 and edit["text"] == messages.get("feedback_noted")
    assert "reply_markup" not in edit  # the reason buttons are gone


async def test_thumbs_down_then_a_written_reason(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.callback_query("d:jadwal_pencoblosan", chat_id=USER))
    await feed(app, tg.callback_query("w:jadwal_pencoblosan", chat_id=USER))
    prompt = offline.sent()[-1]
    assert prompt["text"] == pipeline.kb.messages.get("feedback_write_prompt")
    assert prompt["reply_markup"] == {"force_reply": True, "selective": True}
    prompt_id = 9000 + len(offline.sent()) - 1  # OfflineRequest numbers the messages it sends from 9000
    why = "tanggalnya   beda sama yang di\nposter kelurahan"
    reply = tg.text_message(why)
    reply["message"]["reply_to_message"] = {
        "message_id": prompt_id,
        "date": 0,
        "chat": tg.chat(USER),
        "from": tg.bot_user,
        "text": prompt["text"],
    }
    await feed(app, reply)
    assert recorder.calls[-1] == (
        "feedback",
        USER,
        "jadwal_pencoblosan",
        False,
        "tanggalnya beda sama yang di poster kelurahan",
    )
    assert offline.sent()[-1]["text"] == pipeline.kb.messages.get("feedback_noted")
    assert not [c for c in recorder.calls if c[0] == "match"]  # the reason is not a question
    # The prompt is used up: another reply to it is a question again.
    reply = tg.text_message(ANSWERED)
    reply["message"]["reply_to_message"] = {"message_id": prompt_id, "date": 0, "chat": tg.chat(USER)}
    await feed(app, reply)
    assert recorder.calls[-1] == ("match", USER, ANSWERED, "answer")


async def test_a_reply_to_another_message_is_a_question(
    app: App, offline: OfflineRequest, tg: FakeBotApi, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message(ANSWERED, reply_to_bot=True))
    assert recorder.calls == [("match", USER, ANSWERED, "answer")]


async def test_thumbs_down_in_a_group_is_only_thanked(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.callback_query("d:apa_itu_golput", chat_id=GROUP))
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.kb.messages.get("feedback_thanks")
    assert offline.sent() == []  # no "what was wrong?" for the whole group to read
    assert recorder.calls == [("feedback", USER, "apa_itu_golput", False)]


@pytest.mark.parametrize("data", ["w:apa_itu_golput", "r0:apa_itu_golput"])
async def test_a_forged_why_press_in_a_group_is_only_thanked(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, data: str
) -> None:
    # Issue 25, item 7: the group never got these buttons (a 👎 there is only thanked), but a
    # forged "write why" press posted the ForceReply prompt in the group, and a forged reason
    # turned the bot's answer there into "noted".
    await feed(app, tg.callback_query(data, chat_id=GROUP))
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.kb.messages.get("feedback_thanks")
    assert offline.sent() == [] and offline.sent("editMessageText") == []
    assert recorder.calls == []


@pytest.mark.parametrize("data", ["r7:apa_itu_golput", "r:apa_itu_golput", "r12:apa_itu_golput", "w3:apa_itu_golput"])
async def test_a_reason_that_does_not_exist_is_expired(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, data: str
) -> None:
    await feed(app, tg.callback_query(data, chat_id=USER))
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.replies.text("expired_button")
    assert recorder.calls == []


@pytest.mark.parametrize("data", ["e:tidak_ada_entri", "s:../../etc/passwd", "vote:1", "x" * 64, "u:"])
async def test_forged_or_expired_callback_is_answered_politely(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, data: str
) -> None:
    await feed(app, tg.callback_query(data, chat_id=USER))
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.replies.text("expired_button")
    assert offline.sent() == [] and recorder.calls == []


@pytest.mark.parametrize("builder", ["location"])
async def test_non_text_gets_a_friendly_reply(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, builder: str
) -> None:
    await feed(app, getattr(tg, builder)())
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.replies.text("non_text")


async def test_document_and_voice_get_the_same_reply(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    voice = {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}
    document = {"file_id": "d1", "file_unique_id": "ud1", "file_name": "ktp.pdf"}
    await feed(app, {"message": tg.text_message("x")["message"] | {"text": None, "voice": voice}})
    await feed(app, {"message": tg.text_message("x")["message"] | {"text": None, "document": document}})
    assert [s["text"] for s in offline.sent()] == [pipeline.replies.text("non_text")] * 2


async def test_too_long_text(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    limit = pipeline.config.bot.max_message_length
    await feed(app, tg.text_message("golput " * (limit // 7 + 1)))
    assert offline.sent()[0]["text"] == pipeline.replies.text("too_long")
    assert recorder.calls == []


async def test_edited_message_and_channel_post_are_ignored(
    app: App, offline: OfflineRequest, tg: FakeBotApi, recorder: FakeRecorder
) -> None:
    await feed(app, tg.edited_message(ANSWERED))
    await feed(app, tg.channel_post(ANSWERED))
    await feed(app, tg.channel_post("/start"))
    assert offline.sent() == [] and recorder.calls == []


async def test_update_without_user_does_not_crash(
    app: App, offline: OfflineRequest, tg: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    reactions = {"chat": tg.chat(GROUP), "message_id": 5, "date": 0, "reactions": []}
    await feed(app, {"message_reaction_count": reactions})
    assert Update.de_json({"update_id": 1, "message_reaction_count": reactions}, app.bot).effective_user is None
    assert offline.sent() == [] and "Error" not in caplog.text


async def test_shared_inline_answer_is_not_treated_as_a_question(
    app: App, offline: OfflineRequest, tg: FakeBotApi, recorder: FakeRecorder
) -> None:
    shared = tg.text_message("Golput (golongan putih) sebutan ...", via_bot=tg.bot_user)
    await feed(app, shared)
    assert offline.sent() == [] and recorder.calls == []


# --- captions and forwarded messages ---------------------------------------------------

VIDEO = {"file_id": "vid1", "file_unique_id": "uvid1", "width": 640, "height": 360, "duration": 5}
DOCUMENT = {"file_id": "d1", "file_unique_id": "ud1", "file_name": "poster.pdf"}
FORWARD_FROM_CHANNEL = {
    "type": "channel",
    "date": 0,
    "chat": {"id": -1001234, "type": "channel", "title": "Info Blora"},
    "message_id": 7,
}


def media_message(tg: FakeBotApi, caption: str, media: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A video or file with `caption` (kwargs as text_message)."""
    message = tg.text_message("x", **kwargs)["message"]
    del message["text"]
    return {"message": message | media | {"caption": caption}}


@pytest.mark.parametrize("media", ["photo", "video", "document"])
async def test_a_caption_is_asked_like_typed_text(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, media: str
) -> None:
    caption = ANSWERED
    expected = pipeline.replies.for_question(caption)
    assert expected.kind == "answer"
    if media == "photo":
        update = tg.photo(caption=caption)
    else:
        update = media_message(tg, caption, {"video": VIDEO} if media == "video" else {"document": DOCUMENT})
    await feed(app, update)
    (sent,) = offline.sent()
    assert sent["text"] == f"{expected.text}\n\n<i>{expected.source_line}</i>"
    assert recorder.calls == [("match", USER, caption, "answer")]


async def test_a_photo_without_caption_asks_for_one(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.photo())
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.kb.messages.get("non_text")
    assert "caption" in sent["text"]
    assert recorder.calls == []


async def test_a_forwarded_message_is_a_question(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message(ANSWERED, forward_origin=FORWARD_FROM_CHANNEL))
    (sent,) = offline.sent()
    assert sent["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])
    assert recorder.calls == [("match", USER, ANSWERED, "answer")]


async def test_a_forwarded_statement_gets_the_claim_check(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    rumour = "Pemilih yang golput akan didenda"
    assert pipeline.replies.for_question(rumour).kind != "claim"  # typed by the user, it is not read as a claim
    expected = pipeline.replies.for_question(rumour, forwarded=True)
    assert expected.kind == "claim" and [c.verdict for c in expected.claims] == ["unverifiable"]
    await feed(app, tg.text_message(rumour, forward_origin=FORWARD_FROM_CHANNEL))
    (sent,) = offline.sent()
    assert sent["text"].startswith(expected.text.splitlines()[0])
    assert [c[:3] for c in recorder.calls] == [("match", USER, rumour)]


async def test_a_forwarded_rumour_that_asks_gets_the_correction_first(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    # Issue #22: the question at the end ("KPU nanggepinnya gimana?") is answered by the check itself;
    # the reason given ("karena anggaran …") is said to be uncovered, apart from the corrected date.
    rumour = (
        "PENTING! Pencoblosan pilkada blora diundur ke desember karena anggaran belum cair. Sebarkan! "
        "-- min, KPU nanggepinnya gimana?"
    )
    await feed(app, tg.text_message(rumour, forward_origin=FORWARD_FROM_CHANNEL))
    (sent,) = offline.sent()
    assert sent["text"].startswith("❌")
    assert "27 November 2024" in sent["text"] and "🤔" in sent["text"]


async def test_a_long_forwarded_text_is_cut_rather_than_refused(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    limit = pipeline.config.bot.max_message_length
    forwarded = "kapan hari pencoblosan pilkada blora? " + "bagikan ke semua grup keluarga ya. " * (limit // 30)
    assert len(forwarded) > limit
    await feed(app, tg.text_message(forwarded, forward_origin=FORWARD_FROM_CHANNEL))
    (sent,) = offline.sent()
    assert sent["text"] != pipeline.kb.messages.get("too_long")
    ((_, _, asked, _),) = recorder.calls
    assert asked == forwarded[:limit]
    # The user's own long message still gets the "too long" note.
    await feed(app, tg.text_message(forwarded))
    assert offline.sent()[-1]["text"] == pipeline.kb.messages.get("too_long")


async def test_a_forwarded_photo_with_caption_is_a_question(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    update = tg.photo(caption="golput itu apa")
    update["message"]["forward_origin"] = FORWARD_FROM_CHANNEL
    await feed(app, update)
    assert offline.sent()[0]["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])


async def test_group_caption_is_answered_only_when_addressed(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.photo(caption="golput itu apa", chat_id=GROUP))  # not for the bot: ignored
    assert offline.sent() == [] and recorder.calls == []
    caption = "@PilkadaTestBot golput itu apa"
    mention = {"type": "mention", "offset": 0, "length": len("@PilkadaTestBot")}
    update = tg.photo(caption=caption, chat_id=GROUP)
    update["message"]["caption_entities"] = [mention]
    await feed(app, update)
    (sent,) = offline.sent()
    assert sent["chat_id"] == GROUP
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert sent["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])
    assert recorder.calls == [("match", USER, "golput itu apa", "answer")]  # the mention is not part of it


async def test_group_caption_replying_to_the_bot_is_answered(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    update = media_message(tg, "golput itu apa", {"document": DOCUMENT}, chat_id=GROUP, reply_to_bot=True)
    await feed(app, update)
    assert offline.sent()[0]["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])


# --- small talk ---------------------------------------------------------------------


def small_talk_text(pipeline: Pipeline, text: str) -> str:
    reply = pipeline.replies.small_talk(text)
    assert reply is not None, f"{text!r} should be small talk"
    return reply.text


@pytest.mark.parametrize("text", ["makasih", "thanks!", "Makasiiih min 🙏", "oke makasih infonya"])
async def test_thanks_gets_a_short_you_are_welcome(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, text: str
) -> None:
    await feed(app, tg.text_message(text))
    (sent,) = offline.sent()
    assert sent["text"] == small_talk_text(pipeline, "makasih")
    assert "Sama-sama" in sent["text"]
    assert "reply_markup" not in sent  # no answer card: no Bagikan, no 👍/👎
    assert recorder.calls == []  # not a question: not counted, not in the unanswered log


@pytest.mark.parametrize("text", ["halo", "Halooo kak 👋", "selamat pagi min", "assalamualaikum"])
async def test_greeting_gets_one_line_and_the_topics(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, text: str
) -> None:
    await feed(app, tg.text_message(text))
    (sent,) = offline.sent()
    assert sent["text"] == small_talk_text(pipeline, "halo")
    assert "\n" not in sent["text"] and pipeline.kb.messages.get("fallback")[:20] not in sent["text"]
    assert callback_data(sent) == start_menu(pipeline)
    assert recorder.calls == []


@pytest.mark.parametrize("text", ["ok", "oke", "siap", "mantap", "👍", "sip 👍🏻"])
async def test_ok_gets_no_answer_at_all(
    app: App, offline: OfflineRequest, tg: FakeBotApi, recorder: FakeRecorder, text: str
) -> None:
    await feed(app, tg.text_message(text))
    assert [c.method for c in offline.calls if c.method != "getMe"] == [] and recorder.calls == []


@pytest.mark.parametrize("text", ["wkwkwk", "hahaha", "😂😂"])
async def test_laughter_gets_a_light_line(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, text: str
) -> None:
    await feed(app, tg.text_message(text))
    (sent,) = offline.sent()
    assert sent["text"] == small_talk_text(pipeline, "wkwk") and len(sent["text"]) < 20
    assert recorder.calls == []


@pytest.mark.parametrize("text", ["?", "???", "🗳️", "..."])
async def test_symbols_only_get_an_invitation_to_ask(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder, text: str
) -> None:
    await feed(app, tg.text_message(text))
    (sent,) = offline.sent()
    assert sent["text"] == small_talk_text(pipeline, "?")
    assert sent["text"] != pipeline.replies.fallback().text
    assert recorder.calls == []


async def test_a_greeting_with_a_question_is_a_question(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message(f"halo min, {ANSWERED}?"))
    assert offline.sent()[0]["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])
    assert recorder.calls == [("match", USER, f"halo min, {ANSWERED}?", "answer")]


async def test_a_sticker_stands_for_its_emoji(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.sticker("👍"))
    assert offline.sent() == []
    await feed(app, tg.sticker("🙏"))
    await feed(app, tg.sticker("🗳"))
    assert [s["text"] for s in offline.sent()] == [small_talk_text(pipeline, "🙏"), small_talk_text(pipeline, "?")]
    assert recorder.calls == []


async def test_small_talk_in_a_group_when_addressed(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message("makasih", chat_id=GROUP))  # not addressed: ignored
    await feed(app, tg.text_message("ok", chat_id=GROUP, reply_to_bot=True))  # needs no answer
    update = tg.text_message("makasih", chat_id=GROUP, reply_to_bot=True)
    await feed(app, update)
    (sent,) = offline.sent()
    assert sent["text"] == small_talk_text(pipeline, "makasih")
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert recorder.calls == []


async def test_an_english_question_gets_the_indonesian_answer_with_a_note(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message("what is golput?"))
    await feed(app, tg.text_message("golput itu apa?"))
    english, indonesian = offline.sent()
    note = pipeline.kb.messages.get("english_note")
    assert english["text"] == f"{note}\n\n{indonesian['text']}"
    assert english["text"].split("\n\n")[1].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])
    assert keyboard(english) == keyboard(indonesian)
    assert [c[3] for c in recorder.calls] == ["answer", "answer"]


# --- groups -------------------------------------------------------------------------


async def test_group_chatter_is_ignored(
    app: App, offline: OfflineRequest, tg: FakeBotApi, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message(ANSWERED, chat_id=GROUP))
    await feed(
        app,
        tg.text_message(
            "@someoneelse golput itu apa", chat_id=GROUP, entities=[{"type": "mention", "offset": 0, "length": 12}]
        ),
    )
    await feed(app, tg.sticker(chat_id=GROUP))
    await feed(app, tg.command("/paslon", chat_id=GROUP))
    assert offline.sent() == [] and recorder.calls == []


async def test_group_mention_is_answered_without_the_mention(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    update = tg.mention(f"{ANSWERED}?")
    await feed(app, update)
    (sent,) = offline.sent()
    assert sent["chat_id"] == GROUP
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert sent["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:40])
    assert recorder.calls == [("match", USER, f"{ANSWERED}?", "answer")]


async def test_group_mention_in_any_case_and_alone(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.mention("@pilkadatestbot"))  # usernames are case-insensitive
    assert offline.sent()[0]["text"] == pipeline.replies.group_welcome("PilkadaTestBot").text


@pytest.mark.parametrize("command", ["/start", "/start@PilkadaTestBot"])
async def test_start_in_a_group_says_how_to_ask_there(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, command: str
) -> None:
    await feed(app, tg.command(command, chat_id=GROUP))
    (sent,) = offline.sent()
    text = sent["text"]
    assert text == pipeline.replies.group_welcome("PilkadaTestBot").text
    assert "@PilkadaTestBot kapan nyoblos?" in text and "balas" in text
    assert "ketik pertanyaanmu" not in text  # typing a plain question in a group reaches nobody
    assert "ketik pertanyaanmu" in pipeline.replies.welcome().text.lower()  # ... while in private it does
    assert pipeline.replies.countdown_text() in text
    assert callback_data(sent) == start_menu(pipeline)


@pytest.mark.parametrize("command", ["/help", "/help@PilkadaTestBot", "/bantuan@PilkadaTestBot"])
async def test_help_in_a_group_explains_how_to_ask_there(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, command: str
) -> None:
    await feed(app, tg.command(command, chat_id=GROUP))
    (sent,) = offline.sent()
    text = sent["text"]
    assert text == pipeline.replies.group_help("PilkadaTestBot").text
    assert "@PilkadaTestBot golput itu apa" in text  # a mention
    assert "balas" in text  # a reply to the bot
    assert "ketik @PilkadaTestBot golput" in text  # inline mode
    assert "{bot}" not in text


async def test_group_reply_to_bot_is_answered(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    await feed(app, tg.text_message(UNKNOWN, chat_id=GROUP, reply_to_bot=True))
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.replies.fallback().text
    assert recorder.calls == [("match", USER, UNKNOWN, "none")]


async def test_group_command_is_answered(app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline) -> None:
    await feed(app, tg.command("/hitungmundur@PilkadaTestBot", chat_id=GROUP))
    await feed(app, tg.command("/hitungmundur@OtherBot", chat_id=GROUP))
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.replies.countdown().text


async def test_forum_topic_answer_stays_in_the_topic(app: App, offline: OfflineRequest, tg: FakeBotApi) -> None:
    await feed(app, tg.mention(ANSWERED, message_thread_id=77))
    assert offline.sent()[0]["message_thread_id"] == 77


# --- inline mode --------------------------------------------------------------------


async def test_inline_query_lists_matching_entries(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.inline_query("golput"))
    (answer,) = offline.sent("answerInlineQuery")
    ids = [r["id"] for r in answer["results"]]
    assert {"apa_itu_golput", "jangan_golput"} <= set(ids[:3])
    assert len(ids) == len(set(ids)) <= 50
    assert answer["cache_time"] == 300 and answer["is_personal"] is False
    first = answer["results"][0]
    entry = pipeline.kb.entry(first["id"])
    assert first["type"] == "article" and first["title"] == entry.title
    assert 0 < len(first["description"]) <= 100
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith(entry.answer.before[:30]) and content["message_text"].endswith("</i>")


async def test_inline_query_with_entry_id_puts_that_entry_first(
    app: App, offline: OfflineRequest, tg: FakeBotApi
) -> None:
    # Bagikan buttons on answers sent before the switch to titles still pre-fill the id.
    await feed(app, tg.inline_query("partisipasi_pemilu_2024"))
    assert offline.sent("answerInlineQuery")[0]["results"][0]["id"] == "partisipasi_pemilu_2024"


async def test_bagikan_prefills_words_that_find_the_same_entry(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    """For every entry: press Bagikan, let Telegram send the pre-filled inline query, get that entry first."""
    for n, entry in enumerate(pipeline.kb.entries):
        user = USER + 1 + n  # one user per entry: flood control and the inline throttle are per user
        await feed(app, tg.callback_query(f"e:{entry.id}", chat_id=user, user_id=user))
        card = offline.sent()[-1]
        assert card["chat_id"] == user
        share = next(b for row in keyboard(card) for b in row if "switch_inline_query" in b)
        query = share["switch_inline_query"]
        assert query == entry.title and "_" not in query
        await feed(app, tg.inline_query(query, user_id=user))
        (answer,) = offline.sent("answerInlineQuery")[n:]
        assert answer["results"][0]["id"] == entry.id, query


async def test_a_title_typed_in_another_case_still_finds_the_entry(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    title = pipeline.kb.entry("jangan_golput").title
    await feed(app, tg.inline_query(f"  {title.upper()} "))
    assert offline.sent("answerInlineQuery")[0]["results"][0]["id"] == "jangan_golput"


async def test_empty_inline_query_lists_topics_with_a_hint(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.inline_query(""))
    (answer,) = offline.sent("answerInlineQuery")
    assert [r["id"] for r in answer["results"]] == [t.entry for t in pipeline.kb.messages.topics]
    assert answer["button"] == {"text": pipeline.replies.text("inline_empty_hint"), "start_parameter": "inline"}


async def test_inline_query_without_matches_offers_the_private_chat(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    assert pipeline.replies.for_question(UNKNOWN).kind == "fallback"
    await feed(app, tg.inline_query(UNKNOWN))
    (answer,) = offline.sent("answerInlineQuery")
    assert answer["results"] == []
    assert answer["button"]["start_parameter"] == "inline"


# --- errors and startup ----------------------------------------------------------------


async def test_error_handler_apologizes_once_and_logs_without_token(
    app: App,
    offline: OfflineRequest,
    tg: FakeBotApi,
    pipeline: Pipeline,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(text: str, **kwargs: Any) -> Any:  # kwargs: forwarded=
        raise RuntimeError(f"database is locked (while calling https://api.telegram.org/bot{TOKEN}/x)")

    monkeypatch.setattr(pipeline.replies, "for_question", broken)
    update_id = await feed(app, tg.text_message(ANSWERED))
    (sent,) = offline.sent()
    assert sent["text"] == pipeline.replies.text("error")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    logged = errors[0].getMessage()
    assert str(update_id) in logged and "database is locked" in logged
    assert TOKEN not in caplog.text
    assert ANSWERED not in logged  # the update's text stays out of the log


@pytest.mark.parametrize("data", ["e:apa_itu_golput", "u:apa_itu_golput"])  # an entry button; 👍 (feedback.py)
async def test_error_in_button_press_becomes_a_toast(
    app: App,
    offline: OfflineRequest,
    tg: FakeBotApi,
    pipeline: Pipeline,
    recorder: FakeRecorder,
    monkeypatch: pytest.MonkeyPatch,
    data: str,
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(handlers, "decode_callback", broken)
    monkeypatch.setattr(feedback, "decode_callback", broken)
    await feed(app, tg.callback_query(data, chat_id=USER))
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.replies.text("error")
    assert offline.sent() == []


async def test_a_recorder_that_fails_costs_statistics_never_an_answer(
    app: App,
    offline: OfflineRequest,
    tg: FakeBotApi,
    pipeline: Pipeline,
    recorder: FakeRecorder,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 14, item 4: "disk full" used to turn every answer into "Maaf, ada gangguan".
    async def broken(*args: Any) -> None:
        raise RuntimeError("database or disk is full")

    recorder.fail = RuntimeError("database or disk is full")
    monkeypatch.setattr(recorder, "record_feedback", broken)
    for _ in range(3):
        await feed(app, tg.text_message(ANSWERED))
    await feed(app, tg.callback_query("u:apa_itu_golput", chat_id=USER))
    answer = pipeline.replies.for_question(ANSWERED).text
    assert [p["text"].startswith(answer) for p in offline.sent()] == [True] * 3  # answered, no apology
    (toast,) = offline.sent("answerCallbackQuery")
    assert toast["text"] == pipeline.replies.text("feedback_thanks")
    assert app.bot_data.record_errors.count == 4  # counted...
    logged = [r for r in caplog.records if "database or disk is full" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR  # ...and logged once, not four times


async def test_post_init_registers_indonesian_commands(app: App, offline: OfflineRequest, pipeline: Pipeline) -> None:
    await app.post_init(app)
    (call,) = offline.sent("setMyCommands")
    commands = {c["command"]: c["description"] for c in call["commands"]}
    assert list(commands) == ["start", "help", "topik", "hitungmundur", "sumber", "kartu"]
    assert commands["topik"] == pipeline.replies.text("command_topik")


async def test_none_of_these_turns_the_suggestions_into_the_honest_fallback(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline, recorder: FakeRecorder
) -> None:
    suggested = pipeline.replies.for_question(AMBIGUOUS)
    await feed(app, tg.text_message(AMBIGUOUS))
    (sent,) = offline.sent()
    assert sent["reply_markup"]["inline_keyboard"][-1][0]["text"] == pipeline.replies.text("not_this_button")
    await feed(app, tg.callback_query(f"n:{suggested.suggestions[0]}", message_id=4242, chat_id=USER))
    (edit,) = offline.sent("editMessageText")
    assert edit["message_id"] == 4242
    assert edit["text"].startswith(render_reply(pipeline.replies.fallback()).chunks[0][:40])
    # Nothing was chosen: the question stays unanswered for staff.
    assert [c[0] for c in recorder.calls] == ["match"]


async def test_a_forwarded_hoax_is_corrected_with_the_fact_and_its_source(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.text_message("PENTING!! Pencoblosan Pilkada Blora DIUNDUR ke 4 Desember 2024. Sebarkan"))
    (sent,) = offline.sent()
    assert "❌ “4 Desember 2024” TIDAK sesuai sumber resmi." in sent["text"]
    assert "Rabu, 27 November 2024" in sent["text"]
    assert "<i>Sumber: KPU Kabupaten Blora, 6 September 2024</i>" in sent["text"]


async def test_a_forwarded_hoax_moving_voting_day_gets_no_tick(
    app: App, offline: OfflineRequest, tg: FakeBotApi, pipeline: Pipeline
) -> None:
    await feed(app, tg.text_message("Pilkada Blora DIUNDUR seminggu, jangan datang ke TPS hari Rabu. Sebarkan!"))
    (sent,) = offline.sent()
    assert sent["text"].startswith(pipeline.replies.text("claim_moved"))
    assert "Rabu, 27 November 2024" in sent["text"]
    assert "✅" not in sent["text"] and "DIUNDUR" not in sent["text"]
