"""bot/storage/replicas.py against a real PostgreSQL: each update once, takeover after a replica dies,
one reminder round at a time, one send budget, flood control and /reload across replicas.

Two `PostgresReplicas` in one test stand for two processes: each has its own presence
connection, and "killing" one terminates its connections on the server, as PostgreSQL
does when a SIGKILLed process's sockets close. The real processes are in
tests/test_replica_cluster.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator

import psycopg
import pytest

from bot.storage.flood import Admission
from bot.storage.replicas import SCHEMA, Handling, PostgresReplicas
from tests.support.pgserver import PostgresServer


@pytest.fixture
async def pair(postgres_server: PostgresServer, postgres_url: str) -> AsyncIterator[tuple[PostgresReplicas, ...]]:
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        conn.execute(SCHEMA)
    kwargs = {"password": postgres_server.password}
    a = await PostgresReplicas.open(postgres_url, kwargs, lambda user: f"u{user}")
    b = await PostgresReplicas.open(postgres_url, kwargs, lambda user: f"u{user}")
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


def kill(replica: PostgresReplicas, server: PostgresServer) -> None:
    """What the server sees when the replica's process is killed: its presence connection goes away.

    A killed process does not reconnect: its presence watcher is stopped first (a live
    replica that merely lost the connection opens it again, see the restart tests).
    """
    assert replica._watcher is not None
    replica._watcher.cancel()
    with server.connect() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (replica.me.pid,))
        for _ in range(100):
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (replica.me.pid,)).fetchone()
            if row == (0,):
                return
            time.sleep(0.01)


async def test_the_same_update_on_two_replicas_is_handled_once(pair: tuple[PostgresReplicas, ...]) -> None:
    a, b = pair
    handled: list[str] = []

    async def handle(name: str) -> None:
        await asyncio.sleep(0.2)
        handled.append(name)

    first = asyncio.create_task(a.handle_once(7, lambda: handle("a")))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    second = await b.handle_once(7, lambda: handle("b"))
    assert second is Handling.DUPLICATE
    assert time.monotonic() - started >= 0.1, "the second waited for the first to finish"
    assert await first is Handling.HANDLED
    assert handled == ["a"]
    assert await a.handle_once(7, lambda: handle("again")) is Handling.DUPLICATE
    assert await b.handle_once(8, lambda: handle("b8")) is Handling.HANDLED
    assert handled == ["a", "b8"]


async def test_an_update_whose_replica_died_before_answering_is_taken_over(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer
) -> None:
    a, b = pair
    entered = asyncio.Event()
    never = asyncio.Event()

    async def hang() -> None:
        entered.set()
        await never.wait()

    stuck = asyncio.create_task(a.handle_once(11, hang))
    await entered.wait()
    handled: list[str] = []

    async def handle() -> None:
        handled.append("b")

    waiting = asyncio.create_task(b.handle_once(11, handle))
    await asyncio.sleep(0.3)
    assert not waiting.done(), "the owner is alive: wait for it"
    kill(a, postgres_server)
    assert await asyncio.wait_for(waiting, 5) is Handling.HANDLED
    assert handled == ["b"] and b.takeovers == 1
    stuck.cancel()
    with pytest.raises((asyncio.CancelledError, psycopg.Error)):
        await stuck


async def test_an_update_whose_replica_died_after_it_may_have_answered_is_not_answered_again(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer
) -> None:
    a, b = pair
    sent = asyncio.Event()
    never = asyncio.Event()

    async def answer_then_hang() -> None:
        await a.before_send()  # what the bot's request layer calls before sendMessage
        sent.set()
        await never.wait()

    stuck = asyncio.create_task(a.handle_once(12, answer_then_hang))
    await sent.wait()
    kill(a, postgres_server)
    called: list[str] = []

    async def handle() -> None:
        called.append("b")

    assert await b.handle_once(12, handle) is Handling.MAYBE_SENT
    assert called == [] and b.maybe_sent == 1
    assert await b.handle_once(12, handle) is Handling.DUPLICATE
    stuck.cancel()
    with pytest.raises((asyncio.CancelledError, psycopg.Error)):
        await stuck


async def test_a_failed_handling_is_given_up_so_a_redelivery_runs_it_again(pair: tuple[PostgresReplicas, ...]) -> None:
    a, b = pair

    async def fail() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await a.handle_once(21, fail)
    ran: list[int] = []

    async def ok() -> None:
        ran.append(21)

    assert await b.handle_once(21, ok) is Handling.HANDLED
    assert ran == [21]

    async def fail_after_sending() -> None:
        await a.before_send()
        raise RuntimeError("after the answer went out")

    with pytest.raises(RuntimeError):
        await a.handle_once(22, fail_after_sending)
    assert await b.handle_once(22, ok) is Handling.DUPLICATE, "maybe answered: never twice"


async def test_before_send_outside_an_update_does_nothing(pair: tuple[PostgresReplicas, ...]) -> None:
    a, _ = pair
    await a.before_send()  # a reminder round sends outside any update


async def test_exclusive_runs_one_holder_at_a_time_and_a_dead_holder_lets_the_next_in(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer
) -> None:
    a, b = pair
    order: list[str] = []
    release = asyncio.Event()

    async def hold(replica: PostgresReplicas, name: str) -> None:
        async with replica.exclusive("reminders"):
            order.append(f"{name} in")
            await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(hold(a, "a"))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(hold(b, "b"))
    await asyncio.sleep(0.8)
    assert order == ["a in"]
    release.set()
    await asyncio.gather(first, second)
    assert order == ["a in", "a out", "b in", "b out"]

    # A holder that dies: the server drops its connection and with it the lock.
    release.clear()
    holder = asyncio.create_task(hold(a, "a2"))
    await asyncio.sleep(0.2)
    with postgres_server.connect() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted")
    order.clear()
    follower = asyncio.create_task(hold(b, "b2"))
    await asyncio.sleep(1.2)
    assert order == ["b2 in"]
    release.set()
    await follower
    holder.cancel()
    await asyncio.gather(holder, return_exceptions=True)


async def test_the_replicas_share_one_send_schedule(pair: tuple[PostgresReplicas, ...]) -> None:
    a, b = pair
    interval = 1 / 29

    async def slot(replicas: PostgresReplicas) -> float:
        # When the slot is, not how long this call waits: calls that start apart on a busy
        # machine would otherwise make two slots look closer than they are.
        wait = await replicas.reserve_send(interval)
        return time.time() + wait

    slots = sorted(await asyncio.gather(*(slot(r) for r in (a, b) for _ in range(29))))
    # 58 messages at 29/s: the last one about two seconds after the first, and no two share a slot.
    assert slots[-1] - slots[0] == pytest.approx(57 * interval, abs=0.15)
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) > interval * 0.5


async def test_flood_control_holds_across_replicas(pair: tuple[PostgresReplicas, ...]) -> None:
    a, b = pair
    verdicts = [await (a if i % 2 else b).flood_check(42, 4, 5.0) for i in range(7)]
    assert verdicts == [Admission.ALLOW] * 4 + [Admission.WARN, Admission.DROP, Admission.DROP]
    assert await a.flood_check(43, 4, 5.0) is Admission.ALLOW, "another user is not affected"
    assert await a.flood_check(44, 2, 0.3) is Admission.ALLOW
    assert await b.flood_check(44, 2, 0.3) is Admission.ALLOW
    assert await a.flood_check(44, 2, 0.3) is Admission.WARN
    await asyncio.sleep(0.35)
    assert await b.flood_check(44, 2, 0.3) is Admission.ALLOW, "the window slid on"


async def test_reload_reaches_every_replica(pair: tuple[PostgresReplicas, ...]) -> None:
    a, b = pair
    heard: list[tuple[str, bool]] = []
    both = asyncio.Event()

    def listener(name: str):  # type: ignore[no-untyped-def]
        async def on_reload(from_me: bool) -> None:
            heard.append((name, from_me))
            if len(heard) == 2:
                both.set()

        return on_reload

    a.listen_for_reload(listener("a"))
    b.listen_for_reload(listener("b"))
    await asyncio.sleep(0.3)  # both LISTENing
    await a.announce_reload()
    await asyncio.wait_for(both.wait(), 5)
    assert sorted(heard) == [("a", True), ("b", False)]


async def test_old_update_claims_are_forgotten(pair: tuple[PostgresReplicas, ...]) -> None:
    a, _ = pair

    async def nothing() -> None:
        return None

    await a.handle_once(1, nothing)
    assert await a.forget_old_updates(older_than=dt.timedelta(days=1)) == 0
    assert await a.forget_old_updates(older_than=dt.timedelta(0)) == 1


# --- a bad day for the database (issue #25 items 2 and 5) -----------------------------------


@pytest.fixture
async def restartable() -> AsyncIterator[tuple[PostgresServer, PostgresReplicas, PostgresReplicas]]:
    """A PostgreSQL server of this test's own (it is restarted), and two replicas on it."""
    server = await asyncio.to_thread(PostgresServer.start)
    try:
        url = server.create_database("restart")
        with server.connect(url.rsplit("/", 1)[1]) as conn:
            conn.execute(SCHEMA)
        kwargs = {"password": server.password}
        a = await PostgresReplicas.open(url, kwargs, lambda user: f"u{user}")
        b = await PostgresReplicas.open(url, kwargs, lambda user: f"u{user}")
        try:
            yield server, a, b
        finally:
            await a.close()
            await b.close()
    finally:
        await asyncio.to_thread(server.stop)


async def test_after_a_postgresql_restart_the_replicas_answer_each_update_once(
    restartable: tuple[PostgresServer, PostgresReplicas, PostgresReplicas],
) -> None:
    # Before: the presence connections died with the restart and were never opened again,
    # so each replica looked dead to the other from then on, and an update delivered again
    # to B while A was still handling it was handled by both; the first request on each
    # stale pooled connection failed.
    server, a, b = restartable
    old = (a.me, b.me)
    await asyncio.to_thread(server.restart, 0.5)
    handled: list[str] = []

    async def handle(name: str, seconds: float = 0.0) -> None:
        await asyncio.sleep(seconds)
        handled.append(name)

    # The first requests right after the restart: no error (no 500), and claimed for real.
    assert await a.handle_once(100, lambda: handle("a100")) is Handling.HANDLED
    assert await b.handle_once(101, lambda: handle("b101")) is Handling.HANDLED
    assert (a.me, b.me) != old and a.presence_restored == b.presence_restored == 1
    handled.clear()
    for update_id in range(200, 220):  # each delivered to A, and again to B while A handles it
        first = asyncio.create_task(a.handle_once(update_id, lambda: handle("a", 0.2)))
        await asyncio.sleep(0.05)
        assert await b.handle_once(update_id, lambda: handle("b")) is Handling.DUPLICATE
        assert await first is Handling.HANDLED
    assert handled == ["a"] * 20, "answered once each"
    assert a.handled_locally == b.handled_locally == 0 and b.takeovers == 0


async def test_an_update_in_flight_across_a_restart_stays_with_its_live_replica(
    restartable: tuple[PostgresServer, PostgresReplicas, PostgresReplicas],
) -> None:
    server, a, b = restartable
    release = asyncio.Event()
    handled: list[str] = []

    async def slow() -> None:
        await release.wait()
        handled.append("a")

    async def quick() -> None:
        handled.append("b")

    first = asyncio.create_task(a.handle_once(300, slow))
    await asyncio.sleep(0.1)
    await asyncio.to_thread(server.restart, 0.2)
    second = asyncio.create_task(b.handle_once(300, quick))
    await asyncio.sleep(1.5)
    assert not second.done(), "A is alive (its claim was moved to its new presence): B waits"
    release.set()
    assert await first is Handling.HANDLED
    assert await asyncio.wait_for(second, 5) is Handling.DUPLICATE
    assert handled == ["a"]


async def test_a_lock_on_the_claims_table_costs_no_answer(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer, postgres_url: str
) -> None:
    # Before: with another session holding a lock on handled_updates (LOCK, VACUUM FULL,
    # ALTER TABLE, a backup tool) every update waited for it: 0 of 6 answered while held.
    a, b = pair
    handled: list[int] = []

    async def handle(update_id: int) -> None:
        handled.append(update_id)

    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as locker:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE handled_updates IN ACCESS EXCLUSIVE MODE")
        took = []
        for update_id in range(400, 406):
            started = time.monotonic()
            replica = a if update_id % 2 else b
            outcome = await asyncio.wait_for(replica.handle_once(update_id, lambda u=update_id: handle(u)), 5)  # type: ignore[misc]
            took.append(time.monotonic() - started)
            assert outcome is Handling.HANDLED
        assert handled == list(range(400, 406)), "all 6 answered while the lock is held"
        assert max(took) < 2.5, took
        assert a.handled_locally + b.handled_locally == 6
        locker.execute("COMMIT")
    # Once the lock is gone the claims are written: the other replica knows them.
    deadline = time.monotonic() + 10
    while (a._write_later or b._write_later) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for update_id in range(400, 406):
        assert await (b if update_id % 2 else a).handle_once(update_id, lambda: handle(-1)) is Handling.DUPLICATE
    assert -1 not in handled


async def test_a_lock_taken_while_an_update_is_handled_delays_its_answer_at_most_a_moment(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer, postgres_url: str
) -> None:
    a, b = pair
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as locker:

        async def answer_under_a_lock() -> None:
            locker.execute("BEGIN")
            locker.execute("LOCK TABLE handled_updates IN ACCESS EXCLUSIVE MODE")
            await a.before_send()  # marking 'sending' waits for the lock, then gives up

        started = time.monotonic()
        assert await asyncio.wait_for(a.handle_once(500, answer_under_a_lock), 5) is Handling.HANDLED
        assert time.monotonic() - started < 3.5
        locker.execute("COMMIT")
    deadline = time.monotonic() + 10
    while a._write_later and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    called: list[int] = []

    async def again() -> None:
        called.append(500)

    assert await b.handle_once(500, again) is Handling.DUPLICATE and called == []


async def test_flood_control_and_the_send_schedule_let_messages_through_while_their_tables_are_locked(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer, postgres_url: str
) -> None:
    a, _ = pair
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as locker:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE flood_senders, send_pacer IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        assert await asyncio.wait_for(a.flood_check(42, 4, 5.0), 5) is Admission.ALLOW
        waits = [await asyncio.wait_for(a.reserve_send(0.1), 5) for _ in range(3)]
        assert time.monotonic() - started < 3, "each waited for the lock at most once"
        assert waits == pytest.approx([0, 0.1, 0.2], abs=0.05), "paced by this process meanwhile"
        locker.execute("COMMIT")


async def test_after_a_pause_the_database_is_tried_again_even_under_steady_traffic(
    pair: tuple[PostgresReplicas, ...], postgres_server: PostgresServer, postgres_url: str
) -> None:
    a, _ = pair
    verdicts: list[tuple[float, Admission]] = []
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as locker:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE flood_senders IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        verdicts.append((0.0, await asyncio.wait_for(a.flood_check(7, 1, 60.0), 5)))  # fails after 1 s
        locker.execute("COMMIT")
        while time.monotonic() - started < 5:
            await asyncio.sleep(0.2)  # a message every 0.2 s: the pause must not be renewed by them
            verdicts.append((time.monotonic() - started, await a.flood_check(7, 1, 60.0)))
    late = [verdict for at, verdict in verdicts if at > 3.5]
    assert late and Admission.ALLOW not in late[1:], verdicts
