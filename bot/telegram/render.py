"""Render a neutral Reply for Telegram: HTML text chunks plus an inline keyboard.

Everything that comes from users or the knowledge base is escaped with html.escape,
so a question or an answer containing `<b>` or `&` shows up literally. Button
presses travel as short callback data, "<prefix>:<entry id>", decoded here too.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.kb.knowledge import ID_RE
from bot.replies.reply import Button, Reply

MAX_MESSAGE_LENGTH: int = MessageLimit.MAX_TEXT_LENGTH
MAX_CALLBACK_DATA: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA

PressKind = Literal[
    "entry",
    "suggestion",
    "feedback_up",
    "feedback_down",
    "not_this",
    "feedback_reason",
    "feedback_write",
    "topics",
    "card",
]
# One letter each: callback data is limited to 64 bytes and entry ids may use 48. A reason
# adds its number (0-9): "r2:apa_itu_golput".
_PREFIXES: dict[PressKind, str] = {
    "entry": "e",
    "suggestion": "s",
    "feedback_up": "u",
    "feedback_down": "d",
    "not_this": "n",
    "feedback_reason": "r",
    "feedback_write": "w",
    "topics": "t",  # "more topics" under the welcome: "t:all"
    "card": "c",
}
_KINDS: dict[str, PressKind] = {prefix: kind for kind, prefix in _PREFIXES.items()}
_WITH_OPTION: frozenset[PressKind] = frozenset({"feedback_reason"})


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A decoded callback: what was pressed, for which entry."""

    kind: PressKind
    entry_id: str
    option: int | None = None  # the reason's number for feedback_reason


@dataclass(frozen=True, slots=True)
class RenderedReply:
    """Message texts in sending order; the keyboard belongs under the last one."""

    chunks: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None


def encode_callback(kind: PressKind, entry_id: str, option: int | None = None) -> str:
    """Callback data for a button; raises ValueError if Telegram would reject it."""
    if (kind in _WITH_OPTION) != (option is not None) or (option is not None and not 0 <= option <= 9):
        raise ValueError(f"a '{kind}' button cannot carry option {option!r}")
    data = f"{_PREFIXES[kind]}{'' if option is None else option}:{entry_id}"
    if len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
        raise ValueError(f"callback data for entry '{entry_id}' is over {MAX_CALLBACK_DATA} bytes")
    return data


def decode_callback(data: str | None) -> ButtonPress | None:
    """The press behind callback data, or None if it is not data this bot produces."""
    if not data:
        return None
    prefix, sep, entry_id = data.partition(":")
    kind = _KINDS.get(prefix[:1])
    if not sep or kind is None or not ID_RE.match(entry_id):
        return None
    number = prefix[1:]
    if kind not in _WITH_OPTION:
        return ButtonPress(kind, entry_id) if not number else None
    if len(number) != 1 or number not in "0123456789":
        return None
    return ButtonPress(kind, entry_id, int(number))


def render_reply(reply: Reply) -> RenderedReply:
    """The reply as HTML chunks that each fit one Telegram message, and its keyboard."""
    chunks = split_message(escape(reply.text))
    if reply.source_line:
        # The source line is never split, so its <i>...</i> always stays in one message.
        source = f"<i>{escape(reply.source_line)}</i>"
        joined = f"{chunks[-1]}\n\n{source}"
        if text_length(joined) <= MAX_MESSAGE_LENGTH:
            chunks[-1] = joined
        else:
            chunks.append(source)
    return RenderedReply(tuple(chunks), render_keyboard(reply))


def render_html(reply: Reply) -> str:
    """The reply as one HTML message (inline results cannot be split: an over-long answer is cut)."""
    return render_reply(reply).chunks[0]


def render_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Inline keyboard for the reply's buttons, row by row; None if it has none."""
    rows = [[_button(reply, b) for b in row] for row in reply.buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


def escape(text: str) -> str:
    """Escape user or knowledge-base text for Telegram HTML (quotes need no escaping there)."""
    return html.escape(text, quote=False)


def _button(reply: Reply, button: Button) -> InlineKeyboardButton:
    if button.action == "url":
        return InlineKeyboardButton(button.label, url=button.value)
    if button.action == "topics":
        return InlineKeyboardButton(button.label, callback_data=encode_callback("topics", "all"))
    if button.action == "share":
        # Opens the chat picker with "@bot <entry title>"; inline mode puts that entry first.
        return InlineKeyboardButton(button.label, switch_inline_query=button.value)
    if button.action == "entry":
        # A suggestion turns its own message into the answer; other entry buttons send a new one.
        kind: PressKind = "suggestion" if reply.kind == "suggest" else "entry"
        return InlineKeyboardButton(button.label, callback_data=encode_callback(kind, button.value))
    return InlineKeyboardButton(button.label, callback_data=encode_callback(button.action, button.value, button.option))


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split `text` into chunks of at most `limit`, at paragraph, line or word boundaries.

    The separator at each cut (a blank line, a newline or a space) is dropped. A cut
    never falls inside an HTML entity such as `&amp;`, so escaped text stays valid.
    """
    chunks: list[str] = []
    rest = text
    while text_length(rest) > limit:
        window = _prefix_within(rest, limit)
        cut, skip = _best_cut(window)
        chunks.append(rest[:cut])
        rest = rest[cut + skip :]
    chunks.append(rest)
    return chunks


def _best_cut(window: str) -> tuple[int, int]:
    """Where to cut `window` and how many separator characters to drop there."""
    # A paragraph or line break in the second half beats any break that leaves a short chunk.
    for min_at in (len(window) // 2, 1):
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at >= min_at:
                return at, len(separator)
    at = len(window)
    amp = window.rfind("&", max(0, at - 10))
    if amp > 0 and ";" not in window[amp:]:
        at = amp  # do not cut "&amp;" in half
    return at, 0


def _prefix_within(text: str, limit: int) -> str:
    """The longest prefix of `text` whose Telegram length is at most `limit`."""
    if len(text) <= limit and text_length(text) <= limit:
        return text
    low, high = 0, min(len(text), limit)
    while low < high:
        mid = (low + high + 1) // 2
        if text_length(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return text[:low]


def text_length(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2
