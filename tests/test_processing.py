"""Concurrent update handling (bot/telegram/processing.py): many chats at once, one chat in order.

The processor alone with plain updates and coroutines, then the real Application
polling the fake Bot API.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot.pipeline import Pipeline
from bot.telegram.processing import ChatOrderedProcessor, ordering_key
from tests.support.botapp import StartBot
from tests.support.constants import TOKEN
from tests.support.fakebotapi import FakeBotApi
from tests.support.pipelines import tuned

USER, OTHER = 111, 222
FIRST = "kapan hari pencoblosan?"
SECOND = "golput itu apa sih"
THIRD = "kenapa harus memilih"

_tg = FakeBotApi(token=TOKEN)  # its update builders only; never started


def update(chat: int, n: int) -> Update:
    data = _tg.text_message(f"pesan {n}", user_id=chat)
    data["update_id"] = n
    return Update.de_json(data, None)


async def test_one_chat_in_order_other_chats_meanwhile_and_at_most_n_at_once() -> None:
    taken: list[int] = []
    handled: list[int] = []
    processor = ChatOrderedProcessor(2, taken=taken.append, handled=handled.append)
    gates = {n: asyncio.Event() for n in range(1, 5)}
    log: list[str] = []

    async def handle(n: int) -> None:
        log.append(f"start {n}")
        await gates[n].wait()
        log.append(f"end {n}")

    # 1 and 2 from USER, 3 and 4 from two other chats; two slots.
    chats = {1: USER, 2: USER, 3: OTHER, 4: 333}
    tasks = [asyncio.create_task(processor.process_update(update(chats[n], n), handle(n))) for n in range(1, 5)]
    await asyncio.sleep(0.01)
    assert log == ["start 1", "start 3"]  # 2 waits for 1 (same chat); 4 waits for a slot
    assert processor.running == 2
    assert sorted(taken) == [1, 2, 3]  # 2 is taken up: it waits for its chat, not for a slot
    gates[3].set()
    await asyncio.sleep(0.01)
    assert log[-1] == "start 4"  # 3's slot went to 4, not to 2
    gates[1].set()
    await asyncio.sleep(0.01)
    assert log[-2:] == ["end 1", "start 2"]
    gates[2].set()
    gates[4].set()
    await asyncio.gather(*tasks)
    assert sorted(handled) == [1, 2, 3, 4]


async def test_a_cancelled_update_lets_the_next_one_of_its_chat_go_on() -> None:
    processor = ChatOrderedProcessor(4)
    started = asyncio.Event()
    done: list[int] = []

    async def hangs() -> None:
        started.set()
        await asyncio.Event().wait()

    async def quick() -> None:
        done.append(2)

    first = asyncio.create_task(processor.process_update(update(USER, 1), hangs()))
    second = asyncio.create_task(processor.process_update(update(USER, 2), quick()))
    await started.wait()
    assert processor.cancel_running() == 1
    await second
    assert done == [2] and first.cancelled()


async def test_updates_dropped_at_arrival_skip_the_queue() -> None:
    handled: list[int] = []
    processor = ChatOrderedProcessor(2, admit=lambda u: u.update_id != 2, handled=handled.append)
    ran: list[int] = []

    async def handle(n: int) -> None:
        ran.append(n)

    for n in (1, 2, 3):
        await processor.process_update(update(USER, n), handle(n))
    assert ran == [1, 3] and handled == [1, 2, 3]


def test_ordering_keys() -> None:
    assert ordering_key(update(USER, 1)) == USER
    inline = Update.de_json(_tg.inline_query("golput", user_id=OTHER) | {"update_id": 9}, None)
    assert ordering_key(inline) == OTHER  # no chat: the user's own order
    assert ordering_key(object()) is None
    with pytest.raises(ValueError):
        ChatOrderedProcessor(0)


async def test_two_messages_from_one_chat_are_answered_in_order_under_concurrency(
    pipeline: Pipeline, start_bot: StartBot
) -> None:
    # Not a timing assertion: the first answer is held back by the server, and the second
    # must not even be *sent* before the first was answered. Per-chat pacing is off here,
    # so only the processor keeps the order.
    concurrent = tuned(pipeline, concurrency=8, rate_limit_chat_per_second=0)
    with FakeBotApi(token=TOKEN) as api:
        for text, user in ((FIRST, USER), (SECOND, USER), (THIRD, OTHER)):
            api.push_update(api.text_message(text, user_id=user))
        api.delay("sendMessage", 2.0, count=1)  # only the first reply (to FIRST) is slow
        async with start_bot(concurrent, api):
            calls = await api.await_for("sendMessage", lambda c: c.finished is not None, count=3, timeout=15)
    first, second = [c for c in calls if c.params["chat_id"] == USER]
    (other,) = [c for c in calls if c.params["chat_id"] == OTHER]
    assert first.params["text"].startswith(answer(pipeline, FIRST))
    assert second.params["text"].startswith(answer(pipeline, SECOND))
    assert first.finished is not None and second.time >= first.finished  # in order
    assert other.finished is not None and other.finished < first.finished  # the other chat did not wait


def answer(pipeline: Pipeline, question: str) -> Any:
    return pipeline.replies.for_question(question).text.split("\n")[0]
