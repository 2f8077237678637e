"""Reminder rounds end to end: a pipeline with reminders set, the bot as `run` starts it, the logged results."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.config import RemindersConfig, ReminderTime
from bot.pipeline import Pipeline
from bot.reminders import RoundResult, reminder_key
from bot.storage import SqliteStore
from tests.support.botapp import bot_app
from tests.support.constants import SALT, WIB, App
from tests.support.fakebotapi import FakeBotApi

VOTING_DAY = dt.date(2030, 1, 10)


def reminder_pipeline(pipeline: Pipeline, *times: tuple[int, str], grace_minutes: int = 30) -> Pipeline:
    """The shipped KB with voting day on VOTING_DAY and these (days before, "HH:MM") reminders."""
    config = replace(
        pipeline.config,
        election=replace(pipeline.config.election, voting_date=VOTING_DAY),
        reminders=RemindersConfig(
            tuple(ReminderTime(days, dt.time.fromisoformat(at)) for days, at in times), grace_minutes
        ),
    )
    return Pipeline.from_parts(config, pipeline.kb)


def key(days_before: int, at: str) -> str:
    return reminder_key(VOTING_DAY, days_before, dt.time.fromisoformat(at))


@asynccontextmanager
async def running(pipeline: Pipeline, db_path: Path, clock: Clock, api: FakeBotApi) -> AsyncIterator[App]:
    """The bot as `pilkada-bot run` starts it (own store, post_init, polling), stopped and closed after."""
    store = await SqliteStore.open(db_path, salt=SALT, timezone=WIB)
    async with bot_app(pipeline, api, store=store, clock=clock) as app:
        yield app


async def subscribe(db_path: Path, *chats: int) -> None:
    async with await SqliteStore.open(db_path, salt=SALT, timezone=WIB) as store:
        for chat in chats:
            await store.subscribe(chat)


async def round_result(
    caplog: pytest.LogCaptureFixture, reminder: str, nth: int = 1, timeout: float = 10
) -> RoundResult:
    """The nth RoundResult bot.reminders logged for `reminder`, waiting for it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        results = [
            r.args[1]
            for r in caplog.records
            if r.name == "bot.reminders" and isinstance(r.args, tuple) and r.args[:1] == (reminder,)
        ]
        if len(results) >= nth:
            assert isinstance(results[nth - 1], RoundResult)
            return results[nth - 1]
        assert asyncio.get_running_loop().time() < deadline, f"no round {nth} of {reminder} logged"
        await asyncio.sleep(0.02)
