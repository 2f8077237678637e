"""Telegram faults, through the fake Bot API server and the real Application (docs/reliability.md).

Each test makes the fake server misbehave the way api.telegram.org can: 429 with
retry_after, bursts of 500/502, slow answers (timeouts), the server unreachable at
start or gone for a while, and a 409 Conflict from a second poller. The bot polls
it as `pilkada-bot run` does (in this process, or as the real CLI subprocess), and
the tests count what reached the server: a reply delivered exactly once, never
lost, never duplicated, and later updates answered without help.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.pipeline import Pipeline
from bot.telegram import app as app_module
from bot.telegram import network
from bot.telegram.app import build_application, run_bot
from bot.telegram.errors import EXIT_CONFLICT
from bot.telegram.handlers import request_stop
from tests.support.botapp import StartBot
from tests.support.cli import CliRun, cli_config
from tests.support.constants import ANSWERED, TOKEN, USER
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.nginxserver import free_port
from tests.support.offline import OfflineRequest
from tests.support.pipelines import tuned

OTHER = 222


@pytest.fixture(autouse=True)
def _quick_resends(monkeypatch: pytest.MonkeyPatch) -> None:
    # 0.5 s, then 1 s in production; the order and the count are what these tests check.
    monkeypatch.setattr(network, "RESEND_BACKOFF", 0.05)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server


def to(chat_id: int) -> Any:
    return lambda call: call.params["chat_id"] == chat_id


def texts_to(api: FakeBotApi, chat_id: int, status: int | None = 200) -> list[str]:
    """Texts of the sendMessage calls to `chat_id` that got `status` (None: any)."""
    return [
        c.params["text"]
        for c in api.calls("sendMessage")
        if c.params["chat_id"] == chat_id and (status is None or c.status == status)
    ]


def answer_of(pipeline: Pipeline, question: str) -> str:
    """The first line of the answer the bot gives to `question`."""
    return pipeline.replies.for_question(question).text.split("\n")[0]


def polling_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Polling the Bot API failed")]


# --- 429, 5xx and timeouts on sendMessage -------------------------------------------------


async def test_429_on_send_message_is_waited_out_and_delivered_once(
    api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot
) -> None:
    api.fail_next("sendMessage", 429, retry_after=1)
    async with start_bot(pipeline, api):
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", lambda c: c.status == 200, timeout=8)
        api.push_update(api.text_message("kapan hari pencoblosan", user_id=OTHER))  # handled after the retry
        await api.await_for("sendMessage", to(OTHER), timeout=5)
    first, second = [c for c in api.calls("sendMessage") if c.params["chat_id"] == USER]
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 1.0  # retry_after honoured
    assert second.params["text"].startswith(answer_of(pipeline, ANSWERED))
    assert api.stats["sent"][USER] == 1  # no loss, no duplicate


@pytest.mark.parametrize("status", [500, 502])
async def test_5xx_on_send_message_is_resent_and_delivered_once(
    api: FakeBotApi, pipeline: Pipeline, caplog: pytest.LogCaptureFixture, status: int, start_bot: StartBot
) -> None:
    api.fail_next("sendMessage", status, count=2)  # send_retries: 2 in config.yaml
    async with start_bot(pipeline, api):
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", lambda c: c.status == 200, timeout=8)
    assert [c.status for c in api.calls("sendMessage")] == [status, status, 200]
    assert texts_to(api, USER)[0].startswith(answer_of(pipeline, ANSWERED))
    assert api.stats["sent"][USER] == 1
    assert sum("sending again" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.slow
async def test_5xx_burst_longer_than_the_resends_costs_one_reply_then_the_bot_goes_on(
    api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot
) -> None:
    api.fail_next("sendMessage", 502, count=3)  # the answer and both resends
    async with start_bot(pipeline, api):
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", lambda c: c.status == 200, timeout=8)  # the apology
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", lambda c: c.status == 200, count=2, timeout=8)
    apology, answer = texts_to(api, USER)
    assert apology == pipeline.replies.text("error")
    assert answer.startswith(answer_of(pipeline, ANSWERED))


async def test_timeout_on_send_message_is_not_resent_since_it_may_have_arrived(
    api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot
) -> None:
    # The fake server still delivers a message whose answer comes too late, as Telegram would.
    api.delay("sendMessage", 0.8)
    async with start_bot(tuned(pipeline, read_timeout=0.3), api):
        api.push_update(api.text_message(ANSWERED))
        # The answer times out, so does the apology (the error handler's), and nothing is resent.
        await api.await_for("sendMessage", lambda c: c.status == 200, count=2, timeout=8)
        api.delay("sendMessage", 0)
        api.push_update(api.text_message("kapan hari pencoblosan"))
        await api.await_for("sendMessage", lambda c: c.status == 200, count=3, timeout=8)
    answer, apology, later = texts_to(api, USER, status=None)
    assert answer.startswith(answer_of(pipeline, ANSWERED))
    assert apology == pipeline.replies.text("error")
    assert later.startswith(answer_of(pipeline, "kapan hari pencoblosan"))
    assert api.stats["sent"][USER] == 3  # each exactly once


async def test_dropped_connection_on_send_message_is_not_resent(
    api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot
) -> None:
    api.fail_next("sendMessage", 0)  # the server hangs up after reading the request
    async with start_bot(pipeline, api):
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", lambda c: c.status == 200, timeout=8)
    assert [c.status for c in api.calls("sendMessage")] == [0, 200]
    assert texts_to(api, USER) == [pipeline.replies.text("error")]


# --- getUpdates: 5xx, timeouts, the server gone for a while --------------------------------


async def test_5xx_burst_on_get_updates_then_the_bot_answers_by_itself(
    api: FakeBotApi, pipeline: Pipeline, caplog: pytest.LogCaptureFixture, start_bot: StartBot
) -> None:
    async with start_bot(pipeline, api, poll_timeout=0.2):
        await api.await_for("getUpdates", lambda c: c.status == 200)
        api.fail_next("getUpdates", 500)
        api.fail_next("getUpdates", 502)
        await api.await_for("getUpdates", lambda c: c.status == 502, timeout=5)
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", timeout=8)
    assert texts_to(api, USER)[0].startswith(answer_of(pipeline, ANSWERED))
    warnings = polling_warnings(caplog)
    assert len(warnings) == 2 and "Internal Server Error" in warnings[0] and "Bad Gateway" in warnings[1]
    assert "Traceback" not in caplog.text  # one line each, not a stack trace per failed poll


async def test_timeouts_on_get_updates_then_the_bot_answers_by_itself(
    api: FakeBotApi, pipeline: Pipeline, caplog: pytest.LogCaptureFixture, start_bot: StartBot
) -> None:
    # getUpdates waits read_timeout + the long-poll timeout (0.3 + 0.2 s) for an answer.
    async with start_bot(tuned(pipeline, read_timeout=0.3), api, poll_timeout=0.2):
        await api.await_for("getUpdates", lambda c: c.status == 200)
        api.delay("getUpdates", 1.0)
        seen = len(api.calls("getUpdates"))
        await api.await_for("getUpdates", count=seen + 2, timeout=5)  # two polls that time out
        api.delay("getUpdates", 0)
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", timeout=8)
    assert texts_to(api, USER)[0].startswith(answer_of(pipeline, ANSWERED))
    assert api.stats["sent"][USER] == 1
    # PTB polls again at once after a timeout, without calling the error handler.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_server_gone_for_a_while_then_the_bot_answers_by_itself(
    api: FakeBotApi, pipeline: Pipeline, caplog: pytest.LogCaptureFixture, start_bot: StartBot
) -> None:
    async with start_bot(pipeline, api, poll_timeout=0.2):
        await api.await_for("getUpdates", lambda c: c.status == 200)
        api.stop()
        deadline = time.monotonic() + 5
        while not any("ConnectError" in w for w in polling_warnings(caplog)):
            assert time.monotonic() < deadline, "no warning while the server was down"
            await asyncio.sleep(0.05)
        api.start()  # same port
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", timeout=8)
    assert texts_to(api, USER)[0].startswith(answer_of(pipeline, ANSWERED))


# --- start-up: the Bot API unreachable, a 5xx on setMyCommands ----------------------------


async def test_a_failing_command_menu_does_not_stop_the_start(
    api: FakeBotApi, pipeline: Pipeline, caplog: pytest.LogCaptureFixture, start_bot: StartBot
) -> None:
    api.fail_next("setMyCommands", 502, count=3)  # first try and both resends
    async with start_bot(pipeline, api):
        api.push_update(api.text_message(ANSWERED))
        await api.await_for("sendMessage", timeout=8)
    assert any("Could not update the command menu" in r.getMessage() for r in caplog.records)


@pytest.mark.subprocess
def test_cli_waits_for_an_unreachable_api_with_backoff_then_works(
    repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun]
) -> None:
    port = free_port()
    api = FakeBotApi(token=TOKEN, port=port)  # not started yet: connection refused
    config = cli_config(kb_copy, startup_retries=20, startup_backoff=0.1)
    cli = CliRun(repo_root, config, api.base_url)
    cli_runs.append(cli)
    retries = cli.wait_for_line(r"Cannot reach the Bot API at .*; trying again in", count=3)
    assert f"http://127.0.0.1:{port}/bot" in retries[0] and "ConnectError" in retries[0]
    delays = [float(re.search(r"trying again in ([\d.]+) s", line).group(1)) for line in retries]  # type: ignore[union-attr]
    assert delays == [0.1, 0.2, 0.4]  # exponential back-off
    with api:
        api.wait_for("getUpdates", timeout=15)
        api.push_update(api.command("/start"))
        (sent,) = api.wait_for("sendMessage", timeout=10)
        assert sent.status == 200
        code, _ = cli.stop(signal.SIGINT)
    assert code == 0
    cli.wait_for_line(r"Reached the Bot API at .* after \d+ failed attempt")
    assert TOKEN not in cli.stderr and "Traceback" not in cli.stderr


@pytest.mark.subprocess
def test_cli_gives_up_on_an_unreachable_api_after_the_configured_retries(
    repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot"
    config = cli_config(kb_copy, startup_retries=3, startup_backoff=0.1)
    cli = CliRun(repo_root, config, url)
    cli_runs.append(cli)
    assert cli.wait(timeout=20) == 1
    assert len(cli.wait_for_line("trying again in", count=3)) == 3
    (last,) = cli.wait_for_line(r"Cannot reach the Bot API at .*: .*giving up")
    assert last == cli.lines[-1] and url in last
    assert TOKEN not in cli.stderr and "Traceback" not in cli.stderr


@pytest.mark.subprocess
def test_cli_stops_cleanly_on_sigterm_while_waiting_for_the_api(
    repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun]
) -> None:
    config = cli_config(kb_copy, startup_retries=50, startup_backoff=0.5)
    cli = CliRun(repo_root, config, f"http://127.0.0.1:{free_port()}/bot")
    cli_runs.append(cli)
    cli.wait_for_line("trying again in")
    code, took = cli.stop(signal.SIGTERM)
    assert code == 0 and took < 3
    assert "Traceback" not in cli.stderr


# --- 409 Conflict: a second instance polls the same token --------------------------------


def conflict_watchdog(seconds: float) -> threading.Timer:
    """If run_bot keeps running (fighting) this long, stop it with SIGINT so the test fails instead of hanging."""
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()
    return timer


def test_conflict_stops_the_application_with_exit_code_3(
    api: FakeBotApi,
    pipeline: Pipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # run_bot itself: the real run_polling, signal handlers and all (configure_logging would
    # install a stderr handler for the rest of the session; caplog sees the records anyway).
    monkeypatch.setattr(app_module, "configure_logging", lambda token: None)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PILKADA_BOT_SALT", "reliability-tests-salt")
    config = tuned(pipeline, api_url=api.base_url, database=tmp_path / "bot.sqlite3", poll_timeout=1)
    api.fail_next("getUpdates", 409, count=100)  # the other instance keeps polling
    watchdog = conflict_watchdog(10)
    started = time.monotonic()
    try:
        code = run_bot(config)
    finally:
        watchdog.cancel()
    assert code == EXIT_CONFLICT
    assert time.monotonic() - started < 8
    (critical,) = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "409 Conflict" in critical.getMessage() and "another process" in critical.getMessage()
    # Stepped aside: after the first 409 it never polled again, not even to confirm updates at shutdown.
    assert [c.status for c in api.calls("getUpdates")] == [409]


@pytest.mark.subprocess
def test_cli_exits_with_code_3_on_conflict(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, cli_runs: list[CliRun]
) -> None:
    api.fail_next("getUpdates", 409, count=1000)
    cli = CliRun(repo_root, kb_copy.config_path, api.base_url)
    cli_runs.append(cli)
    assert cli.wait(timeout=20) == EXIT_CONFLICT
    (message,) = cli.wait_for_line("409 Conflict")
    assert "another process is using this bot token" in message
    assert [c.status for c in api.calls("getUpdates")] == [409]
    assert TOKEN not in cli.stderr and "Traceback" not in cli.stderr


async def test_a_stop_asked_for_while_starting_is_asked_again_once_serving(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 409 can in theory arrive before run_polling waits for updates, when stop_running
    # would be lost; the request is kept and made again once the Application has started.
    app = build_application(pipeline, TOKEN, request=OfflineRequest(), updater_request=OfflineRequest())
    stops: list[str] = []
    monkeypatch.setattr(app, "stop_running", lambda: stops.append(app.bot_data.run_state))
    async with app:
        request_stop(app)
        assert app.bot_data.stop_requested and stops == []
        await app.start()
        await asyncio.sleep(0.3)
        assert stops == ["stopping"]
        await app.stop()


def test_the_fake_conflict_is_what_telegram_sends(api: FakeBotApi) -> None:
    # Guard for the tests above: they rely on the fake server answering like Telegram.
    api.fail_next("getUpdates", 409)
    response = httpx.post(f"{api.base_url}{TOKEN}/getUpdates", data={"timeout": "0"})
    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]
