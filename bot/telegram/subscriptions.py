"""Reminder subscriptions and privacy: /ingatkan, /berhenti, /privasi, /hapus.

Registered only when the bot has a database. Reminders go to private chats only: a
group subscribed by one member would remind everyone in it, unasked. Subscribing
keeps the chat id (the one id stored in clear); /berhenti deletes it, /hapus deletes
everything stored about the user. Which reminders exist and when they are sent is
bot/reminders.py and bot/telegram/broadcast.py.
"""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update
from telegram.constants import ChatType

from bot.reminders import Reminder, reminder_schedule, upcoming
from bot.replies.election import countdown, format_date
from bot.replies.reply import Reply
from bot.storage import StorageError
from bot.storage.events import BufferedRecorder
from bot.telegram.handlers import BotData, Context, send_reply
from bot.telegram.logs import user_tag

logger = logging.getLogger(__name__)


def upcoming_reminders(data: BotData) -> list[Reminder]:
    """The configured reminders still to come, by the bot's clock."""
    config = data.pipeline.config
    return upcoming(reminder_schedule(config.election, config.reminders), data.clock())


def describe_reminder(data: BotData, reminder: Reminder) -> str:
    """One line of the schedule, e.g. "• H-7: Rabu, 20 November 2024, 19.00 WIB"."""
    due = reminder.due
    # Indonesian writes times with a dot (19.00); the zone abbreviation (WIB) comes from tzdata.
    moment = f"{format_date(due.date(), with_weekday=True)}, {due:%H.%M} {due.tzname()}"
    key = "remind_item_today" if reminder.days_before == 0 else "remind_item"
    return data.text(key, days=reminder.days_before, date=moment)


def _info(text: str) -> Reply:
    return Reply("info", text)


async def subscribe(update: Update, context: Context) -> None:
    """/ingatkan: subscribe this private chat to the vote reminders and list when they come."""
    message = update.message
    data = context.bot_data
    if message is None or data.store is None:
        return
    election = data.pipeline.config.election
    date = format_date(election.voting_date, with_weekday=True)
    state = countdown(election, data.clock())
    if state.state == "after":  # in a group too: "go to a private chat" would lead nowhere
        await send_reply(message, _info(data.text("remind_past", date=date, days=state.days)))
        return
    if message.chat.type != ChatType.PRIVATE:
        await send_reply(message, _info(data.text("remind_private_only", bot=context.bot.username)))
        return
    reminders = upcoming_reminders(data)
    if not reminders:
        # Keeping a chat id that will never be used would break the privacy promise.
        await send_reply(message, _info(data.text("remind_no_more", date=date)))
        return
    try:
        new = await data.store.subscribe(message.chat_id)
    except StorageError as exc:  # e.g. the database file was deleted: never "Siap!" then
        logger.error("/ingatkan not stored for chat %s: %s", user_tag(message.chat_id), exc)
        await send_reply(message, _info(data.text("error")))
        return
    intro = data.text("remind_on" if new else "remind_already", date=date)
    lines = [intro, *(describe_reminder(data, r) for r in reminders)]
    await send_reply(message, _info("\n".join(lines)))


async def unsubscribe(update: Update, context: Context) -> None:
    """/berhenti: stop the reminders and delete this chat's id (in a group: how to stop them)."""
    message = update.message
    data = context.bot_data
    if message is None or data.store is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        # A group is never subscribed; a member who is stops in the private chat.
        key = "remind_stop_group" if data.pipeline.kb.messages.has("remind_stop_group") else "remind_private_only"
        await send_reply(message, _info(data.text(key, bot=context.bot.username)))
        return
    try:
        removed = await data.store.unsubscribe(message.chat_id)
    except (sqlite3.Error, StorageError) as exc:  # locked by another process, disk full, ...
        # Say plainly that the chat id is still stored: a generic apology would read as "done".
        logger.error("/berhenti could not delete a subscription: %s: %s", type(exc).__name__, exc)
        await send_reply(message, _info(data.text("remind_off_failed")))
        return
    await send_reply(message, _info(data.text("remind_off" if removed else "remind_none")))


async def privacy(update: Update, context: Context) -> None:
    """/privasi: what the bot stores about users, and how to have it deleted (/berhenti, /hapus)."""
    if update.message is None:
        return
    data = context.bot_data
    text = data.text("privacy")
    # PostgreSQL (several replicas) keeps deleted rows' bytes in its log and backups for a
    # while; SQLite's secure_delete and checkpoint have no equivalent there (docs/scaling.md).
    if data.replicas.shared and data.pipeline.kb.messages.has("privacy_server"):
        text = f"{text}\n{data.text('privacy_server')}"
    await send_reply(update.message, _info(text))


async def forget(update: Update, context: Context) -> None:
    """/hapus (/lupakan, /delete): delete everything the bot stored about this user, in any chat."""
    message = update.message
    data = context.bot_data
    if message is None or message.from_user is None or data.store is None:
        return
    try:
        if isinstance(data.recorder, BufferedRecorder):  # statistics not written yet must not come back
            await data.recorder.forget(message.from_user.id)
        await data.store.forget_user(message.from_user.id)
    except Exception:
        # Whatever failed, the user must hear that their data is still there.
        logger.exception("/hapus failed for user %s", user_tag(message.from_user.id))
        await send_reply(message, _info(data.text("forget_failed")))
        return
    logger.info("/hapus: deleted what was stored about user %s", user_tag(message.from_user.id))
    await send_reply(message, _info(data.text("forget_done")))
