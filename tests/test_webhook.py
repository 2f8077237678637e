"""The webhook server (bot/telegram/webhook.py) as `pilkada-bot run` serves it, and on its own.

Issue #14 item 6: with python-telegram-bot's built-in server, bodies were read in full
before the secret was checked (four 95 MB requests: 60 -> 519 MB), slow bodies never
timed out (1100 of them: "Too many open files", the bot deaf, 112 MB of tracebacks in
15 s), and Telegram got its 200 before the update was handled, so a killed process
lost what it had queued. Each CLI test below runs the real bot in webhook mode against
the fake Bot API and talks to it the way Telegram (or an attacker) would.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.telegram.webhook import ConnectionSlots, RefusalLog, UpdateIds, headers_earn_a_place
from tests.support.cli import CliRun, cli_config
from tests.support.connflood import ConnectionFlood
from tests.support.constants import TOKEN
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.nginxserver import free_port

SECRET = "webhook-test-secret_0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class WebhookBot:
    """`pilkada-bot run` in webhook mode on 127.0.0.1:port."""

    cli: CliRun
    api: FakeBotApi
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    def post(self, update: dict[str, Any], secret: str | None = SECRET, timeout: float = 10) -> httpx.Response:
        headers = {HEADER: secret} if secret is not None else {}
        return httpx.post(self.url, json=update, headers=headers, timeout=timeout)

    def raw(self, data: bytes) -> socket.socket:
        """A connection that sent `data` and nothing more (yet)."""
        conn = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if data:
            conn.sendall(data)
        return conn


def start_bot(repo_root: Path, kb_copy: KbCopy, api: FakeBotApi, runs: list[CliRun], **settings: object) -> WebhookBot:
    port = free_port()
    config = cli_config(
        kb_copy,
        voting_date="2030-11-27",
        mode="webhook",
        listen="127.0.0.1",
        port=port,
        url="https://bot.example.org/telegram",
        **settings,
    )
    cli = CliRun(repo_root, config, api.base_url, TELEGRAM_WEBHOOK_SECRET=SECRET, PILKADA_BOT_SALT="webhook-tests-salt")
    runs.append(cli)
    api.wait_for("setWebhook", timeout=15)
    deadline = time.monotonic() + 10
    while True:  # listening (the old server set the webhook first)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return WebhookBot(cli, api, port)


@pytest.fixture
def bot(repo_root: Path, kb_copy: KbCopy, api: FakeBotApi, cli_runs: list[CliRun]) -> WebhookBot:
    return start_bot(repo_root, kb_copy, api, cli_runs, request_timeout=1, max_connections=10, open_connections=20)


def status_within(conn: socket.socket, seconds: float) -> str:
    """The status line the server answered with, '' if it closed the connection, or 'nothing' on timeout."""
    conn.settimeout(seconds)
    try:
        data = conn.recv(4096)
    except TimeoutError:
        return "nothing"
    except ConnectionResetError:
        return ""
    finally:
        conn.close()
    return data.split(b"\r\n", 1)[0].decode()


def request_head(secret: str | None, length: int, path: str = "/telegram") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: bot.example.org", "Content-Type: application/json"]
    lines.append(f"Content-Length: {length}")
    if secret is not None:
        lines.append(f"{HEADER}: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- checked before the body: secret, size --------------------------------------------------


@pytest.mark.subprocess
@pytest.mark.parametrize("secret", ["guess", None], ids=["wrong", "missing"])
def test_a_request_without_the_secret_is_refused_before_its_body_is_read(bot: WebhookBot, secret: str | None) -> None:
    conn = bot.raw(request_head(secret, 95_000_000) + b'{"update_id": 1, ')  # 95 MB announced, 17 bytes sent
    assert status_within(conn, 2).startswith("HTTP/1.1 403")
    assert bot.api.calls("sendMessage") == []


@pytest.mark.subprocess
def test_an_oversized_body_is_refused_unread(bot: WebhookBot) -> None:
    conn = bot.raw(request_head(SECRET, 95_000_000) + b'{"update_id": 1, ')
    assert status_within(conn, 2).startswith("HTTP/1.1 413")


# --- slow requests, many connections, floods in the log -------------------------------------


@pytest.mark.subprocess
def test_a_slow_body_times_out(bot: WebhookBot) -> None:
    conn = bot.raw(request_head(SECRET, 500) + b'{"update_id": 1, ')
    started = time.monotonic()
    assert status_within(conn, 5) in ("", "HTTP/1.1 408 Request Timeout")  # closed after request_timeout (1 s)
    assert time.monotonic() - started < 3


@pytest.mark.subprocess
def test_headers_that_never_end_time_out(bot: WebhookBot) -> None:
    conn = bot.raw(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    assert status_within(conn, 5) == ""
    assert time.monotonic() - started < 3


@pytest.mark.subprocess
def test_open_connections_are_bounded_and_the_bot_keeps_answering(bot: WebhookBot) -> None:
    idle = [bot.raw(b"") for _ in range(40)]  # 20 allowed (open_connections)
    time.sleep(0.3)
    closed = 0
    for conn in idle:
        conn.settimeout(0.05)
        try:
            closed += conn.recv(1) == b""
        except TimeoutError:
            pass
        except ConnectionResetError:
            closed += 1
    assert closed >= 20
    for conn in idle:
        conn.close()
    time.sleep(0.2)
    assert bot.post(bot.api.command("/start") | {"update_id": 7}).status_code == 200
    assert len(bot.api.calls("sendMessage")) == 1


@pytest.mark.subprocess
def test_a_flood_is_logged_in_a_line_or_two_not_per_request(bot: WebhookBot) -> None:
    with httpx.Client(timeout=5) as client:
        for i in range(300):
            response = client.post(bot.url, json={"update_id": i}, headers={HEADER: "guess"})
            assert response.status_code == 403
    time.sleep(0.3)
    # Any line about these requests: the summary says "refused"; a per-request line would name the
    # status or the reason. (Not "403" anywhere: the temp folder may be called pytest-403.)
    refused = [line for line in bot.cli.lines if re.search(r"refused|\b403\b(?!/)|wrong or missing secret", line, re.I)]
    assert 1 <= len(refused) <= 2, refused
    assert SECRET not in bot.cli.stderr and "guess" not in bot.cli.stderr
    assert "Traceback" not in bot.cli.stderr


# --- a connection must earn its place (issue #25 item 1) ------------------------------------


def telegram_posts_during(bot: WebhookBot, flood: ConnectionFlood, count: int = 5) -> list[object]:
    """`count` updates posted the way Telegram does (a new connection each) while `flood` runs; the outcomes."""
    outcomes: list[object] = []
    with flood:
        time.sleep(0.5)  # the flood holds every slot
        for i in range(count):
            update = bot.api.text_message("kapan nyoblos", user_id=5000 + i) | {"update_id": 900 + i}
            try:
                outcomes.append(bot.post(update, timeout=8).status_code)
            except httpx.HTTPError as exc:
                outcomes.append(type(exc).__name__)
            time.sleep(0.3)
    return outcomes


@pytest.mark.parametrize("mode", ["idle", "slow"])
def test_idle_and_slow_header_connections_do_not_make_the_webhook_deaf(
    repo_root: Path, kb_copy: KbCopy, api: FakeBotApi, cli_runs: list[CliRun], mode: str
) -> None:
    # The shipped bounds (100 connections, 10 s per request) against 150 connections that
    # send nothing (or their headers at one byte per 2 s), each renewed as soon as it is
    # closed, for at most 5 s. Before: each of Telegram's 5 POSTs was closed at once.
    bot = start_bot(repo_root, kb_copy, api, cli_runs, request_timeout=10, open_connections=100)
    flood = ConnectionFlood(bot.port, sockets=150, mode=mode, duration=5.0, max_connects=30_000)  # type: ignore[arg-type]
    outcomes = telegram_posts_during(bot, flood)
    print(mode, outcomes, flood.figures)
    # A fresh connection that has sent nothing yet looks like the flood's: it keeps its place only
    # until `open_connections` newer ones arrive (here about 10 ms at the flood's 8,000 connects/s).
    # On a loaded machine the client may take that long to send its request after connecting: one
    # of five was closed so in two whole-suite runs (docs/reliability.md). Before the fix: 0 of 5.
    answered = outcomes.count(200)
    assert answered >= 4, (outcomes, flood.figures, bot.cli.stderr[-2000:])
    assert len(api.calls("sendMessage")) == answered
    assert flood.figures.closed_by_server >= 50, "the flood's connections were made to give way"
    assert "Traceback" not in bot.cli.stderr


def test_a_connection_without_complete_headers_is_closed_after_a_short_deadline(
    repo_root: Path, kb_copy: KbCopy, api: FakeBotApi, cli_runs: list[CliRun]
) -> None:
    # Even with room to spare, a new connection must send complete headers with the secret
    # within 3 s (Limits.header_timeout), whatever request_timeout says (10 s here: before,
    # an idle or slow-header connection held its slot for all of those 10 s).
    bot = start_bot(repo_root, kb_copy, api, cli_runs, request_timeout=10)
    # Three at once: nothing, half the headers, all but the blank line; each is closed on its own deadline.
    opened = [
        (bot.raw(data), time.monotonic())
        for data in (b"", b"POST /telegram HTTP/1.1\r\nHost: x\r\n", request_head("guess", 10)[:-2])
    ]
    for conn, started in opened:
        assert status_within(conn, 15) == ""
        assert 2.5 < time.monotonic() - started < 5
    # A connection that proved itself keeps its keep-alive time (request_timeout).
    with httpx.Client(timeout=10) as client:
        update = api.command("/start") | {"update_id": 77}
        assert client.post(bot.url, json=update, headers={HEADER: SECRET}).status_code == 200
        time.sleep(4)
        update = api.command("/start") | {"update_id": 78}
        assert client.post(bot.url, json=update, headers={HEADER: SECRET}).status_code == 200
        assert client.get(f"http://127.0.0.1:{bot.port}/healthz").status_code == 200


# --- Telegram gets its answer after the update was handled; duplicates once -----------------


@pytest.mark.subprocess
def test_the_answer_comes_only_after_the_update_was_handled(bot: WebhookBot) -> None:
    bot.api.delay("sendMessage", 1.0)
    started = time.monotonic()
    response = bot.post(bot.api.command("/start") | {"update_id": 11})
    assert response.status_code == 200
    assert time.monotonic() - started >= 1.0
    assert len(bot.api.calls("sendMessage")) == 1  # already sent when Telegram hears back


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_killed_process_never_confirmed_what_it_had_not_handled(
    repo_root: Path, kb_copy: KbCopy, api: FakeBotApi, cli_runs: list[CliRun]
) -> None:
    first = start_bot(repo_root, kb_copy, api, cli_runs)
    api.delay("sendMessage", 3.0)
    update = api.command("/start") | {"update_id": 21}
    outcome: list[object] = []

    def deliver() -> None:
        try:
            outcome.append(first.post(update).status_code)
        except httpx.HTTPError as exc:
            outcome.append(type(exc).__name__)

    sender = threading.Thread(target=deliver)
    sender.start()
    api.wait_for("sendMessage", timeout=10)  # being handled (the fake server holds the answer 3 s)
    first.cli.proc.kill()
    sender.join(timeout=10)
    assert outcome and outcome[0] != 200, outcome  # Telegram would deliver it again
    first.cli.kill()

    api.delay("sendMessage", 0)
    api.reset()
    second = start_bot(repo_root, kb_copy, api, cli_runs)
    assert second.post(update).status_code == 200
    assert len(api.calls("sendMessage")) == 1


@pytest.mark.subprocess
def test_an_update_delivered_twice_is_handled_once(bot: WebhookBot) -> None:
    bot.api.delay("sendMessage", 0.5)
    update = bot.api.command("/start") | {"update_id": 31}
    codes: list[int] = []
    senders = [threading.Thread(target=lambda: codes.append(bot.post(update).status_code)) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=10)
    assert bot.post(update).status_code == 200  # once more, after it was handled
    assert codes == [200, 200]
    time.sleep(1.5)  # time for any second (or third) answer to arrive
    assert len(bot.api.calls("sendMessage")) == 1


@pytest.mark.subprocess
def test_healthz_for_the_load_balancer(bot: WebhookBot) -> None:
    response = httpx.get(f"http://127.0.0.1:{bot.port}/healthz", timeout=5)
    assert (response.status_code, response.text) == (200, "ok\n")


@pytest.mark.subprocess
def test_sigterm_answers_the_update_in_flight_then_exits_0(bot: WebhookBot) -> None:
    bot.api.delay("sendMessage", 1.0)
    codes: list[int] = []
    sender = threading.Thread(
        target=lambda: codes.append(bot.post(bot.api.command("/start") | {"update_id": 41}).status_code)
    )
    sender.start()
    bot.api.wait_for("sendMessage", timeout=10)
    code, _ = bot.cli.stop(signal.SIGTERM)
    sender.join(timeout=10)
    assert code == 0 and codes == [200]
    assert "Traceback" not in bot.cli.stderr and TOKEN not in bot.cli.stderr


@pytest.mark.subprocess
def test_set_webhook_is_called_with_the_secret(bot: WebhookBot) -> None:
    (hook,) = bot.api.calls("setWebhook")
    assert hook.params["url"] == "https://bot.example.org/telegram"
    assert hook.params["secret_token"] == SECRET
    assert re.fullmatch(r"\d+", str(hook.params.get("max_connections", "40")))
    assert json.loads(json.dumps(hook.params.get("allowed_updates", []))) is not None


# --- the parts on their own -------------------------------------------------------------------


async def test_update_ids_remember_a_bounded_number() -> None:
    ids = UpdateIds(size=100)
    ran: list[int] = []

    async def handle(i: int) -> None:
        ran.append(i)

    for i in range(1000):
        assert await ids.once(i, lambda i=i: handle(i))  # type: ignore[misc]
    assert len(ids) == 100
    assert not await ids.once(999, lambda: handle(-1))  # recent: not again
    assert ran == list(range(1000))


async def test_a_redelivery_waits_for_the_first_delivery_and_a_failure_is_not_remembered() -> None:
    ids = UpdateIds()
    release = asyncio.Event()
    calls: list[str] = []

    async def slow() -> None:
        calls.append("slow")
        await release.wait()

    first = asyncio.create_task(ids.once(1, slow))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(ids.once(1, slow))
    await asyncio.sleep(0.01)
    assert not second.done()  # waits for the first: answering now could confirm an update not yet handled
    release.set()
    assert (await first, await second) == (True, False)

    async def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await ids.once(2, broken)
    assert await ids.once(2, slow)  # delivered again: handled again
    assert calls == ["slow", "broken", "slow"]


async def test_refusals_are_one_line_then_one_summary_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = RefusalLog(interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.telegram.webhook"):
        for _ in range(1000):
            log.note("wrong or missing secret")
        log.note("body too large")
        assert len(caplog.records) == 1
        now[0] = 61.0
        log.flush()
    first, summary = (r.getMessage() for r in caplog.records)
    assert "wrong or missing secret" in first
    assert summary == "Webhook: refused 1000 more request(s) (wrong or missing secret: 999, body too large: 1)"
    log.close()


@pytest.mark.subprocess
def test_a_port_in_use_is_one_line_and_exit_1(
    repo_root: Path, kb_copy: KbCopy, api: FakeBotApi, cli_runs: list[CliRun]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = cli_config(kb_copy, mode="webhook", listen="127.0.0.1", port=port, url="https://bot.example.org/t")
        cli = CliRun(
            repo_root, config, api.base_url, TELEGRAM_WEBHOOK_SECRET=SECRET, PILKADA_BOT_SALT="webhook-tests-salt"
        )
        cli_runs.append(cli)
        assert cli.wait(timeout=20) == 1
    assert cli.lines[-1].startswith(f"Cannot start: cannot listen on 127.0.0.1:{port} for the webhook: ")
    assert "Traceback" not in cli.stderr and api.calls("setWebhook") == []


def test_connection_slots_turn_over_connections_that_have_not_earned_their_place() -> None:
    slots: ConnectionSlots[str] = ConnectionSlots(3)
    assert [slots.admit(name) for name in "abc"] == [(True, None)] * 3
    slots.prove("a")  # Telegram's: complete headers with the secret
    assert slots.admit("d") == (True, "b"), "the oldest connection not proven gives way"
    assert slots.admit("e", earned=lambda key: key == "c") == (True, "d"), "c's headers are waiting: kept"
    slots.prove("c")
    slots.prove("e")
    assert slots.admit("f") == (False, None), "every slot proven: the newcomer is refused"
    slots.forget("a")
    assert slots.admit("f") == (True, None) and len(slots) == 3


def test_a_connection_with_part_of_its_headers_gives_way_before_one_showing_nothing() -> None:
    # Telegram sends its headers at once: a connection holding half of them is a slow-header one,
    # while one showing nothing may be Telegram's, its request read but not yet parsed.
    slots: ConnectionSlots[str] = ConnectionSlots(3)
    assert [slots.admit(name) for name in "abc"] == [(True, None)] * 3
    assert slots.admit("d", partial=lambda key: key == "c") == (True, "c")
    assert slots.admit("e", partial=lambda key: False) == (True, "a"), "none partial: the oldest gives way"


@pytest.mark.parametrize(
    ("data", "earns"),
    [
        (request_head(SECRET, 10), True),
        (request_head(SECRET, 10).replace(b"\r\n", b"\n"), True),
        (request_head(SECRET, 10, path="/telegram?x=1"), True),
        (request_head(SECRET, 10)[:-2], False),  # not complete yet
        (request_head("guess", 10), False),
        (request_head(None, 10), False),
        (request_head(SECRET, 10, path="/other"), False),
        (b"", False),
        (b"P", False),
    ],
)
def test_only_complete_headers_with_the_secret_earn_a_place(data: bytes, earns: bool) -> None:
    assert headers_earn_a_place(data, "/telegram", SECRET.encode()) is earns
