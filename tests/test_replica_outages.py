"""Two real replicas on a PostgreSQL that has a bad day (issue #25 items 2 and 5).

Each test starts its own PostgreSQL (tests/support/pgserver.py: it is restarted or locked), the
fake Bot API enforcing Telegram's limits, and two `pilkada-bot run` replicas in webhook
mode (tests/support/replicacluster.py, configured as deploy/compose.yaml does). Updates are posted
to the replicas directly, the way nginx spreads them: each one to the first replica,
and the same one again to the second while the first is still handling it (a Telegram
redelivery, or nginx resending a request).

- Item 2, a PostgreSQL restart: before, the replicas' presence connections died with
  it and were never opened again, so each replica looked dead to the other: 13-15 of
  240 users were answered twice, and the first request on each stale pooled
  connection got 500.
- Item 5, another session holding a lock on `handled_updates`: before, nothing was
  answered while the lock was held (0 of 6 in 15 s).

The figures are printed (pytest -s).
"""

from __future__ import annotations

import asyncio
import collections
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fakebotapi import FakeBotApi
from tests.support.pgserver import PostgresServer
from tests.support.replicacluster import SECRET, TOKEN, ReplicaCluster

HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_USER = 30_000_000


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    pg = PostgresServer.start()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def cluster(tmp_path: Path, server: PostgresServer) -> Iterator[tuple[ReplicaCluster, FakeBotApi]]:
    api = FakeBotApi(TOKEN).start()
    api.enforce_limits(per_second_overall=30, per_second_per_chat=1)
    url = server.create_database("outages")
    running = ReplicaCluster(tmp_path, server, url, api.base_url).start()
    try:
        yield running, api
    finally:
        codes = running.stop()
        api.stop()
        assert set(codes.values()) == {0}, running.logs()[-3000:]


def question(api: FakeBotApi, user: int, update_id: int) -> dict[str, Any]:
    update = api.text_message("kapan nyoblos", user_id=user)
    update["update_id"] = update_id
    return update


async def post(client: httpx.AsyncClient, port: int, update: dict[str, Any]) -> int:
    try:
        answer = await client.post(f"http://127.0.0.1:{port}/telegram", json=update, headers={HEADER: SECRET})
    except httpx.HTTPError:
        return 0
    return answer.status_code


async def deliver_twice(
    ports: tuple[int, int], updates: list[dict[str, Any]], rate: float, again_after: float
) -> list[int]:
    """Each update to the first port, and again `again_after` s later to the second; every HTTP status."""
    statuses: list[int] = []
    async with httpx.AsyncClient(timeout=90, limits=httpx.Limits(max_connections=200)) as client:

        async def one(update: dict[str, Any]) -> None:
            first = asyncio.create_task(post(client, ports[0], update))
            await asyncio.sleep(again_after)
            statuses.extend(await asyncio.gather(first, post(client, ports[1], update)))

        tasks = []
        for update in updates:
            tasks.append(asyncio.create_task(one(update)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    return statuses


def answers_per_chat(api: FakeBotApi) -> collections.Counter[int]:
    return collections.Counter(int(c.params["chat_id"]) for c in api.calls("sendMessage") if c.status == 200)


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
async def test_after_a_postgresql_restart_every_user_is_answered_once_and_no_request_fails(
    server: PostgresServer, cluster: tuple[ReplicaCluster, FakeBotApi]
) -> None:
    replicas, api = cluster
    ports = (replicas.replicas[0].port, replicas.replicas[1].port)
    warm = [question(api, FIRST_USER - 1 - i, 10 + i) for i in range(4)]
    assert await deliver_twice(ports, warm, rate=10, again_after=0.1) == [200] * 8
    down = await asyncio.to_thread(server.restart, 1.0)
    users = 240
    updates = [question(api, FIRST_USER + i, 1000 + i) for i in range(users)]
    started = time.monotonic()
    statuses = await deliver_twice(ports, updates, rate=30, again_after=0.2)
    seconds = time.monotonic() - started
    per_chat = answers_per_chat(api)
    twice = [user for user in range(FIRST_USER, FIRST_USER + users) if per_chat[user] > 1]
    missed = [user for user in range(FIRST_USER, FIRST_USER + users) if per_chat[user] == 0]
    logs = replicas.logs()
    figures = {
        "users": users,
        "server_down_s": round(down, 2),
        "answered_twice": len(twice),
        "not_answered": len(missed),
        "http_statuses": dict(collections.Counter(statuses)),
        "presence_reopened": logs.count("Presence connection open again"),
        "fell_back_to_local_dedupe_log_lines": logs.count("claiming an update"),
        "429": api.stats["429"],
        "seconds": round(seconds, 1),
    }
    print(json.dumps(figures))
    detail = json.dumps(figures) + "\n" + logs[-4000:]
    assert twice == [] and missed == [], detail
    assert set(statuses) == {200}, detail
    assert figures["presence_reopened"] == 2, detail


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
async def test_a_lock_on_the_claims_table_costs_no_answer_and_no_duplicate(
    server: PostgresServer, cluster: tuple[ReplicaCluster, FakeBotApi]
) -> None:
    replicas, api = cluster
    ports = (replicas.replicas[0].port, replicas.replicas[1].port)
    held = 8.0
    locked = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        with server.connect(replicas.database_url.rsplit("/", 1)[1]) as conn:
            conn.execute("BEGIN")
            conn.execute("LOCK TABLE handled_updates IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(held)
            conn.execute("COMMIT")

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(10)
    started = time.monotonic()
    updates = [question(api, FIRST_USER + i, 2000 + i) for i in range(6)]
    async with httpx.AsyncClient(timeout=30) as client:
        posts = asyncio.gather(*(post(client, ports[i % 2], u) for i, u in enumerate(updates)))
        await asyncio.sleep(held - 2)
        answered_while_held = len(answers_per_chat(api))
        first = await posts
        answered_in = max(c.time for c in api.calls("sendMessage")) - started
        release.set()
        await asyncio.to_thread(holder.join, 15)
        await asyncio.sleep(3)  # the claims written later reach the table
        again = await asyncio.gather(*(post(client, ports[(i + 1) % 2], u) for i, u in enumerate(updates)))
    await asyncio.sleep(1.5)  # time for a second answer, if any, to arrive
    per_chat = answers_per_chat(api)
    figures = {
        "lock_held_s": held,
        "answered_while_held": answered_while_held,
        "all_six_answered_after_s": round(answered_in, 2),
        "http_statuses": sorted(first + again),
        "answered_twice": sum(1 for n in per_chat.values() if n > 1),
    }
    print(json.dumps(figures))
    detail = json.dumps(figures) + "\n" + replicas.logs()[-4000:]
    assert answered_while_held == 6 and answered_in < held - 2, detail
    assert set(first + again) == {200}, detail
    assert figures["answered_twice"] == 0, detail
