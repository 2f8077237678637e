"""Run the Telegram bot as a process: `pilkada-bot run` (token check, event loop, signals, exit codes).

build.py builds the Application (every handler in one place), lifecycle.py holds what
runs after it starts and before it stops, and logs.py sets up logging; their names are
re-exported here, where callers import them from.

The token comes only from TELEGRAM_BOT_TOKEN; the Bot API address, polling or webhook
mode, timeouts and rate limits come from config.yaml (TELEGRAM_API_URL overrides the
address). `run_bot` opens the SQLite database (bot.database) and hands it to the
Application, which records questions and feedback in it, keeps reminder
subscriptions there and closes it on shutdown.

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

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.pipeline import Pipeline
from bot.storage import LocalReplicas, Replicas, StorageError, Store, open_replicas, open_store, salt_warning
from bot.telegram import handlers, webhook
from bot.telegram.build import build_application
from bot.telegram.lifecycle import (
    COMMANDS,
    MENU_JOB,
    STORAGE_COMMANDS,
    BotApplication,
    TypedApplication,
    command_description,
)
from bot.telegram.logs import RedactingFormatter, configure_logging, redact_token
from bot.telegram.network import connect_with_backoff, describe

TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
# Telegram accepts 1-256 of these characters as a webhook secret_token.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Stopped(Exception):
    """A stop signal arrived before the bot was running."""


class StartupError(Exception):
    """The bot cannot start: one line for stderr (the token already redacted) and the exit code.

    Raised where the start fails; run_bot prints it once and returns `exit_code`.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


REJECTED_TOKEN = "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token)."


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
        if data.run_state != "stopping":
            data.run_state = "stopping"
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


def run_bot(pipeline: Pipeline) -> int:
    """Run the bot until SIGTERM or Ctrl+C (polling, or webhook per config). Returns the exit code."""
    # PTB 22 otherwise warns when it builds a RetryAfter (e.g. on a 429).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        return _start(pipeline)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code


def _start(pipeline: Pipeline) -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not TOKEN_RE.match(token):
        raise StartupError(
            "TELEGRAM_BOT_TOKEN is missing or malformed: get a token from @BotFather and run "
            "`export TELEGRAM_BOT_TOKEN=123456789:AA...` before `pilkada-bot run`.",
            2,
        )
    settings = pipeline.config.bot
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    if settings.mode == "webhook" and not SECRET_RE.match(secret):
        raise StartupError(
            "Webhook mode needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters from A-Z, a-z, 0-9, _ and -, "
            "e.g. `export TELEGRAM_WEBHOOK_SECRET=$(openssl rand -hex 32)`.",
            2,
        )
    configure_logging(token)
    # run_polling/run_webhook run on the current event loop (and close it at the end):
    # open the database and reach the Bot API on that same loop, before the bot starts.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return _run(loop, StopSignals(loop), pipeline, token, secret)
    except StartupError:
        raise
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
        raise StartupError(f"Cannot start: {exc}") from exc
    except Stopped:
        return 0
    if isinstance(settings.database, Path) and (warning := salt_warning(settings.database)):
        logger.warning(warning)
    replicas: Replicas = LocalReplicas()
    try:
        replicas = signals.run(open_replicas(store))
        return _serve(loop, signals, pipeline, token, secret, store, replicas)
    except StorageError as exc:
        raise StartupError(f"Cannot start: {exc}") from exc
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
    if not _connect(loop, signals, app, token):
        return 0
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
    except InvalidToken as exc:
        raise StartupError(REJECTED_TOKEN) from exc
    except NetworkError as exc:
        raise StartupError(
            redact_token(f"Cannot reach the Bot API at {settings.api_url}: {describe(exc)}", token)
        ) from exc
    except OSError as exc:  # the webhook's port is taken, or the address is not this machine's
        where = f"{settings.webhook.listen}:{settings.webhook.port}"
        raise StartupError(f"Cannot start: cannot listen on {where} for the webhook: {exc.strerror or exc}") from exc
    return app.bot_data.exit_code


def _connect(loop: asyncio.AbstractEventLoop, signals: StopSignals, app: BotApplication, token: str) -> bool:
    """Reach the Bot API (getMe), with back-off while it is unreachable; False if a stop signal came first.

    Raises StartupError when the Bot API refuses the token or cannot be reached.
    """
    settings = app.bot_data.pipeline.config.bot
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
        return True
    except InvalidToken:
        failure = StartupError(REJECTED_TOKEN)
    except (NetworkError, RetryAfter) as exc:
        message = f"Cannot reach the Bot API at {settings.api_url}: {describe(exc)}; giving up"
        failure = StartupError(redact_token(message, token))
    except TelegramError as exc:  # e.g. "Invalid server response": a web page, not JSON
        message = (
            f"Cannot start: the Bot API address {settings.api_url} answers with something else than the Bot API "
            f"({describe(exc)}); check TELEGRAM_API_URL or bot.api_url in config.yaml"
        )
        failure = StartupError(redact_token(message, token))
    except Stopped:
        logger.info("Stopped before the Bot API could be reached")
        loop.run_until_complete(_abandon(app))
        return False
    loop.run_until_complete(_abandon(app))
    raise failure


async def _abandon(app: BotApplication) -> None:
    """Close what was opened for a start that did not happen: the database and the HTTP client."""
    if app.bot_data.store is not None:
        await app.bot_data.store.close()
    with contextlib.suppress(Exception):
        await app.bot.request.shutdown()


# What callers import from here though it lives in build.py, lifecycle.py and logs.py.
__all__ = [
    "COMMANDS",
    "MENU_JOB",
    "STORAGE_COMMANDS",
    "BotApplication",
    "RedactingFormatter",
    "TypedApplication",
    "build_application",
    "command_description",
    "configure_logging",
]
