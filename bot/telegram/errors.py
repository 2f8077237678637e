"""The error handler: log what broke (with the update id, never the token), tell the user once."""

from __future__ import annotations

import logging
import traceback

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.telegram.handlers import Context

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the exception and send the `error` message to the chat it happened in; never raises."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    trace = "".join(traceback.format_exception(error)) if error is not None else "no exception"
    # Bot API URLs and some network errors carry the token; the log must not.
    trace = trace.replace(context.bot.token, "<token>")
    logger.error("Error while handling update %s:\n%s", update_id, trace)
    if not isinstance(update, Update):
        return
    try:
        await tell_user(update, context)
    except Exception as exc:  # the error handler must never raise: log and move on
        logger.warning("Could not tell the user about the error in update %s: %s", update_id, type(exc).__name__)


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
