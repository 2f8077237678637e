"""bot/kb/staff_texts.py: knowledge/staff.yaml is complete, Indonesian, and checked like the other files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.kb.knowledge import KnowledgeBase
from bot.kb.staff_texts import STAFF_TEXTS, StaffTexts
from tests.support.kbcopy import KbCopy

STAFF = "knowledge/staff.yaml"


def test_shipped_file_has_every_text(kb: KnowledgeBase, repo_root: Path) -> None:
    assert set(kb.staff.texts) == set(STAFF_TEXTS)
    assert StaffTexts.load(repo_root / STAFF) == kb.staff


def test_missing_text_shows_its_key_rather_than_crashing() -> None:
    assert StaffTexts().get("report_title", day="2024-11-20") == "report_title"


def test_config_names_the_file_and_defaults_to_beside_messages(kb_copy: KbCopy) -> None:
    config = load_config(kb_copy.config_path, environ={})
    assert config.knowledge.staff == kb_copy.path(STAFF)
    kb_copy.replace("config.yaml", "  staff: knowledge/staff.yaml", "")
    assert load_config(kb_copy.config_path, environ={}).knowledge.staff == kb_copy.path(STAFF)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"Laporan pilkada-bot, {day}"', '"Laporan {tanggal}"', "uses unknown placeholder {tanggal} (known: day)"),
        ('"Laporan pilkada-bot, {day}"', '"Laporan {day"', "has a broken {placeholder}"),
        ('  report_none_yet: "(belum ada)"', "  report_none_yet:", "staff text 'report_none_yet' must be non-empty"),
        ('  report_none_yet: "(belum ada)"', '  report_nothing: "-"', "unknown staff text 'report_nothing'"),
    ],
)
def test_mistakes_are_reported_with_their_line(kb_copy: KbCopy, old: str, new: str, message: str) -> None:
    line = kb_copy.line_of(STAFF, old)
    kb_copy.replace(STAFF, old, new)
    problems = kb_copy.problems()
    assert any(p.startswith(f"{kb_copy.path(STAFF)}:{line}: ") and message in p for p in problems), problems


def test_a_missing_text_is_reported(kb_copy: KbCopy) -> None:
    kb_copy.replace(STAFF, '  report_none_yet: "(belum ada)"\n', "")
    where = kb_copy.where(STAFF, "  report_title:")  # the start of the 'staff' mapping
    assert kb_copy.problems() == [f"{where}: staff text 'report_none_yet' is missing"]


def test_a_missing_file_is_reported(kb_copy: KbCopy) -> None:
    kb_copy.path(STAFF).unlink()
    assert kb_copy.problems() == [f"{kb_copy.path(STAFF)}:1: file not found"]
