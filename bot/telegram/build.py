"""build_application: the Application with its defaults, rate limiter, timeouts, flood control and handlers.

Tests build the same Application with an offline request or a fake server, with a
temporary database or none.
"""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, utc_now
from bot.pipeline import Pipeline
from bot.storage import LocalReplicas, Replicas, Store
from bot.storage.events import BufferedRecorder, NullRecorder, Recorder
from bot.storage.flood import FloodControl, Throttle
from bot.telegram import admin, feedback, handlers, network, outreach, subscriptions
from bot.telegram.broadcast import round_concurrency
from bot.telegram.errors import on_error
from bot.telegram.handlers import BotData, Context
from bot.telegram.inline import inline_query
from bot.telegram.lifecycle import BotApplication, post_init, post_shutdown
from bot.telegram.network import PollingConnection, RetryingRateLimiter, UpdateQueue
from bot.telegram.processing import ChatOrderedProcessor

# Handlers in this group run before all the others (group 0): flood control.
GUARD_GROUP = -1

# HTTP connections beyond one per running handler and reminder send (getMe, setMyCommands, ...).
SPARE_CONNECTIONS = 4


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
