"""Data safety: SIGTERM and Ctrl+C in the middle of a reminder round and of heavy traffic; unusable databases.

The real CLI (`python -m bot run`) runs as a subprocess against the fake Bot API
server (in a thread of the test process), with a copy of config.yaml. Each test
interrupts it twice, with SIGTERM and then SIGINT, restarts it, and lets the third
run finish; after each stop the database is checked with PRAGMA integrity_check and
the fake server's counts show that nothing was lost or sent twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.pipeline import Pipeline
from bot.storage import SqliteStore
from bot.telegram.broadcast import ROUND_CONCURRENCY
from tests.support.cli import CliRun, cli_config, wait_until
from tests.support.clocks import clock_reading
from tests.support.constants import REPO_ROOT, TOKEN, WIB
from tests.support.constants import SALT as TEST_SALT
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.pipelines import tuned
from tests.support.reminders import VOTING_DAY, key, reminder_pipeline, running, subscribe

SALT = "reliability-tests-salt-0123456789"
SUBSCRIBERS = range(10_001, 10_211)  # 210 chats
STOP_WITHIN = 5.0  # seconds from the signal to the exit ("within a few seconds")
NOBODY = 65534


@pytest.fixture
def runs() -> Iterator[list[CliRun]]:
    started: list[CliRun] = []
    yield started
    for run in started:
        run.kill()


def database(kb_copy: KbCopy) -> Path:
    return kb_copy.root / "data" / "pilkada-bot.sqlite3"


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql))


def check_database(path: Path) -> None:
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(path, "PRAGMA foreign_key_check") == []


def set_election(kb_copy: KbCopy, voting_date: dt.date, reminders: str | None = None) -> None:
    kb_copy.replace("config.yaml", "voting_date: 2024-11-27", f"voting_date: {voting_date.isoformat()}")
    if reminders is not None:
        text = kb_copy.read("config.yaml")
        kb_copy.write("config.yaml", text[: text.index("reminders:")] + reminders)


def stop(cli: CliRun, sig: int) -> None:
    code, took = cli.stop(sig)
    assert code == 0, cli.stderr
    assert took < STOP_WITHIN, f"took {took:.1f} s to stop"
    assert "Traceback" not in cli.stderr and TOKEN not in cli.stderr


# --- during a reminder round ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.subprocess
def test_signals_during_a_reminder_round_lose_and_duplicate_nothing(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, runs: list[CliRun]
) -> None:
    # A reminder due a minute ago (inside the 30-minute grace window): each start catches up.
    due = (dt.datetime.now(WIB) - dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    reminders = f'reminders:\n  times:\n    - {{days_before: 1, time: "{due:%H:%M}"}}\n  grace_minutes: 30\n'
    set_election(kb_copy, due.date() + dt.timedelta(days=1), reminders)
    config = cli_config(kb_copy, overall_per_second=50)
    db = database(kb_copy)

    async def subscribe_all() -> None:
        async with await SqliteStore.open(db, salt=SALT.encode(), timezone=WIB) as store:
            for chat in SUBSCRIBERS:
                await store.subscribe(chat)

    asyncio.run(subscribe_all())
    # Telegram's limits, a little above the bot's own pace: the round takes about 4 s.
    api.enforce_limits(per_second_overall=60, per_second_per_chat=1)

    def delivered() -> Counter[int]:
        return Counter({chat: n for chat, n in api.stats["sent"].items() if chat in SUBSCRIBERS})

    def start() -> CliRun:
        cli = CliRun(repo_root, config, api.base_url, PILKADA_BOT_SALT=SALT)
        runs.append(cli)
        return cli

    for sig, stop_after in ((signal.SIGTERM, 30), (signal.SIGINT, 100)):
        cli = start()
        wait_until(lambda n=stop_after: sum(delivered().values()) >= n, f"{stop_after} reminders")
        stop(cli, sig)
        check_database(db)
        assert rows(db, "SELECT count(*) FROM subscriptions") == [(len(SUBSCRIBERS),)]  # no subscription lost
        sent = delivered()
        assert max(sent.values()) == 1  # nothing twice
        # The round stopped early: the rest waits, unclaimed, for the next start.
        assert len(sent) < len(SUBSCRIBERS)
        assert rows(db, "SELECT count(*) FROM sent_reminders") == [(len(sent),)]
        (left,) = cli.wait_for_line(r"stopped by shutdown, \d+ chat\(s\) left")
        assert int(re.findall(r"(\d+) chat\(s\) left", left)[0]) >= len(SUBSCRIBERS) - len(sent) - 8

    cli = start()  # the third start catches up with everyone left
    wait_until(lambda: len(delivered()) == len(SUBSCRIBERS), "every subscriber")
    stop(cli, signal.SIGINT)
    assert delivered() == Counter(dict.fromkeys(SUBSCRIBERS, 1))  # each exactly once over three runs
    check_database(db)
    assert rows(db, "SELECT count(*) FROM sent_reminders") == [(len(SUBSCRIBERS),)]


async def test_sends_still_hanging_after_the_grace_period_are_cancelled(
    api: FakeBotApi, pipeline: Pipeline, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram answers every send only after 5 s; the bot gives sends in flight 0.5 s.
    reminders = tuned(reminder_pipeline(pipeline, (1, "19:00")), shutdown_grace=0.5, read_timeout=30.0)
    due = dt.datetime.combine(VOTING_DAY - dt.timedelta(days=1), dt.time(19, 0), tzinfo=WIB)
    db = tmp_path / "bot.sqlite3"
    await subscribe(db, *range(501, 521))  # 20 chats
    api.delay("sendMessage", 5.0)
    async with running(reminders, db, clock_reading(due + dt.timedelta(minutes=1)), api):
        await api.await_for("sendMessage", count=ROUND_CONCURRENCY, timeout=10)  # the first 8 in flight
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2.0  # not the 5 s the sends would take, nor the whole round
    assert any("reminder round(s) cancelled after 0.5 s" in r.getMessage() for r in caplog.records)
    claimed = len(rows(db, "SELECT * FROM sent_reminders"))
    assert claimed == len(api.calls("sendMessage")) == ROUND_CONCURRENCY  # maybe delivered: kept, never resent
    async with await SqliteStore.open(db, salt=TEST_SALT, timezone=WIB) as store:
        assert len(await store.pending_chats(key(1, "19:00"))) == 20 - ROUND_CONCURRENCY  # for the next start


# --- during heavy traffic -----------------------------------------------------------------

QUESTION_USERS = range(20_001, 20_171)  # 170 users asking a question
SUBSCRIBING_USERS = range(30_001, 30_081)  # 80 users sending /ingatkan


@pytest.mark.slow
@pytest.mark.subprocess
def test_signals_during_heavy_traffic_lose_and_duplicate_nothing(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, runs: list[CliRun]
) -> None:
    set_election(kb_copy, dt.date.today() + dt.timedelta(days=30))  # /ingatkan subscribes
    config = cli_config(kb_copy, overall_per_second=60)
    db = database(kb_copy)
    users = [*QUESTION_USERS, *SUBSCRIBING_USERS]
    for i in range(len(QUESTION_USERS)):  # interleaved: questions and subscriptions arrive together
        api.push_update(api.text_message("kapan hari pencoblosan?", user_id=QUESTION_USERS[i]))
        if i < len(SUBSCRIBING_USERS):
            api.push_update(api.command("/ingatkan", user_id=SUBSCRIBING_USERS[i]))

    def answered() -> Counter[int]:
        return Counter({chat: n for chat, n in api.stats["sent"].items() if chat in users})

    def pending() -> int:
        return int(api.handlers["getWebhookInfo"]({})["pending_update_count"])

    for sig, stop_after in ((signal.SIGTERM, 20), (signal.SIGINT, 130)):
        cli = CliRun(repo_root, config, api.base_url, PILKADA_BOT_SALT=SALT)
        runs.append(cli)
        wait_until(lambda n=stop_after: sum(answered().values()) >= n, f"{stop_after} answers")
        stop(cli, sig)
        check_database(db)
        done = answered()
        assert max(done.values()) == 1
        # Updates not yet fetched stay with Telegram: the bot fetched at most one batch ahead.
        assert pending() == len(users) - len(done) > 0
        subscribed = set(SUBSCRIBING_USERS) & set(done)
        assert {row[0] for row in rows(db, "SELECT chat_id FROM subscriptions")} == subscribed

    cli = CliRun(repo_root, config, api.base_url, PILKADA_BOT_SALT=SALT)
    runs.append(cli)
    wait_until(lambda: len(answered()) == len(users), "an answer for every user")
    stop(cli, signal.SIGINT)
    assert answered() == Counter(dict.fromkeys(users, 1))  # every user answered exactly once
    assert {row[0] for row in rows(db, "SELECT chat_id FROM subscriptions")} == set(SUBSCRIBING_USERS)
    assert rows(db, "SELECT count(*) FROM questions") == [(len(QUESTION_USERS),)]  # each recorded once
    check_database(db)


@pytest.mark.subprocess
def test_a_second_signal_while_stopping_exits_at_once(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, runs: list[CliRun]
) -> None:
    users = range(40_001, 40_301)
    for user in users:
        api.push_update(api.text_message("kapan hari pencoblosan?", user_id=user))
    cli = CliRun(repo_root, kb_copy.config_path, api.base_url, PILKADA_BOT_SALT=SALT)  # 30 messages/s
    runs.append(cli)
    wait_until(lambda: sum(api.stats["sent"].values()) >= 10, "10 answers")
    cli.proc.send_signal(signal.SIGTERM)  # would answer the rest of the batch: about 3 s
    cli.wait_for_line("SIGTERM: stopping after answering the updates already received")
    code, took = cli.stop(signal.SIGINT)
    assert code == 0 and took < 2.0, cli.stderr
    cli.wait_for_line(r"SIGINT again: stopping now; \d+ queued update\(s\) not answered")
    assert sum(api.stats["sent"].values()) < 100
    check_database(database(kb_copy))
    assert "Traceback" not in cli.stderr


# --- a database the bot cannot use -------------------------------------------------------


@pytest.mark.subprocess
def test_cli_refuses_a_corrupt_database_in_one_line(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, runs: list[CliRun]
) -> None:
    db = database(kb_copy)
    db.parent.mkdir()
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # a header, then garbage
    cli = CliRun(repo_root, kb_copy.config_path, api.base_url, PILKADA_BOT_SALT=SALT)
    runs.append(cli)
    assert cli.wait() == 1
    assert len(cli.lines) == 1, cli.stderr
    assert cli.lines[0].startswith("Cannot start: ") and str(db) in cli.lines[0]
    assert "not a SQLite database" in cli.lines[0] or "malformed" in cli.lines[0]
    assert api.calls() == []  # refused before talking to Telegram


@pytest.fixture
def shared_copy() -> Iterator[Path]:
    """config.yaml and knowledge/ in a folder the unprivileged 'nobody' can read (tmp_path is root's)."""
    folder = Path(tempfile.mkdtemp(prefix="pilkada-ro-"))
    folder.chmod(0o755)
    # The test knowledge base (conftest.py), its word lists copied beside it.
    test_kb = REPO_ROOT / "tests" / "data" / "blora2024"
    config = (test_kb / "config.yaml").read_text(encoding="utf-8").replace("../../../knowledge/words/", "words/")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    shutil.copytree(test_kb / "knowledge", folder / "knowledge")
    shutil.copytree(REPO_ROOT / "knowledge" / "words", folder / "words")
    for child in folder.rglob("*"):
        child.chmod(0o755 if child.is_dir() else 0o644)
    try:
        yield folder
    finally:
        for child in [folder, *folder.rglob("*")]:
            child.chmod(0o755 if child.is_dir() else 0o644)
        shutil.rmtree(folder)


def run_cli_as_nobody(config: Path) -> tuple[int, str]:
    """`pilkada-bot --config CONFIG run` (bot.cli.main) in a forked child running as 'nobody'.

    As root, read-only permissions do not apply; the interpreter under /root cannot be
    started by nobody, so the child is forked (no exec) and drops privileges instead.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 70
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            os.environ.update(
                TELEGRAM_BOT_TOKEN=TOKEN, PILKADA_BOT_SALT=SALT, TELEGRAM_API_URL="http://127.0.0.1:9/bot"
            )
            with os.fdopen(write_end, "w") as stderr:
                sys.stderr = stderr  # what main() prints; pytest has replaced the real one
                code = main(["--config", str(config), "run"])
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        err = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err


def test_cli_refuses_a_read_only_database_in_one_line(shared_copy: Path) -> None:
    data = shared_copy / "data"
    data.mkdir()
    db = data / "pilkada-bot.sqlite3"

    async def create() -> None:
        async with await SqliteStore.open(db, salt=SALT.encode()):
            pass

    asyncio.run(create())
    for child in data.iterdir():
        child.chmod(0o444)
    data.chmod(0o555)
    code, err = run_cli_as_nobody(shared_copy / "config.yaml")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("Cannot start: ") and str(db) in err, err
    assert "writable" in err and "Traceback" not in err
