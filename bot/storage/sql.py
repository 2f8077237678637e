"""The SQL both back ends run, written once; `Dialect` spells it for SQLite or PostgreSQL.

The statements are written with SQLite's `?` placeholders; an INSERT that leaves a taken
key alone is written plain and spelled by `Dialect.insert_new` (INSERT OR IGNORE, or ON
CONFLICT DO NOTHING). The methods that run them are written once too, in `SqlStore`
(bot/storage/sqlstore.py). What really differs stays in sqlite.py and postgres.py, behind
SqlStore's hooks: opening, migrating and watching the database, WAL truncation or VACUUM
after privacy deletes, the question insert with its unanswered row (lastrowid or a
RETURNING CTE), resolving a suggestion (a read then updates, or one CTE), the feedback
totals, and how dates and timestamps are passed and read (ISO strings, or date and
timestamptz).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    """What the shared statements leave to the back end: the parameter placeholder, and how an
    INSERT leaves a row whose key is taken alone."""

    param: str
    or_ignore: bool  # INSERT OR IGNORE (SQLite); else ON CONFLICT DO NOTHING (PostgreSQL)

    def __call__(self, statement: str) -> str:
        """`statement` (written with `?`) in this dialect."""
        return statement if self.param == "?" else statement.replace("?", self.param)

    def insert_new(self, statement: str) -> str:
        """`statement`, a plain INSERT (written with `?`), that inserts nothing where the key is taken."""
        if self.or_ignore:
            return self(statement.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1))
        return self(f"{statement} ON CONFLICT DO NOTHING")


SQLITE = Dialect("?", or_ignore=True)
POSTGRES = Dialect("%s", or_ignore=False)  # psycopg


# Statistics: what a question leaves, and the figures staff see (/stats, `report`).
INSERT_QUESTION = "INSERT INTO questions (day, user_hash, outcome, entry_id, score) VALUES (?, ?, ?, ?, ?)"
STATS_DAY = "SELECT count(*), count(entry_id), count(DISTINCT user_hash) FROM questions WHERE day = ?"
STATS_TOTAL = "SELECT count(*), count(entry_id) FROM questions"
STATS_UNANSWERED = "SELECT count(*) FROM unanswered WHERE resolved_entry IS NULL"
STATS_SUBSCRIBERS = "SELECT count(*) FROM subscriptions"
STATS_TOP_ENTRIES = (
    "SELECT entry_id, count(*) AS n FROM questions WHERE entry_id IS NOT NULL GROUP BY entry_id "
    "ORDER BY n DESC, entry_id LIMIT ?"
)
STATS_TOP_UNANSWERED = (
    "SELECT normalized, count(*) AS n FROM unanswered WHERE resolved_entry IS NULL GROUP BY "
    "normalized ORDER BY n DESC, max(id) DESC LIMIT ?"
)
UNANSWERED = (
    "SELECT asked_at, kind, normalized, best_entry, best_score FROM unanswered WHERE resolved_entry "
    "IS NULL ORDER BY id DESC LIMIT ?"
)
# One vote per user per entry; what a later vote does to the comment: EventWriter.record_feedback.
INSERT_FEEDBACK = (
    "INSERT INTO feedback (entry_id, user_hash, positive, voted_at, comment) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (entry_id, user_hash) DO UPDATE SET"
    "   comment = CASE WHEN excluded.positive = feedback.positive"
    "                  THEN coalesce(excluded.comment, feedback.comment) ELSE excluded.comment END,"
    "   positive = excluded.positive, voted_at = excluded.voted_at"
)
FEEDBACK_COMMENTS = (
    "SELECT entry_id, positive, comment, voted_at FROM feedback WHERE comment IS NOT NULL ORDER BY "
    "voted_at DESC, entry_id LIMIT ?"
)

# Privacy (/hapus): what one user left; unanswered rows go with their question.
FORGET_QUESTIONS = "DELETE FROM questions WHERE user_hash = ?"
FORGET_FEEDBACK = "DELETE FROM feedback WHERE user_hash = ?"
FORGET_REMINDERS_SENT = "DELETE FROM sent_reminders WHERE chat_hash = ?"
UNSUBSCRIBE = "DELETE FROM subscriptions WHERE chat_hash = ?"

# Reminders: subscriptions, and the claim on each (reminder, chat). SUBSCRIBE and MARK_SENT
# go through Dialect.insert_new: a chat subscribed or a reminder claimed stays as it is.
SUBSCRIBE = "INSERT INTO subscriptions (chat_hash, chat_id, since) VALUES (?, ?, ?)"
MARK_SENT = "INSERT INTO sent_reminders (reminder_key, chat_hash, claimed_at) VALUES (?, ?, ?)"
IS_SUBSCRIBED = "SELECT 1 FROM subscriptions WHERE chat_hash = ?"
SUBSCRIBERS = "SELECT chat_id FROM subscriptions ORDER BY chat_id"
UNMARK_SENT = "DELETE FROM sent_reminders WHERE reminder_key = ? AND chat_hash = ?"
WAS_SENT = "SELECT 1 FROM sent_reminders WHERE reminder_key = ? AND chat_hash = ?"
PENDING_CHATS = (
    "SELECT s.chat_id FROM subscriptions AS s WHERE NOT EXISTS (SELECT 1 FROM sent_reminders AS r "
    "WHERE r.reminder_key = ? AND r.chat_hash = s.chat_hash) ORDER BY s.chat_id"
)

# The salt's check value, kept beside the data it hashed.
SALT_CHECK = "SELECT value FROM meta WHERE key = 'salt_check'"
