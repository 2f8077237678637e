"""bot/staff_reports.py: the statistics text and the unanswered export as draft KB entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from bot.staff_reports import DRAFT_ANSWER, format_stats, group_unanswered, unanswered_yaml
from bot.storage import EntryFeedback, Stats, UnansweredRow

try:  # works whether or not tests/ is a package
    from tests.conftest import KbCopy
except ImportError:
    from conftest import KbCopy

DRAFT_KEYS = ["id", "title", "topic", "questions", "answer", "sources"]


def row(text: str, best: str | None = None, score: float = 30.0) -> UnansweredRow:
    return UnansweredRow(dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC), "fallback", text, best, score)


def rows(*texts: str) -> list[UnansweredRow]:
    return [row(t) for t in texts]


ASKED = [
    *rows("siapa pemenang debat", "siapa pemenang debat", "pemenang debat siapa", "siapa yang menang debat kemarin"),
    *rows("berapa gaji kpps", "gaji kpps berapa"),
    *rows("resep nasi goreng"),
]


def test_format_stats() -> None:
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
    text = format_stats(stats)
    assert "2024-11-20" in text
    assert "Questions today:      12 (answered 9, 5 users)" in text
    assert "Questions in total:   40 (answered 30)" in text
    assert "Answer rate:          75%" in text
    assert "Reminder subscribers: 17" in text
    lines = text.splitlines()
    top = lines.index("Top entries")
    assert lines[top + 1 : top + 3] == ["  14  jadwal_pencoblosan", "   6  apa_itu_golput"]
    unanswered = lines.index("Top unanswered questions")
    assert lines[unanswered + 1] == "  3  siapa menang debat"  # shown as stored
    assert "  jadwal_pencoblosan  5 / 1" in lines
    assert text.endswith("\n")


def test_format_stats_before_any_question() -> None:
    empty = Stats(dt.date(2024, 11, 20), 0, 0, 0, 0, 0, 0, 0, (), (), ())
    text = format_stats(empty)
    assert "Answer rate:          n/a" in text
    assert text.count("(none yet)") == 3


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


def test_unanswered_yaml_is_valid_and_shaped_like_entries_yaml() -> None:
    out = unanswered_yaml([*ASKED, row("siapa pemenang debat", best="debat_publik", score=48.6)])
    data: dict[str, Any] = yaml.safe_load(out)
    drafts = data["entries"]
    assert [list(d) for d in drafts] == [DRAFT_KEYS] * 3  # same keys, same order as the hand-written entries
    assert [d["id"] for d in drafts] == ["draft_1", "draft_2", "draft_3"]
    assert drafts[0]["questions"] == ["siapa pemenang debat", "siapa yang menang debat kemarin", "pemenang debat siapa"]
    assert all(d["title"] == d["topic"] == "TODO" and d["sources"] == [] for d in drafts)
    assert all(d["answer"] == DRAFT_ANSWER and d["answer"].startswith("TODO: tulis jawaban") for d in drafts)
    assert "  # ditanyakan 5 kali\n  # kandidat terdekat: debat_publik (skor 49)\n  - id: draft_1\n" in out
    assert "  # ditanyakan 2 kali\n  - id: draft_2\n" in out
    assert "  # ditanyakan 1 kali\n  - id: draft_3\n" in out


def test_awkward_texts_are_quoted_and_survive() -> None:
    awkward = ["no", "2024", "a: b", "#tagar", "- dash", 'it\'s "quoted"', "yes", "{x}", "~", "@user", "50%"]
    out = unanswered_yaml(rows(*awkward))
    questions = [q for d in yaml.safe_load(out)["entries"] for q in d["questions"]]
    assert sorted(questions) == sorted(awkward)
    assert "      - siapa pemenang debat\n" in unanswered_yaml(rows("siapa pemenang debat"))  # plain when safe


def test_unanswered_yaml_with_nothing_to_export() -> None:
    assert yaml.safe_load(unanswered_yaml([])) == {"entries": []}
    assert yaml.safe_load(unanswered_yaml(rows("", "  "))) == {"entries": []}


def test_drafts_paste_into_the_knowledge_base(kb_copy: KbCopy) -> None:
    out = unanswered_yaml(rows("berapa honor petugas kpps blora", "honor petugas kpps berapa"))
    items = out.split("entries:\n", 1)[1]
    kb_copy.write("knowledge/entries.yaml", kb_copy.read("knowledge/entries.yaml").rstrip("\n") + "\n\n" + items)
    kb = kb_copy.load()  # validates: the draft is a well-formed entry as it stands
    draft = kb.entry("draft_1")
    assert draft.questions == ("berapa honor petugas kpps blora", "honor petugas kpps berapa")
