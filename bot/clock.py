"""The one wall clock: what "now" is, injectable so tests can freeze it.

Replies (before, on or after voting day), stores (when a row was written) and the outreach kit
all take a `Clock`; the flood gate counts seconds on a monotonic clock instead
(`bot.storage.flood.Seconds`), which is another thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The default clock: aware, in UTC."""
    return dt.datetime.now(dt.UTC)
