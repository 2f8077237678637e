"""Telegram side of the outreach kit: deep links (/start <link>) and answer cards (/kartu, the card button).

The words and pictures come from bot/outreach; these handlers only pick the entry
and send what the kit made.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.outreach.kit import Outreach
from bot.telegram import handlers
from bot.telegram.handlers import Context, outreach, send_reply
from bot.telegram.render import decode_callback, escape

logger = logging.getLogger(__name__)


async def deep_link(update: Update, context: Context) -> None:
    """/start <link>: a deep link (a poster's QR code, a shared answer) opens that answer directly."""
    message = update.message
    if message is None:
        return
    kit = outreach(context)
    entry_id = kit.entry_for_link(context.args[0]) if context.args else None
    if entry_id is None:
        # An unknown word (an old poster, a typo, the inline-mode button's "inline"): the welcome.
        await handlers.start(update, context)
        return
    await send_reply(message, kit.decorate(context.bot_data.replies.for_entry(entry_id)))


async def card_command(update: Update, context: Context) -> None:
    """/kartu <topic or question>: that answer as an image to save and share; /kartu alone explains how."""
    message = update.message
    if message is None:
        return
    data = context.bot_data
    text = " ".join(context.args or [])
    if not text:
        await send_reply(message, data.replies.message("card_help"))
        return
    kit = outreach(context)
    entry_id = kit.entry_for_link(text)
    # The message policy (a text too long to be a question is refused) is the core's: Pipeline.respond.
    reply = data.pipeline.respond(text).reply if entry_id is None else data.replies.for_entry(entry_id)
    if reply.entry_id is None or not kit.has_card(reply.entry_id) or reply.kind != "answer":
        # A "did you mean" or the fallback: its buttons lead to answers, which carry the card button.
        # A known unknown or a claim check has no card: the reply itself says it best.
        if reply.text or reply.buttons:  # "/kartu ok" is small talk, which may deserve no answer
            await send_reply(message, kit.decorate(reply))
        return
    await send_card(message, kit, reply.entry_id, data.cards.uploads)


async def card_button(update: Update, context: Context) -> None:
    """A press on an answer's card button: the card of that answer, sent below it."""
    query = update.callback_query
    if query is None:
        return
    data = context.bot_data
    press = decode_callback(query.data)
    kit = outreach(context)
    if press is None or press.kind != "card" or not kit.has_card(press.entry_id):
        await query.answer(data.replies.message("expired_button").text)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await send_card(query.message, kit, press.entry_id, data.cards.uploads, quote=False)


async def send_card(
    message: Message, kit: Outreach, entry_id: str, uploads: dict[str, str], *, quote: bool | None = None
) -> None:
    """Send the card of `entry_id` into the chat of `message`: Telegram's copy if it has one, else the PNG."""
    # Drawing takes about a tenth of a second: off the event loop, so other chats are not kept waiting.
    card = await asyncio.to_thread(kit.card, entry_id)
    if quote is None:
        quote = message.chat.type != ChatType.PRIVATE
    caption = escape(kit.card_caption(entry_id))
    thread_id = message.message_thread_id if message.is_topic_message else None
    reply_to = ReplyParameters(message.message_id) if quote else None
    bot = message.get_bot()
    known = uploads.get(card.digest)
    if known is not None:
        try:
            await bot.send_photo(
                message.chat_id, known, caption=caption, message_thread_id=thread_id, reply_parameters=reply_to
            )
            return
        except BadRequest as exc:  # e.g. the bot's token changed: the file_id is no longer ours
            logger.info("a cached card file_id was refused (%s); uploading the card again", exc.message)
            uploads.pop(card.digest, None)
    sent = await bot.send_photo(
        message.chat_id,
        card.png,
        caption=caption,
        filename=f"kartu-{kit.links.link_for(entry_id) or entry_id}.png",
        message_thread_id=thread_id,
        reply_parameters=reply_to,
    )
    if sent.photo:
        uploads[card.digest] = sent.photo[-1].file_id
