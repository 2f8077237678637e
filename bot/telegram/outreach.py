"""Telegram side of the outreach kit: deep links (/start <link>).

The words and pictures come from bot/outreach; these handlers only pick the entry
and send what the kit made.
"""

from __future__ import annotations

from telegram import Update

from bot.telegram import handlers
from bot.telegram.handlers import Context, outreach, send_reply


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
