"""The figures staff see, made from the rows either back end's queries return.

No SQL here: `SqlStore` (bot/storage/sqlstore.py) runs the queries in the back end's
dialect and passes the rows, plus how the back end reads a stored moment (SQLite keeps
ISO text, PostgreSQL a timestamptz), so both build the figures the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.storage.interface import EntryFeedback, FeedbackComment, Stats, UnansweredRow

Row = Sequence[Any]
# How a back end turns a stored moment into an aware UTC datetime.
ReadMoment = Callable[[Any], dt.datetime]


def stats_from_rows(
    today: dt.date,
    *,
    questions_today: Row,
    questions_total: Row,
    unanswered_open: Row,
    subscribers: Row,
    top_entries: Iterable[Row],
    top_unanswered: Iterable[Row],
    feedback: Iterable[Row],
) -> Stats:
    """Stats from the rows of the staff queries.

    `questions_today`: (questions, answered, users); `questions_total`: (questions,
    answered); `unanswered_open`, `subscribers`: (count,); `top_entries`: (entry_id, n);
    `top_unanswered`: (normalized, n); `feedback`: (entry_id, up, down).
    """
    q_today, a_today, users_today = questions_today
    q_total, a_total = questions_total
    (open_count,) = unanswered_open
    (subscriber_count,) = subscribers
    return Stats(
        day=today,
        questions_today=int(q_today),
        answered_today=int(a_today),
        users_today=int(users_today),
        questions_total=int(q_total),
        answered_total=int(a_total),
        unanswered_open=int(open_count),
        subscribers=int(subscriber_count),
        top_entries=tuple((str(e), int(n)) for e, n in top_entries),
        top_unanswered=tuple((str(t), int(n)) for t, n in top_unanswered),
        feedback=tuple(EntryFeedback(str(e), int(up), int(down)) for e, up, down in feedback),
    )


def unanswered_from_rows(rows: Iterable[Row], read_moment: ReadMoment) -> list[UnansweredRow]:
    """Rows of (asked_at, kind, normalized, best_entry, best_score), in their order."""
    return [
        UnansweredRow(read_moment(at), kind, normalized, best, float(score))
        for at, kind, normalized, best, score in rows
    ]


def comments_from_rows(rows: Iterable[Row], read_moment: ReadMoment) -> list[FeedbackComment]:
    """Rows of (entry_id, positive, comment, voted_at), in their order."""
    return [FeedbackComment(e, bool(p), c, read_moment(at)) for e, p, c, at in rows]
