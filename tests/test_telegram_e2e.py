"""End to end over HTTP on 127.0.0.1: the real Application against the fake Bot API server.

Polling tests run the bot inside the test's event loop the way run_polling does
(initialize, post_init, start_polling, start), push updates into the fake server and
assert on the Bot API requests the bot made. The webhook test posts updates to PTB's
own webhook server; the CLI tests run `python -m bot run` as a real process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.pipeline import Pipeline
from bot.telegram.app import build_application, run_bot
from bot.telegram.webhook import WebhookServer, process
from tests.support.botapp import StartBot
from tests.support.cli import cli_env
from tests.support.constants import AMBIGUOUS, ANSWERED, GROUP, TOKEN, UNKNOWN, USER, App
from tests.support.fakebotapi import Call, FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.pipelines import force_suggestions


@pytest.fixture
async def bot(api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot) -> AsyncIterator[App]:
    """The bot long-polling the fake server, started in the order run_polling uses."""
    force_suggestions(pipeline, AMBIGUOUS)
    async with start_bot(pipeline, api) as app:
        yield app


def to_chat(chat_id: int) -> Any:
    return lambda call: call.params["chat_id"] == chat_id


def callback_data(call: Call) -> list[str]:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


async def test_commands_registered_and_start_keyboard(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    commands = (await api.await_for("setMyCommands"))[0].params["commands"]
    assert [c["command"] for c in commands] == ["start", "help", "topik", "hitungmundur", "sumber", "kartu"]
    api.push_update(api.command("/start"))
    (sent,) = await api.await_for("sendMessage")
    assert sent.status == 200
    assert sent.params["text"] == pipeline.replies.welcome().text
    assert callback_data(sent) == [*(f"e:{t.entry}" for t in pipeline.kb.messages.start_topics), "t:all"]


async def test_answer_with_source_line(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    api.push_update(api.text_message(ANSWERED))
    (sent,) = await api.await_for("sendMessage")
    reply = pipeline.replies.for_entry("apa_itu_golput")
    assert sent.status == 200
    assert sent.params["text"] == f"{reply.text}\n\n<i>{reply.source_line}</i>"
    assert sent.params["parse_mode"] == "HTML"
    # ..., the card beside Bagikan, 👍, 👎, then "Bagikan ke WhatsApp" (a URL button, no callback data).
    assert callback_data(sent)[-3:] == ["c:apa_itu_golput", "u:apa_itu_golput", "d:apa_itu_golput"]
    assert sent.params["reply_markup"]["inline_keyboard"][-1][0]["url"].startswith("https://wa.me/?text=")


async def test_suggestion_flow_through_a_button_press(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    api.push_update(api.text_message(AMBIGUOUS))
    (suggestion,) = await api.await_for("sendMessage")
    assert suggestion.params["text"] == pipeline.replies.text("did_you_mean")
    choice = callback_data(suggestion)[0]
    assert choice.startswith("s:")
    api.push_update(api.callback_query(choice))  # pressed on the bot's latest message: the suggestion
    (edit,) = await api.await_for("editMessageText")
    await api.await_for("answerCallbackQuery")
    entry_id = choice[2:]
    assert edit.status == 200
    assert edit.params["text"].startswith(pipeline.kb.entry(entry_id).answer.before.split("\n")[0])
    # The last row is the outreach row (WhatsApp share); the one above it has Bagikan and the feedback.
    assert edit.params["reply_markup"]["inline_keyboard"][-2][0]["switch_inline_query"] == (
        pipeline.kb.entry(entry_id).title
    )
    # A double tap: Telegram refuses the identical edit ("message is not modified"), quietly.
    api.push_update(api.callback_query(choice))  # the same message, now showing the answer
    api.push_update(api.location())  # handled after the double tap: its reply marks the end
    last = (await api.await_for("sendMessage", count=2))[-1]
    assert last.params["text"] == pipeline.replies.text("non_text")
    assert [c.status for c in api.calls("editMessageText")] == [200, 400]
    assert len(api.calls("answerCallbackQuery")) == 2  # no apology toast, no error message


async def test_fallback(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    api.push_update(api.text_message(UNKNOWN))
    (sent,) = await api.await_for("sendMessage")
    assert sent.params["text"] == pipeline.replies.fallback().text
    assert callback_data(sent) == [f"e:{t.entry}" for t in pipeline.kb.messages.topics]


async def test_inline_query(bot: App, api: FakeBotApi) -> None:
    api.push_update(api.inline_query("golput"))
    (answer,) = await api.await_for("answerInlineQuery")
    ids = [r["id"] for r in answer.params["results"]]
    assert answer.status == 200
    assert "apa_itu_golput" in ids[:3]
    assert answer.params["results"][0]["input_message_content"]["message_text"].endswith("</i>")


async def test_group_chatter_ignored_and_mention_answered(bot: App, api: FakeBotApi) -> None:
    api.push_update(api.text_message(ANSWERED, chat_id=GROUP))
    mention = api.mention(ANSWERED)
    api.push_update(mention)
    # Updates are handled one at a time, in order: once the mention is answered, the
    # plain message before it has been handled, and it must have produced nothing.
    await api.await_for("sendMessage", to_chat(GROUP))
    (sent,) = api.calls("sendMessage")
    assert sent.params["reply_parameters"]["message_id"] == mention["message"]["message_id"]


async def test_sticker(bot: App, api: FakeBotApi, pipeline: Pipeline) -> None:
    api.push_update(api.sticker("🙏", chat_id=GROUP))  # never answered in a group
    api.push_update(api.sticker("👍"))  # a sticker stands for its emoji: 👍 needs no answer
    api.push_update(api.sticker("🙏"))
    (sent,) = await api.await_for("sendMessage")
    small_talk = pipeline.replies.small_talk("🙏")
    assert small_talk is not None and sent.params["text"] == small_talk.text
    assert [c.params["chat_id"] for c in api.calls("sendMessage")] == [USER]


async def test_webhook_checks_the_secret(api: FakeBotApi, pipeline: Pipeline) -> None:
    # The bot's own webhook server (bot/telegram/webhook.py) in this process; tests/test_webhook.py
    # runs it through `pilkada-bot run` and attacks it.
    app = build_application(pipeline, TOKEN, base_url=api.base_url)
    server = WebhookServer(lambda update: process(app, update), secret="s3cret", path="telegram")
    await app.initialize()
    try:
        await app.start()
        await server.start("127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.port}/telegram"
        async with httpx.AsyncClient(timeout=5) as client:
            forged = api.command("/start") | {"update_id": 1}
            wrong = await client.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            missing = await client.post(url, json=forged)
            assert (wrong.status_code, missing.status_code) == (403, 403)
            real = api.command("/start") | {"update_id": 2}
            right = await client.post(url, json=real, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert right.status_code == 200
            (sent,) = api.calls("sendMessage")  # sent before Telegram got its 200
        assert sent.params["reply_markup"]["inline_keyboard"]
        assert len(api.calls("sendMessage")) == 1  # the forged update was never handled
    finally:
        await server.stop(grace=1)
        if app.running:
            await app.stop()
        await app.shutdown()


# --- the real CLI as a process ----------------------------------------------------------


@pytest.mark.subprocess
def test_cli_without_token_explains_in_one_line(repo_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=repo_root, env=cli_env(), capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("token", ["", "not-a-token", "123:short", f"{TOKEN} extra"])
def test_run_bot_refuses_a_malformed_token(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    assert run_bot(pipeline) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in err
    assert not token or token not in err  # never echo a secret


def test_webhook_mode_needs_a_secret(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = replace(pipeline.config, bot=replace(pipeline.config.bot, mode="webhook"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert run_bot(replace(pipeline, config=config)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TELEGRAM_WEBHOOK_SECRET" in err


@pytest.mark.subprocess
def test_cli_runs_against_the_fake_server_and_stops_on_sigint(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy
) -> None:
    # A copy of config.yaml, so the database the bot creates lands in a temporary folder.
    env = cli_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url, PILKADA_BOT_CONFIG=str(kb_copy.config_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=repo_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        api.wait_for("getUpdates", timeout=15)
        api.push_update(api.command("/start"))
        (sent,) = api.wait_for("sendMessage", timeout=5)
        assert sent.status == 200 and sent.params["reply_markup"]["inline_keyboard"]
        assert "ingatkan" in [c["command"] for c in api.calls("setMyCommands")[0].params["commands"]]
        assert (kb_copy.root / "data" / "pilkada-bot.sqlite3").exists()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _, stderr = proc.communicate()
    assert TOKEN not in stderr and "Traceback" not in stderr
