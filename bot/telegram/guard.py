"""The flood gate: which updates count, the verdict at arrival, and the handler that drops or slows a flood.

In groups the bot counts only what it would answer: a command, an @mention, or a reply
to one of its messages.
"""

from __future__ import annotations

import logging

from telegram import (
    Message,
    MessageEntity,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, filters

from bot.replies.reply import Reply
from bot.storage.flood import Admission
from bot.telegram.logs import user_tag
from bot.telegram.send import send_reply
from bot.telegram.state import BotData, Context

logger = logging.getLogger(__name__)


class AddressedToBot(filters.MessageFilter):
    """Group messages meant for this bot: an @mention of it, or a reply to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        return mentions_bot(message, bot.id, bot.username)


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")

# The messages flood control counts: those the bot would answer. Group chatter the bot
# ignores (when privacy mode is off) must not use up a member's allowance.
FLOODABLE = filters.UpdateType.MESSAGE & (
    filters.ChatType.PRIVATE | (filters.ChatType.GROUPS & (filters.COMMAND | ADDRESSED_TO_BOT))
)


def mentions_bot(message: Message, bot_id: int, username: str) -> bool:
    """True if the message (or its photo/video/document caption) @mentions the bot (usernames are case-insensitive)."""
    wanted = f"@{username}".lower()
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    entities = message.parse_entities(kinds) | message.parse_caption_entities(kinds)
    return any(
        (entity.user is not None and entity.user.id == bot_id) or text.lower() == wanted
        for entity, text in entities.items()
    )


def flood_verdict(data: BotData, update: Update) -> Admission | None:
    """Count `update` against its user's allowance now; None if flood control does not apply to it."""
    user = update.effective_user
    if user is None or (update.callback_query is None and not FLOODABLE.check_update(update)):
        return None
    return data.flood.check(user.id)


def on_arrival(data: BotData, update: object) -> None:
    """An update has just arrived (bot/telegram/network.py's UpdateQueue): count it for flood control now.

    Counting when it is handled instead lets a flood through under load: 30 messages
    that arrive within 3 s but are handled over 30 s look like a steady pace.
    """
    if isinstance(update, Update) and (verdict := flood_verdict(data, update)) is not None:
        data.arrivals.add(update.update_id, verdict)


async def on_webhook_arrival(data: BotData, update: Update) -> None:
    """on_arrival for an update from the webhook; with several replicas the count is kept in PostgreSQL,
    so a user whose messages the balancer spreads over the replicas is still counted once."""
    if not data.replicas.shared:
        on_arrival(data, update)
        return
    user = update.effective_user
    if user is None or (update.callback_query is None and not FLOODABLE.check_update(update)):
        return
    shared = await data.replicas.flood_check(user.id, data.flood.limit, data.flood.window)
    data.arrivals.add(update.update_id, shared)


def admit(data: BotData, update: object) -> bool:
    """False for an update flood control dropped when it arrived: skipped without waiting behind its chat."""
    if not isinstance(update, Update) or data.arrivals.get(update.update_id) is not Admission.DROP:
        return True
    data.arrivals.pop(update.update_id)
    return False


async def flood_guard(update: Update, context: Context) -> None:
    """Before every other handler: drop a flood of messages or button presses from one user.

    Over bot.flood_messages within bot.flood_seconds (counted when the updates
    arrived), the user gets one polite "slow down" (messages.yaml `slow_down`) and
    the rest are dropped unanswered and unrecorded until they pause; other users are
    not affected.
    """
    data = context.bot_data
    if data.hurry:  # told twice to stop: skip what is still queued
        raise ApplicationHandlerStop
    verdict = data.arrivals.pop(update.update_id)
    if verdict is None:  # not through the update queue (a test feeding updates directly), or not counted
        verdict = flood_verdict(data, update)
    if verdict is None or verdict is Admission.ALLOW:
        return
    user = update.effective_user
    if verdict is Admission.WARN and user is not None:
        logger.info(
            "flood control: user %s sent over %d messages within %g s; ignoring them until they slow down",
            user_tag(user.id),
            data.flood.limit,
            data.flood.window,
        )
        try:
            await _slow_down(update, data)
        except TelegramError as exc:  # the flood is dropped whether or not the warning arrives
            logger.warning("could not send the slow-down message: %s", type(exc).__name__)
    raise ApplicationHandlerStop


async def _slow_down(update: Update, data: BotData) -> None:
    if not data.pipeline.kb.messages.has("slow_down"):
        return
    text = data.text("slow_down")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.message is not None:
        await send_reply(update.message, Reply("info", text))
