"""Abuse: per-user flood control and the inline-query throttle (bot/storage/flood.py).

The pure classes are tested with a fake clock; the handlers through the real
Application (offline, and once end to end over the fake Bot API server).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.pipeline import Pipeline
from bot.storage.flood import Admission, FloodControl, Throttle
from tests.support.botapp import StartBot
from tests.support.clocks import FakeMonotonic
from tests.support.constants import ANSWERED, GROUP, USER, App
from tests.support.fakebotapi import FakeBotApi
from tests.support.offline import FakeRecorder, OfflineRequest, feed
from tests.support.pipelines import tuned

OTHER = 222
LIMIT = 4  # bot.flood_messages in config.yaml: a short burst, then one "pelan-pelan"


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


# --- the pure classes ------------------------------------------------------------------


def test_flood_control_warns_once_then_drops(clock: FakeMonotonic) -> None:
    flood = FloodControl(20, 10.0, clock=clock)
    verdicts = []
    for _ in range(30):
        verdicts.append(flood.check(USER))
        clock.now += 0.1  # 30 messages in 3 seconds
    assert verdicts == [Admission.ALLOW] * 20 + [Admission.WARN] + [Admission.DROP] * 9
    assert flood.check(OTHER) is Admission.ALLOW  # other users are not affected


def test_flood_control_window_resets_after_a_pause(clock: FakeMonotonic) -> None:
    flood = FloodControl(3, 10.0, clock=clock)
    assert [flood.check(USER) for _ in range(5)] == [Admission.ALLOW] * 3 + [Admission.WARN, Admission.DROP]
    clock.now += 9.9
    assert flood.check(USER) is Admission.DROP  # still hammering within the window: still dropped
    clock.now += 10.0
    assert [flood.check(USER) for _ in range(5)] == [Admission.ALLOW] * 3 + [
        Admission.WARN,
        Admission.DROP,
    ]  # warned again


def test_flood_control_allows_a_steady_pace(clock: FakeMonotonic) -> None:
    flood = FloodControl(20, 10.0, clock=clock)
    for _ in range(200):  # one message every 0.5 s, for 100 seconds
        assert flood.check(USER) is Admission.ALLOW
        clock.now += 0.5


def test_flood_control_memory_is_bounded(clock: FakeMonotonic) -> None:
    flood = FloodControl(5, 10.0, max_users=100, clock=clock)
    for user in range(10_000):
        for _ in range(8):
            flood.check(user)
    assert len(flood) == 100
    assert all(len(sender.times) <= 5 for sender in flood._senders.values())


def test_flood_control_refuses_nonsense_settings() -> None:
    with pytest.raises(ValueError):
        FloodControl(0, 10)
    with pytest.raises(ValueError):
        FloodControl(5, 0)


def test_throttle_first_now_then_only_the_latest(clock: FakeMonotonic) -> None:
    throttle: Throttle[str] = Throttle(0.3, clock=clock)
    assert throttle.offer(USER, "g") == 0.0  # the first query: at once
    clock.now += 0.05
    assert throttle.offer(USER, "go") == pytest.approx(0.25)  # wait for the rest of the interval
    assert throttle.offer(USER, "gol") is None  # replaces "go"
    assert throttle.offer(USER, "golput") is None
    assert throttle.offer(OTHER, "kapan") == 0.0  # other users are not held up
    clock.now += 0.25
    assert throttle.take(USER) == "golput"
    assert throttle.take(USER) is None
    clock.now += 0.3
    assert throttle.offer(USER, "golput itu") == 0.0  # a pause: at once again


def test_throttle_memory_is_bounded(clock: FakeMonotonic) -> None:
    throttle: Throttle[str] = Throttle(0.3, max_users=50, clock=clock)
    for user in range(5000):
        throttle.offer(user, "x")
        throttle.offer(user, "xy")
    assert len(throttle) == 50


# --- flood control in the Application ----------------------------------------------------


@pytest.fixture
async def bot(
    pipeline: Pipeline, clock: FakeMonotonic, start_bot: StartBot, offline: OfflineRequest
) -> AsyncIterator[tuple[App, OfflineRequest, FakeRecorder]]:
    """The bot offline, with flood control on a fake clock (LIMIT messages in 5 s, from config.yaml)."""
    recorder = FakeRecorder()
    settings = pipeline.config.bot
    assert (settings.flood_messages, settings.flood_seconds) == (LIMIT, 5.0)
    flood = FloodControl(settings.flood_messages, settings.flood_seconds, clock=clock)
    async with start_bot(pipeline, recorder=recorder, flood=flood) as app:
        yield app, offline, recorder


def sent_to(offline: OfflineRequest, chat_id: int) -> list[str]:
    return [s["text"] for s in offline.sent() if s["chat_id"] == chat_id]


async def test_a_flooding_user_gets_one_slow_down_and_the_rest_is_dropped(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi, pipeline: Pipeline, clock: FakeMonotonic
) -> None:
    app, offline, recorder = bot
    for i in range(30):
        await feed(app, tg.text_message(ANSWERED))
        if i % 10 == 0:
            await feed(app, tg.text_message(ANSWERED, user_id=OTHER))
        clock.now += 0.1
    slow_down = pipeline.replies.text("slow_down")
    replies = sent_to(offline, USER)
    assert len(replies) == LIMIT + 1 and replies[-1] == slow_down and slow_down not in replies[:-1]
    assert sum(1 for c in recorder.calls if c[1] == USER) == LIMIT  # the dropped ones were not matched or recorded
    assert len(sent_to(offline, OTHER)) == 3 and slow_down not in sent_to(offline, OTHER)

    clock.now += 5.0  # the window has passed
    await feed(app, tg.text_message(ANSWERED))
    assert sent_to(offline, USER)[-1] != slow_down and len(sent_to(offline, USER)) == LIMIT + 2


async def test_commands_count_too(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline, _ = bot
    for _ in range(25):
        await feed(app, tg.command("/start"))
    assert len(offline.sent()) == LIMIT + 1 and offline.sent()[-1]["text"] == pipeline.replies.text("slow_down")


async def test_button_mashing_gets_one_toast(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline, recorder = bot
    for _ in range(25):
        await feed(app, tg.callback_query("u:apa_itu_golput"))
    toasts = [a.get("text") for a in offline.sent("answerCallbackQuery")]
    assert toasts == [pipeline.replies.text("feedback_thanks")] * LIMIT + [pipeline.replies.text("slow_down")]
    assert len(recorder.calls) == LIMIT


async def test_group_chatter_the_bot_ignores_does_not_count(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi, pipeline: Pipeline
) -> None:
    app, offline, _ = bot
    for _ in range(40):  # seen by a bot with privacy mode off, not meant for it
        await feed(app, tg.text_message("ada yang tahu jadwal rapat?", chat_id=GROUP))
    await feed(app, tg.mention(ANSWERED))
    (reply,) = offline.sent()
    assert reply["text"].startswith(pipeline.kb.entry("apa_itu_golput").answer.before[:30])


async def test_a_flood_in_a_group_is_answered_in_the_group_once(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi, pipeline: Pipeline, clock: FakeMonotonic
) -> None:
    app, offline, _ = bot
    # A lower limit: the rate limiter lets only 20 messages a minute into one group.
    app.bot_data.flood = FloodControl(5, 10.0, clock=clock)
    for _ in range(8):
        await feed(app, tg.mention(ANSWERED))
    replies = sent_to(offline, GROUP)
    assert len(replies) == 6 and replies[-1] == pipeline.replies.text("slow_down")


@pytest.mark.slow
async def test_flood_over_the_fake_server(api: FakeBotApi, pipeline: Pipeline, start_bot: StartBot) -> None:
    async with start_bot(tuned(pipeline, rate_limit_overall_per_second=1000.0), api):
        for _ in range(30):
            api.push_update(api.text_message(ANSWERED))
        api.push_update(api.text_message(ANSWERED, user_id=OTHER))
        await api.await_for("sendMessage", lambda c: c.params["chat_id"] == OTHER, timeout=10)
    texts = [c.params["text"] for c in api.calls("sendMessage") if c.params["chat_id"] == USER]
    assert len(texts) == LIMIT + 1 and texts.count(pipeline.replies.text("slow_down")) == 1


# --- inline queries ---------------------------------------------------------------------


async def test_inline_queries_typed_fast_get_the_first_and_the_last_answered(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi
) -> None:
    app, offline, _ = bot
    interval = app.bot_data.inline_throttle.interval
    assert interval == 0.3  # config.yaml
    typed = "golput itu apa"
    keystrokes = [tg.inline_query(typed[:n]) for n in range(1, len(typed) + 1)]
    for query in keystrokes:
        await feed(app, query)
    await feed(app, tg.inline_query("kapan", user_id=OTHER))
    assert len(offline.sent("answerInlineQuery")) == 2  # USER's first keystroke and OTHER's query
    await asyncio.sleep(interval + 0.2)
    answers = offline.sent("answerInlineQuery")
    assert len(answers) == 3  # not 15
    assert answers[-1]["inline_query_id"] == keystrokes[-1]["inline_query"]["id"]
    assert "apa_itu_golput" in [r["id"] for r in answers[-1]["results"]]


async def test_inline_queries_at_a_human_pace_are_all_answered(
    bot: tuple[App, OfflineRequest, FakeRecorder], tg: FakeBotApi
) -> None:
    app, offline, _ = bot
    for text in ("golput", "kapan nyoblos", "hoaks"):
        await feed(app, tg.inline_query(text))
        await asyncio.sleep(0.35)
    assert len(offline.sent("answerInlineQuery")) == 3
