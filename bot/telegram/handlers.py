"""Telegram handlers: commands, questions, button presses and everything else users send.

Each handler only turns an update into a ReplyBuilder call and sends the rendered
Reply; the words come from knowledge/messages.yaml. In groups the bot speaks only
when addressed (a command, an @mention, or a reply to one of its messages).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Sequence
from typing import Any, Literal

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InlineQuery,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot, filters

from bot.outreach.card import CardCache
from bot.outreach.kit import Outreach
from bot.pipeline import Pipeline
from bot.replies.replies import Clock, Reply, ReplyBuilder
from bot.storage import LocalReplicas, Replicas, Store
from bot.storage.events import ErrorLog, Recorder
from bot.storage.flood import FloodControl, Throttle, Verdict
from bot.telegram.logs import user_tag
from bot.telegram.processing import ChatOrderedProcessor
from bot.telegram.render import decode_callback, render_reply

logger = logging.getLogger(__name__)

# Reloads announced by other replicas (PostgreSQL NOTIFY, which any role that can connect may
# send) are honoured at most this often on each replica, the last of a burst always (issue 25, item 9).
ANNOUNCED_RELOAD_INTERVAL = 10.0

# starting: until the Application has started; serving: run_polling/run_webhook wait for
# updates; stopping: from the first stop request (a signal, a 409) to the exit.
Phase = Literal["starting", "serving", "stopping"]


class BotData:
    """What every handler needs; build_application sets all of it before the bot starts.

    `store` is None when the bot runs without a database (tests, benchmarks): the
    reminder, privacy and statistics commands are then not registered at all.
    `clock` is the bot's "now" for reminders and /stats (tests freeze or shift it).
    `flood` and `inline_throttle` hold the per-user limits (bot/storage/flood.py).
    `phase` says where the bot is in its life (see `request_stop`); `hurry` is set by a
    second stop signal (the updates still queued are then skipped); `rounds` are the
    reminder rounds running (bot/telegram/broadcast.py); `exit_code` is what
    `pilkada-bot run` exits with (3 after a 409 Conflict, see bot/telegram/errors.py).
    """

    pipeline: Pipeline
    recorder: Recorder
    store: Store | None
    clock: Clock
    flood: FloodControl
    inline_throttle: Throttle[InlineQuery]
    arrivals: Arrivals
    # Set by build_application; None when the Application uses another processor.
    processor: ChatOrderedProcessor | None

    def __init__(self) -> None:
        self.arrivals = Arrivals()
        self.processor = None
        self.replicas: Replicas = LocalReplicas()
        # Statistics that could not be recorded (a recorder that raises): counted, logged once a minute.
        self.record_errors = ErrorLog("Recording statistics")
        # Reloads announced by other replicas (bot/telegram/admin.py reload_announced): one key, 0.
        self.reload_throttle: Throttle[int] = Throttle(ANNOUNCED_RELOAD_INTERVAL, max_users=1)
        self.reload_later: asyncio.Task[None] | None = None  # the reload the throttle put off
        self.reloads_merged = 0  # announcements that came while one was put off
        self.phase: Phase = "starting"
        self.stop_requested = False  # asked while starting: BotApplication.start asks again
        self.hurry = False
        self.rounds: set[asyncio.Task[Any]] = set()
        self.exit_code = 0
        # "Write why" prompts after a 👎: (chat id, prompt message id) -> entry id (bot/telegram/feedback.py).
        self.feedback_prompts: dict[tuple[int, int], str] = {}
        self.cards = CardCache()  # answer cards drawn, and their Telegram file_ids once uploaded

    @property
    def stopping(self) -> bool:
        return self.phase == "stopping"

    @property
    def replies(self) -> ReplyBuilder:
        return self.pipeline.replies

    def text(self, key: str, **fields: object) -> str:
        """Message `key` from messages.yaml with every placeholder filled in.

        Like ReplyBuilder.message, a message staff removed shows as its key rather
        than crashing the handler (the optional ones are all shipped).
        """
        if not self.pipeline.kb.messages.has(key):
            return key
        return self.replies.text(key, **fields)


# The context every handler gets: user_data and chat_data stay plain dicts (unused).
Context = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]


def outreach(context: Context) -> Outreach:
    """The outreach kit (deep links, shares, cards) for this bot, on the current knowledge base."""
    data = context.bot_data
    return Outreach(data.replies, context.bot.username, clock=data.clock, cards=data.cards)


def request_stop(application: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """Ask run_polling/run_webhook to stop gracefully (once); e.g. after a 409 Conflict.

    PTB's stop_running works only once run_polling waits for updates: asked earlier,
    the request is kept and BotApplication.start makes it again.
    """
    data = application.bot_data
    if data.phase == "serving":
        data.phase = "stopping"
        application.stop_running()
    elif data.phase == "starting":
        data.stop_requested = True


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


def question_text(message: Message) -> str | None:
    """The words of a message that may hold a question: its text, or the caption of a photo, video or file."""
    return message.text if message.text is not None else message.caption


def strip_mention(text: str, username: str) -> str:
    """The question without "@BotName", so the matcher sees only the user's words."""
    return " ".join(re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).split())


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


# Flood verdicts remembered for updates not yet handled: far more than polling fetches ahead.
MAX_ARRIVALS = 10_000


class Arrivals:
    """Flood control's verdict on each update, taken when it arrived (bounded, oldest forgotten first)."""

    def __init__(self, max_updates: int = MAX_ARRIVALS) -> None:
        self._verdicts: OrderedDict[int, Verdict] = OrderedDict()
        self._max = max_updates

    def __len__(self) -> int:
        return len(self._verdicts)

    def add(self, update_id: int, verdict: Verdict) -> None:
        self._verdicts[update_id] = verdict
        if len(self._verdicts) > self._max:
            self._verdicts.popitem(last=False)

    def get(self, update_id: int) -> Verdict | None:
        return self._verdicts.get(update_id)

    def pop(self, update_id: int) -> Verdict | None:
        return self._verdicts.pop(update_id, None)


def flood_verdict(data: BotData, update: Update) -> Verdict | None:
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
    data.arrivals.add(update.update_id, Verdict(shared.value))


def admit(data: BotData, update: object) -> bool:
    """False for an update flood control dropped when it arrived: skipped without waiting behind its chat."""
    if not isinstance(update, Update) or data.arrivals.get(update.update_id) is not Verdict.DROP:
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
    if verdict is None or verdict is Verdict.ALLOW:
        return
    user = update.effective_user
    if verdict is Verdict.WARN and user is not None:
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
    limit = data.pipeline.config.bot.max_message_length
    if len(text) > limit:
        if message.forward_origin is None:
            await send_reply(message, data.replies.message("too_long"))
            return
        # A forwarded text is not the user's own words: asking them to shorten it would not help.
        text = text[:limit]
    # A forwarded message is someone else's words, often a chain message: the claim check reads it as a claim.
    reply = outreach(context).decorate(data.replies.for_question(text, forwarded=message.forward_origin is not None))
    try:
        if reply.text or reply.buttons:  # small talk may deserve no answer at all ("ok")
            await send_reply(message, reply)
    finally:  # send first: recording never delays an answer (and a failed send was still asked)
        # Small talk ("ok", "makasih") is not a question: neither counted nor logged as unanswered.
        if update.effective_user is not None and reply.match is not None and reply.kind != "small_talk":
            await record(data, data.recorder.record_match(update.effective_user.id, text, reply.match))


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
