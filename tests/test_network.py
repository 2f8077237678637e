"""bot/telegram/network.py: per-chat spacing in the rate limiter, and the update tracker polling relies on."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from bot.telegram.network import CHAT_SPACING_MARGIN, RetryingRateLimiter, UpdateTracker


async def test_messages_to_one_chat_are_spaced_other_chats_are_not() -> None:
    limiter = RetryingRateLimiter(1000, 20, 0, resend_retries=0, chat_per_second=10)
    sent: list[tuple[Any, float]] = []

    async def send(chat: int) -> dict[str, Any]:
        async def request() -> dict[str, Any]:
            sent.append((chat, time.monotonic()))
            return {}

        return await limiter.process_request(request, (), {}, "sendMessage", {"chat_id": chat}, None)  # type: ignore[return-value]

    await asyncio.gather(send(1), send(1), send(1), send(2))
    gap = 1 / 10 + CHAT_SPACING_MARGIN
    ones = [t for chat, t in sent if chat == 1]
    # Without spacing the three leave within a millisecond; 10 % of the gap is room for a busy machine that
    # pauses this process between the limiter's turn and the request (it failed so under -n 4 at 0.99).
    assert all(later - earlier >= gap * 0.9 for earlier, later in itertools.pairwise(ones))
    (two,) = [t for chat, t in sent if chat == 2]
    assert two < ones[1]  # another chat did not wait for chat 1's turn


def test_the_tracker_confirms_only_what_was_handled() -> None:
    tracker = UpdateTracker()
    for update_id in (5, 6, 7):
        tracker.fetched(update_id)
    assert tracker.waiting == 3 and tracker.offset(fetching=True) == 5  # nothing handled: confirm nothing
    tracker.taken(5)
    tracker.taken(6)
    tracker.handled(6)
    assert tracker.waiting == 1 and not tracker.commit_due()  # 6 is done, but 5 is still running
    assert tracker.offset(fetching=False) == 5
    tracker.handled(5)
    assert tracker.commit_due() and tracker.offset(fetching=False) == 7  # 5 and 6 confirmed, 7 not
    tracker.handled(7)
    assert tracker.offset(fetching=True) == 8 and tracker.unconfirmed == 0


def test_when_fetching_at_most_max_unconfirmed_stay_open() -> None:
    tracker = UpdateTracker()
    for update_id in range(1, 81):  # 80 in flight, none handled (e.g. waiting behind their chats)
        tracker.fetched(update_id)
        tracker.taken(update_id)
    assert tracker.offset(fetching=False) == 1  # only confirming: nothing unhandled is given up
    assert tracker.offset(fetching=True) == 31  # fetching: room for new ones, the oldest 30 confirmed
