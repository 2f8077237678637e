"""The bot's memory in PostgreSQL, for several replicas sharing one database (docs/scaling.md).

The same rows and the same behaviour as the SQLite store (bot/storage/sqlite.py): the
Store methods are SqlStore's (bot/storage/sqlstore.py), run through a psycopg 3 async
connection pool. The URL comes from `bot.database`
(`postgresql://user@host:port/db`); the password never sits in it: it comes from
PILKADA_BOT_DATABASE_PASSWORD (or libpq's own PGPASSWORD / ~/.pgpass). The salt must
be given (PILKADA_BOT_SALT), the same on every replica: there is no file beside a
database server to keep it in.

Migrations: `MIGRATIONS` below, applied in one transaction under an advisory lock, so
replicas starting together apply each exactly once (the others wait, then find the
schema current). The version is kept in `schema_version`.

Privacy, where PostgreSQL differs from SQLite: a deleted row is gone from every query
at once, but its bytes stay in the table file until VACUUM reuses the space, and in
the write-ahead log and any backup until those are recycled; PostgreSQL has nothing
like SQLite's secure_delete. `forget_user` and `unsubscribe` VACUUM the tables they
deleted from (best effort, so the space is marked for reuse), and the privacy note
says how long the server keeps WAL and backups (deploy/compose.yaml keeps no backups).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import zlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import PoolTimeout

from bot.clock import Clock, utc_now
from bot.storage import sql
from bot.storage.events import SuggestionChosen
from bot.storage.interface import StorageError
from bot.storage.pgpool import AsyncPool, connection_pool
from bot.storage.postgres_migrations import MIGRATIONS
from bot.storage.recording import EventWriter
from bot.storage.replicas import LOCK_SPACE
from bot.storage.salt import SALT_ENV, SALT_FILE_ENV, salt_from_environment
from bot.storage.sql import POSTGRES
from bot.storage.sqlstore import SqlStore

log = logging.getLogger(__name__)

PASSWORD_ENV = "PILKADA_BOT_DATABASE_PASSWORD"
_MIGRATION_LOCK = zlib.crc32(b"migrations") - 2**31
_CONNECT_TIMEOUT = 10


def is_postgres_url(database: str | Path) -> bool:
    return isinstance(database, str) and re.match(r"postgres(ql)?://", database) is not None


def describe_url(url: str) -> str:
    """The URL as it may be shown in logs and errors (any password replaced)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def connect_kwargs(url: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Connection settings for `url`: the password from the environment; StorageError for a password in the URL."""
    if urlsplit(url).password is not None:
        raise StorageError(
            Path(describe_url(url)),
            f"bot.database must not contain the password; set {PASSWORD_ENV} in the environment instead",
        )
    # The process id in application_name: pg_stat_activity then says which replica holds what.
    kwargs: dict[str, Any] = {"connect_timeout": _CONNECT_TIMEOUT, "application_name": f"pilkada-bot {os.getpid()}"}
    if password := environ.get(PASSWORD_ENV):
        kwargs["password"] = password
    return kwargs


def _required_salt(where: str, environ: Mapping[str, str]) -> bytes:
    salt = salt_from_environment(Path(where), environ)
    if salt is None:
        raise StorageError(
            Path(where),
            f"{SALT_ENV} (or {SALT_FILE_ENV}) must be set with PostgreSQL, the same on every replica; "
            "generate one with `openssl rand -hex 32` and keep it apart from the database's backups",
        )
    return salt


class PostgresStore(SqlStore[psycopg.AsyncConnection[TupleRow]]):
    """The bot's data in PostgreSQL. Create with `await PostgresStore.open(url)`."""

    # DataError: U+0000 in text (refused before it is sent) and SQLSTATE class 22; IntegrityError: class 23.
    # Not OperationalError (the server or the connection), nor PoolTimeout.
    refusals = (*EventWriter.refusals, psycopg.DataError, psycopg.IntegrityError)
    dialect = POSTGRES
    FEEDBACK_TOTALS = (  # positive is a boolean
        "SELECT entry_id, count(*) FILTER (WHERE positive), count(*) FILTER (WHERE NOT positive)"
        " FROM feedback GROUP BY entry_id ORDER BY entry_id"
    )

    def __init__(
        self,
        pool: AsyncPool,
        url: str,
        kwargs: dict[str, Any],
        salt: bytes,
        timezone: dt.tzinfo,
        clock: Clock,
    ) -> None:
        super().__init__(salt, timezone, clock)
        self._pool = pool
        self.url = url
        self.connect_kwargs = kwargs

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    async def open(
        cls,
        url: str,
        salt: bytes | None = None,
        *,
        timezone: dt.tzinfo = dt.UTC,
        clock: Clock = utc_now,
        environ: Mapping[str, str] | None = None,
        migrations: Sequence[str] = MIGRATIONS,
        pool_size: int = 10,
    ) -> PostgresStore:
        """Connect, migrate (once across replicas) and check the salt. Raises StorageError in one line."""
        env = os.environ if environ is None else environ
        where = describe_url(url)
        kwargs = connect_kwargs(url, env)
        if salt is None:
            salt = _required_salt(where, env)
        try:
            # One connection first: its error is the server's own, at once (the pool would
            # retry quietly until its timeout and then only say that it timed out).
            first = await psycopg.AsyncConnection.connect(url, **kwargs)
        except psycopg.Error as exc:
            raise StorageError(Path(where), f"cannot connect to the database {where}: {_one_line(exc)}") from exc
        await first.close()
        pool = connection_pool(url, {**kwargs, "autocommit": True}, pool_size, "store")
        try:
            await pool.open(wait=True, timeout=_CONNECT_TIMEOUT)
        except PoolTimeout as exc:
            await pool.close()
            raise StorageError(Path(where), f"cannot connect to the database {where}: {exc}") from exc
        try:
            store = cls(pool, url, kwargs, salt, timezone, clock)
            await store._migrate(migrations)
            await store._check_salt()
        except psycopg.Error as exc:
            await pool.close()
            raise StorageError(Path(where), f"cannot use the database {where}: {_one_line(exc)}") from exc
        except BaseException:
            await pool.close()
            raise
        return store

    async def close(self) -> None:
        await self._pool.close()

    @property
    def where(self) -> str:
        return describe_url(self.url)

    async def verify(self) -> None:
        """Nothing to check: unlike a SQLite file, a server cannot be deleted from under an open connection.

        Writes to a server that went away fail with StorageError-worthy errors on their own.
        """

    def watch(self, interval: float, on_lost: Callable[[StorageError], None]) -> None:
        """Nothing to watch (see verify)."""

    async def schema_version(self) -> int:
        row = await self._fetchone("SELECT version FROM schema_version")
        return int(row[0])

    async def _migrate(self, migrations: Sequence[str]) -> None:
        """All missing migrations in one transaction, under a lock the other replicas wait for."""
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, _MIGRATION_LOCK))
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = await (await conn.execute("SELECT version FROM schema_version")).fetchone()
            if row is None:
                await conn.execute("INSERT INTO schema_version VALUES (0)")
            version = 0 if row is None else int(row[0])
            if version > len(migrations):
                raise StorageError(
                    Path(self.where),
                    f"{self.where} has schema version {version} but this pilkada-bot knows only up to "
                    f"{len(migrations)}; upgrade pilkada-bot on every replica",
                )
            for target in range(version + 1, len(migrations) + 1):
                await conn.execute(migrations[target - 1].encode())  # bytes: several statements, no parameters
                log.info("database %s upgraded to schema version %d", self.where, target)
            await conn.execute("UPDATE schema_version SET version = %s", (len(migrations),))

    async def _check_salt(self) -> None:
        check = self._ids.check_value()
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ('salt_check', %s) ON CONFLICT (key) DO NOTHING", (check,)
            )
            row = await (await conn.execute(POSTGRES(sql.SALT_CHECK))).fetchone()
        if row is None or row[0] != check:
            raise StorageError(
                Path(self.where),
                f"{self.where} was written with another salt: set {SALT_ENV} to the original value on every replica",
            )

    # ------------------------------------------------------------------ helpers

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[TupleRow]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[psycopg.AsyncConnection[TupleRow]]:
        async with self._pool.connection() as conn, conn.transaction():
            yield conn

    async def _execute(self, conn: psycopg.AsyncConnection[TupleRow], sql: str, params: Sequence[Any] = ()) -> None:
        await conn.execute(sql, params)

    def _day(self, day: dt.date) -> dt.date:
        return day

    def _moment(self, moment: dt.datetime) -> dt.datetime:
        return moment

    def _read_moment(self, stored: dt.datetime) -> dt.datetime:
        """A timestamptz as read (in the session's time zone) in UTC, as the SQLite store returns it."""
        return stored.astimezone(dt.UTC)

    async def _erased(self, *tables: str) -> None:
        """VACUUM `tables`: mark the space of deleted rows for reuse at once (best effort; see the module docstring)."""
        try:
            async with self._pool.connection() as conn:
                await conn.execute(f"VACUUM {', '.join(tables)}")
        except psycopg.Error as exc:
            log.warning("VACUUM after a privacy delete failed: %s", exc)

    # ------------------------------------------------------------------ Recorder (bot/storage/recording.py)

    @asynccontextmanager
    async def _batch(self) -> AsyncIterator[psycopg.AsyncConnection[TupleRow]]:
        """One transaction sent in one pipeline (one round trip for the batch)."""
        async with self._transaction() as conn, conn.pipeline():
            yield conn

    async def _insert_unanswered_question(
        self, conn: psycopg.AsyncConnection[TupleRow], question: Sequence[object], unanswered: Sequence[object]
    ) -> None:
        # One statement: the pipeline sends the batch without waiting for the question's id.
        await conn.execute(
            "WITH q AS (INSERT INTO questions (day, user_hash, outcome, entry_id, score)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id)"
            " INSERT INTO unanswered (question_id, asked_at, kind, normalized, best_entry, best_score)"
            " SELECT id, %s, %s, %s, %s, %s FROM q",
            (*question, *unanswered),
        )

    async def _resolve_suggestion(self, conn: psycopg.AsyncConnection[TupleRow], event: SuggestionChosen) -> None:
        await conn.execute(
            "WITH pending AS (SELECT u.id, u.question_id FROM unanswered AS u JOIN questions AS q"
            "   ON q.id = u.question_id WHERE q.user_hash = %s AND u.kind = 'suggest' AND u.resolved_entry IS NULL"
            "   ORDER BY u.id DESC LIMIT 1),"
            " resolved AS (UPDATE unanswered SET resolved_entry = %s WHERE id IN (SELECT id FROM pending))"
            " UPDATE questions SET entry_id = %s WHERE id IN (SELECT question_id FROM pending)",
            (self.user_hash(event.user_id), event.entry_id, event.entry_id),
        )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
