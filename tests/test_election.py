"""bot/replies/election.py and ReplyBuilder.countdown_text: voting day as seen in Blora (WIB)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config
from bot.pipeline import Pipeline
from bot.replies.election import Countdown, countdown, format_date, local_today

UTC = dt.UTC


def at(*args: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2024, 11, 20), Countdown("before", 7)),
        (at(2024, 11, 26, 16, 59), Countdown("before", 1)),  # 23:59 WIB on the 26th
        (at(2024, 11, 26, 17, 30), Countdown("today", 0)),  # already 00:30 WIB on the 27th
        (at(2024, 11, 27, 16, 59), Countdown("today", 0)),  # 23:59 WIB
        (at(2024, 11, 27, 17, 0), Countdown("after", 1)),  # midnight WIB on the 28th
        (at(2026, 11, 25), Countdown("after", 728)),
        (at(2024, 1, 1), Countdown("before", 331)),
        # The server's own zone does not matter: 09:30 in Los Angeles is 00:30 WIB next day.
        (at(2024, 11, 26, 9, 30, tz=ZoneInfo("America/Los_Angeles")), Countdown("today", 0)),
    ],
)
def test_countdown_in_wib(config: Config, now: dt.datetime, expected: Countdown) -> None:
    assert countdown(config.election, now) == expected


def test_local_today_is_the_date_in_jakarta(config: Config) -> None:
    assert local_today(config.election, at(2024, 11, 26, 17, 30)) == dt.date(2024, 11, 27)
    assert local_today(config.election, at(2024, 11, 26, 16, 59)) == dt.date(2024, 11, 26)


def test_naive_time_is_refused(config: Config) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        countdown(config.election, dt.datetime(2024, 11, 20, 12, 0))


def test_format_date_in_indonesian() -> None:
    assert format_date(dt.date(2024, 11, 27)) == "27 November 2024"
    assert format_date(dt.date(2024, 11, 27), with_weekday=True) == "Rabu, 27 November 2024"
    assert format_date(dt.date(2024, 7, 27), with_weekday=True) == "Sabtu, 27 Juli 2024"
    assert format_date(dt.date(2024, 9, 6), with_weekday=True) == "Jumat, 6 September 2024"
    assert format_date(dt.date(2025, 1, 5), with_weekday=True) == "Minggu, 5 Januari 2025"


def countdown_text(pipeline: Pipeline, clock_at, now: dt.datetime) -> str:
    return Pipeline.from_parts(pipeline.config, pipeline.kb, clock_at(now)).replies.countdown_text()


def test_countdown_text_before(pipeline: Pipeline, clock_at) -> None:
    text = countdown_text(pipeline, clock_at, at(2024, 11, 20))
    assert "7 hari lagi" in text
    assert "Rabu, 27 November 2024" in text
    assert text == pipeline.replies.text(
        "countdown_before",
        days=7,
        date="Rabu, 27 November 2024",
        election_name="Pilkada Serentak 2024",
        region="Kabupaten Blora",
    )


def test_countdown_text_on_voting_day(pipeline: Pipeline, clock_at) -> None:
    text = countdown_text(pipeline, clock_at, at(2024, 11, 26, 17, 30))
    assert text == pipeline.replies.text(
        "countdown_today",
        days=0,
        date="Rabu, 27 November 2024",
        election_name="Pilkada Serentak 2024",
        region="Kabupaten Blora",
    )
    assert "Hari ini" in text


def test_countdown_text_after(pipeline: Pipeline, clock_at) -> None:
    text = countdown_text(pipeline, clock_at, at(2026, 11, 25))
    assert "728 hari yang lalu" in text
    assert text == pipeline.replies.text(
        "countdown_after",
        days=728,
        date="Rabu, 27 November 2024",
        election_name="Pilkada Serentak 2024",
        region="Kabupaten Blora",
    )


def test_clock_at_a_date_means_that_day_in_wib(pipeline: Pipeline, clock_at) -> None:
    assert "1 hari lagi" in countdown_text(pipeline, clock_at, dt.date(2024, 11, 26))
    assert "Hari ini" in countdown_text(pipeline, clock_at, dt.date(2024, 11, 27))


def test_schedule_answer_carries_the_countdown(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_entry("jadwal_pencoblosan")  # the fixture's clock: 20 Nov 2024
    assert reply.text.startswith(pipeline.kb.entry("jadwal_pencoblosan").answer.before)
    assert reply.text.endswith(pipeline.replies.countdown_text())
    assert "7 hari lagi" in reply.text
    other = pipeline.replies.for_entry("apa_itu_golput")
    assert other.text == pipeline.kb.entry("apa_itu_golput").answer.before
