"""The neutral reply: text plus buttons as data, which every front end renders its own way.

The console renders it as plain text, Telegram as HTML with an inline keyboard
(bot/telegram/render.py). Nothing here knows about either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.nlu.claims import ClaimVerdict
from bot.nlu.matcher import MatchResult

# answer: a fact-based answer; unknown: a known unknown (what the sources do not say,
# and where to ask); suggest: "did you mean"; fallback: nothing close enough.
# claim: the verdict of the claim check on what a message states (bot/nlu/claims.py).
# small_talk: "ok", "makasih", "halo", emoji only (bot/kb/smalltalk.py); its text may be empty (say nothing).
ReplyKind = Literal["answer", "unknown", "suggest", "fallback", "info", "claim", "small_talk"]
# not_this: "none of these" under suggestions (its value is the first suggestion's id).
# feedback_reason / feedback_write: after 👎, pick a reason or write one. topics: "more topics".
# url: opens an address (Bagikan ke WhatsApp); card: the answer as an image (bot/outreach).
ButtonAction = Literal[
    "entry",
    "feedback_up",
    "feedback_down",
    "share",
    "not_this",
    "feedback_reason",
    "feedback_write",
    "topics",
    "url",
    "card",
]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: ButtonAction
    # An entry id; for "share", the words pre-filled after "@bot" (the entry's title);
    # for "url", the address to open; for "topics", unused.
    value: str
    option: int | None = None  # feedback_reason: which of messages.yaml's feedback_reasons


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    text: str  # plain text; renderers escape it
    source_line: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    entry_id: str | None = None
    sources: tuple[str, ...] = ()  # source ids behind an answer
    suggestions: tuple[str, ...] = ()
    match: MatchResult | None = None
    claims: tuple[ClaimVerdict, ...] = ()
    # A claim reply that also says the sources cannot answer the rest of the message.
    says_unknown: bool = False
