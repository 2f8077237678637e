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
from types import TracebackType
from typing import Any

import aiosqlite

from bot.clock import Clock, utc_now
from bot.storage import sql
from bot.storage.events import FeedbackGiven, QuestionAsked, SuggestionChosen
from bot.storage.interface import FeedbackComment, Stats, StorageError, UnansweredRow
from bot.storage.recording import EventWriter, answered_entry, unanswered_entry
from bot.storage.redaction import redact
from bot.storage.rows import comments_from_rows, stats_from_rows, unanswered_from_rows
from bot.storage.salt import SALT_ENV, IdHasher, load_or_create_salt, salt_path
from bot.storage.sql import SQLITE
from bot.storage.sqlite_migrations import MIGRATIONS

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


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if "not a database" in text:
        return "not a SQLite database (file is not a database); move it away or fix bot.database in config.yaml"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"cannot write there ({text}); check that the file and its folder are writable by the bot"
    return text


class SqliteStore(EventWriter[aiosqlite.Connection]):
    """Async access to the bot's SQLite database. Create with `await SqliteStore.open(path)`.

    All statements go through one aiosqlite connection (one worker thread) and one
    asyncio lock, so a multi-statement transaction is never interleaved with another
    coroutine's statement.
    """

    # Not OperationalError (locked, full, read-only) nor ProgrammingError (a closed connection).
    refusals = (*EventWriter.refusals, sqlite3.DataError, sqlite3.IntegrityError, sqlite3.InterfaceError)

    def __init__(self, db: aiosqlite.Connection, path: Path, salt: bytes, timezone: dt.tzinfo, clock: Clock) -> None:
        self._db = db
        self._path = path
        self._ids = IdHasher(salt)
        self._timezone = timezone
        self._clock = clock
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

    async def __aenter__(self) -> SqliteStore:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

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

    def _user(self, user_id: int) -> str:
        return self._ids.user(user_id)

    def _chat(self, chat_id: int) -> str:
        return self._ids.chat(chat_id)

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one autocommitted statement; the number of rows it changed."""
        self._refuse_if_lost()
        async with self._lock, self._db.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, tuple(params)))

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row:
        rows = await self._fetchall(sql, params)
        return rows[0]

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

    @property
    def clock(self) -> Clock:
        """The store's "now" (UTC), for events recorded later in a batch (bot/storage/events.py)."""
        return self._clock

    def _batch(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        return self._transaction()

    async def _insert_question(self, db: aiosqlite.Connection, event: QuestionAsked) -> None:
        result = event.result
        day = event.at.astimezone(self._timezone).date().isoformat()
        async with db.execute(
            SQLITE(sql.INSERT_QUESTION),
            (day, self._user(event.user_id), result.outcome, answered_entry(result), result.score),
        ) as cursor:
            question_id = cursor.lastrowid
        if (logged := unanswered_entry(event)) is None:
            return
        await db.execute(
            "INSERT INTO unanswered (question_id, asked_at, kind, normalized, best_entry, best_score)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (question_id, _iso(event.at), *logged),
        )

    async def _resolve_suggestion(self, db: aiosqlite.Connection, event: SuggestionChosen) -> None:
        rows = list(
            await db.execute_fetchall(
                "SELECT u.id, u.question_id FROM unanswered AS u JOIN questions AS q ON q.id = u.question_id"
                " WHERE q.user_hash = ? AND u.kind = 'suggest' AND u.resolved_entry IS NULL"
                " ORDER BY u.id DESC LIMIT 1",
                (self._user(event.user_id),),
            )
        )
        if not rows:
            return
        unanswered_id, question_id = rows[0]
        await db.execute("UPDATE unanswered SET resolved_entry = ? WHERE id = ?", (event.entry_id, unanswered_id))
        await db.execute("UPDATE questions SET entry_id = ? WHERE id = ?", (event.entry_id, question_id))

    async def _insert_feedback(self, db: aiosqlite.Connection, event: FeedbackGiven) -> None:
        await db.execute(
            "INSERT INTO feedback (entry_id, user_hash, positive, voted_at, comment) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (entry_id, user_hash) DO UPDATE SET"
            "   comment = CASE WHEN excluded.positive = feedback.positive"
            "                  THEN coalesce(excluded.comment, feedback.comment) ELSE excluded.comment END,"
            "   positive = excluded.positive, voted_at = excluded.voted_at",
            (
                event.entry_id,
                self._user(event.user_id),
                int(event.positive),
                _iso(event.at),
                event.comment and redact(event.comment),
            ),
        )

    # ------------------------------------------------------------------ privacy

    async def forget_user(self, user_id: int) -> None:
        """Delete everything stored about a user (/hapus): their questions and what they asked
        that went unanswered, their feedback, and their private chat's subscription and
        reminder claims (a private chat's id is the user's id).

        Figures in /stats drop accordingly: every count is made from these rows. Group
        subscriptions stay; they belong to the group.
        """
        user, chat = self._user(user_id), self._chat(user_id)
        async with self._transaction() as db:
            # unanswered rows go with their question (ON DELETE CASCADE).
            await db.execute(SQLITE(sql.FORGET_QUESTIONS), (user,))
            await db.execute(SQLITE(sql.FORGET_FEEDBACK), (user,))
            await db.execute(SQLITE(sql.UNSUBSCRIBE), (chat,))
            await db.execute(SQLITE(sql.FORGET_REMINDERS_SENT), (chat,))
        await self._wipe_wal()

    # ------------------------------------------------------------------ reminders

    async def subscribe(self, chat_id: int) -> bool:
        """Subscribe a chat to reminders; False if it already was. Checks the file first: a
        subscription is a promise to the user, never to be confirmed into a deleted file."""
        await self.verify()
        changed = await self._write(
            "INSERT OR IGNORE INTO subscriptions (chat_hash, chat_id, since) VALUES (?, ?, ?)",
            (self._chat(chat_id), chat_id, _iso(self._clock())),
        )
        return changed == 1

    async def unsubscribe(self, chat_id: int) -> bool:
        """Forget a chat's id; False if it was not subscribed.

        The sent_reminders rows stay (they hold only a hash), so subscribing again
        does not bring back a reminder the chat already got.
        """
        changed = await self._write(SQLITE(sql.UNSUBSCRIBE), (self._chat(chat_id),))
        if changed:
            await self._wipe_wal()
        return changed == 1

    async def is_subscribed(self, chat_id: int) -> bool:
        rows = await self._fetchall(SQLITE(sql.IS_SUBSCRIBED), (self._chat(chat_id),))
        return bool(rows)

    async def subscribers(self) -> list[int]:
        """Chat ids of every subscriber, ascending."""
        rows = await self._fetchall(SQLITE(sql.SUBSCRIBERS))
        return [int(row[0]) for row in rows]

    async def mark_sent(self, reminder_key: str, chat_id: int) -> bool:
        """Claim the right to send `reminder_key` to `chat_id`; False if already claimed.

        A single INSERT OR IGNORE against the primary key, committed before it
        returns: across coroutines, processes and restarts only one caller ever
        gets True for a (reminder, chat) pair.
        """
        changed = await self._write(
            "INSERT OR IGNORE INTO sent_reminders (reminder_key, chat_hash, claimed_at) VALUES (?, ?, ?)",
            (reminder_key, self._chat(chat_id), _iso(self._clock())),
        )
        return changed == 1

    async def unmark_sent(self, reminder_key: str, chat_id: int) -> bool:
        """Release a claim after a send that surely did not go out, so a later round retries."""
        changed = await self._write(SQLITE(sql.UNMARK_SENT), (reminder_key, self._chat(chat_id)))
        return changed == 1

    async def was_sent(self, reminder_key: str, chat_id: int) -> bool:
        rows = await self._fetchall(SQLITE(sql.WAS_SENT), (reminder_key, self._chat(chat_id)))
        return bool(rows)

    async def pending_chats(self, reminder_key: str) -> list[int]:
        """Subscribers that have not been sent (claimed) `reminder_key` yet, ascending."""
        rows = await self._fetchall(
            SQLITE(sql.PENDING_CHATS),
            (reminder_key,),
        )
        return [int(row[0]) for row in rows]

    # ------------------------------------------------------------------ staff

    async def stats(self, today: dt.date, top: int = 10) -> Stats:
        """Figures for staff; `today` is the election-local date (bot.replies.election.local_today)."""
        return stats_from_rows(
            today,
            questions_today=await self._fetchone(
                SQLITE(sql.STATS_DAY),
                (today.isoformat(),),
            ),
            questions_total=await self._fetchone(SQLITE(sql.STATS_TOTAL)),
            unanswered_open=await self._fetchone(SQLITE(sql.STATS_UNANSWERED)),
            subscribers=await self._fetchone(SQLITE(sql.STATS_SUBSCRIBERS)),
            top_entries=await self._fetchall(
                SQLITE(sql.STATS_TOP_ENTRIES),
                (top,),
            ),
            top_unanswered=await self._fetchall(
                SQLITE(sql.STATS_TOP_UNANSWERED),
                (top,),
            ),
            feedback=await self._fetchall(
                "SELECT entry_id, sum(positive), sum(1 - positive) FROM feedback GROUP BY entry_id ORDER BY entry_id"
            ),
        )

    async def unanswered(self, limit: int) -> list[UnansweredRow]:
        """The latest `limit` unanswered questions, newest first (resolved suggestions excluded)."""
        rows = await self._fetchall(
            SQLITE(sql.UNANSWERED),
            (limit,),
        )
        return unanswered_from_rows(rows, dt.datetime.fromisoformat)

    async def feedback_comments(self, limit: int) -> list[FeedbackComment]:
        """The latest `limit` feedback comments, newest first."""
        rows = await self._fetchall(
            SQLITE(sql.FEEDBACK_COMMENTS),
            (limit,),
        )
        return comments_from_rows(rows, dt.datetime.fromisoformat)


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
