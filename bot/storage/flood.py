"""Per-user abuse limits, as small pure classes: flood control for messages, a throttle for inline queries.

Neither knows about Telegram: they take a user id and a clock reading and say what to
do. bot/telegram/handlers.py (flood_guard) and bot/telegram/inline.py use them.

Memory is bounded: each keeps at most `max_users` users (the least recently seen are
forgotten first), and per user at most `limit` timestamps.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Seconds = Callable[[], float]  # a monotonic clock, in seconds (not bot.clock's wall clock)
T = TypeVar("T")

# Far more users than write to the bot within one flood window, even on voting day.
DEFAULT_MAX_USERS = 20_000


class Admission(enum.Enum):
    """What to do with one message from a user."""

    ALLOW = "allow"  # handle it as usual
    WARN = "warn"  # drop it, and tell the user once to slow down
    DROP = "drop"  # drop it silently (the user was already told)


@dataclass(slots=True)
class _Sender:
    # The times of the user's last `limit` messages (answered or not): a user who keeps
    # hammering stays blocked until they pause, instead of getting one answer per gap.
    times: deque[float]
    warned: bool = False


class FloodControl:
    """At most `limit` messages per user within any `window` seconds (a sliding window).

    The message that goes over the limit gets WARN, every later one DROP, until fewer
    than `limit` of the user's messages fall inside the last `window` seconds; then
    the user is answered again and would be warned again on the next flood.
    """

    def __init__(
        self, limit: int, window: float, *, max_users: int = DEFAULT_MAX_USERS, clock: Seconds = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0 or max_users < 1:
            raise ValueError("limit and max_users must be at least 1, window above 0")
        self.limit = limit
        self.window = window
        self._max_users = max_users
        self._clock = clock
        self._senders: OrderedDict[int, _Sender] = OrderedDict()

    def __len__(self) -> int:
        """How many users are remembered (never more than max_users)."""
        return len(self._senders)

    def check(self, user_id: int) -> Admission:
        """Count one message from `user_id` now and say what to do with it."""
        now = self._clock()
        sender = self._senders.get(user_id)
        if sender is None:
            sender = self._senders[user_id] = _Sender(deque(maxlen=self.limit))
            if len(self._senders) > self._max_users:
                self._senders.popitem(last=False)
        else:
            self._senders.move_to_end(user_id)
        times = sender.times
        while times and times[0] <= now - self.window:
            times.popleft()
        flooding = len(times) >= self.limit
        times.append(now)  # maxlen drops the oldest: only the last `limit` matter
        if not flooding:
            sender.warned = False
            return Admission.ALLOW
        if sender.warned:
            return Admission.DROP
        sender.warned = True
        return Admission.WARN


@dataclass(slots=True)
class _Slot(Generic[T]):
    last: float  # when the user's last item was let through
    waiting: T | None = None
    flush_due: bool = False  # a take() is scheduled


class Throttle(Generic[T]):
    """At most one item per user per `interval` seconds, and the latest item always gets through.

    For inline queries, which Telegram sends at every keystroke: `offer` says "now" for
    a user's first query (no added latency); a query that follows within `interval`
    waits, replacing any query already waiting, and `take` hands out the latest one
    when the interval is over. Superseded queries are never answered (Telegram
    forgets unanswered queries; the user only sees results for what they typed last).
    """

    def __init__(self, interval: float, *, max_users: int = DEFAULT_MAX_USERS, clock: Seconds = time.monotonic) -> None:
        if interval < 0 or max_users < 1:
            raise ValueError("interval must be 0 or more, max_users at least 1")
        self.interval = interval
        self._max_users = max_users
        self._clock = clock
        self._slots: OrderedDict[int, _Slot[T]] = OrderedDict()

    def __len__(self) -> int:
        """How many users are remembered (never more than max_users)."""
        return len(self._slots)

    def offer(self, user_id: int, item: T) -> float | None:
        """0.0: handle `item` now. A delay: call `take(user_id)` after it. None: a take is already due."""
        now = self._clock()
        slot = self._slots.get(user_id)
        if slot is None:
            self._slots[user_id] = _Slot(now)
            if len(self._slots) > self._max_users:
                self._slots.popitem(last=False)
            return 0.0
        self._slots.move_to_end(user_id)
        if slot.flush_due:  # the scheduled take() will hand out this newer item instead
            slot.waiting = item
            return None
        if now - slot.last >= self.interval:
            slot.last = now
            return 0.0
        slot.waiting = item
        slot.flush_due = True
        return slot.last + self.interval - now

    def take(self, user_id: int) -> T | None:
        """The latest waiting item of `user_id`, now let through; None if there is none."""
        slot = self._slots.get(user_id)
        if slot is None:
            return None
        item, slot.waiting, slot.flush_due = slot.waiting, None, False
        if item is not None:
            slot.last = self._clock()
        return item
