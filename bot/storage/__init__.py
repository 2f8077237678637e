"""The bot's storage: one interface, two back ends.

- `interface.py`: the `Store` protocol and the figures staff see;
- `sqlite.py` (+ `sqlite_migrations.py`): one SQLite file, the default for one process;
- `postgres.py` (+ `postgres_migrations.py`): PostgreSQL, for several replicas;
- `sql.py`: the statements both back ends run, written once, and the Dialect that spells them;
- `sqlstore.py`: the Store methods both back ends share (SqlStore), written once, with
  small hooks for what differs;
- `salt.py`: the salt and the hashing of ids, shared, no SQL;
- `recording.py`: the Recorder both back ends share (events in batches, what a question
  leaves in the tables), no SQL;
- `rows.py`: the staff figures made from either back end's query rows, no SQL;
- `replicas.py`: what several replicas agree on (each update once, one reminder round
  at a time, one send budget, flood control, /reload), with a local stand-in;
- `events.py`: the Recorder protocol front ends report to, and BufferedRecorder;
- `redaction.py`: NIK, phone numbers, e-mail and addresses out of what is stored;
- `flood.py`: per-user flood control and the inline-query throttle, in memory, no SQL.

`open_store(bot.database)` picks the back end: a `postgresql://` URL or a file path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import psycopg

from bot.clock import Clock, utc_now
from bot.storage.interface import (
    EntryFeedback,
    FeedbackComment,
    Stats,
    StorageError,
    Store,
    UnansweredKind,
    UnansweredRow,
)
from bot.storage.postgres import PASSWORD_ENV, PostgresStore, describe_url, is_postgres_url
from bot.storage.replicas import LocalReplicas, PostgresReplicas, Replicas
from bot.storage.salt import SALT_ENV, SALT_FILE_ENV, load_or_create_salt, salt_path, salt_warning
from bot.storage.sqlite import SqliteStore

__all__ = [
    "PASSWORD_ENV",
    "SALT_ENV",
    "SALT_FILE_ENV",
    "EntryFeedback",
    "FeedbackComment",
    "LocalReplicas",
    "PostgresReplicas",
    "PostgresStore",
    "Replicas",
    "SqliteStore",
    "Stats",
    "StorageError",
    "Store",
    "UnansweredKind",
    "UnansweredRow",
    "describe_url",
    "is_postgres_url",
    "load_or_create_salt",
    "open_replicas",
    "open_store",
    "salt_path",
    "salt_warning",
]


async def open_store(
    database: Path | str,
    *,
    timezone: dt.tzinfo = dt.UTC,
    clock: Clock = utc_now,
    environ: Mapping[str, str] | None = None,
) -> Store:
    """Open `database` (bot.database): PostgreSQL for a `postgresql://` URL, else the SQLite file at that path."""
    if is_postgres_url(database):
        return await PostgresStore.open(str(database), timezone=timezone, clock=clock, environ=environ)
    return await SqliteStore.open(Path(database), timezone=timezone, clock=clock, environ=environ)


async def open_replicas(store: Store) -> Replicas:
    """What the replicas share, through `store`'s database: nothing to share for SQLite (one process)."""
    if isinstance(store, PostgresStore):
        try:
            return await PostgresReplicas.open(
                store.url, store.connect_kwargs, store.user_hash, hash_chat=store.chat_hash
            )
        except psycopg.Error as exc:
            raise StorageError(Path(store.where), f"cannot connect to the database {store.where}: {exc}") from exc
    return LocalReplicas()
