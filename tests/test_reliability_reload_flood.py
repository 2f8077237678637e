"""Reloads announced through PostgreSQL are rate-limited on each replica (issue 25, item 9).

Any role that can connect to the bot's database can `SELECT pg_notify('pilkada_reload', '')`:
PostgreSQL has no permission on NOTIFY. 10 a second for 10 s made every replica reload its
knowledge base 97 times (about 0.1 s of CPU each). A replica now reloads at most once per
`reload_throttle.interval` (10 s) for announcements from others, and the last announcement
of a burst is always honoured (staff fixing a typo and sending /reload twice still get
the second version everywhere). docs/scaling.md says what is left and what operators do.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import psycopg
import pytest

from bot.pipeline import Pipeline
from bot.storage.replicas import RELOAD_CHANNEL, SCHEMA, PostgresReplicas
from bot.telegram import admin
from bot.telegram.handlers import BotData
from tests.support.pgserver import PostgresServer


class Reloads:
    """Counts the knowledge-base loads (Pipeline.from_config), each handing back the same pipeline."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.at: list[float] = []

    def __call__(self, config: Any, clock: Callable[..., Any]) -> Pipeline:
        self.at.append(time.monotonic())
        return self.pipeline


@pytest.fixture
def reloads(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> Reloads:
    counter = Reloads(pipeline)
    monkeypatch.setattr(admin.Pipeline, "from_config", counter)
    return counter


@pytest.fixture
async def data(pipeline: Pipeline) -> AsyncIterator[BotData]:
    bot_data = BotData()
    bot_data.pipeline = pipeline
    bot_data.clock = lambda: None  # type: ignore[assignment,return-value]
    bot_data.reload_throttle.interval = 0.5
    yield bot_data
    admin.cancel_announced_reload(bot_data)


async def test_a_burst_of_announcements_costs_two_reloads(data: BotData, reloads: Reloads) -> None:
    started = time.monotonic()
    for _ in range(100):
        await admin.reload_announced(data, from_me=False)
    assert len(reloads.at) == 1, "the first at once"
    await asyncio.sleep(0.8)
    assert len(reloads.at) == 2, "then the last one of the burst, once the interval is over"
    assert reloads.at[1] - started >= 0.5
    await asyncio.sleep(0.6)
    assert len(reloads.at) == 2, "and nothing after it"


async def test_announcements_far_apart_are_each_honoured_at_once(data: BotData, reloads: Reloads) -> None:
    data.reload_throttle.interval = 0.2
    for _ in range(3):
        await admin.reload_announced(data, from_me=False)
        await asyncio.sleep(0.25)
    assert len(reloads.at) == 3


async def test_its_own_announcement_is_not_reloaded_twice(data: BotData, reloads: Reloads) -> None:
    await admin.reload_announced(data, from_me=True)
    assert reloads.at == []


@pytest.fixture
async def replica(postgres_server: PostgresServer, postgres_url: str) -> AsyncIterator[PostgresReplicas]:
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        conn.execute(SCHEMA)
    one = await PostgresReplicas.open(postgres_url, {"password": postgres_server.password}, lambda user: f"u{user}")
    try:
        yield one
    finally:
        await one.close()


async def test_pg_notify_from_any_role_cannot_make_a_replica_reload_again_and_again(
    data: BotData,
    reloads: Reloads,
    replica: PostgresReplicas,
    postgres_server: PostgresServer,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # When the throttle let each reload start (the load itself runs in a thread, which a busy
    # machine may start late, so the loads' own times can come closer than the interval).
    started: list[float] = []
    reload_from_files = admin._reload_from_files

    async def timed(data: BotData, why: str) -> None:
        started.append(time.monotonic())
        await reload_from_files(data, why)

    monkeypatch.setattr(admin, "_reload_from_files", timed)
    # The attack, shortened: 10 announcements a second for 1.5 s from a role that
    # is not the bot's (it needs nothing but CONNECT, which PUBLIC has by default).
    role = f"prankster_{secrets.token_hex(4)}"
    with postgres_server.connect() as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'prank'")
    try:
        replica.listen_for_reload(lambda from_me: admin.reload_announced(data, from_me))
        await asyncio.sleep(0.3)  # LISTENing
        caplog.set_level(logging.INFO)
        url = postgres_url.replace("pilkada@", f"{role}@")
        async with await psycopg.AsyncConnection.connect(url, password="prank", autocommit=True) as prank:
            for _ in range(15):
                await prank.execute("SELECT pg_notify(%s, '')", (RELOAD_CHANNEL,))
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.8)
    finally:
        with postgres_server.connect() as conn:
            conn.execute(f"DROP ROLE {role}")
    # At most one per 0.5 s: at 0, about 0.5, 1.0 and 1.5 s; before the fix, 15.
    assert 2 <= len(reloads.at) <= 4 and len(started) == len(reloads.at)
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(started))
    merged = [r.getMessage() for r in caplog.records if "merged" in r.getMessage()]
    assert merged, "the log says announcements came faster than they are honoured"
