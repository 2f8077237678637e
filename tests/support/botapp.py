"""bot_app(): the one way tests (and the benchmarks) start the bot.

Offline (the default): the real Application answering through an OfflineRequest, entered
with `async with app` (initialize/shutdown), fed updates with `feed()`. With `api`: the
real Application long-polling the fake Bot API, started and stopped the way run_polling does.

Replies to one chat are not spaced a second apart unless `paced=True`: the spacing only
makes tests that send many replies to one chat slow, and it has its own test (test_network.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from telegram import Update

from bot.clock import Clock
from bot.pipeline import Pipeline
from bot.storage import Store
from bot.storage.events import Recorder
from bot.storage.flood import FloodControl
from bot.telegram.app import BotApplication, build_application
from tests.support.constants import TOKEN
from tests.support.fakebotapi import FakeBotApi
from tests.support.offline import OfflineRequest
from tests.support.pipelines import unpaced


class StartBot(Protocol):
    """The type of the `start_bot` fixture (tests/conftest.py): bot_app with the test's OfflineRequest."""

    def __call__(
        self, pipeline: Pipeline, api: FakeBotApi | None = None, **options: Any
    ) -> AbstractAsyncContextManager[BotApplication]: ...


@asynccontextmanager
async def bot_app(
    pipeline: Pipeline,
    api: FakeBotApi | None = None,
    *,
    offline: OfflineRequest | None = None,
    store: Store | None = None,
    recorder: Recorder | None = None,
    clock: Clock | None = None,
    flood: FloodControl | None = None,
    paced: bool = False,
    poll_timeout: float = 1.0,
) -> AsyncIterator[BotApplication]:
    """The bot over `pipeline`: polling `api` when given, else answering through `offline`.

    Polling: initialize, post_init, start_polling (polling errors go to the bot's error
    handler), start; then updater.stop, stop, shutdown and post_shutdown, which writes the
    buffered statistics and closes `store`. The fake's options (round trip, Telegram's
    limits) are set on `api`: `FakeBotApi(round_trip=0.1, telegram_limits=True)`.
    `flood` replaces the flood control built from the settings (a fake clock, other limits).
    """
    if not paced:
        pipeline = unpaced(pipeline)
    extra: dict[str, Any] = {"store": store, "recorder": recorder}
    if clock is not None:
        extra["clock"] = clock
    if api is None:
        request = offline if offline is not None else OfflineRequest()
        app = build_application(pipeline, TOKEN, request=request, updater_request=OfflineRequest(), **extra)
        if flood is not None:
            app.bot_data.flood = flood
        async with app:
            yield app
        return
    app = build_application(pipeline, api.token, base_url=api.base_url, **extra)
    if flood is not None:
        app.bot_data.flood = flood
    await app.initialize()
    try:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=dt.timedelta(seconds=poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            error_callback=lambda exc: app.create_task(app.process_error(error=exc, update=None)),
        )
        await app.start()
        yield app
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
