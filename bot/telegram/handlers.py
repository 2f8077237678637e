"""Telegram handlers: commands, questions, button presses and everything else users send.

What they share is in state.py (BotData, Context), how they send in send.py, and the
flood gate that runs before them in guard.py.

Each handler only turns an update into a ReplyBuilder call and sends the rendered
Reply; the words come from knowledge/messages.yaml. In groups the bot speaks only
when addressed (a command, an @mention, or a reply to one of its messages).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable

from telegram import (
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType

from bot.outreach.kit import Outreach
from bot.replies.reply import Reply
from bot.telegram.guard import (
    ADDRESSED_TO_BOT,
    FLOODABLE,
    AddressedToBot,
    admit,
    flood_guard,
    flood_verdict,
    mentions_bot,
    on_arrival,
    on_webhook_arrival,
)
from bot.telegram.render import decode_callback, render_reply
from bot.telegram.send import _send_chunks, edit_into, send_reply
from bot.telegram.state import (
    ANNOUNCED_RELOAD_INTERVAL,
    MAX_ARRIVALS,
    Arrivals,
    BotData,
    Context,
    RunState,
    request_stop,
)


def outreach(context: Context) -> Outreach:
    """The outreach kit (deep links, shares, cards) for this bot, on the current knowledge base."""
    data = context.bot_data
    return Outreach(data.replies, context.bot.username, clock=data.clock, cards=data.cards)


def question_text(message: Message) -> str | None:
    """The words of a message that may hold a question: its text, or the caption of a photo, video or file."""
    return message.text if message.text is not None else message.caption


def strip_mention(text: str, username: str) -> str:
    """The question without "@BotName", so the matcher sees only the user's words."""
    return " ".join(re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).split())


def welcome(message: Message, context: Context) -> Reply:
    """The welcome for this chat: in a group it says how to ask there, since plain messages are not read."""
    replies = context.bot_data.replies
    if message.chat.type == ChatType.PRIVATE:
        return replies.welcome()
    return replies.group_welcome(context.bot.username)


async def start(update: Update, context: Context) -> None:
    """/start: the welcome, what the bot knows and does not, and the topic keyboard."""
    if update.message is not None:
        await send_reply(update.message, welcome(update.message, context))


async def help_command(update: Update, context: Context) -> None:
    """/help: how to ask, and the list of commands (with the reminder commands when they exist)."""
    if update.message is None:
        return
    data = context.bot_data
    if update.message.chat.type != ChatType.PRIVATE:
        await send_reply(update.message, data.replies.group_help(context.bot.username))
        return
    reply = data.replies.help()
    # The console shares `help`; only Telegram with a database has /ingatkan and friends.
    if data.store is not None and data.pipeline.kb.messages.has("help_reminders"):
        reply = Reply(reply.kind, f"{reply.text}\n{data.text('help_reminders')}")
    await send_reply(update.message, reply)


async def topics(update: Update, context: Context) -> None:
    """/topik: the topic keyboard."""
    if update.message is not None:
        await send_reply(update.message, context.bot_data.replies.topics())


async def countdown(update: Update, context: Context) -> None:
    """/hitungmundur: days until voting day, "today", or how long ago it was."""
    if update.message is not None:
        await send_reply(update.message, context.bot_data.replies.countdown())


async def sources(update: Update, context: Context) -> None:
    """/sumber: the news articles every answer comes from."""
    if update.message is not None:
        await send_reply(update.message, context.bot_data.replies.sources())


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have (private chats only: in groups it may be another bot's)."""
    if update.message is not None:
        await send_reply(update.message, context.bot_data.replies.message("unknown_command"))


async def question(update: Update, context: Context) -> None:
    """Free text, a caption or a forwarded message: the matched answer, a "did you mean", or the fallback.

    Recorded for staff. A caption ("ini poster pilkada, bener ga tanggalnya?") or a
    forwarded message is asked like typed text.
    """
    message = update.message
    text = question_text(message) if message is not None else None
    if message is None or text is None:
        return
    if message.via_bot is not None and message.via_bot.id == context.bot.id:
        return  # the user shared one of our inline answers here: it is not a question
    data = context.bot_data
    if message.chat.type != ChatType.PRIVATE:
        text = strip_mention(text, context.bot.username)
        if not text:
            await send_reply(message, welcome(message, context))
            return
    # The message policy (length, forwarded, what is counted) is the core's: Pipeline.respond.
    response = data.pipeline.respond(text, forwarded=message.forward_origin is not None)
    reply = outreach(context).decorate(response.reply)
    try:
        if reply.text or reply.buttons:  # small talk may deserve no answer at all ("ok")
            await send_reply(message, reply)
    finally:  # send first: recording never delays an answer (and a failed send was still asked)
        if update.effective_user is not None and response.recorded and reply.match is not None:
            await record(data, data.recorder.record_match(update.effective_user.id, response.asked, reply.match))


async def record(data: BotData, call: Awaitable[None]) -> None:
    """Await a Recorder call; a failure is counted and logged (rate-limited), never raised to the user."""
    try:
        await call
    except Exception as exc:
        data.record_errors.error(exc)


def asker_of(message: MaybeInaccessibleMessage | None, presser: int) -> int | None:
    """Who asked the question a "did you mean" message answers, or None if that is unknown.

    In a private chat, the one pressing. In a group anyone may press, so it is the author
    of the question the bot replied to (Telegram sends it with the pressed message); if
    that question was deleted, nobody's pending question is marked as resolved.
    """
    if message is None:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return presser
    if isinstance(message, Message) and message.reply_to_message is not None:
        author = message.reply_to_message.from_user
        return author.id if author is not None else None
    return None


async def non_text(update: Update, context: Context) -> None:
    """Photos, voice notes, locations, files without a caption in a private chat: ask for text instead.

    A sticker stands for its emoji, so it gets the small-talk reply of that emoji (👍: nothing, 🙏: "sama-sama").
    """
    message = update.message
    if message is None:
        return
    replies = context.bot_data.replies
    emoji = message.sticker.emoji if message.sticker is not None else None
    reply = (replies.small_talk(emoji) if emoji else None) or replies.message("non_text")
    if reply.text or reply.buttons:
        await send_reply(message, reply)


async def button(update: Update, context: Context) -> None:
    """A press on one of the bot's buttons: topic, "more topics", suggestion or related entry.

    👍/👎 and the reasons after 👎 are bot/telegram/feedback.py's.
    """
    query = update.callback_query
    if query is None:
        return
    data = context.bot_data
    press = decode_callback(query.data)
    if press is not None and press.kind == "topics":
        reply = data.replies.topics()
    elif press is None or press.entry_id not in data.pipeline.kb.by_id:
        # Forged data, or a button on an old message whose entry was since removed.
        await query.answer(data.replies.message("expired_button").text)
        return
    elif press.kind == "not_this":
        # "Bukan ini": none of the suggestions fits. The question stays in the unanswered
        # log (it was recorded as a suggestion nobody chose) and the user gets the honest reply.
        reply = data.replies.fallback()
    else:
        reply = outreach(context).decorate(data.replies.for_entry(press.entry_id))
    if press.kind == "suggestion" and (asker := asker_of(query.message, query.from_user.id)) is not None:
        await record(data, data.recorder.record_suggestion_chosen(asker, press.entry_id))
    await query.answer()
    message = query.message
    if isinstance(message, Message):
        if press.kind in ("suggestion", "not_this"):
            await edit_into(message, reply)
        else:
            await send_reply(message, reply, quote=False)
    elif message is not None:
        # Telegram no longer shows us the message (an InaccessibleMessage): answer below it.
        rendered = render_reply(reply)
        await _send_chunks(context.bot, message.chat.id, rendered.chunks, rendered.keyboard)


# What callers import from here though it lives in state.py, send.py and guard.py.
__all__ = [
    "ADDRESSED_TO_BOT",
    "ANNOUNCED_RELOAD_INTERVAL",
    "FLOODABLE",
    "MAX_ARRIVALS",
    "AddressedToBot",
    "Arrivals",
    "BotData",
    "Context",
    "RunState",
    "admit",
    "edit_into",
    "flood_guard",
    "flood_verdict",
    "mentions_bot",
    "on_arrival",
    "on_webhook_arrival",
    "request_stop",
    "send_reply",
]
