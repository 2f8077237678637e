"""What every handler shares: BotData (the bot's parts and limits), the handler Context, and stopping on request."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, Literal

from telegram import InlineQuery
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.outreach.card import CardCache
from bot.pipeline import Pipeline
from bot.replies.replies import ReplyBuilder
from bot.storage import LocalReplicas, Replicas, Store
from bot.storage.events import ErrorLog, Recorder
from bot.storage.flood import Admission, FloodControl, Throttle
from bot.telegram.processing import ChatOrderedProcessor

# Reloads announced by other replicas (PostgreSQL NOTIFY, which any role that can connect may
# send) are honoured at most this often on each replica, the last of a burst always (issue 25, item 9).
ANNOUNCED_RELOAD_INTERVAL = 10.0

# starting: until the Application has started; serving: run_polling/run_webhook wait for
# updates; stopping: from the first stop request (a signal, a 409) to the exit.
RunState = Literal["starting", "serving", "stopping"]


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
        self.run_state: RunState = "starting"
        self.stop_requested = False  # asked while starting: BotApplication.start asks again
        self.hurry = False
        self.rounds: set[asyncio.Task[Any]] = set()
        self.exit_code = 0
        # "Write why" prompts after a 👎: (chat id, prompt message id) -> entry id (bot/telegram/feedback.py).
        self.feedback_prompts: dict[tuple[int, int], str] = {}
        self.cards = CardCache()  # answer cards drawn, and their Telegram file_ids once uploaded

    @property
    def stopping(self) -> bool:
        return self.run_state == "stopping"

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


def request_stop(application: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """Ask run_polling/run_webhook to stop gracefully (once); e.g. after a 409 Conflict.

    PTB's stop_running works only once run_polling waits for updates: asked earlier,
    the request is kept and BotApplication.start makes it again.
    """
    data = application.bot_data
    if data.run_state == "serving":
        data.run_state = "stopping"
        application.stop_running()
    elif data.run_state == "starting":
        data.stop_requested = True


# Flood verdicts remembered for updates not yet handled: far more than polling fetches ahead.
MAX_ARRIVALS = 10_000


class Arrivals:
    """Flood control's verdict on each update, taken when it arrived (bounded, oldest forgotten first)."""

    def __init__(self, max_updates: int = MAX_ARRIVALS) -> None:
        self._verdicts: OrderedDict[int, Admission] = OrderedDict()
        self._max = max_updates

    def __len__(self) -> int:
        return len(self._verdicts)

    def add(self, update_id: int, verdict: Admission) -> None:
        self._verdicts[update_id] = verdict
        if len(self._verdicts) > self._max:
            self._verdicts.popitem(last=False)

    def get(self, update_id: int) -> Admission | None:
        return self._verdicts.get(update_id)

    def pop(self, update_id: int) -> Admission | None:
        return self._verdicts.pop(update_id, None)
