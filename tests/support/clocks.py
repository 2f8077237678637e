"""Clocks for tests: frozen at a moment, read from a moment on, or moved by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from tests.support.constants import WIB


def make_clock(moment: dt.datetime | dt.date) -> Clock:
    """A clock frozen at `moment`; a bare date means noon WIB on that day."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12, 0), tzinfo=WIB)
    if moment.tzinfo is None:
        raise ValueError("give clock_at an aware datetime (or a date)")
    frozen = moment
    return lambda: frozen


def clock_reading(moment: dt.datetime) -> Clock:
    """A clock that reads `moment` now and then runs at real speed, like the JobQueue's timers."""
    offset = moment - dt.datetime.now(dt.UTC)
    return lambda: dt.datetime.now(dt.UTC) + offset


class FakeClock:
    """A datetime clock the test moves by hand."""

    def __init__(self, moment: dt.datetime) -> None:
        self.now = moment

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class FakeMonotonic:
    """A float clock (seconds, as time.monotonic) the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now
