"""The outreach kit in Telegram, end to end: the real Application against the fake Bot API on 127.0.0.1.

Deep links (/start <link>) open their answer; unknown or missing payloads keep the welcome.
Answers carry a "Bagikan ke WhatsApp" URL button and a card button; /kartu sends a card.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from telegram import Bot
from telegram.error import BadRequest

from bot.pipeline import Pipeline
from tests.support.botapp import StartBot
from tests.support.constants import GROUP, TOKEN, USER, App
from tests.support.fakebotapi import Call, FakeBotApi


@pytest.fixture
async def bot(api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot) -> AsyncIterator[App]:
    """The bot long-polling the fake server, started in the order run_polling uses."""
    async with start_bot(pipeline, api) as app:
        yield app


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in params["reply_markup"]["inline_keyboard"] for b in row]


@pytest.mark.parametrize(("payload", "entry_id"), [("golput", "apa_itu_golput"), ("jadwal", "jadwal_pencoblosan")])
async def test_deep_link_opens_its_answer(
    bot: App, api: FakeBotApi, pipeline: Pipeline, payload: str, entry_id: str
) -> None:
    api.push_update(api.command(f"/start {payload}"))
    (sent,) = await api.await_for("sendMessage")
    reply = pipeline.replies.for_entry(entry_id)
    assert sent.status == 200
    assert sent.params["text"] == f"{reply.text}\n\n<i>{reply.source_line}</i>"
    assert f"u:{entry_id}" in [b.get("callback_data") for b in buttons(sent.params)]


@pytest.mark.parametrize("text", ["/start", "/start inline", "/start tidak-ada", "/start@PilkadaTestBot"])
async def test_start_without_a_known_payload_is_the_welcome(
    bot: App, api: FakeBotApi, pipeline: Pipeline, text: str
) -> None:
    api.push_update(api.command(text))
    (sent,) = await api.await_for("sendMessage")
    assert sent.params["text"] == pipeline.replies.welcome().text


async def test_every_link_of_the_links_list_opens_its_entry(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    linked = [(e.link, e.id) for e in pipeline.kb.entries if e.link]
    for i, (link, _) in enumerate(linked):  # one user each: flood control allows 20 messages per user
        api.push_update(api.command(f"/start {link}", user_id=5000 + i))
    sent = await api.await_for("sendMessage", count=len(linked), timeout=20)
    # Chats are answered concurrently: match each answer to its chat, not to the order sent.
    by_chat = {call.params["chat_id"]: call for call in sent}
    for i, (_, entry_id) in enumerate(linked):
        assert by_chat[5000 + i].params["text"].startswith(pipeline.replies.for_entry(entry_id).text.split("\n")[0])


def whatsapp_text(params: dict[str, Any]) -> str:
    """The text behind the answer's "Bagikan ke WhatsApp" button, decoded."""
    (url,) = [b["url"] for b in buttons(params) if "url" in b]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://wa.me/"
    return parse_qs(parts.query, strict_parsing=True)["text"][0]


@pytest.mark.parametrize("update", ["question", "deep_link", "topic_button"])
async def test_answers_carry_a_whatsapp_button_with_the_answer_source_and_link(
    bot: App, api: FakeBotApi, pipeline: Pipeline, update: str
) -> None:
    pushes = {
        "question": lambda: api.text_message("golput itu apa sih"),
        "deep_link": lambda: api.command("/start golput"),
        "topic_button": lambda: api.callback_query("e:apa_itu_golput"),
    }
    api.push_update(pushes[update]())
    (sent,) = await api.await_for("sendMessage")
    reply = pipeline.replies.for_entry("apa_itu_golput")
    # The username comes from getMe (the fake server's bot is @PilkadaTestBot), not from config.yaml.
    link = f"https://t.me/{api.username}?start=golput"
    assert whatsapp_text(sent.params) == (
        f"{reply.text}\n\n{reply.source_line}\n\n{pipeline.replies.message('share_footer', link=link).text}"
    )


async def test_a_known_unknown_gets_the_whatsapp_button_but_no_card(
    bot: App, api: FakeBotApi, pipeline: Pipeline
) -> None:
    api.push_update(api.text_message("siapa yang menang pilkada blora"))
    (sent,) = await api.await_for("sendMessage")
    unknown = pipeline.replies.for_entry("hasil_pilkada")
    assert sent.params["text"].startswith(unknown.text.split("\n")[0])
    assert whatsapp_text(sent.params).startswith(unknown.text)
    assert not [b for b in buttons(sent.params) if b.get("callback_data", "").startswith("c:")]
    # Its keyboard is Bagikan, 👍, 👎 on one row and WhatsApp alone on the last.
    assert [len(row) for row in sent.params["reply_markup"]["inline_keyboard"]][-2:] == [3, 1]


async def test_no_whatsapp_button_under_a_fallback(bot: App, api: FakeBotApi) -> None:
    api.push_update(api.text_message("resep nasi goreng"))
    (sent,) = await api.await_for("sendMessage")
    assert not [b for b in buttons(sent.params) if "url" in b]


# --- answer cards -------------------------------------------------------------------


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


def card_upload(call: Call) -> Image.Image:
    photo = call.params["photo"]
    assert isinstance(photo, dict), "expected an upload, got a file_id"
    assert photo["filename"].startswith("kartu-") and photo["filename"].endswith(".png")
    return Image.open(io.BytesIO(photo["data"]))


async def test_card_button_sends_the_card_then_reuses_telegrams_copy(
    bot: App, api: FakeBotApi, pipeline: Pipeline
) -> None:
    api.push_update(api.text_message("golput itu apa sih"))
    (answer,) = await api.await_for("sendMessage")
    assert "c:apa_itu_golput" in [b.get("callback_data") for b in buttons(answer.params)]
    api.push_update(api.callback_query("c:apa_itu_golput"))
    (first,) = await api.await_for("sendPhoto")
    assert first.status == 200
    image = card_upload(first)
    assert image.size == (1080, 1080)
    link = f"https://t.me/{api.username}?start=golput"
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [link]
    assert first.params["caption"] == f"{pipeline.kb.entry('apa_itu_golput').title}\nTanya lebih lanjut: {link}"
    assert "reply_parameters" not in first.params  # a private chat: no quote
    # The same card again: Telegram already has it, so only its file_id travels.
    api.push_update(api.callback_query("c:apa_itu_golput"))
    second = (await api.await_for("sendPhoto", count=2))[1]
    assert second.status == 200
    (file_id,) = bot.bot_data.cards.uploads.values()
    assert second.params["photo"] == file_id
    assert len(api.calls("answerCallbackQuery")) == 2


async def test_kartu_command(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    api.push_update(api.command("/kartu jadwal"))  # a link word
    api.push_update(api.command("/kartu golput itu apa sih", chat_id=GROUP))  # a question, in a group
    photos = await api.await_for("sendPhoto", count=2)
    by_chat = {call.params["chat_id"]: call for call in photos}
    assert zxingcpp.read_barcodes(card_upload(by_chat[USER]))[0].text.endswith("?start=jadwal")
    group = by_chat[GROUP]
    assert group.params["caption"].startswith(pipeline.kb.entry("apa_itu_golput").title)
    assert group.params["reply_parameters"]["message_id"]  # in a group, as a reply


@pytest.mark.parametrize(("text", "key"), [("/kartu", "card_help"), ("/kartu resep nasi goreng", "fallback")])
async def test_kartu_without_an_answer_explains(
    bot: App, api: FakeBotApi, pipeline: Pipeline, text: str, key: str
) -> None:
    api.push_update(api.command(text))
    (sent,) = await api.await_for("sendMessage")
    assert sent.params["text"] == pipeline.replies.message(key).text
    assert api.calls("sendPhoto") == []


async def test_a_refused_file_id_is_uploaded_again(bot: App, api: FakeBotApi) -> None:
    api.push_update(api.callback_query("c:hoaks"))
    await api.await_for("sendPhoto")
    cards = bot.bot_data.cards
    await until(lambda: bool(cards.uploads))  # stored once Telegram's answer has arrived
    (digest,) = cards.uploads
    cards.uploads[digest] = "photo-from-another-bot"
    api.push_update(api.callback_query("c:hoaks"))
    calls = await api.await_for("sendPhoto", count=3)
    assert [c.status for c in calls] == [200, 400, 200]
    card_upload(calls[2])
    await until(lambda: cards.uploads.get(digest) not in (None, "photo-from-another-bot"))


@pytest.mark.parametrize("entry_id", ["tidak_ada", "hasil_pilkada"])  # no such entry; a known unknown
async def test_a_forged_card_press_gets_the_expired_notice(
    bot: App, api: FakeBotApi, pipeline: Pipeline, entry_id: str
) -> None:
    api.push_update(api.callback_query(f"c:{entry_id}"))
    (answered,) = await api.await_for("answerCallbackQuery")
    assert answered.params["text"] == pipeline.replies.message("expired_button").text
    assert api.calls("sendPhoto") == []


async def test_kartu_for_a_known_unknown_or_a_hoax_sends_the_reply_not_a_picture(
    bot: App, api: FakeBotApi, pipeline: Pipeline
) -> None:
    api.push_update(api.command("/kartu siapa yang menang pilkada blora"))
    api.push_update(api.command("/kartu pencoblosan diundur ke 4 Desember 2024", user_id=USER + 1))
    by_chat = {call.params["chat_id"]: call for call in await api.await_for("sendMessage", count=2)}
    unknown, claim = by_chat[USER], by_chat[USER + 1]
    assert unknown.params["text"].startswith(pipeline.replies.for_entry("hasil_pilkada").text.split("\n")[0])
    assert "TIDAK sesuai sumber resmi" in claim.params["text"]
    assert "27 November 2024" in whatsapp_text(claim.params)
    assert api.calls("sendPhoto") == []


async def test_fake_api_send_document_round_trip(api: FakeBotApi) -> None:
    """The fake's sendDocument (added with sendPhoto): an upload gets a file_id that can be resent."""
    async with Bot(TOKEN, base_url=api.base_url) as client:
        first = await client.send_document(USER, b"%PDF-1.4 poster", filename="poster.pdf", caption="Poster")
        assert first.document is not None and first.document.file_name == "poster.pdf"
        again = await client.send_document(USER, first.document.file_id)
        assert again.document is not None and again.document.file_id == first.document.file_id
        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await client.send_document(USER, "made-up-file-id")
    assert api.uploaded(first.document.file_id) == b"%PDF-1.4 poster"
