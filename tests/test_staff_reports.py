"""bot/staff_reports.py: the statistics text and the unanswered export as draft KB entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from bot.kb.knowledge import KnowledgeBase
from bot.kb.staff_texts import StaffTexts
from bot.staff_reports import format_stats, group_unanswered, unanswered_yaml
from bot.storage import EntryFeedback, Stats, UnansweredRow
from tests.support.kbcopy import KbCopy

DRAFT_KEYS = ["id", "title", "topic", "questions", "answer", "sources"]


@pytest.fixture
def texts(kb: KnowledgeBase) -> StaffTexts:
    """The shipped knowledge/staff.yaml."""
    return kb.staff


def row(text: str, best: str | None = None, score: float = 30.0) -> UnansweredRow:
    return UnansweredRow(dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC), "fallback", text, best, score)


def rows(*texts: str) -> list[UnansweredRow]:
    return [row(t) for t in texts]


ASKED = [
    *rows("siapa pemenang debat", "siapa pemenang debat", "pemenang debat siapa", "siapa yang menang debat kemarin"),
    *rows("berapa gaji kpps", "gaji kpps berapa"),
    *rows("resep nasi goreng"),
]


def test_format_stats(texts: StaffTexts) -> None:
    stats = Stats(
        day=dt.date(2024, 11, 20),
        questions_today=12,
        answered_today=9,
        users_today=5,
        questions_total=40,
        answered_total=30,
        unanswered_open=8,
        subscribers=17,
        top_entries=(("jadwal_pencoblosan", 14), ("apa_itu_golput", 6)),
        top_unanswered=(("siapa menang debat", 3), ("gaji kpps berapa", 1)),
        feedback=(EntryFeedback("jadwal_pencoblosan", 5, 1),),
    )
    text = format_stats(stats, texts)
    lines = text.splitlines()
    assert lines[0] == "Laporan pilkada-bot, 2024-11-20"
    assert "Pertanyaan hari ini:    12 (terjawab 9, dari 5 pengguna)" in lines
    assert "Pertanyaan seluruhnya:  40 (terjawab 30)" in lines
    assert "Persentase terjawab:    75%" in lines
    assert "Belum terjawab:         8" in lines
    assert "Pelanggan pengingat:    17" in lines
    top = lines.index(texts.get("report_top_entries"))
    assert lines[top + 1 : top + 3] == ["  14  jadwal_pencoblosan", "   6  apa_itu_golput"]
    unanswered = lines.index(texts.get("report_top_unanswered"))
    assert lines[unanswered + 1] == "  3  siapa menang debat"  # shown as stored
    assert "  jadwal_pencoblosan  5 / 1" in lines
    assert text.endswith("\n")


def test_format_stats_before_any_question(texts: StaffTexts) -> None:
    empty = Stats(dt.date(2024, 11, 20), 0, 0, 0, 0, 0, 0, 0, (), (), ())
    text = format_stats(empty, texts)
    assert "Persentase terjawab:    belum ada" in text
    assert text.count("(belum ada)") == 3


def test_no_english_label_is_left_in_the_report(texts: StaffTexts) -> None:
    full = Stats(dt.date(2024, 11, 20), 3, 2, 1, 3, 2, 1, 1, (("a", 2),), (("b", 1),), (EntryFeedback("a", 1, 0),))
    for stats in (full, Stats(dt.date(2024, 11, 20), 0, 0, 0, 0, 0, 0, 0, (), (), ())):
        text = format_stats(stats, texts).lower()
        for english in ("report", "question", "answer", "rate", "users", "subscribers", "top ", "feedback", "none"):
            assert english not in text


def test_grouping_largest_first() -> None:
    groups = group_unanswered(ASKED)
    assert [(g.questions, g.count) for g in groups] == [
        (("siapa pemenang debat", "siapa yang menang debat kemarin", "pemenang debat siapa"), 4),
        (("berapa gaji kpps", "gaji kpps berapa"), 2),
        (("resep nasi goreng",), 1),
    ]


def test_a_frequent_single_word_does_not_swallow_other_questions() -> None:
    asked = rows("pilkada", "pilkada", "pilkada", "pilkda", "pilkada diundur", "siapa menang pilkada")
    groups = group_unanswered(asked)
    assert [g.questions for g in groups] == [("pilkada", "pilkda"), ("siapa menang pilkada",), ("pilkada diundur",)]


def test_unanswered_yaml_is_valid_and_shaped_like_entries_yaml(texts: StaffTexts) -> None:
    out = unanswered_yaml([*ASKED, row("siapa pemenang debat", best="debat_publik", score=48.6)], texts)
    data: dict[str, Any] = yaml.safe_load(out)
    drafts = data["entries"]
    assert [list(d) for d in drafts] == [DRAFT_KEYS] * 3  # same keys, same order as the hand-written entries
    assert [d["id"] for d in drafts] == ["draft_1", "draft_2", "draft_3"]
    assert drafts[0]["questions"] == ["siapa pemenang debat", "siapa yang menang debat kemarin", "pemenang debat siapa"]
    assert all(d["title"] == d["topic"] == "TODO" and d["sources"] == [] for d in drafts)
    draft_answer = texts.get("export_draft_answer")
    assert all(d["answer"] == draft_answer and d["answer"].startswith("TODO: tulis jawaban") for d in drafts)
    assert out.startswith("# Draf entri dari pertanyaan yang belum bisa dijawab bot")
    assert "  # ditanyakan 5 kali\n  # kandidat terdekat: debat_publik (skor 49)\n  - id: draft_1\n" in out
    assert "  # ditanyakan 2 kali\n  - id: draft_2\n" in out
    assert "  # ditanyakan 1 kali\n  - id: draft_3\n" in out


def test_awkward_texts_are_quoted_and_survive(texts: StaffTexts) -> None:
    awkward = ["no", "2024", "a: b", "#tagar", "- dash", 'it\'s "quoted"', "yes", "{x}", "~", "@user", "50%"]
    out = unanswered_yaml(rows(*awkward), texts)
    questions = [q for d in yaml.safe_load(out)["entries"] for q in d["questions"]]
    assert sorted(questions) == sorted(awkward)
    assert "      - siapa pemenang debat\n" in unanswered_yaml(rows("siapa pemenang debat"), texts)  # plain when safe


def test_unanswered_yaml_with_nothing_to_export(texts: StaffTexts) -> None:
    assert yaml.safe_load(unanswered_yaml([], texts)) == {"entries": []}
    assert yaml.safe_load(unanswered_yaml(rows("", "  "), texts)) == {"entries": []}
    assert f"# {texts.get('export_empty')}" in unanswered_yaml([], texts)


def test_staff_texts_cannot_break_the_yaml(texts: StaffTexts) -> None:
    """Whatever staff write (a colon, a dash, several lines) stays inside YAML comments."""
    tricky = StaffTexts(
        {
            **texts.texts,
            "export_header": "judul: x\n- bukan daftar\n\nentries: [rusak]",
            "export_asked": "{count}: kali",
        }
    )
    out = unanswered_yaml(rows("berapa gaji kpps"), tricky)
    assert yaml.safe_load(out)["entries"][0]["questions"] == ["berapa gaji kpps"]


def test_drafts_paste_into_the_knowledge_base(kb_copy: KbCopy, texts: StaffTexts) -> None:
    out = unanswered_yaml(rows("berapa honor petugas kpps blora", "honor petugas kpps berapa"), texts)
    items = out.split("entries:\n", 1)[1]
    kb_copy.write("knowledge/entries.yaml", kb_copy.read("knowledge/entries.yaml").rstrip("\n") + "\n\n" + items)
    kb = kb_copy.load()  # validates: the draft is a well-formed entry as it stands
    draft = kb.entry("draft_1")
    assert draft.questions == ("berapa honor petugas kpps blora", "honor petugas kpps berapa")
