"""Where we are relative to voting day, in the election's own time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from bot.config import ElectionConfig

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
WEEKDAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


@dataclass(frozen=True, slots=True)
class Countdown:
    state: Literal["before", "today", "after"]
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


def format_date(day: dt.date, with_weekday: bool = False) -> str:
    """27 November 2024, or Rabu, 27 November 2024."""
    text = f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"
    return f"{WEEKDAYS_ID[day.weekday()]}, {text}" if with_weekday else text
