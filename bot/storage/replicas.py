"""What several replicas of the bot must agree on, kept in their shared PostgreSQL (docs/scaling.md).

One process needs none of this: `LocalReplicas` is the in-process stand-in (SQLite).
With several webhook replicas behind a load balancer, `PostgresReplicas` makes them
behave as one bot:

- **Each update handled once** (`handle_once`). Telegram redelivers an update when our
  answer was late or not 2xx, and nginx resends a request to the other replica when the
  first one died or stopped. A row per update_id, claimed with INSERT … ON CONFLICT DO
  NOTHING, says who handles it (the claiming replica's *presence*: the backend pid and
  start time of a connection it holds open for its whole life). Another replica that
  gets the same update waits while that owner is alive and takes the update over when
  it is gone (a killed process's connections close, and PostgreSQL drops them).
  Just before the first message for an update goes out the row is marked `sending`;
  an update taken over in that state may already have been answered, so it is not
  answered again (never twice; docs/reliability.md has the same rule for timeouts).
- **One reminder round at a time** (`exclusive`): a session advisory lock on its own
  connection; a replica that dies mid-round drops the lock with its connection, and
  the next replica waiting for it finishes the round (claims stay INSERT … ON CONFLICT
  DO NOTHING, so nothing goes out twice).
- **One send budget per token** (`reserve_send`): Telegram's limit is per bot, not per
  process. Each message reserves the next free slot in a shared schedule (one row,
  one UPDATE), so the replicas together stay at the configured rate.
- **Flood control per user across replicas** (`flood_check`): the same sliding window
  as bot/storage/flood.py, kept in an UNLOGGED table and evaluated in one statement.
- **/reload everywhere** (`announce_reload` / `listen_for_reload`): NOTIFY on a channel
  every replica LISTENs to.

The coordination rows are committed with synchronous_commit off (a server crash may
forget the last fraction of a second of them, costing at worst one duplicate); the
bot's own data (reminder claims above all) keeps PostgreSQL's durable default.

A bad day for the database (issue #25 items 2 and 5):

- **PostgreSQL restarted** (upgrade, failover, container restart): the presence
  connection is watched (its loss is seen at once) and opened again with back-off
  (0.1 s doubling to 5 s); the claims this replica held under its old presence are
  moved to the new one, and no update is claimed under a presence known to be gone.
  Claims made before the server's last restart are not taken over during its first
  `RESTART_GRACE` (10 s): their owners may well be alive and reconnecting.
  Pooled connections are checked before use (`check_connection`), so a stale one is
  replaced instead of failing the request that drew it.
- **The claims table locked** (an operator's LOCK, VACUUM FULL, ALTER TABLE, a backup
  tool) **or the server unreachable**: every coordination statement gives up after
  `lock_timeout` (1 s; `statement_timeout` 5 s), and the update is then handled
  anyway, deduplicated with what this process knows (the webhook server's own
  `UpdateIds` in front of it): answering late, or never, is worse than the rare
  duplicate. What could not be written (the claim, `sending`, `done`) is written later
  by a background task, so other replicas recognise the update once the lock is gone.
  Flood control lets the message through and the send schedule falls back to this
  process's own pacing meanwhile. After a failure the same kind of step does not try
  the database again for `DEGRADED_PAUSE` (2 s), so a locked table costs a second now
  and then, not a second per message. Each of these is logged at most once a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import enum
import logging
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
from psycopg.rows import TupleRow

from bot.storage.flood import Admission
from bot.storage.pgpool import AsyncPool, connection_pool

log = logging.getLogger(__name__)


RELOAD_CHANNEL = "pilkada_reload"
# First key of the two-int advisory locks (these, and postgres.py's migration lock), so ours
# never collide with another program's.
LOCK_SPACE = 0x50_4B_42  # "PKB"
_TAKEOVER_POLL = 0.05  # seconds between two looks at an update another replica is handling
_LOCK_POLL = 0.5  # seconds between two tries of a lock another replica holds
# A coordination statement waits at most this long for a lock someone else holds, and
# runs at most STATEMENT_TIMEOUT; a connection from the pool is waited for POOL_WAIT.
LOCK_TIMEOUT = 1.0
STATEMENT_TIMEOUT = 5.0
POOL_WAIT = 2.0
PRESENCE_BACKOFF = (0.1, 5.0)  # first wait and longest wait between two tries to reconnect
# After a server restart, claims made before it are not taken over for this long: their
# owners (alive, reconnecting with PRESENCE_BACKOFF) take them back first.
RESTART_GRACE = 10.0
_WRITE_LATER_BACKOFF = (0.5, 5.0)
_WRITE_LATER_MAX = 100_000  # claims waiting to be written; the oldest are dropped beyond this
_DEGRADED_LOG_INTERVAL = 60.0
# After a coordination step failed, the same kind of step skips the database for this long
# (each try may wait LOCK_TIMEOUT: a locked table must not cost every message a second).
DEGRADED_PAUSE = 2.0
HANDLED_UPDATES_KEPT = dt.timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours

# Appended to the PostgreSQL schema (bot/storage/postgres_migrations.py): the tables and functions below use.
SCHEMA = """
CREATE TABLE handled_updates (
    update_id   BIGINT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('handling', 'sending', 'done')),
    owner_pid   INTEGER NOT NULL,
    owner_start TIMESTAMPTZ NOT NULL,
    claimed_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX handled_updates_by_time ON handled_updates (claimed_at);

-- One row per schedule: the earliest moment (epoch seconds, the server's clock) the next
-- message may go out.
CREATE TABLE send_pacer (
    name    TEXT PRIMARY KEY,
    next_at DOUBLE PRECISION NOT NULL
);
CREATE FUNCTION pacer_reserve(p_name TEXT, p_interval DOUBLE PRECISION) RETURNS DOUBLE PRECISION
LANGUAGE plpgsql AS $$
DECLARE
    now_s DOUBLE PRECISION := extract(epoch FROM clock_timestamp());
    slot DOUBLE PRECISION;
BEGIN
    INSERT INTO send_pacer AS p (name, next_at) VALUES (p_name, now_s + p_interval)
        ON CONFLICT (name) DO UPDATE SET next_at = greatest(p.next_at, now_s) + p_interval
        RETURNING p.next_at - p_interval INTO slot;
    RETURN greatest(slot - now_s, 0);  -- seconds to wait for the reserved slot
END $$;

-- Flood control: the times (epoch seconds) of each user's last `limit` messages.
CREATE UNLOGGED TABLE flood_senders (
    user_hash TEXT PRIMARY KEY,
    times     DOUBLE PRECISION[] NOT NULL,
    warned    BOOLEAN NOT NULL,
    seen      DOUBLE PRECISION NOT NULL
);
CREATE INDEX flood_senders_by_seen ON flood_senders (seen);
CREATE FUNCTION flood_check(p_user TEXT, p_limit INTEGER, p_window DOUBLE PRECISION) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
    now_s DOUBLE PRECISION := extract(epoch FROM clock_timestamp());
    was_warned BOOLEAN;
    kept DOUBLE PRECISION[];
    flooding BOOLEAN;
BEGIN
    INSERT INTO flood_senders (user_hash, times, warned, seen) VALUES (p_user, '{}', false, now_s)
        ON CONFLICT (user_hash) DO NOTHING;
    SELECT warned, ARRAY(SELECT t FROM unnest(times) AS t WHERE t > now_s - p_window ORDER BY t)
        INTO was_warned, kept FROM flood_senders WHERE user_hash = p_user FOR UPDATE;
    flooding := cardinality(kept) >= p_limit;
    kept := kept || now_s;
    IF cardinality(kept) > p_limit THEN
        kept := kept[cardinality(kept) - p_limit + 1 :];
    END IF;
    UPDATE flood_senders SET times = kept, warned = flooding, seen = now_s WHERE user_hash = p_user;
    IF NOT flooding THEN
        RETURN 'allow';
    END IF;
    RETURN CASE WHEN was_warned THEN 'drop' ELSE 'warn' END;
END $$;
"""


class Handling(enum.Enum):
    """How `handle_once` dealt with one update."""

    HANDLED = "handled"  # handled here, now
    DUPLICATE = "duplicate"  # already handled (here or by another replica)
    MAYBE_SENT = "maybe-sent"  # its first handler died after it may have answered: not answered again


@dataclass(frozen=True, slots=True)
class Presence:
    """Who a replica is, as PostgreSQL sees it: its presence connection's backend."""

    pid: int
    started: dt.datetime


class _Claim:
    """The update this task is handling under `handle_once`, until its first message is marked."""

    __slots__ = ("local", "marked", "update_id")

    def __init__(self, update_id: int) -> None:
        self.update_id = update_id
        self.marked = False
        self.local = False  # the database could not be reached: handled on what this process knows


_current_claim: contextvars.ContextVar[_Claim | None] = contextvars.ContextVar("pilkada_update_claim", default=None)
# The (reminder key, chat id) a reminder round is sending to in this task, if any.
_current_reminder: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar(
    "pilkada_reminder_claim", default=None
)


@contextlib.contextmanager
def sending_reminder(reminder_key: str, chat_id: int) -> Iterator[None]:
    """While a round sends `reminder_key` to `chat_id`: before_send marks that claim 'sending'."""
    token = _current_reminder.set((reminder_key, chat_id))
    try:
        yield
    finally:
        _current_reminder.reset(token)


class Replicas(Protocol):
    """What the Telegram layer asks of "the other replicas" (none, with SQLite)."""

    shared: bool  # False: one process, nothing shared (flood control and pacing stay local)

    async def handle_once(self, update_id: int, handle: Callable[[], Awaitable[None]]) -> Handling: ...

    async def before_send(self) -> None:
        """Called before every message the bot sends; marks the current update (or reminder claim) `sending`."""

    async def release_unsent(self, reminder_key: str) -> int:
        """Under the round's lock: delete claims of `reminder_key` no send was started for; how many."""

    def exclusive(self, name: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold `name` against the other replicas (waits for it)."""

    async def reserve_send(self, interval: float) -> float:
        """Reserve the next send slot on a schedule of one message per `interval` s; seconds to wait."""

    async def flood_check(self, user_id: int, limit: int, window: float) -> Admission: ...

    async def announce_reload(self) -> None: ...

    def listen_for_reload(self, on_reload: Callable[[bool], Awaitable[None]]) -> None:
        """Call `on_reload(from_me)` for each reload announced by any replica, until close()."""

    async def forget_old_updates(self, older_than: dt.timedelta = HANDLED_UPDATES_KEPT) -> int: ...

    async def close(self) -> None: ...


def _lock_key(name: str) -> int:
    """A stable 32-bit signed key for a lock name (crc32: the same in every process)."""
    value = zlib.crc32(name.encode())
    return value - 2**32 if value >= 2**31 else value


class PostgresReplicas:
    """The shared implementation (see the module docstring). Create with `await PostgresReplicas.open(...)`."""

    shared = True

    def __init__(
        self,
        pool: AsyncPool,
        presence: psycopg.AsyncConnection[TupleRow],
        me: Presence,
        hash_user: Callable[[int], str],
        conninfo: str,
        connect_kwargs: dict[str, Any],
        hash_chat: Callable[[int], str] = str,
    ) -> None:
        self._pool = pool
        self._presence = presence
        self.me = me
        self._hash_user = hash_user
        self._hash_chat = hash_chat
        self._conninfo = conninfo
        self._connect_kwargs = connect_kwargs
        self._listener: asyncio.Task[None] | None = None
        self._present = asyncio.Event()  # set while the presence connection is known to be alive
        self._present.set()
        self._watcher: asyncio.Task[None] | None = None
        self._write_later: dict[int, str] = {}  # update_id -> state still to be written ('release': delete)
        self._writer: asyncio.Task[None] | None = None
        self._local_next = 0.0  # this process's own send schedule, while the shared one cannot be reached
        self._degraded_logged: dict[str, float] = {}
        self._paused_until: dict[str, float] = {}
        self.takeovers = 0  # updates taken over from a replica that was gone
        self.maybe_sent = 0  # of those, updates not answered again
        self.handled_locally = 0  # updates handled without a claim in the database (it could not be reached)
        self.presence_restored = 0  # times the presence connection was opened again

    @classmethod
    async def open(
        cls,
        conninfo: str,
        connect_kwargs: dict[str, Any],
        hash_user: Callable[[int], str],
        *,
        hash_chat: Callable[[int], str] = str,
        pool_size: int = 8,
    ) -> PostgresReplicas:
        """Connect the presence connection and a small pool (coordination commits need not wait for disk)."""
        kwargs = {**connect_kwargs, "autocommit": True}
        presence, me = await _connect_presence(conninfo, kwargs)
        try:
            options = (
                "-c synchronous_commit=off"
                f" -c lock_timeout={int(LOCK_TIMEOUT * 1000)} -c statement_timeout={int(STATEMENT_TIMEOUT * 1000)}"
            )
            pool = connection_pool(conninfo, {**kwargs, "options": options}, pool_size, "replicas")
            await pool.open(wait=True, timeout=30)
        except BaseException:
            await presence.close()
            raise
        replicas = cls(pool, presence, me, hash_user, conninfo, kwargs, hash_chat)
        replicas._watcher = asyncio.create_task(replicas._watch_presence(), name="replica presence")
        return replicas

    async def close(self) -> None:
        """Stop listening, write what is left to write (briefly), and close the connections (idempotent)."""
        for task in (self._listener, self._watcher, self._writer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = self._watcher = self._writer = None
        if self._write_later:
            with contextlib.suppress(psycopg.Error, TimeoutError):
                await asyncio.wait_for(self._write_pending(), LOCK_TIMEOUT + 1)
        await self._pool.close()
        await self._presence.close()

    # ------------------------------------------------------------------ presence

    async def _watch_presence(self) -> None:
        """Notice at once when the presence connection is lost, and open it again with back-off."""
        while True:
            try:
                async for _ in self._presence.notifies():
                    pass
            except psycopg.Error as exc:
                lost = time.monotonic()
                self._present.clear()
                log.warning(
                    "Lost the connection that shows the other replicas this one is alive (%s); reconnecting",
                    _one_line(exc),
                )
                presence, me = await self._reconnect_presence()
                with contextlib.suppress(psycopg.Error):
                    await self._presence.close()
                old, self._presence, self.me = self.me, presence, me
                await self._reown(old)
                self.presence_restored += 1
                self._present.set()
                log.info("Presence connection open again after %.1f s", time.monotonic() - lost)

    async def _reconnect_presence(self) -> tuple[psycopg.AsyncConnection[TupleRow], Presence]:
        delay, longest = PRESENCE_BACKOFF
        while True:
            try:
                return await _connect_presence(self._conninfo, self._connect_kwargs)
            except psycopg.Error:
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)

    async def _reown(self, old: Presence) -> None:
        """Claims held under our lost presence are ours again (unless another replica took them over meanwhile)."""
        try:
            async with self._pool.connection(timeout=POOL_WAIT) as conn:
                await conn.execute(
                    "UPDATE handled_updates SET owner_pid = %s, owner_start = %s"
                    " WHERE owner_pid = %s AND owner_start = %s AND state <> 'done'",
                    (self.me.pid, self.me.started, old.pid, old.started),
                )
        except psycopg.OperationalError as exc:
            self._degraded("reown", exc)

    async def _usable_presence(self) -> bool:
        """True once the presence connection is alive (waits up to LOCK_TIMEOUT while it is being reopened)."""
        if self._present.is_set():
            return True
        try:
            await asyncio.wait_for(self._present.wait(), LOCK_TIMEOUT)
        except TimeoutError:
            return False
        return True

    def _check_paused(self, what: str) -> None:
        """OperationalError if steps of this kind failed a moment ago (see DEGRADED_PAUSE)."""
        if time.monotonic() < self._paused_until.get(what, 0.0):
            raise _Paused("the database failed a moment ago; not tried again yet")

    def _degraded(self, what: str, exc: BaseException) -> None:
        """Note a coordination step that could not reach the database; logged at most once a minute per kind."""
        now = time.monotonic()
        if isinstance(exc, _Paused):
            return  # the pause runs from the failure that started it, and was logged then
        self._paused_until[what] = now + DEGRADED_PAUSE
        if now - self._degraded_logged.get(what, -_DEGRADED_LOG_INTERVAL) >= _DEGRADED_LOG_INTERVAL:
            self._degraded_logged[what] = now
            log.warning(
                "Replicas: %s could not reach the database (%s); going on without it (logged at most once a minute)",
                _DEGRADED_WHAT.get(what, what),
                _one_line(exc),
            )

    # ------------------------------------------------------------------ each update once

    async def handle_once(self, update_id: int, handle: Callable[[], Awaitable[None]]) -> Handling:
        """Run `handle` unless another replica handles or handled this update (see the module docstring).

        If `handle` raises, the claim is given up (a redelivery runs it again) unless a
        message had already gone out for it. If the claim cannot be made in time (the
        table locked, the server unreachable), the update is handled here all the same
        and its claim written later (see the module docstring).
        """
        claim = _Claim(update_id)
        owner_seen = False  # another live replica was seen handling it: wait for it, whatever happens
        while True:
            try:
                if not owner_seen:
                    self._check_paused("claim")
                if not await self._usable_presence():
                    raise psycopg.OperationalError("the presence connection is being reopened")
                state = await self._claim(update_id)
                if state is None:
                    break  # claimed by us
                if state == "done":
                    return Handling.DUPLICATE
                taken = await self._take_over(update_id)
            except psycopg.OperationalError as exc:
                if owner_seen:
                    await asyncio.sleep(_TAKEOVER_POLL)
                    continue
                self._degraded("claim", exc)
                claim.local = True
                self.handled_locally += 1
                break
            if taken is None:  # its owner is alive and handling it: wait for it
                owner_seen = True
                await asyncio.sleep(_TAKEOVER_POLL)
                continue
            self.takeovers += 1
            if taken == "sending":
                self.maybe_sent += 1
                log.warning(
                    "Update %d: the replica handling it stopped after it may have answered; not answered again",
                    update_id,
                )
                await self._record(update_id, "done")
                return Handling.MAYBE_SENT
            log.info("Update %d: taken over from a replica that stopped before answering it", update_id)
            break
        token = _current_claim.set(claim)
        try:
            await handle()
        except BaseException:
            if claim.local:
                if claim.marked:  # answered (maybe): the others must not answer it again
                    self._later(update_id, "done")
            elif claim.marked:
                await asyncio.shield(self._record(update_id, "done"))
            else:
                await asyncio.shield(self._record(update_id, "release"))
            raise
        finally:
            _current_claim.reset(token)
        if claim.local:
            self._later(update_id, "done")  # the database was just unreachable: do not wait for it again now
        else:
            await self._record(update_id, "done")
        return Handling.HANDLED

    async def _record(self, update_id: int, state: str) -> None:
        """Write the claim's new state ('sending', 'done', or 'release': delete it); never raises for the database.

        If the database cannot be reached in time, the state is kept and written later by
        a background task (the latest state per update wins).
        """
        try:
            await self._write_states({update_id: state})
        except psycopg.OperationalError as exc:
            self._degraded("record", exc)
            self._later(update_id, state)

    def _later(self, update_id: int, state: str) -> None:
        """Keep a claim's state for the background writer (the database could not take it now)."""
        self._write_later.pop(update_id, None)
        self._write_later[update_id] = state
        while len(self._write_later) > _WRITE_LATER_MAX:
            self._write_later.pop(next(iter(self._write_later)))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_later_loop(), name="replica claims written later")

    async def _write_states(self, states: dict[int, str]) -> None:
        """Claims set to these states (inserted if missing, e.g. one handled while the table was locked)."""
        release = [update_id for update_id, state in states.items() if state == "release"]
        upsert = [(update_id, state) for update_id, state in states.items() if state != "release"]
        async with self._pool.connection(timeout=POOL_WAIT) as conn, conn.transaction():
            if upsert:
                await conn.execute(
                    # A claim another replica made meanwhile stays theirs.
                    "INSERT INTO handled_updates AS h (update_id, state, owner_pid, owner_start)"
                    " SELECT u, s, %s, %s FROM unnest(%s::bigint[], %s::text[]) AS t(u, s)"
                    " ON CONFLICT (update_id) DO UPDATE SET state = excluded.state"
                    " WHERE h.owner_pid = excluded.owner_pid AND h.owner_start = excluded.owner_start",
                    (self.me.pid, self.me.started, [u for u, _ in upsert], [st for _, st in upsert]),
                )
            if release:
                await conn.execute(
                    "DELETE FROM handled_updates WHERE update_id = ANY(%s) AND owner_pid = %s AND owner_start = %s",
                    (release, self.me.pid, self.me.started),
                )

    async def _write_pending(self) -> None:
        batch = dict(self._write_later)
        await self._write_states(batch)
        for update_id, state in batch.items():
            if self._write_later.get(update_id) == state:
                del self._write_later[update_id]

    async def _write_later_loop(self) -> None:
        delay, longest = _WRITE_LATER_BACKOFF
        while self._write_later:
            await asyncio.sleep(delay)
            try:
                if await self._usable_presence():
                    await self._write_pending()
                    self._paused_until.clear()  # the database took them: no need to wait any longer
                    delay = _WRITE_LATER_BACKOFF[0]
                    if not self._write_later:
                        log.info("Replicas: the claims that had to wait are written")
                    continue
            except psycopg.OperationalError as exc:
                self._degraded("record", exc)
            delay = min(delay * 2, longest)

    async def _claim(self, update_id: int) -> str | None:
        """None if we claimed the update now, else the state another claim has."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "WITH mine AS (INSERT INTO handled_updates (update_id, state, owner_pid, owner_start)"
                " VALUES (%s, 'handling', %s, %s) ON CONFLICT (update_id) DO NOTHING RETURNING 1)"
                " SELECT (SELECT count(*) FROM mine),"
                " (SELECT state FROM handled_updates WHERE update_id = %s)",
                (update_id, self.me.pid, self.me.started, update_id),
            )
            row = await cursor.fetchone()
        assert row is not None
        if row[0]:
            return None
        # Claimed by someone else (the row may have been deleted again in between: try again).
        return str(row[1]) if row[1] is not None else "handling"

    async def _take_over(self, update_id: int) -> str | None:
        """Make us the owner if the current owner's connection is gone; its state then, or None."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                # The state is not changed here: RETURNING gives the one the old owner left.
                "UPDATE handled_updates AS h SET owner_pid = %s, owner_start = %s, claimed_at = clock_timestamp()"
                " WHERE h.update_id = %s AND h.state <> 'done' AND NOT EXISTS"
                "  (SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = h.owner_pid AND a.backend_start = h.owner_start)"
                # An owner from before the server's last restart lost its presence with the
                # restart, not necessarily its life: it gets RESTART_GRACE to come back.
                "  AND (h.owner_start >= pg_postmaster_start_time()"
                "       OR pg_postmaster_start_time() < clock_timestamp() - %s)"
                " RETURNING h.state",
                (self.me.pid, self.me.started, update_id, dt.timedelta(seconds=RESTART_GRACE)),
            )
            row = await cursor.fetchone()
        return None if row is None else str(row[0])

    async def before_send(self) -> None:
        if (reminder := _current_reminder.get()) is not None:
            key, chat_id = reminder
            async with self._pool.connection() as conn:
                await conn.execute(
                    "UPDATE sent_reminders SET state = 'sending' WHERE reminder_key = %s AND chat_hash = %s",
                    (key, self._hash_chat(chat_id)),
                )
            return
        claim = _current_claim.get()
        if claim is None or claim.marked:
            return
        claim.marked = True
        if not claim.local:  # a claim only this process knows needs no mark: it is written 'done' later
            await self._record(claim.update_id, "sending")

    async def release_unsent(self, reminder_key: str) -> int:
        # Rounds of one reminder run one at a time (`exclusive`): a claim still 'claimed'
        # when the next round starts belongs to a round that ended without sending it.
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "DELETE FROM sent_reminders WHERE reminder_key = %s AND state = 'claimed'", (reminder_key,)
            )
            return cursor.rowcount

    async def forget_old_updates(self, older_than: dt.timedelta = HANDLED_UPDATES_KEPT) -> int:
        """Delete update claims older than `older_than` (and flood rows of idle users); rows deleted."""
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = '5min'")  # two days of claims may take a while
            cursor = await conn.execute(
                "DELETE FROM handled_updates WHERE claimed_at < clock_timestamp() - %s", (older_than,)
            )
            count = cursor.rowcount
            await conn.execute("DELETE FROM flood_senders WHERE seen < extract(epoch FROM clock_timestamp()) - 3600")
        return count

    # ------------------------------------------------------------------ one at a time

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """Hold the advisory lock `name` on a connection of its own while the block runs.

        Waits (trying every half second) while another replica holds it. If this process
        dies, its connection closes and PostgreSQL releases the lock for the next one.
        """
        conn = await psycopg.AsyncConnection.connect(self._conninfo, **self._connect_kwargs)
        try:
            key = (LOCK_SPACE, _lock_key(name))
            while True:
                row = await (await conn.execute("SELECT pg_try_advisory_lock(%s, %s)", key)).fetchone()
                if row is not None and row[0]:
                    break
                await asyncio.sleep(_LOCK_POLL)
            try:
                yield
            finally:
                with contextlib.suppress(psycopg.Error):
                    await conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        finally:
            await conn.close()

    # ------------------------------------------------------------------ shared limits

    async def reserve_send(self, interval: float) -> float:
        """The next slot of the shared schedule; this process's own schedule while the database cannot be reached."""
        try:
            self._check_paused("pacer")
            # A busy pool is no reason to pace alone (that risks 429s): wait longer for it here.
            async with self._pool.connection(timeout=STATEMENT_TIMEOUT) as conn:
                row = await (await conn.execute("SELECT pacer_reserve('overall', %s)", (interval,))).fetchone()
        except psycopg.OperationalError as exc:
            self._degraded("pacer", exc)
            now = time.monotonic()
            slot = max(now, self._local_next)
            self._local_next = slot + interval
            return slot - now
        assert row is not None
        return float(row[0])

    async def flood_check(self, user_id: int, limit: int, window: float) -> Admission:
        """The shared verdict; ALLOW while the database cannot be reached (an answer is worth more than the count)."""
        try:
            self._check_paused("flood")
            async with self._pool.connection(timeout=POOL_WAIT) as conn:
                cursor = await conn.execute("SELECT flood_check(%s, %s, %s)", (self._hash_user(user_id), limit, window))
                row = await cursor.fetchone()
        except psycopg.OperationalError as exc:
            self._degraded("flood", exc)
            return Admission.ALLOW
        assert row is not None
        return Admission(row[0])

    # ------------------------------------------------------------------ /reload

    async def announce_reload(self) -> None:
        """Tell every replica (this one included, if it listens) to reload the knowledge base."""
        async with self._pool.connection() as conn:
            await conn.execute("SELECT pg_notify(%s, %s)", (RELOAD_CHANNEL, str(self.me.pid)))

    def listen_for_reload(self, on_reload: Callable[[bool], Awaitable[None]]) -> None:
        """Call `on_reload(from_me)` for every reload announced from now on, until close()."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(on_reload), name="reload listener")

    async def _listen(self, on_reload: Callable[[bool], Awaitable[None]]) -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self._conninfo, **self._connect_kwargs)
                async with conn:
                    await conn.execute(f"LISTEN {RELOAD_CHANNEL}")
                    async for notify in conn.notifies():
                        try:
                            await on_reload(notify.payload == str(self.me.pid))
                        except Exception:
                            log.exception("Reload announced by another replica failed here")
            except psycopg.Error as exc:
                log.warning("Listening for /reload from other replicas failed (%s); trying again in 5 s", exc)
                await asyncio.sleep(5)


class _Paused(psycopg.OperationalError):
    """A coordination step not tried, since the same kind failed less than DEGRADED_PAUSE ago."""


_DEGRADED_WHAT = {
    "claim": "claiming an update (it is handled here anyway, its claim written later)",
    "record": "recording an update's state (written later)",
    "reown": "taking back this replica's claims after reconnecting",
    "pacer": "the shared send schedule (this process paces alone meanwhile)",
    "flood": "shared flood control (messages are let through meanwhile)",
}


async def _connect_presence(
    conninfo: str, kwargs: dict[str, Any]
) -> tuple[psycopg.AsyncConnection[TupleRow], Presence]:
    """A presence connection and who it says we are (its backend's pid and start time)."""
    # The server notices a vanished client machine through keepalives within ~20 s.
    presence = await psycopg.AsyncConnection.connect(
        conninfo, **kwargs, keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=2
    )
    try:
        cursor = await presence.execute("SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        row = await cursor.fetchone()
        assert row is not None
        return presence, Presence(int(row[0]), row[1])
    except BaseException:
        await presence.close()
        raise


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


class LocalReplicas:
    """One process, nothing shared: the stand-in for SQLite. Updates are deduplicated by the webhook server."""

    shared = False

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    async def handle_once(self, update_id: int, handle: Callable[[], Awaitable[None]]) -> Handling:
        await handle()
        return Handling.HANDLED

    async def before_send(self) -> None:
        return None

    async def release_unsent(self, reminder_key: str) -> int:
        return 0  # one process: a claim it made and did not send was cancelled at shutdown (maybe sent)

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        async with self._locks.setdefault(name, asyncio.Lock()):
            yield

    async def reserve_send(self, interval: float) -> float:
        return 0.0

    async def flood_check(self, user_id: int, limit: int, window: float) -> Admission:
        return Admission.ALLOW

    async def announce_reload(self) -> None:
        return None

    def listen_for_reload(self, on_reload: Callable[[bool], Awaitable[None]]) -> None:
        return None

    async def forget_old_updates(self, older_than: dt.timedelta = HANDLED_UPDATES_KEPT) -> int:
        return 0

    async def close(self) -> None:
        return None
