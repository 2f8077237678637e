"""Where we are relative to voting day, in the election's own time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import ElectionConfig
from bot.facts.statements import format_date
from bot.kb.phases import Phase

__all__ = ["Countdown", "countdown", "format_date", "local_today", "phase"]


@dataclass(frozen=True, slots=True)
class Countdown:
    state: Phase
    days: int  # days to go (before) or days since (after); 0 today


def local_today(election: ElectionConfig, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the election's time zone (WIB for Blora), whatever the server's zone."""
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(election.timezone).date()


def countdown(election: ElectionConfig, now: dt.datetime | None = None) -> Countdown:
    delta = (election.voting_date - local_today(election, now)).days
    if delta > 0:
        return Countdown("before", delta)
    if delta == 0:
        return Countdown("today", 0)
    return Countdown("after", -delta)


def phase(election: ElectionConfig, now: dt.datetime | None = None) -> Phase:
    """Before, on, or after voting day: which wording every text should use."""
    return countdown(election, now).state
