"""What may appear in the bot's logs: hashed user ids, never raw ids, message text or the token.

Logs are read by whoever runs the server, and pasted into chats when asking for help.
`user_tag` turns a Telegram id into a short keyed hash (the key is random for each run
of the bot, so a tag cannot be looked up elsewhere, not even in the database); `scrub`
removes from a text (a traceback, an error message) the token, the ids of the user
and chat of an update and the text they sent.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable

from telegram import Update

_RUN_KEY = secrets.token_bytes(16)
_TAG_HEX = 10
# Shorter texts are too likely to occur in the trace on their own (a word, a digit).
_MIN_SCRUBBED_TEXT = 4
TOKEN_PLACEHOLDER = "<token>"
TEXT_PLACEHOLDER = "<message text>"


def user_tag(user_id: int) -> str:
    """The id as it may appear in a log line, e.g. "u3f9a1c02be": the same within one run of the bot."""
    digest = hmac.new(_RUN_KEY, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"u{digest[:_TAG_HEX]}"


def redact_token(text: str, token: str) -> str:
    """`text` with the bot token replaced by <token>, in any letter case.

    Any case: python-telegram-bot capitalizes the description of an API error
    ("Bad Request: ..."), which lowercases a URL quoted in it, token and all.
    """
    return re.sub(re.escape(token), TOKEN_PLACEHOLDER, text, flags=re.IGNORECASE) if token else text


def scrub(text: str, update: object, token: str) -> str:
    """`text` without the token, the user and chat ids of `update`, and the text the user sent."""
    text = redact_token(text, token)
    if not isinstance(update, Update):
        return text
    for sent in _user_texts(update):
        if len(sent) >= _MIN_SCRUBBED_TEXT:
            text = text.replace(sent, TEXT_PLACEHOLDER)
    ids = {update.effective_user.id if update.effective_user else None}
    ids.add(update.effective_chat.id if update.effective_chat else None)
    for number in ids:
        if number is not None:
            # Not inside a longer number; a chat id's minus sign goes with it.
            text = re.sub(rf"-?(?<!\d){abs(number)}(?!\d)", user_tag(number), text)
    return text


def _user_texts(update: Update) -> Iterable[str]:
    message = update.effective_message
    if message is not None:
        yield from (t for t in (message.text, message.caption) if t)
    if update.inline_query is not None and update.inline_query.query:
        yield update.inline_query.query
    if update.callback_query is not None and update.callback_query.data:
        yield update.callback_query.data


class ShortInvalidJson(logging.Filter):
    """One short line instead of PTB's traceback and whole body when an answer is not JSON.

    A proxy's error page or a wrong address answers with HTML; python-telegram-bot
    logs the full page with a stack trace for every such request, then raises
    "Invalid server response", which the bot reports in its own words.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram.request") and str(record.msg).startswith("Can not load invalid JSON"):
            body = str(record.args[0]) if isinstance(record.args, tuple) and record.args else ""
            record.msg, record.args = "The Bot API answered with something that is not JSON: %.80r", (body,)
            record.exc_info, record.exc_text = None, None
        return True


class RedactingFormatter(logging.Formatter):
    """Replaces the token (in any letter case) in every log line: PTB and httpx errors may quote request URLs."""

    def __init__(self, fmt: str, secret: str) -> None:
        super().__init__(fmt)
        self._secret = secret

    def format(self, record: logging.LogRecord) -> str:
        return redact_token(super().format(record), self._secret)


def configure_logging(token: str) -> None:
    """INFO to stderr, once; httpx logs every URL (which contains the token) at INFO, so quiet it.

    Warnings (e.g. PTB's) go through the same redacting handler. Nothing logs user
    ids or message text: see user_tag and scrub above.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token))
    handler.addFilter(ShortInvalidJson())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.captureWarnings(True)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
