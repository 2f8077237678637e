"""The error handler: log what broke (hashed ids, never the token or what users wrote), tell the user once.

Errors while polling (update None) are Telegram's, not ours: a network error or a 5xx
is one warning line (python-telegram-bot keeps polling and backs off by itself), and
a `409 Conflict` means another process polls with the same token: this one logs why
and stops, with exit code 3, rather than fight it for updates.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError

from bot.telegram.handlers import Context, request_stop
from bot.telegram.logs import redact_token, scrub, user_tag
from bot.telegram.network import describe

logger = logging.getLogger(__name__)

# `pilkada-bot run` exits with this after a 409 Conflict, so a supervisor can tell it
# apart from a crash and not restart into the same fight (systemd: RestartPreventExitStatus=3).
EXIT_CONFLICT = 3
CONFLICT_MESSAGE = (
    "Telegram answered getUpdates with 409 Conflict: another process is using this bot token "
    "(a second `pilkada-bot run`, or a webhook set elsewhere). Stopping this one instead of fighting "
    "over updates; stop the other one (or delete its webhook) before starting again."
)


async def on_error(update: object, context: Context) -> None:
    """Log the exception and send the `error` message to the chat it happened in; never raises."""
    error = context.error
    token = context.bot.token
    if update is None and context.job is None and isinstance(error, TelegramError):
        on_polling_error(error, context)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    trace = "".join(traceback.format_exception(error)) if error is not None else "no exception"
    # Tracebacks may quote request URLs (the token), ids and what the user wrote.
    who = ""
    if isinstance(update, Update) and update.effective_user is not None:
        who = f" from user {user_tag(update.effective_user.id)}"
    logger.error("Error while handling update %s%s:\n%s", update_id, who, scrub(trace, update, token))
    if not isinstance(update, Update):
        return
    try:
        await tell_user(update, context)
    except Exception as exc:  # the error handler must never raise: log and move on
        logger.warning("Could not tell the user about the error in update %s: %s", update_id, type(exc).__name__)


def on_polling_error(error: TelegramError, context: Context) -> None:
    """getUpdates failed: stop on a 409 Conflict, otherwise note it (PTB retries with back-off)."""
    if isinstance(error, Conflict):
        if context.bot_data.exit_code != EXIT_CONFLICT:
            logger.critical(CONFLICT_MESSAGE)
            context.bot_data.exit_code = EXIT_CONFLICT
            request_stop(context.application)
        return
    reason = redact_token(describe(error), context.bot.token)
    if isinstance(error, NetworkError | RetryAfter):
        logger.warning("Polling the Bot API failed (%s); trying again", reason)
    else:
        logger.error("Polling the Bot API failed (%s); trying again", reason)


async def tell_user(update: Update, context: Context) -> None:
    """One apology: as the button's toast if a press failed, else as a message in the chat."""
    text = context.bot_data.replies.message("error").text
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text)
            return
        except TelegramError:
            pass  # already answered before the failure: fall back to a message
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type == ChatType.CHANNEL:
        return
    thread_id = None
    if isinstance(message, Message) and message.is_topic_message:
        thread_id = message.message_thread_id
    await context.bot.send_message(chat.id, text, message_thread_id=thread_id)
