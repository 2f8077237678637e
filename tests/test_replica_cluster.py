"""Two real replicas behind nginx on one PostgreSQL: one is SIGKILLed and restarted mid-traffic (issue #16).

tests/support/replicacluster.py starts the replicas (`python -m bot run`, webhook mode, configured
as deploy/compose.yaml does), Debian's nginx with the recipe's site file, and uses the
throwaway PostgreSQL. tests/support/webhooksender.py plays Telegram: 1000 questions, one per
user, posted through nginx over TLS (redelivering whatever is not answered 2xx). The fake
Bot API enforces Telegram's limits (30 messages/s overall, 1 per chat per second).

150 chats are subscribed before the start and one reminder is due: the replicas take
turns at the round through the advisory lock. The replica holding that lock is killed
while it sends the round and answers questions, and started again 3 s later.

Targets (docs/scaling.md): 0 questions lost, 0 answered twice, 0 reminders twice (and
none missed), 0 × 429, and answers keep coming within 2 s of the kill. The 429 target is
timing on a shared machine: the test holds it to no 429 for one chat and at most one
for the overall window (see the assertion). The figures are
printed (pytest -s); with PILKADA_RECORD_RESULTS=1 they go to bench/results/replicas-e2e.json.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import PostgresStore
from tests.support.fakebotapi import FakeBotApi, FakeBotApiProcess
from tests.support.nginxserver import NginxServer, NginxUnavailable
from tests.support.pgserver import PostgresServer
from tests.support.replicacluster import SALT, SECRET, TOKEN, ReplicaCluster
from tests.support.webhooksender import WebhookSender

QUESTIONS = 1000
SUBSCRIBERS = 150
FIRST_USER = 10_000_000
FIRST_SUBSCRIBER = 20_000_000
ASKED = ["kapan nyoblos", "golput itu apa", "kenapa harus memilih", "partisipasi pemilih blora", "siapa menang"]
RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results" / "replicas-e2e.json"


@pytest.fixture
def fake_api() -> Iterator[FakeBotApiProcess]:
    # In a process of its own, so that what it counts against the limits is when requests
    # arrive, not when this busy process (TLS to nginx at 40 updates/s) gets the GIL.
    api = FakeBotApiProcess(TOKEN).start()
    api.enforce_limits(per_second_overall=30, per_second_per_chat=1)
    try:
        yield api
    finally:
        api.stop()


async def subscribe(url: str, password: str, chats: range) -> None:
    store = await PostgresStore.open(url, environ={"PILKADA_BOT_DATABASE_PASSWORD": password, "PILKADA_BOT_SALT": SALT})
    async with store:
        for chat in chats:
            await store.subscribe(chat)


def updates() -> list[dict[str, object]]:
    fake, out = FakeBotApi(TOKEN), []  # never started: it only writes the updates
    for i in range(QUESTIONS):
        user = FIRST_USER + i
        update = fake.text_message(ASKED[i % len(ASKED)], user_id=user)
        update["update_id"] = 500_000 + i
        out.append(update)
    return out


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
async def test_two_replicas_lose_and_duplicate_nothing_when_one_is_killed(
    tmp_path: Path, postgres_server: PostgresServer, postgres_url: str, fake_api: FakeBotApiProcess
) -> None:
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + SUBSCRIBERS)
    await subscribe(postgres_url, postgres_server.password, subscribers)
    cluster = ReplicaCluster(tmp_path, postgres_server, postgres_url, fake_api.base_url).start()
    killed_at = 0.0
    try:
        assert cluster.tls is not None
        async with WebhookSender(cluster.url, SECRET, verify=cluster.tls, max_connections=40) as sender:
            started = time.monotonic()
            delivery = asyncio.create_task(sender.deliver(updates(), rate=40))
            # Wait until the round is under way and questions are being answered, then kill
            # whichever replica holds the round's lock.
            holder = None
            while time.monotonic() - started < 30:
                await asyncio.sleep(0.1)
                sent_to = _sent_by_chat(fake_api)
                reminders = sum(1 for chat in sent_to if chat >= FIRST_SUBSCRIBER)
                answers = sum(1 for chat in sent_to if chat < FIRST_SUBSCRIBER)
                holder = await asyncio.to_thread(_round_holder, cluster)
                if holder is not None and reminders >= 20 and answers >= 50:
                    break
            assert holder is not None, "no replica was running the reminder round\n" + cluster.logs()[-5000:]
            killed_at = time.monotonic()
            holder.kill()
            await asyncio.sleep(3)
            holder.start()
            await asyncio.to_thread(holder.wait_healthy)
            report = await asyncio.wait_for(delivery, 240)
            # The rest of the round: the survivor took it over (or the restarted one).
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _reminders_sent(fake_api) < SUBSCRIBERS:
                await asyncio.sleep(0.2)
            finished = time.monotonic()
    finally:
        codes = cluster.stop()
    calls = [c for c in fake_api.calls("sendMessage") if c.status == 200]
    stats = fake_api.stats()
    per_chat = collections.Counter(int(c.params["chat_id"]) for c in calls)
    questions = range(FIRST_USER, FIRST_USER + QUESTIONS)
    lost = [chat for chat in questions if per_chat[chat] == 0]
    twice = {chat: n for chat, n in per_chat.items() if chat in questions and n > 1}
    reminders_twice = {chat: n for chat, n in per_chat.items() if chat in subscribers and n > 1}
    reminders_missed = [chat for chat in subscribers if per_chat[chat] == 0]
    times = sorted(c.time for c in calls)
    after_kill = [t for t in times if t >= killed_at]
    # The longest stretch without any message from the bot, from the kill until traffic ends.
    window = [killed_at, *[t for t in after_kill if t <= killed_at + 10]]
    longest_gap = max(b - a for a, b in itertools.pairwise(window)) if len(window) > 1 else float("inf")
    logs = cluster.logs()
    figures = {
        "questions": QUESTIONS,
        "subscribers": SUBSCRIBERS,
        "lost": len(lost),
        "answered_twice": len(twice),
        "reminders_twice": len(reminders_twice),
        "reminders_missed": len(reminders_missed),
        "429": stats["429"],
        "429_by_limit": stats["refused_by"],
        "first_message_after_kill_s": round(after_kill[0] - killed_at, 3) if after_kill else None,
        "longest_silence_after_kill_s": round(longest_gap, 3),
        "redelivered_updates": len(report.retried()),
        "given_up": len(report.given_up),
        "taken_over": logs.count("taken over from a replica"),
        "maybe_sent_not_answered_again": logs.count("may have answered; not answered again"),
        "messages_per_s": round((len(times) - 1) / (times[-1] - times[0]), 2),
        "seconds": round(finished - started, 1),
        "exit_codes": codes,
    }
    if os.environ.get("PILKADA_RECORD_RESULTS"):  # docs/scaling.md's figures: record on purpose only
        RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    detail = json.dumps(figures) + "\n" + logs[-6000:]
    assert not report.given_up, detail
    assert lost == [], detail
    assert twice == {}, detail
    assert reminders_twice == {} and reminders_missed == [], detail
    # Two messages to one chat within a second would be the bot's own pacing gone wrong: never.
    assert stats["refused_by"].get("chat", 0) == 0, detail
    # The overall window depends on when requests arrive on a shared 2-core machine (docs/scaling.md:
    # 0 in the runs recorded there); each such 429 is retried by the limiter, and nothing is lost
    # (asserted above). More than a stray one would mean the shared schedule does not hold.
    assert stats["refused_by"].get("all", 0) <= 1, detail
    assert longest_gap < 2.0, detail
    assert set(codes.values()) == {0}, detail


def _sent_by_chat(fake: FakeBotApiProcess) -> collections.Counter[int]:
    return collections.Counter({int(chat): n for chat, n in fake.stats()["sent"].items()})


def _reminders_sent(fake: FakeBotApiProcess) -> int:
    return sum(1 for chat in _sent_by_chat(fake) if chat >= FIRST_SUBSCRIBER)


@pytest.mark.subprocess
def test_a_cluster_that_fails_to_start_stops_the_replicas_it_started(
    tmp_path: Path,
    postgres_server: PostgresServer,
    postgres_url: str,
    fake_api: FakeBotApiProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # nginx (or openssl) missing: the replicas are up by then, and must not outlive the test.
    def nginx_missing() -> str:
        raise NginxUnavailable("nginx is not installed")

    monkeypatch.setattr(sys.modules[NginxServer.__module__], "find_nginx", nginx_missing)
    cluster = ReplicaCluster(tmp_path, postgres_server, postgres_url, fake_api.base_url)
    with pytest.raises(NginxUnavailable, match="is not installed"):
        cluster.start()
    assert cluster.nginx is None
    assert [r.name for r in cluster.replicas] == ["replica1", "replica2"]
    for replica in cluster.replicas:
        assert replica.process is not None and replica.process.returncode is not None, f"{replica.name} still runs"
        with pytest.raises(ProcessLookupError):
            os.kill(replica.pid, 0)


def _round_holder(cluster: ReplicaCluster):  # type: ignore[no-untyped-def]
    for name in _lock_names(cluster):
        if (holder := cluster.lock_holder(name)) is not None:
            return holder
    return None


def _lock_names(cluster: ReplicaCluster) -> list[str]:
    """The round's lock name, from the reminder key the replicas log."""
    found = set()
    for line in cluster.logs().splitlines():
        if "was due at" in line and "reminder " in line:
            key = line.split("reminder ", 1)[1].split(" ", 1)[0]
            found.add(f"reminder round {key}")
    return sorted(found)
