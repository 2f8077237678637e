"""Sending a rendered Reply: into the chat of a message (quoted in groups), or in place of a message, in chunks."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.replies.reply import Reply
from bot.telegram.render import render_reply


async def send_reply(message: Message, reply: Reply, *, quote: bool | None = None) -> None:
    """Send `reply` into the chat (and forum topic) of `message`; in groups, as a reply to it."""
    rendered = render_reply(reply)
    if quote is None:
        quote = message.chat.type != ChatType.PRIVATE
    await _send_chunks(
        message.get_bot(),
        message.chat_id,
        rendered.chunks,
        rendered.keyboard,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to=message.message_id if quote else None,
    )


async def edit_into(message: Message, reply: Reply) -> None:
    """Turn the bot's own message into `reply` (its old buttons go away with it)."""
    rendered = render_reply(reply)
    first, *rest = rendered.chunks
    try:
        await message.edit_text(first, reply_markup=None if rest else rendered.keyboard)
    except BadRequest as exc:
        # A double tap presses the suggestion again after the first press already edited it.
        if "not modified" in exc.message.lower():
            return
        raise
    if rest:
        thread_id = message.message_thread_id if message.is_topic_message else None
        await _send_chunks(message.get_bot(), message.chat_id, rest, rendered.keyboard, thread_id=thread_id)


async def _send_chunks(
    bot: Bot,
    chat_id: int,
    chunks: Sequence[str],
    keyboard: InlineKeyboardMarkup | None,
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> None:
    """Send the chunks in order: the first may quote `reply_to`, the last carries the keyboard."""
    for i, chunk in enumerate(chunks):
        await bot.send_message(
            chat_id,
            chunk,
            reply_markup=keyboard if i == len(chunks) - 1 else None,
            message_thread_id=thread_id,
            reply_parameters=ReplyParameters(reply_to) if reply_to is not None and i == 0 else None,
        )
