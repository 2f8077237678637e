"""Build the Telegram Application (every handler in one place) and run it: `pilkada-bot run`.

The token comes only from TELEGRAM_BOT_TOKEN; the Bot API address, polling or webhook
mode, timeouts and rate limits come from config.yaml (TELEGRAM_API_URL overrides the
address). `run_bot` opens the SQLite database (bot.database) and hands it to the
Application, which records questions and feedback in it, keeps reminder
subscriptions there and closes it on shutdown. Tests build the same Application with
an offline request or a fake server, with a temporary database or none.

How it copes with faults and abuse (docs/reliability.md has the full table): the
Bot API unreachable at start is retried with back-off (bot/telegram/network.py);
429s are waited out and a reply that surely did not arrive is resent; a 409 Conflict
stops this process with exit code 3 (bot/telegram/errors.py); a flood from one user
is cut off before any handler runs (flood_guard); SIGTERM or Ctrl+C answers the
updates already fetched and lets a reminder round finish only its sends in flight.

Exit codes of `pilkada-bot run`: 0 stopped by a signal, 1 could not start (token
rejected, Bot API unreachable, database unusable, unexpected error), 2 missing or
malformed TELEGRAM_BOT_TOKEN / TELEGRAM_WEBHOOK_SECRET, 3 another process polls
with the same token.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import re
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
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
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.pipeline import Pipeline
from bot.replies.replies import Clock, ReplyBuilder, utc_now
from bot.storage import LocalReplicas, Replicas, StorageError, Store, open_replicas, open_store, salt_warning
from bot.storage.events import BufferedRecorder, NullRecorder, Recorder
from bot.storage.flood import FloodControl, Throttle
from bot.telegram import admin, feedback, handlers, network, outreach, subscriptions, webhook
from bot.telegram.broadcast import round_concurrency, schedule_reminders, stop_rounds
from bot.telegram.errors import on_error
from bot.telegram.handlers import BotData, Context
from bot.telegram.inline import inline_query
from bot.telegram.logs import ShortInvalidJson, redact_token
from bot.telegram.network import PollingConnection, RetryingRateLimiter, UpdateQueue, connect_with_backoff, describe
from bot.telegram.processing import ChatOrderedProcessor
from bot.telegram.watchdog import watch_database

TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
# Telegram accepts 1-256 of these characters as a webhook secret_token.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# The commands shown in Telegram's menu (descriptions: command_<name> in messages.yaml);
# STORAGE_COMMANDS only when the bot has a database. Staff commands (/stats, /unanswered,
# /reload) stay out of the menu: everyone sees it.
COMMANDS = ("start", "help", "topik", "hitungmundur", "sumber", "kartu")
MENU_JOB = "menu for the election phase"
STORAGE_COMMANDS = ("ingatkan", "berhenti", "privasi", "hapus")

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Handlers in this group run before all the others (group 0): flood control.
GUARD_GROUP = -1
# How often a replica deletes old update claims from PostgreSQL (seconds).
FORGET_UPDATES_EVERY = 3600
# HTTP connections beyond one per running handler and reminder send (getMe, setMyCommands, ...).
SPARE_CONNECTIONS = 4


TypedApplication = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]


class BotApplication(TypedApplication):
    """The Application, keeping track of its phase, with a stop that does not wait for a whole reminder round."""

    async def start(self) -> None:
        """PTB's start; then the bot is serving, and a stop asked for while starting is asked again."""
        await super().start()
        data = self.bot_data
        if data.phase == "starting":
            data.phase = "serving"
        if data.stop_requested:
            # Not at once: run_polling has yet to enter the loop that stop_running stops.
            asyncio.get_running_loop().call_later(0.1, handlers.request_stop, self)

    async def stop(self) -> None:
        """Stop: a reminder round in flight finishes only its current sends, then PTB's own stop.

        PTB's stop answers the updates already fetched, then waits for running jobs; a
        round over thousands of subscribers would hold the shutdown for minutes.
        """
        if self.running:
            await stop_rounds(self.bot_data, self.bot_data.pipeline.config.bot.shutdown_grace)
        await super().stop()


class Stopped(Exception):
    """A stop signal arrived before the bot was running."""


class StopSignals:
    """SIGINT and SIGTERM for the whole of `run_bot`: the first stops gracefully, another one hurries.

    Gracefully: before the bot runs (opening the database, waiting for the Bot API),
    the step under way is cancelled; once python-telegram-bot runs it, it stops the
    way PTB's own handler does (SystemExit, which run_polling catches): the updates
    already fetched are answered, and a reminder round finishes only the sends in
    flight. A signal while stopping hurries: the updates still queued are skipped and
    reminder sends are cancelled, yet the database is still closed properly. (PTB's
    own handler would raise out of its cleanup instead and leave the process hanging
    on the database thread.)
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._app: BotApplication | None = None
        self._step: asyncio.Task[Any] | None = None
        self.received = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Only the main thread can have signal handlers; elsewhere the defaults stay.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_signal, sig)

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        """Run one start-up step on the loop; raise Stopped if a signal came before or during it."""
        if self.received:
            step.close()
            raise Stopped
        task = self._loop.create_task(step)
        self._step = task
        try:
            return self._loop.run_until_complete(task)
        except asyncio.CancelledError:
            if self.received:
                raise Stopped from None
            raise
        finally:
            self._step = None

    def attach(self, app: BotApplication) -> None:
        """From now on signals stop `app`, which run_polling/run_webhook is about to run."""
        self._app = app

    def _on_signal(self, sig: int) -> None:
        name = signal.Signals(sig).name
        first, self.received = not self.received, True
        if self._step is not None:
            if first:
                logger.info("%s: stopping", name)
            self._step.cancel()
            return
        app = self._app
        if app is None:
            return  # between two steps: the next one sees `received`
        data = app.bot_data
        if data.phase != "stopping":
            data.phase = "stopping"
            logger.info("%s: stopping after answering the updates already received", name)
            raise SystemExit  # run_polling/run_webhook catch it and stop gracefully
        if not data.hurry:
            data.hurry = True
            waiting = app.update_queue.qsize()
            running = data.processor.cancel_running() if data.processor is not None else 0
            logger.warning(
                "%s again: stopping now; %d queued update(s) not answered, %d answer(s) in progress cancelled",
                name,
                waiting,
                running,
            )
            for task in data.rounds:
                task.cancel()


def build_application(
    pipeline: Pipeline,
    token: str,
    *,
    store: Store | None = None,
    replicas: Replicas | None = None,
    recorder: Recorder | None = None,
    clock: Clock = utc_now,
    base_url: str | None = None,
    request: BaseRequest | None = None,
    updater_request: BaseRequest | None = None,
) -> BotApplication:
    """The bot, ready to initialize: defaults, rate limiter, timeouts, flood control and every handler.

    `store` enables reminders, /privasi and the staff statistics, and records the
    statistics through a BufferedRecorder (written in batches, off the answer path)
    unless `recorder` is given; the Application closes both on shutdown. Without a store
    those commands are not registered (a user gets the unknown-command reply) and
    nothing is recorded. `clock` is "now" for reminders and /stats. `replicas`: what
    this process shares with other replicas (open_replicas); closed on shutdown too.
    """
    settings = pipeline.config.bot
    job_queue: JobQueue[Context] = JobQueue()  # the builder's default, typed with our Context
    builder = (
        ApplicationBuilder()
        .application_class(BotApplication)
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
            RetryingRateLimiter(
                overall_max_rate=settings.rate_limit.overall_per_second,
                group_max_rate=settings.rate_limit.group_per_minute,
                max_retries=settings.rate_limit.max_retries,
                resend_retries=settings.send_retries,
                resend_backoff=network.RESEND_BACKOFF,  # looked up here, so tests can shorten it
                chat_per_second=settings.rate_limit.chat_per_second,
                paid_per_second=pipeline.config.reminders.paid_per_second,
                replicas=replicas,
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    # PTB refuses timeouts next to a ready-made request object (tests pass offline ones).
    if request is None:
        # One connection per handler running, per reminder send in flight, and a few spare.
        pool = settings.concurrency + round_concurrency(pipeline.config.reminders) + SPARE_CONNECTIONS
        builder = (
            builder.connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .connection_pool_size(pool)
        )
    else:
        builder = builder.request(request)
    if updater_request is None:
        # What PTB builds for getUpdates by default (one connection); getUpdates adds the
        # long-poll timeout to this read timeout by itself.
        updater_request = HTTPXRequest(
            connection_pool_size=1, connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout
        )
    polling, update_queue = PollingConnection(updater_request), UpdateQueue()
    processor = ChatOrderedProcessor(
        settings.concurrency,
        admit=lambda update: handlers.admit(app.bot_data, update),  # `app` exists by the first update
        taken=polling.tracker.taken,
        handled=polling.tracker.handled,
    )
    app = builder.get_updates_request(polling).update_queue(update_queue).concurrent_updates(processor).build()
    if not isinstance(app, BotApplication):  # only if a caller swapped the builder for another
        raise TypeError("build_application needs ApplicationBuilder().application_class(BotApplication)")
    updater = app.updater
    polling.pace(lambda: updater is not None and updater.running)
    data = app.bot_data
    update_queue.on_arrival = lambda update: handlers.on_arrival(data, update)
    data.processor = processor
    data.pipeline = pipeline
    data.store = store
    data.replicas = replicas or LocalReplicas()
    if recorder is None:
        # Statistics are written in batches, off the answer path (bot/storage/events.py).
        recorder = BufferedRecorder(store, store.clock) if store is not None else NullRecorder()
    data.recorder = recorder
    data.clock = clock
    data.flood = FloodControl(settings.flood_messages, settings.flood_seconds)
    data.inline_throttle = Throttle(settings.inline_interval)

    # Only new messages: an edited message is ignored on purpose, since answering it again
    # would add a second answer far below the first. Channel posts match nothing either.
    new = filters.UpdateType.MESSAGE
    private = new & filters.ChatType.PRIVATE
    # A photo, video or file with a caption is a question too (handlers.question_text).
    words = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    private_text = private & words
    # Privacy mode already hides most group chatter, but an admin bot (or one with privacy
    # mode off) sees every message: answer only those addressed to it.
    group_text = new & filters.ChatType.GROUPS & words & handlers.ADDRESSED_TO_BOT
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
            CommandHandler(["hapus", "lupakan", "delete"], subscriptions.forget, filters=new),
            CommandHandler("stats", admin.stats, filters=staff),
            CommandHandler("unanswered", admin.unanswered, filters=staff),
        ]
    app.add_handler(TypeHandler(Update, handlers.flood_guard), group=GUARD_GROUP)
    app.add_handlers(
        [
            # /start <link> from a deep link (poster QR code, shared answer) opens that answer.
            CommandHandler("start", outreach.deep_link, filters=new, has_args=True),
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler(["help", "bantuan"], handlers.help_command, filters=new),
            CommandHandler("topik", handlers.topics, filters=new),
            CommandHandler("hitungmundur", handlers.countdown, filters=new),
            CommandHandler("sumber", handlers.sources, filters=new),
            CommandHandler("kartu", outreach.card_command, filters=new),
            *storage_handlers,
            CommandHandler("reload", admin.reload_knowledge, filters=staff),
            # In groups an unknown /command may belong to another bot: stay quiet there.
            MessageHandler(private & filters.COMMAND, handlers.unknown_command),
            # A reply may carry the reason asked for after a 👎; otherwise it goes on to handlers.question.
            MessageHandler(private & filters.REPLY & words, feedback.comment),
            MessageHandler(private_text | group_text, handlers.question),
            MessageHandler(private & ~filters.TEXT & ~filters.CAPTION & ~filters.StatusUpdate.ALL, handlers.non_text),
            CallbackQueryHandler(feedback.press, pattern=feedback.PATTERN),
            CallbackQueryHandler(outreach.card_button, pattern=r"^c:"),
            CallbackQueryHandler(handlers.button),
            InlineQueryHandler(inline_query),
        ]
    )
    app.add_error_handler(on_error)
    return app


async def post_init(app: TypedApplication) -> None:
    """Before the first update: the command menu, then the reminder jobs (with catch-up) and the database watch."""
    await register_commands(app)
    if app.job_queue is not None:
        # The menu reads differently before, on and after voting day: refresh it each midnight.
        midnight = dt.time(0, 0, 5, tzinfo=app.bot_data.pipeline.config.election.timezone)
        app.job_queue.run_daily(refresh_menu, midnight, name=MENU_JOB)
    watch_database(app)
    if isinstance(app.bot_data.recorder, BufferedRecorder):
        app.bot_data.recorder.start()
    if app.job_queue is not None:
        schedule_reminders(app.job_queue, app.bot_data)
        if app.bot_data.replicas.shared:
            app.job_queue.run_repeating(forget_old_updates, interval=FORGET_UPDATES_EVERY, first=60)
    app.bot_data.replicas.listen_for_reload(lambda from_me: admin.reload_announced(app.bot_data, from_me))


async def forget_old_updates(context: Context) -> None:
    """Hourly: drop the replicas' update claims older than Telegram could still redeliver."""
    with contextlib.suppress(Exception):  # best effort: the next hour tries again
        await context.bot_data.replicas.forget_old_updates()


async def post_shutdown(app: TypedApplication) -> None:
    """After the last update and job: write the last statistics, close the database (rounds have finished)."""
    if isinstance(app.bot_data.recorder, BufferedRecorder):
        await app.bot_data.recorder.close()
    await app.bot_data.replicas.close()
    admin.cancel_announced_reload(app.bot_data)
    if app.bot_data.store is not None:
        await app.bot_data.store.close()


async def register_commands(app: TypedApplication) -> None:
    """The Indonesian command menu users see next to the text box (best effort: the bot works without it)."""
    await _set_menu(app.bot, app.bot_data)
    logger.info(
        "Running as @%s with %d knowledge-base entries", app.bot.username, len(app.bot_data.pipeline.kb.entries)
    )
    configured = app.bot_data.pipeline.config.bot.username
    if configured and configured.lower() != app.bot.username.lower():
        logger.warning(
            "bot.username in config.yaml is %s but this token belongs to @%s: posters and cards made offline "
            "would open the wrong bot",
            configured,
            app.bot.username,
        )


async def refresh_menu(context: Context) -> None:
    """Daily job: the menu in the wording of today's phase ("Ingatkan aku untuk mencoblos" only before the vote)."""
    await _set_menu(context.bot, context.bot_data)


async def _set_menu(bot: Bot, data: BotData) -> None:
    names = COMMANDS + (STORAGE_COMMANDS if data.store is not None else ())
    try:
        await bot.set_my_commands([BotCommand(name, command_description(data.replies, name)) for name in names])
    except TelegramError as exc:
        # A 5xx here must not stop the bot; the menu from the last time stays.
        logger.warning("Could not update the command menu (%s); continuing", redact_token(describe(exc), bot.token))


def command_description(replies: ReplyBuilder, name: str) -> str:
    """The menu text of /name from messages.yaml (command_<name>) in today's wording, or "/name"."""
    key = f"command_{name}"
    return replies.text(key) if replies.kb.messages.has(key) else f"/{name}"


def run_bot(pipeline: Pipeline) -> int:
    """Run the bot until SIGTERM or Ctrl+C (polling, or webhook per config). Returns the exit code."""
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
    # open the database and reach the Bot API on that same loop, before the bot starts.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return _run(loop, StopSignals(loop), pipeline, token, secret)
    except Exception:
        # Never a bare traceback on stderr: it could quote the token (through the redacting log).
        logger.exception("The bot stopped because of an unexpected error")
        return 1
    finally:
        if not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)


def _run(loop: asyncio.AbstractEventLoop, signals: StopSignals, pipeline: Pipeline, token: str, secret: str) -> int:
    settings = pipeline.config.bot
    try:
        store = signals.run(open_store(settings.database, timezone=pipeline.config.election.timezone))
    except StorageError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    except Stopped:
        return 0
    if isinstance(settings.database, Path) and (warning := salt_warning(settings.database)):
        logger.warning(warning)
    replicas: Replicas = LocalReplicas()
    try:
        replicas = signals.run(open_replicas(store))
        return _serve(loop, signals, pipeline, token, secret, store, replicas)
    except StorageError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    except Stopped:
        return 0
    finally:
        # Whatever went wrong, end the database's worker thread (not a daemon): otherwise
        # the process hangs instead of exiting, and systemd never restarts a hung process.
        if not loop.is_closed():
            loop.run_until_complete(replicas.close())
            loop.run_until_complete(store.close())


def _serve(
    loop: asyncio.AbstractEventLoop,
    signals: StopSignals,
    pipeline: Pipeline,
    token: str,
    secret: str,
    store: Store,
    replicas: Replicas,
) -> int:
    settings = pipeline.config.bot
    app = build_application(pipeline, token, store=store, replicas=replicas)
    if (code := _connect(loop, signals, app, token)) is not None:
        return code
    signals.attach(app)
    try:
        if settings.mode == "webhook":
            # Our own server (bot/telegram/webhook.py), not PTB's: secret checked before the
            # body, bounded, and Telegram's 200 only once the update was handled.
            hook = settings.webhook
            webhook.run_application(
                loop,
                app,
                webhook.WebhookSettings(
                    hook.listen,
                    hook.port,
                    hook.path,
                    hook.url,
                    secret,
                    hook.max_connections,
                    webhook.Limits(hook.max_body_kb * 1024, hook.request_timeout, hook.open_connections),
                ),
                where=settings.api_url,
                retries=settings.startup_retries,
                backoff=settings.startup_backoff,
                grace=settings.shutdown_grace,
                allowed_updates=Update.ALL_TYPES,
                redact=lambda text: redact_token(text, token),
                on_arrival=lambda update: handlers.on_webhook_arrival(app.bot_data, update),
                shared=replicas,
            )
        else:
            app.run_polling(
                poll_interval=settings.poll_interval,
                timeout=dt.timedelta(seconds=settings.poll_timeout),
                drop_pending_updates=False,
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=settings.startup_retries,
                stop_signals=None,  # StopSignals handles them
            )
    except InvalidToken:
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token).", file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(redact_token(f"Cannot reach the Bot API at {settings.api_url}: {describe(exc)}", token), file=sys.stderr)
        return 1
    except OSError as exc:  # the webhook's port is taken, or the address is not this machine's
        where = f"{settings.webhook.listen}:{settings.webhook.port}"
        print(f"Cannot start: cannot listen on {where} for the webhook: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return app.bot_data.exit_code


def _connect(loop: asyncio.AbstractEventLoop, signals: StopSignals, app: BotApplication, token: str) -> int | None:
    """Reach the Bot API (getMe), with back-off while it is unreachable. None once reached, else the exit code."""
    settings = app.bot_data.pipeline.config.bot
    code = 1
    try:
        signals.run(
            connect_with_backoff(
                app.initialize,
                settings.api_url,
                retries=settings.startup_retries,
                backoff=settings.startup_backoff,
                redact=lambda text: redact_token(text, token),
            )
        )
        return None
    except InvalidToken:
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token).", file=sys.stderr)
    except (NetworkError, RetryAfter) as exc:
        message = f"Cannot reach the Bot API at {settings.api_url}: {describe(exc)}; giving up"
        print(redact_token(message, token), file=sys.stderr)
    except TelegramError as exc:  # e.g. "Invalid server response": a web page, not JSON
        message = (
            f"Cannot start: the Bot API address {settings.api_url} answers with something else than the Bot API "
            f"({describe(exc)}); check TELEGRAM_API_URL or bot.api_url in config.yaml"
        )
        print(redact_token(message, token), file=sys.stderr)
    except Stopped:
        logger.info("Stopped before the Bot API could be reached")
        code = 0
    loop.run_until_complete(_abandon(app))
    return code


async def _abandon(app: BotApplication) -> None:
    """Close what was opened for a start that did not happen: the database and the HTTP client."""
    if app.bot_data.store is not None:
        await app.bot_data.store.close()
    with contextlib.suppress(Exception):
        await app.bot.request.shutdown()


class RedactingFormatter(logging.Formatter):
    """Replaces the token (in any letter case) in every log line: PTB and httpx errors may quote request URLs."""

    def __init__(self, fmt: str, secret: str) -> None:
        super().__init__(fmt)
        self._secret = secret

    def format(self, record: logging.LogRecord) -> str:
        return redact_token(super().format(record), self._secret)


def configure_logging(token: str) -> None:
    """INFO to stderr, once; httpx logs every URL (which contains the token) at INFO, so quiet it.

    Warnings (e.g. PTB's) go through the same redacting handler. Nothing logs user
    ids or message text: see bot/telegram/logs.py.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token))
    handler.addFilter(ShortInvalidJson())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.captureWarnings(True)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
