"""Values many test modules share: the bot token, the chats, and questions with a known outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from tests.support.fakebotapi import DEFAULT_GROUP_ID, DEFAULT_USER_ID

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# The frozen Blora 2024 knowledge base the engine's tests load (config.yaml and knowledge/ inside),
# never the shipped ones, which staff replace for a new election (tests/data/blora2024/README.md).
BLORA_2024 = REPO_ROOT / "tests" / "data" / "blora2024"
WIB = ZoneInfo("Asia/Jakarta")
# One week before voting day (Rabu, 27 November 2024), 10:00 WIB.
FIXED_NOW = dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC)

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the shape `run` checks
USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID
ADMIN = 4242
SALT = b"test-salt-0123456789abcdef"  # what the stores under test hash ids with
ANSWERED = "golput itu apa sih"  # -> apa_itu_golput
UNKNOWN = "resep nasi goreng"  # -> fallback
AMBIGUOUS = "raker"  # three meetings share the word; forced to "did you mean" by force_suggestions()

App = Application[Any, Any, Any, Any, Any, Any]
