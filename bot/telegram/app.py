"""Build the Telegram Application (every handler in one place) and run it: `pilkada-bot run`.

The token comes only from TELEGRAM_BOT_TOKEN; the Bot API address, polling or webhook
mode, timeouts and rate limits come from config.yaml (TELEGRAM_API_URL overrides the
address). `run_bot` opens the SQLite database (bot.database) and hands it to the
Application, which records questions and feedback in it, keeps reminder
subscriptions there and closes it on shutdown. Tests build the same Application with
an offline request or a fake server, with a temporary database or none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import sys
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.events import NullRecorder, Recorder
from bot.knowledge import Messages
from bot.pipeline import Pipeline
from bot.replies import Clock, utc_now
from bot.storage import StorageError, Store
from bot.telegram import admin, handlers, subscriptions
from bot.telegram.broadcast import schedule_reminders
from bot.telegram.errors import on_error
from bot.telegram.handlers import BotData, Context
from bot.telegram.inline import inline_query

BotApplication = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]

TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
# Telegram accepts 1-256 of these characters as a webhook secret_token.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# The commands shown in Telegram's menu (descriptions: command_<name> in messages.yaml);
# STORAGE_COMMANDS only when the bot has a database. Staff commands (/stats, /unanswered,
# /reload) stay out of the menu: everyone sees it.
COMMANDS = ("start", "help", "topik", "hitungmundur", "sumber")
STORAGE_COMMANDS = ("ingatkan", "berhenti", "privasi")

logger = logging.getLogger(__name__)


def build_application(
    pipeline: Pipeline,
    token: str,
    *,
    store: Store | None = None,
    recorder: Recorder | None = None,
    clock: Clock = utc_now,
    base_url: str | None = None,
    request: BaseRequest | None = None,
    updater_request: BaseRequest | None = None,
) -> BotApplication:
    """The bot, ready to initialize: defaults, rate limiter, timeouts and every handler.

    `store` enables reminders, /privasi and the staff statistics, and is the recorder
    unless `recorder` is given; the Application closes it on shutdown. Without a store
    those commands are not registered (a user gets the unknown-command reply) and
    nothing is recorded. `clock` is "now" for reminders and /stats.
    """
    settings = pipeline.config.bot
    job_queue: JobQueue[Context] = JobQueue()  # the builder's default, typed with our Context
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url or settings.api_url)
        .context_types(ContextTypes(bot_data=BotData))
        .job_queue(job_queue)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=pipeline.config.election.timezone,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A group member may delete the question before the answer arrives.
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.rate_limit.overall_per_second,
                group_max_rate=settings.rate_limit.group_per_minute,
                max_retries=settings.rate_limit.max_retries,
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    # PTB refuses timeouts next to a ready-made request object (tests pass offline ones).
    if request is None:
        builder = builder.connect_timeout(settings.connect_timeout).read_timeout(settings.read_timeout)
    else:
        builder = builder.request(request)
    if updater_request is None:
        # getUpdates adds the long-poll timeout to this read timeout by itself.
        builder = builder.get_updates_connect_timeout(settings.connect_timeout).get_updates_read_timeout(
            settings.read_timeout
        )
    else:
        builder = builder.get_updates_request(updater_request)
    app = builder.build()
    app.bot_data.pipeline = pipeline
    app.bot_data.store = store
    if recorder is None:
        recorder = store if store is not None else NullRecorder()
    app.bot_data.recorder = recorder
    app.bot_data.clock = clock

    # Only new messages: an edited message is ignored on purpose, since answering it again
    # would add a second answer far below the first. Channel posts match nothing either.
    new = filters.UpdateType.MESSAGE
    private = new & filters.ChatType.PRIVATE
    private_text = private & filters.TEXT & ~filters.COMMAND
    # Privacy mode already hides most group chatter, but an admin bot (or one with privacy
    # mode off) sees every message: answer only those addressed to it.
    group_text = new & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & handlers.ADDRESSED_TO_BOT
    # Staff commands: for anyone else these handlers do not match, so the command falls
    # through to unknown_command below, exactly like a command that does not exist.
    # There is no /broadcast, by design: reminders are the only unasked messages, so a
    # stolen staff account cannot message every subscriber (see telegram/broadcast.py).
    staff = private & filters.User(user_id=settings.admin_ids)
    storage_handlers: list[BaseHandler[Update, Context, None]] = []
    if store is not None:
        storage_handlers = [
            CommandHandler("ingatkan", subscriptions.subscribe, filters=new),
            CommandHandler("berhenti", subscriptions.unsubscribe, filters=new),
            CommandHandler("privasi", subscriptions.privacy, filters=new),
            CommandHandler("stats", admin.stats, filters=staff),
            CommandHandler("unanswered", admin.unanswered, filters=staff),
        ]
    app.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler(["help", "bantuan"], handlers.help_command, filters=new),
            CommandHandler("topik", handlers.topics, filters=new),
            CommandHandler("hitungmundur", handlers.countdown, filters=new),
            CommandHandler("sumber", handlers.sources, filters=new),
            *storage_handlers,
            CommandHandler("reload", admin.reload_knowledge, filters=staff),
            # In groups an unknown /command may belong to another bot: stay quiet there.
            MessageHandler(private & filters.COMMAND, handlers.unknown_command),
            MessageHandler(private_text | group_text, handlers.question),
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.non_text),
            CallbackQueryHandler(handlers.button),
            InlineQueryHandler(inline_query),
        ]
    )
    app.add_error_handler(on_error)
    return app


async def post_init(app: BotApplication) -> None:
    """Before the first update: the command menu, then the reminder jobs (with catch-up)."""
    await register_commands(app)
    if app.job_queue is not None:
        schedule_reminders(app.job_queue, app.bot_data)


async def post_shutdown(app: BotApplication) -> None:
    """After the last update and job: close the database (reminder rounds have finished by now)."""
    if app.bot_data.store is not None:
        await app.bot_data.store.close()


async def register_commands(app: BotApplication) -> None:
    """The Indonesian command menu users see next to the text box."""
    messages = app.bot_data.pipeline.kb.messages
    names = COMMANDS + (STORAGE_COMMANDS if app.bot_data.store is not None else ())
    await app.bot.set_my_commands([BotCommand(name, command_description(messages, name)) for name in names])
    logger.info(
        "Running as @%s with %d knowledge-base entries", app.bot.username, len(app.bot_data.pipeline.kb.entries)
    )


def command_description(messages: Messages, name: str) -> str:
    """The menu text of /name from messages.yaml (command_<name>), or "/name" if staff removed it."""
    key = f"command_{name}"
    return messages.get(key) if messages.has(key) else f"/{name}"


def run_bot(pipeline: Pipeline) -> int:
    """Run the bot until Ctrl+C (polling, or webhook per config). Returns the exit code."""
    # PTB 22 otherwise warns when it builds a RetryAfter (e.g. on a 429).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not TOKEN_RE.match(token):
        print(
            "TELEGRAM_BOT_TOKEN is missing or malformed: get a token from @BotFather and run "
            "`export TELEGRAM_BOT_TOKEN=123456789:AA...` before `pilkada-bot run`.",
            file=sys.stderr,
        )
        return 2
    settings = pipeline.config.bot
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    if settings.mode == "webhook" and not SECRET_RE.match(secret):
        print(
            "Webhook mode needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters from A-Z, a-z, 0-9, _ and -, "
            "e.g. `export TELEGRAM_WEBHOOK_SECRET=$(openssl rand -hex 32)`.",
            file=sys.stderr,
        )
        return 2
    configure_logging(token)
    # run_polling/run_webhook run on the current event loop (and close it at the end):
    # open the database on that same loop, before the bot starts.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        store = loop.run_until_complete(Store.open(settings.database, timezone=pipeline.config.election.timezone))
    except StorageError as exc:
        loop.close()
        asyncio.set_event_loop(None)
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    app = build_application(pipeline, token, store=store)
    try:
        if settings.mode == "webhook":
            app.run_webhook(
                listen=settings.webhook.listen,
                port=settings.webhook.port,
                url_path=settings.webhook.path,
                webhook_url=settings.webhook.url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
        else:
            app.run_polling(
                poll_interval=settings.poll_interval,
                timeout=dt.timedelta(seconds=settings.poll_timeout),
                drop_pending_updates=False,
                allowed_updates=Update.ALL_TYPES,
            )
    except InvalidToken:
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token).", file=sys.stderr)
        return 1
    except NetworkError as exc:
        reason = str(exc).replace(token, "<token>")
        print(f"Cannot reach the Bot API at {settings.api_url}: {reason}", file=sys.stderr)
        return 1
    return 0


class RedactingFormatter(logging.Formatter):
    """Replaces the token in every log line: PTB and httpx errors may quote request URLs."""

    def __init__(self, fmt: str, secret: str) -> None:
        super().__init__(fmt)
        self._secret = secret

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(self._secret, "<token>")


def configure_logging(token: str) -> None:
    """INFO to stderr, once; httpx logs every URL (which contains the token) at INFO, so quiet it."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
