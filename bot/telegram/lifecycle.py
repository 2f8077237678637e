"""The Application's life: BotApplication, what runs after initialize and after shutdown, and the command menu."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Any

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ExtBot,
    JobQueue,
)

from bot.replies.replies import ReplyBuilder
from bot.storage.events import BufferedRecorder
from bot.telegram import admin, handlers
from bot.telegram.broadcast import schedule_reminders, stop_rounds
from bot.telegram.handlers import BotData, Context
from bot.telegram.logs import redact_token
from bot.telegram.network import describe
from bot.telegram.watchdog import watch_database

logger = logging.getLogger(__name__)

# The commands shown in Telegram's menu (descriptions: command_<name> in messages.yaml);
# STORAGE_COMMANDS only when the bot has a database. Staff commands (/stats, /unanswered,
# /reload) stay out of the menu: everyone sees it.
COMMANDS = ("start", "help", "topik", "hitungmundur", "sumber", "kartu")
MENU_JOB = "menu for the election phase"
STORAGE_COMMANDS = ("ingatkan", "berhenti", "privasi", "hapus")

# How often a replica deletes old update claims from PostgreSQL (seconds).
FORGET_UPDATES_EVERY = 3600
TypedApplication = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]


class BotApplication(TypedApplication):
    """The Application, keeping track of its phase, with a stop that does not wait for a whole reminder round."""

    async def start(self) -> None:
        """PTB's start; then the bot is serving, and a stop asked for while starting is asked again."""
        await super().start()
        data = self.bot_data
        if data.run_state == "starting":
            data.run_state = "serving"
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
