"""The bot's memory in one SQLite file: the default, for one process.

One SQLite file (path `bot.database` in config.yaml), opened with aiosqlite so no query
ever blocks the event loop. `SqliteStore` implements the Store interface
(bot/storage/interface.py): the Recorder protocol of bot/storage/events.py, the reminder
bookkeeping that bot/reminders.py needs, privacy and staff figures.

Privacy (what `/privasi` promises, see knowledge/messages.yaml):
- User ids are kept only as salted hashes (HMAC-SHA256, truncated). The salt comes from
  the file named by PILKADA_BOT_SALT_FILE, the PILKADA_BOT_SALT environment variable,
  or else `<database>.salt`, created once (mode 0600) beside the database. What the
  hash protects against: someone holding the database without the salt cannot tell
  whose rows they are. With the salt it protects little: Telegram ids are small
  enough to try one by one (a known id was found again in 5 s). So in production
  keep the salt away from the data folder and its backups (`salt_warning`).
- The only ids kept in clear are the chat ids of reminder subscribers (we must know
  where to send); unsubscribing deletes the row, and `secure_delete` plus a WAL
  checkpoint make sure the bytes are really gone from the file.
- No message text is kept, except the normalized text of questions the bot could not
  answer (fallbacks and unresolved "did you mean") and optional feedback comments:
  that log is how staff learn what to add to the knowledge base. Both are redacted
  first (NIK, phone numbers, e-mail addresses, street addresses: bot/storage/redaction.py).
- `forget_user` (/hapus) deletes everything stored about one user.

Schema changes: append a script to MIGRATIONS (bot/storage/sqlite_migrations.py), never
edit a released one. `SqliteStore.open` runs the missing ones in order, each in its own
transaction, and records the version in `PRAGMA user_version`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock, utc_now
from bot.storage import sql
from bot.storage.events import SuggestionChosen
from bot.storage.interface import StorageError
from bot.storage.recording import EventWriter
from bot.storage.redaction import redact
from bot.storage.salt import SALT_ENV, load_or_create_salt, salt_path
from bot.storage.sql import SQLITE
from bot.storage.sqlite_migrations import MIGRATIONS
from bot.storage.sqlstore import SqlStore

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 5000  # wait this long for another process (e.g. `pilkada-bot report`) to finish writing
_CHECKPOINT_RETRY = 0.5  # seconds between two tries of a privacy checkpoint another process held up
_LOCKED_PAUSE = 0.02  # seconds between two tries of a statement SQLite refused without waiting


def _file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, None if there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _has_data(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if "not a database" in text:
        return "not a SQLite database (file is not a database); move it away or fix bot.database in config.yaml"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"cannot write there ({text}); check that the file and its folder are writable by the bot"
    return text


class SqliteStore(SqlStore[aiosqlite.Connection]):
    """Async access to the bot's SQLite database. Create with `await SqliteStore.open(path)`.

    All statements go through one aiosqlite connection (one worker thread) and one
    asyncio lock, so a multi-statement transaction is never interleaved with another
    coroutine's statement. The Store methods themselves are SqlStore's (bot/storage/sqlstore.py).
    """

    # Not OperationalError (locked, full, read-only) nor ProgrammingError (a closed connection).
    refusals = (*EventWriter.refusals, sqlite3.DataError, sqlite3.IntegrityError, sqlite3.InterfaceError)
    dialect = SQLITE
    FEEDBACK_TOTALS = (  # positive is 0 or 1
        "SELECT entry_id, sum(positive), sum(1 - positive) FROM feedback GROUP BY entry_id ORDER BY entry_id"
    )

    def __init__(self, db: aiosqlite.Connection, path: Path, salt: bytes, timezone: dt.tzinfo, clock: Clock) -> None:
        super().__init__(salt, timezone, clock)
        self._db = db
        self._path = path
        self._lock = asyncio.Lock()
        self._checkpoint_retry: asyncio.Task[None] | None = None
        self._identity = _file_identity(path)
        self._lost: str | None = None  # why the file can no longer be written, once noticed
        self._watch: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    async def open(
        cls,
        path: Path,
        salt: bytes | None = None,
        *,
        timezone: dt.tzinfo = dt.UTC,
        clock: Clock = utc_now,
        environ: Mapping[str, str] | None = None,
        migrations: Sequence[str] = MIGRATIONS,
    ) -> SqliteStore:
        """Open (creating on first run) and migrate the database at `path`.

        `timezone` decides which calendar day a question counts for (pass the
        election's); `salt` overrides PILKADA_BOT_SALT and the salt file (tests);
        `migrations` is for tests that build an older schema. Raises StorageError.
        """
        existed = await asyncio.to_thread(_has_data, path)
        try:
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(path, f"cannot create the folder for the database {path}: {exc.strerror}") from exc
        if salt is None:
            # The salt before the database: a second process starting at the same moment
            # must never find a database with data but no salt file yet ("missing").
            salt = await asyncio.to_thread(
                functools.partial(load_or_create_salt, path, environ, may_create=not existed)
            )
        try:
            # isolation_level=None: autocommit; transactions are explicit (BEGIN IMMEDIATE).
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(path, f"cannot open the database {path}: {_describe(exc)}") from exc
        try:
            await _configure(db, path)
            await _migrate(db, path, migrations)
            store = cls(db, path, salt, timezone, clock)
            if len(migrations) == len(MIGRATIONS):  # not on the older schemas tests build
                await store._redact_older_rows()
            # Also the first write: a read-only file opens and answers reads without
            # complaint, and should fail here rather than at the first vote.
            await store._check_salt()
        except sqlite3.Error as exc:
            await db.close()
            raise StorageError(path, f"cannot use the database {path}: {_describe(exc)}") from exc
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Close the connection (idempotent). SQLite checkpoints and removes the -wal file as it closes."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        if self._checkpoint_retry is not None:
            self._checkpoint_retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpoint_retry
            self._checkpoint_retry = None
        await self._db.close()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def where(self) -> str:
        return str(self._path)

    async def schema_version(self) -> int:
        row = await self._fetchone("PRAGMA user_version")
        return int(row[0])

    async def verify(self) -> None:
        """Raise StorageError if the database file was deleted or replaced since it was opened.

        SQLite keeps writing to a deleted file (its inode lives on while open), so
        without this check the bot would confirm subscriptions and store nothing that
        survives a restart. Once noticed, every later write is refused too.
        """
        if self._lost is None:
            identity = await asyncio.to_thread(_file_identity, self._path)
            if identity != self._identity:
                what = "deleted" if identity is None else "replaced by another file"
                self._lost = (
                    f"the database {self._path} was {what} while the bot was running; nothing written "
                    "since is kept: restart the bot (it creates or opens the file again)"
                )
        if self._lost is not None:
            raise StorageError(self._path, self._lost)

    def watch(self, interval: float, on_lost: Callable[[StorageError], None]) -> None:
        """Call verify every `interval` seconds until close(); `on_lost` once if it fails."""
        if self._watch is None:
            self._watch = asyncio.create_task(self._watch_file(interval, on_lost), name="database watch")

    async def _watch_file(self, interval: float, on_lost: Callable[[StorageError], None]) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.verify()
            except StorageError as exc:
                on_lost(exc)
                return

    def _refuse_if_lost(self) -> None:
        if self._lost is not None:
            raise StorageError(self._path, self._lost)

    async def _check_salt(self) -> None:
        """Refuse a salt other than the one the data was written with.

        With another salt every hash changes: reminders already sent would look
        unsent (sent twice) and returning users would count as new.
        """
        check = self._ids.check_value()
        await self._write("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt_check', ?)", (check,))
        row = await self._fetchone(SQLITE(sql.SALT_CHECK))
        if row[0] != check:
            raise StorageError(
                self._path,
                f"{self._path} was written with another salt: restore {salt_path(self._path).name} "
                f"or set {SALT_ENV} to the original value",
            )

    async def _redact_older_rows(self) -> None:
        """Once per database: redact texts stored before redaction existed (bot/storage/redaction.py).

        Only the stored (normalized) text is there to go by, so an e-mail address split
        into words by normalizing is not recognised; numbers and addresses are.
        """
        done = await self._fetchall("SELECT 1 FROM meta WHERE key = 'redacted'")
        if done:
            return
        async with self._transaction() as db:
            rows = await db.execute_fetchall("SELECT id, normalized FROM unanswered")
            for row_id, text in rows:
                if (clean := redact(text)) != text:
                    await db.execute("UPDATE unanswered SET normalized = ? WHERE id = ?", (clean, row_id))
            rows = await db.execute_fetchall(
                "SELECT entry_id, user_hash, comment FROM feedback WHERE comment IS NOT NULL"
            )
            for entry_id, user, text in rows:
                if (clean := redact(text)) != text:
                    await db.execute(
                        "UPDATE feedback SET comment = ? WHERE entry_id = ? AND user_hash = ?", (clean, entry_id, user)
                    )
            await db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('redacted', '1')")
        await self._wipe_wal()

    # ------------------------------------------------------------------ helpers

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        self._refuse_if_lost()
        async with self._lock, self._db.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, tuple(params)))

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        self._refuse_if_lost()
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()

    async def _execute(self, conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> None:
        await conn.execute(sql, params)

    def _day(self, day: dt.date) -> str:
        return day.isoformat()

    def _moment(self, moment: dt.datetime) -> str:
        return moment.astimezone(dt.UTC).isoformat(timespec="seconds")

    def _read_moment(self, stored: str) -> dt.datetime:
        return dt.datetime.fromisoformat(stored)

    async def _erased(self, *tables: str) -> None:
        await self._wipe_wal()  # the write-ahead log holds every table's pages

    async def _wipe_wal(self) -> None:
        """After a delete that matters for privacy: checkpoint and truncate the -wal file, never waiting.

        secure_delete zeroes a deleted row in the new version of its page, but the old
        version (with the chat id or the text) stays in the write-ahead log until a
        checkpoint copies the pages back and truncates the log. A TRUNCATE checkpoint
        waits for other processes' readers (`pilkada-bot report`): with the busy
        timeout that held every statement up for 5 s and then gave up. So it is tried
        without waiting, and while readers prevent it, again every
        _CHECKPOINT_RETRY seconds in the background until it succeeds.
        """
        if await self._try_truncate_wal() or self._checkpoint_retry is not None:
            return
        self._checkpoint_retry = asyncio.create_task(self._retry_truncate_wal(), name="privacy checkpoint")

    async def _retry_truncate_wal(self) -> None:
        try:
            while True:
                await asyncio.sleep(_CHECKPOINT_RETRY)
                if await self._try_truncate_wal():
                    return
        except (sqlite3.Error, ValueError) as exc:  # the database went away; close() finishes the job
            log.warning("Could not truncate the write-ahead log of %s: %s", self._path, exc)
        finally:
            self._checkpoint_retry = None

    async def _try_truncate_wal(self) -> bool:
        """One TRUNCATE checkpoint that gives up at once if another connection is in the way."""
        async with self._lock:
            await self._db.execute("PRAGMA busy_timeout = 0")
            try:
                rows = list(await self._db.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                return False
            finally:
                await self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        return not rows or int(rows[0][0]) == 0  # busy = 0: every frame copied back, log truncated

    # ------------------------------------------------------------------ Recorder (bot/storage/recording.py)

    def _batch(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        return self._transaction()

    async def _insert_unanswered_question(
        self, conn: aiosqlite.Connection, question: Sequence[object], unanswered: Sequence[object]
    ) -> None:
        async with conn.execute(SQLITE(sql.INSERT_QUESTION), question) as cursor:
            question_id = cursor.lastrowid
        await conn.execute(
            "INSERT INTO unanswered (question_id, asked_at, kind, normalized, best_entry, best_score)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (question_id, *unanswered),
        )

    async def _resolve_suggestion(self, conn: aiosqlite.Connection, event: SuggestionChosen) -> None:
        rows = list(
            await conn.execute_fetchall(
                "SELECT u.id, u.question_id FROM unanswered AS u JOIN questions AS q ON q.id = u.question_id"
                " WHERE q.user_hash = ? AND u.kind = 'suggest' AND u.resolved_entry IS NULL"
                " ORDER BY u.id DESC LIMIT 1",
                (self.user_hash(event.user_id),),
            )
        )
        if not rows:
            return
        unanswered_id, question_id = rows[0]
        await conn.execute("UPDATE unanswered SET resolved_entry = ? WHERE id = ?", (event.entry_id, unanswered_id))
        await conn.execute("UPDATE questions SET entry_id = ? WHERE id = ?", (event.entry_id, question_id))


async def _configure(db: aiosqlite.Connection, path: Path) -> None:
    """Per-connection settings; the first statements to read the file, so they find a bad one."""
    await db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    await db.execute("PRAGMA foreign_keys = ON")
    # Overwrite deleted rows with zeros: an unsubscribed chat id must not linger in free pages.
    await db.execute("PRAGMA secure_delete = ON")
    rows = await _switch_to_wal(db)
    mode = str(rows[0][0]) if rows else "?"
    if mode.lower() != "wal":  # e.g. a network file system without shared memory
        log.warning("SQLite refused WAL mode for %s (journal_mode=%s); continuing", path, mode)
    # synchronous stays at SQLite's default (FULL): a claim in sent_reminders must survive
    # a power cut, or the reminder could go out twice.


async def _switch_to_wal(db: aiosqlite.Connection) -> list[sqlite3.Row]:
    """PRAGMA journal_mode = WAL, waiting (like busy_timeout) while another process opens the file too.

    On a new database two processes switching at once collide: SQLite answers "database
    is locked" at once, without its busy handler, to the one that would otherwise
    deadlock (seen in 1 of 3 simultaneous starts on an empty folder).
    """
    deadline = asyncio.get_running_loop().time() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return list(await db.execute_fetchall("PRAGMA journal_mode = WAL"))
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(_LOCKED_PAUSE)


async def _migrate(db: aiosqlite.Connection, path: Path, migrations: Sequence[str]) -> None:
    """Bring the schema up to len(migrations), one transaction per step."""
    version = await _user_version(db)
    if version > len(migrations):
        raise StorageError(
            path,
            f"{path} has schema version {version} but this pilkada-bot knows only up to "
            f"{len(migrations)}; upgrade pilkada-bot (or use a copy of the database made for this version)",
        )
    while version < len(migrations):
        target = version + 1
        script = f"BEGIN IMMEDIATE;\n{migrations[version]}\nPRAGMA user_version = {target};\nCOMMIT;"
        try:
            await db.executescript(script)
        except sqlite3.Error as exc:
            if db.in_transaction:
                await db.rollback()
            now = await _user_version(db)
            if now >= target:  # another process migrated at the same moment
                version = now
                continue
            raise StorageError(path, f"cannot upgrade {path} to schema version {target}: {exc}") from exc
        log.info("database %s upgraded to schema version %d", path, target)
        version = target


async def _user_version(db: aiosqlite.Connection) -> int:
    rows = list(await db.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])
