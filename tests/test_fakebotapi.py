"""Tests for the fake Bot API server, driven by python-telegram-bot's real client code."""

from __future__ import annotations

import asyncio
import datetime as dtm
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler
from telegram.request import HTTPXRequest

from tests.support.constants import TOKEN
from tests.support.fakebotapi import FakeBotApi, parse_body, utf16_len


def run(coro):
    return asyncio.run(coro)


def make_bot(api: FakeBotApi, **request_kwargs) -> Bot:
    request = HTTPXRequest(**request_kwargs) if request_kwargs else None
    return Bot(TOKEN, base_url=api.base_url, request=request)


def test_get_me(api):
    async def main():
        async with make_bot(api) as bot:  # __aenter__ already calls getMe
            me = await bot.get_me()
        assert (me.id, me.username, me.is_bot) == (1000, "PilkadaTestBot", True)
        assert me.supports_inline_queries and me.can_join_groups

    run(main())
    assert [c.method for c in api.calls()] == ["getMe", "getMe"]


def test_send_message_records_decoded_params(api):
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Ya", callback_data="yes"), InlineKeyboardButton("Web", url="https://kpu.go.id")]]
    )

    async def main():
        async with make_bot(api) as bot:
            first = await bot.send_message(42, "123", reply_markup=markup)
            second = await bot.send_message(-100777, "grup", disable_notification=True)
        return first, second

    first, second = run(main())
    assert first.text == "123" and first.chat.type == "private"
    assert first.from_user.id == 1000 and first.reply_markup == markup
    assert second.message_id > first.message_id and second.chat.type == "supergroup"
    params = api.calls("sendMessage")[0].params
    assert params["chat_id"] == 42 and params["text"] == "123"  # text stays a str
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}, {"text": "Web", "url": "https://kpu.go.id"}]]
    }
    assert api.calls("sendMessage")[1].params["disable_notification"] is True
    assert api.stats["sent"] == {42: 1, -100777: 1}


def test_get_updates_returns_pushed_updates_with_entities(api):
    cmd_id = api.push_update(api.command("/start@PilkadaTestBot halo", user_id=7))
    api.push_update(api.mention("Halo 👋🏽 @PilkadaTestBot siapa calonnya?"))
    api.push_update(api.callback_query("vote:1", chat_id=7, user_id=7))

    async def main():
        async with make_bot(api) as bot:
            updates = await bot.get_updates(timeout=0)
            again = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        return updates, again

    updates, again = run(main())
    assert [u.update_id for u in updates] == [cmd_id, cmd_id + 1, cmd_id + 2]
    assert all(isinstance(u, Update) for u in updates) and again == ()
    cmd = updates[0].message
    assert cmd.parse_entities([MessageEntity.BOT_COMMAND]).popitem()[1] == "/start@PilkadaTestBot"
    assert cmd.chat.type == "private" and cmd.from_user.id == 7
    mention = updates[1].message
    assert mention.chat.type == "supergroup"
    assert list(mention.parse_entities([MessageEntity.MENTION]).values()) == ["@PilkadaTestBot"]
    assert mention.entities[0].offset == utf16_len("Halo 👋🏽 ") != len("Halo 👋🏽 ")
    query = updates[2].callback_query
    assert query.data == "vote:1" and query.message.from_user.id == 1000


def test_builders_produce_valid_updates(api):
    bot = Bot(TOKEN)
    raw = [
        api.text_message("hai", reply_to_bot=True, message_thread_id=5, chat_id=-100123),
        api.sticker(),
        api.photo("foto"),
        api.location(),
        api.edited_message("ralat", 3),
        api.inline_query("paslon", user_id=9),
        api.channel_post("berita"),
    ]
    for i, data in enumerate(raw):
        data["update_id"] = i + 1
    u = [Update.de_json(d, bot) for d in raw]
    assert u[0].message.reply_to_message.from_user.is_bot and u[0].message.message_thread_id == 5
    assert u[1].message.sticker.emoji == "👍" and u[2].message.photo[-1].width == 800
    assert u[3].message.location.latitude == -6.2 and u[4].edited_message.message_id == 3
    assert u[5].inline_query.query == "paslon" and u[6].channel_post.chat.type == "channel"


def test_long_poll_returns_early_when_update_pushed(api):
    async def main():
        async with make_bot(api) as bot:
            start = time.monotonic()
            assert await bot.get_updates(timeout=1) == ()
            held = time.monotonic() - start
            threading.Timer(0.3, api.push_update, [api.text_message("cepat")]).start()
            start = time.monotonic()
            updates = await bot.get_updates(timeout=10)
            return held, time.monotonic() - start, updates

    held, early, updates = run(main())
    assert held >= 0.9
    assert early < 2 and updates[0].message.text == "cepat"


def test_fail_next_429_raises_retry_after(api):
    api.fail_next("sendMessage", 429, retry_after=1)

    async def main():
        async with make_bot(api) as bot:
            with pytest.raises(RetryAfter) as exc_info:
                await bot.send_message(42, "x")
            await bot.send_message(42, "y")  # only the next call fails
        return exc_info.value

    assert run(main()).retry_after == dtm.timedelta(seconds=1)
    assert [c.status for c in api.calls("sendMessage")] == [429, 200]
    assert api.stats["429"] == 1 and api.stats["sent"][42] == 1


def test_other_faults(api):
    api.fail_next("getUpdates", 409)
    api.fail_next("getMe", 502)
    api.delay("sendChatAction", 1.0)

    async def main():
        async with make_bot(api, read_timeout=0.2) as bot:
            with pytest.raises(Conflict, match="terminated by other getUpdates"):
                await bot.get_updates()
            with pytest.raises(TimedOut):
                await bot.send_chat_action(42, "typing")
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("baru", chat_id=42, message_id=999)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        run(main())  # getMe during initialize fails
    run(main())
    with FakeBotApi(token="999:OTHER") as wrong:

        async def use_wrong_server():
            async with make_bot(wrong):  # initialize() calls getMe
                pass

        with pytest.raises(InvalidToken):
            run(use_wrong_server())
        assert wrong.calls()[0].status == 401


def test_block_chat_raises_forbidden(api):
    api.block_chat(13)

    async def main():
        async with make_bot(api) as bot:
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(13, "halo")
            await bot.send_message(14, "halo")

    run(main())
    assert api.stats["sent"] == {14: 1}


def test_enforce_limits_per_chat(api):
    api.enforce_limits(per_second_overall=30, per_second_per_chat=1)

    async def main():
        async with make_bot(api) as bot:
            await bot.send_message(5, "satu")
            with pytest.raises(RetryAfter):
                await bot.send_message(5, "dua")
            await bot.send_message(6, "chat lain")  # other chats are unaffected
            await asyncio.sleep(1.05)
            await bot.send_message(5, "dua lagi")

    run(main())
    assert api.stats["429"] == 1 and api.stats["sent"] == {5: 2, 6: 1}


def test_wait_for_and_await_for(api):
    async def get_me():
        async with make_bot(api) as bot:
            await bot.get_me()

    timer = threading.Timer(0.2, run, [get_me()])
    timer.start()
    assert api.wait_for("getMe", count=2, timeout=3)[0].status == 200
    timer.join()
    with pytest.raises(AssertionError, match=r"sendMessage.*\n  getMe -> 200"):
        api.wait_for("sendMessage", timeout=0.1)

    async def main():
        async with make_bot(api) as bot:
            task = asyncio.create_task(api.await_for("sendMessage", lambda c: c.params["text"] == "b", timeout=3))
            await bot.send_message(1, "a")
            await bot.send_message(1, "b")
            return await task

    assert [c.params["text"] for c in run(main())] == ["b"]


def test_application_polling_end_to_end(api):
    """Full PTB Application: deleteWebhook, long polling with offsets, handlers, edits."""

    async def start(update, context):
        await update.message.reply_text(
            "Pilih paslon", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("01", callback_data="p1")]])
        )

    async def button(update, context):
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"Pilihan: {update.callback_query.data}")

    async def main():
        app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
        app.add_handlers([CommandHandler("start", start), CallbackQueryHandler(button)])
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=5)
            api.push_update(api.command("/start", user_id=21))
            sent = (await api.await_for("sendMessage"))[0]
            api.push_update(api.callback_query("p1", chat_id=sent.params["chat_id"], user_id=21))
            edit = (await api.await_for("editMessageText"))[0]
            stop_started = time.monotonic()
            await app.updater.stop()
            await app.stop()
        return edit, time.monotonic() - stop_started

    edit, stop_time = run(main())
    assert edit.params["text"] == "Pilihan: p1" and edit.status == 200
    assert api.calls("deleteWebhook") and api.calls("answerCallbackQuery")
    assert stop_time < 3


def test_parse_body_handles_all_httpx_encodings():
    data = {"chat_id": "42", "text": "007", "reply_markup": '{"inline_keyboard": []}'}
    expected = {"chat_id": 42, "text": "007", "reply_markup": {"inline_keyboard": []}}
    form = httpx.Request("POST", "http://x", data=data)
    assert parse_body(form.headers["content-type"], form.read()) == expected
    multi = httpx.Request("POST", "http://x", data=data, files={"document": ("a.txt", b"\x00\xffbin", "text/plain")})
    parsed = parse_body(multi.headers["content-type"], multi.read())
    assert parsed.pop("document")["data"] == b"\x00\xffbin" and parsed == expected
    as_json = httpx.Request("POST", "http://x", json=data)
    assert parse_body(as_json.headers["content-type"], as_json.read()) == expected
    assert parse_body("", b"", "offset=-1&text=halo%20dunia") == {"offset": -1, "text": "halo dunia"}


def test_unknown_methods_multipart_and_custom_handlers(api):
    api.handlers["sendDocument"] = lambda p: {"message_id": 1, "date": 0, "chat": api.chat(42)}

    async def main():
        async with make_bot(api) as bot:
            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("getPaslonList")
            await bot.send_document(
                42,
                b"\x00PDF\xff",
                filename="visi-misi.pdf",
                caption="Visi 🗳️",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Unduh", callback_data="dl")]]),
            )

    run(main())
    assert api.calls("getPaslonList")[0].status == 404
    params = api.calls("sendDocument")[0].params  # PTB uploads files as multipart/form-data
    assert params["document"]["data"] == b"\x00PDF\xff"
    assert params["document"]["filename"] == "visi-misi.pdf" and params["caption"] == "Visi 🗳️"
    assert params["chat_id"] == 42
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "dl"


def test_stop_is_fast_with_pending_long_poll(api):
    result = {}

    def poll():
        try:
            with httpx.Client() as client:
                result["r"] = client.post(f"{api.base_url}{TOKEN}/getUpdates", data={"timeout": 30}, timeout=20).json()
        except Exception as exc:  # reported by the assertion below
            result["error"] = exc

    thread = threading.Thread(target=poll)
    thread.start()
    api.wait_for("getUpdates")
    start = time.monotonic()
    api.stop()
    thread.join(20)
    # The held 30 s long-poll is released by stop(), far sooner than its timeout (the bound
    # is generous on purpose: shared CI machines stall; the point is "not 30 s").
    # Released either with an empty answer or by the connection closing: both end the
    # long poll at once (which of the two wins is a race inside stop()).
    assert result.get("r") == {"ok": True, "result": []} or isinstance(result.get("error"), httpx.TransportError), (
        result
    )
    assert not thread.is_alive() and time.monotonic() - start < 15

    async def get_me():
        async with make_bot(api) as bot:
            return await bot.get_me()

    with pytest.raises(NetworkError):  # server down: connection refused
        run(get_me())
    api.start()  # restarts on the same port, so base_url stays valid
    assert run(get_me()).id == 1000


@pytest.mark.subprocess
def test_standalone_process():
    script = Path(__file__).parent / "support" / "fakebotapi.py"
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--token", TOKEN], stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on 127.0.0.1:")
        base = f"http://{line.rsplit(' ', 1)[1]}"
        with httpx.Client(timeout=5) as client:
            update = client.post(f"{base}/_fake/command", json={"text": "/start"}).json()
            client.post(f"{base}/_fake/push_update", json={"update": update["result"]})
            got = client.get(f"{base}/bot{TOKEN}/getUpdates").json()["result"]
            calls = client.get(f"{base}/_fake/calls").json()["result"]
        assert got[0]["message"]["text"] == "/start"
        assert calls[0]["method"] == "getUpdates"
    finally:
        proc.terminate()
        proc.wait(5)
        proc.stdout.close()
