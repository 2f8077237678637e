"""The SQL both back ends run, written once; `Dialect` spells it for SQLite or PostgreSQL.

The statements are written with SQLite's `?` placeholders. What really differs stays in
sqlite.py and postgres.py: opening, migrating and watching the database, WAL truncation
or VACUUM after privacy deletes, the question insert with its unanswered row (lastrowid
or a RETURNING CTE), INSERT OR IGNORE or ON CONFLICT DO NOTHING, and how timestamps are
passed (ISO strings or timestamptz).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    """What the shared statements leave to the back end: the parameter placeholder."""

    param: str

    def __call__(self, statement: str) -> str:
        """`statement` (written with `?`) in this dialect."""
        return statement if self.param == "?" else statement.replace("?", self.param)


SQLITE = Dialect("?")
POSTGRES = Dialect("%s")  # psycopg


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
FEEDBACK_COMMENTS = (
    "SELECT entry_id, positive, comment, voted_at FROM feedback WHERE comment IS NOT NULL ORDER BY "
    "voted_at DESC, entry_id LIMIT ?"
)

# Privacy (/hapus): what one user left; unanswered rows go with their question.
FORGET_QUESTIONS = "DELETE FROM questions WHERE user_hash = ?"
FORGET_FEEDBACK = "DELETE FROM feedback WHERE user_hash = ?"
FORGET_REMINDERS_SENT = "DELETE FROM sent_reminders WHERE chat_hash = ?"
UNSUBSCRIBE = "DELETE FROM subscriptions WHERE chat_hash = ?"

# Reminders: subscriptions, and the claim on each (reminder, chat).
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
