"""The PostgreSQL schema, as migrations: append a script, never edit a released one.

PostgresStore.open applies the missing ones in one transaction under an advisory lock,
so replicas starting together apply each exactly once (bot/storage/postgres.py).
"""

from __future__ import annotations

from bot.storage.replicas import SCHEMA as REPLICAS_SCHEMA

# Index i brings the schema from version i to i + 1; append, never edit a released one.
MIGRATIONS: list[str] = [
    # v1: SQLite's schema at its version 3, and what the replicas share (bot/storage/replicas.py).
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE questions (
        id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        day       DATE NOT NULL,
        user_hash TEXT NOT NULL,
        outcome   TEXT NOT NULL CHECK (outcome IN ('answer', 'unknown', 'suggest', 'none')),
        entry_id  TEXT,
        score     DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX questions_by_day ON questions (day);
    CREATE INDEX questions_by_user ON questions (user_hash);
    CREATE TABLE unanswered (
        id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        question_id    BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        asked_at       TIMESTAMPTZ NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('fallback', 'suggest', 'unknown')),
        normalized     TEXT NOT NULL,
        best_entry     TEXT,
        best_score     DOUBLE PRECISION NOT NULL,
        resolved_entry TEXT
    );
    CREATE INDEX unanswered_by_question ON unanswered (question_id);
    CREATE TABLE feedback (
        entry_id  TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        positive  BOOLEAN NOT NULL,
        voted_at  TIMESTAMPTZ NOT NULL,
        comment   TEXT,
        PRIMARY KEY (entry_id, user_hash)
    );
    CREATE TABLE subscriptions (
        chat_hash TEXT PRIMARY KEY,
        chat_id   BIGINT NOT NULL,
        since     TIMESTAMPTZ NOT NULL
    );
    -- state: 'claimed' by a round, 'sending' once its request was about to leave
    -- (bot/storage/replicas.py): a later round may release only what never started.
    CREATE TABLE sent_reminders (
        reminder_key TEXT NOT NULL,
        chat_hash    TEXT NOT NULL,
        claimed_at   TIMESTAMPTZ NOT NULL,
        state        TEXT NOT NULL DEFAULT 'claimed' CHECK (state IN ('claimed', 'sending')),
        PRIMARY KEY (reminder_key, chat_hash)
    );
    """
    + REPLICAS_SCHEMA,
]
