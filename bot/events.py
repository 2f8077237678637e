"""What the front ends report about conversations, so staff can learn from them.

The Telegram layer calls a Recorder; the SQLite store (bot/storage.py) implements it.
Raw user ids go in; the recorder decides what to keep (hashed ids, no message text
except unanswered questions and feedback), see the privacy note in messages.yaml.
"""

from __future__ import annotations

from typing import Protocol

from bot.matcher import MatchResult


class Recorder(Protocol):
    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        """A free-text question and the matcher's outcome (answer, suggest or none)."""

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        """The user resolved their latest "did you mean" by pressing a suggestion."""

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool) -> None:
        """A 👍 or 👎 on an answer."""


class NullRecorder:
    """Records nothing: the console chat and tests without storage."""

    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        return None

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        return None

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool) -> None:
        return None
