"""The database watchdog: stop the bot (exit code 1) when its database file is deleted or replaced.

SQLite keeps writing to a database file deleted under it (the open file lives on),
so a bot whose data folder was wiped would keep confirming subscriptions ("Siap!")
and store nothing that survives a restart. Every `bot.database_check` seconds the
store compares the file with the one it opened (Store.watch); subscribing checks
it too, at once. On a mismatch this logs one CRITICAL line and stops the bot with
exit code 1, so a supervisor restarts it on a fresh or restored file; every write the
store is asked for meanwhile is refused.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from bot.storage import StorageError
from bot.telegram.handlers import BotData, request_stop

logger = logging.getLogger(__name__)

EXIT_DATABASE_LOST = 1


def watch_database(app: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """Start watching the database file (only with a database); the store stops it when it closes."""
    data = app.bot_data
    if data.store is not None:
        data.store.watch(data.pipeline.config.bot.database_check, lambda exc: database_lost(app, exc))


def database_lost(app: Application[Any, Any, Any, Any, BotData, Any], exc: StorageError) -> None:
    """Log why, and stop the bot with exit code 1."""
    logger.critical("%s. Stopping (exit code %d) rather than answer while storing nothing.", exc, EXIT_DATABASE_LOST)
    app.bot_data.exit_code = EXIT_DATABASE_LOST
    request_stop(app)
