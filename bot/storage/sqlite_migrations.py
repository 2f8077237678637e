"""The SQLite schema, as migrations: append a script, never edit a released one.

`SqliteStore.open` runs the missing ones in order, each in its own transaction together
with the `PRAGMA user_version` bump (bot/storage/sqlite.py).
"""

from __future__ import annotations

# Ordered schema scripts; index i brings the database from version i to version i + 1.
# Each runs inside one transaction together with the user_version bump.
MIGRATIONS: list[str] = [
    # v1: core tables.
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- One row per free-text question; no text, only how it went.
    CREATE TABLE questions (
        id        INTEGER PRIMARY KEY,
        day       TEXT NOT NULL,          -- YYYY-MM-DD in the election's time zone
        user_hash TEXT NOT NULL,
        outcome   TEXT NOT NULL CHECK (outcome IN ('answer', 'suggest', 'none')),
        entry_id  TEXT,                   -- answered entry, or the suggestion the user chose
        score     REAL NOT NULL
    );
    -- Questions the bot could not answer: the one place where question text is kept.
    CREATE TABLE unanswered (
        id             INTEGER PRIMARY KEY,
        question_id    INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        asked_at       TEXT NOT NULL,     -- ISO 8601, UTC
        kind           TEXT NOT NULL CHECK (kind IN ('fallback', 'suggest')),
        normalized     TEXT NOT NULL,
        best_entry     TEXT,
        best_score     REAL NOT NULL,
        resolved_entry TEXT               -- set when the user picks one of the suggestions
    );
    CREATE TABLE feedback (
        entry_id  TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        positive  INTEGER NOT NULL CHECK (positive IN (0, 1)),
        voted_at  TEXT NOT NULL,
        PRIMARY KEY (entry_id, user_hash)
    );
    -- The only table with ids in clear: we need the chat id to send the reminder.
    CREATE TABLE subscriptions (
        chat_hash TEXT PRIMARY KEY,
        chat_id   INTEGER NOT NULL,
        since     TEXT NOT NULL
    ) WITHOUT ROWID;
    -- Claims, not receipts: a row is written before the send (see bot/reminders.py).
    CREATE TABLE sent_reminders (
        reminder_key TEXT NOT NULL,
        chat_hash    TEXT NOT NULL,
        claimed_at   TEXT NOT NULL,
        PRIMARY KEY (reminder_key, chat_hash)
    ) WITHOUT ROWID;
    """,
    # v2: optional feedback comments; indexes for /stats and for finding a user's pending suggestion.
    """
    ALTER TABLE feedback ADD COLUMN comment TEXT;
    CREATE INDEX questions_by_day ON questions (day);
    CREATE INDEX questions_by_user ON questions (user_hash);
    CREATE INDEX unanswered_by_question ON unanswered (question_id);
    """,
    # v3: the 'unknown' outcome (a known unknown answered honestly). SQLite cannot change a
    # CHECK constraint, so both tables are rebuilt; the new unanswered table points at the new
    # questions table, which keeps its references when renamed.
    """
    CREATE TABLE questions_v3 (
        id        INTEGER PRIMARY KEY,
        day       TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        outcome   TEXT NOT NULL CHECK (outcome IN ('answer', 'unknown', 'suggest', 'none')),
        entry_id  TEXT,
        score     REAL NOT NULL
    );
    INSERT INTO questions_v3 SELECT id, day, user_hash, outcome, entry_id, score FROM questions;
    CREATE TABLE unanswered_v3 (
        id             INTEGER PRIMARY KEY,
        question_id    INTEGER NOT NULL REFERENCES questions_v3 (id) ON DELETE CASCADE,
        asked_at       TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('fallback', 'suggest', 'unknown')),
        normalized     TEXT NOT NULL,
        best_entry     TEXT,
        best_score     REAL NOT NULL,
        resolved_entry TEXT
    );
    INSERT INTO unanswered_v3
        SELECT id, question_id, asked_at, kind, normalized, best_entry, best_score, resolved_entry FROM unanswered;
    DROP TABLE unanswered;
    DROP TABLE questions;
    ALTER TABLE questions_v3 RENAME TO questions;
    ALTER TABLE unanswered_v3 RENAME TO unanswered;
    CREATE INDEX questions_by_day ON questions (day);
    CREATE INDEX questions_by_user ON questions (user_hash);
    CREATE INDEX unanswered_by_question ON unanswered (question_id);
    """,
]
