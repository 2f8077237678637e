"""Every answer, message and menu text reads right before, on and after voting day (issue #11)."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest

from bot.facts.statements import fold
from bot.kb.knowledge import PRE_VOTE_MESSAGES, KnowledgeBase
from bot.kb.phases import Phase
from bot.nlu.evaluation import load_postvote_set
from bot.pipeline import Pipeline
from bot.telegram.app import COMMANDS, STORAGE_COMMANDS, command_description
from tests.support.clocks import make_clock
from tests.support.constants import REPO_ROOT

CLOCKS: dict[Phase, dt.date] = {
    "before": dt.date(2024, 11, 20),
    "today": dt.date(2024, 11, 27),
    "after": dt.date(2026, 11, 29),
}


def at(pipeline: Pipeline, phase: Phase) -> Pipeline:
    return Pipeline.from_parts(pipeline.config, pipeline.kb, make_clock(CLOCKS[phase]))


def calls_to_action(kb: KnowledgeBase, text: str) -> list[str]:
    return [p for p in kb.lexicon.call_to_action if re.search(rf"\b{re.escape(p)}", fold(text))]


def fields_of(text: str) -> dict[str, object]:
    return {name: "X" for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("phase", ["before", "today", "after"])
def test_every_answer_renders_in_every_phase(pipeline: Pipeline, phase: Phase) -> None:
    replies = at(pipeline, phase).replies
    assert replies.phase() == phase
    for entry in pipeline.kb.entries:
        reply = replies.for_entry(entry.id)
        assert reply.text.startswith(entry.answer.at(phase))
        assert "{" not in reply.text, entry.id


def test_after_the_vote_no_answer_calls_to_action(pipeline: Pipeline) -> None:
    replies = at(pipeline, "after").replies
    found = {e.id: calls_to_action(pipeline.kb, replies.for_entry(e.id).text) for e in pipeline.kb.entries}
    assert {k: v for k, v in found.items() if v} == {}


def test_before_the_vote_the_date_answer_still_invites_to_vote(pipeline: Pipeline) -> None:
    before = at(pipeline, "before").replies.for_entry("jadwal_pencoblosan").text
    after = at(pipeline, "after").replies.for_entry("jadwal_pencoblosan").text
    assert calls_to_action(pipeline.kb, before)
    assert "sudah berlangsung" in after and "sudah lewat" in after  # the answer and the countdown agree


def test_after_the_vote_no_message_calls_to_action(pipeline: Pipeline) -> None:
    replies = at(pipeline, "after").replies
    messages = pipeline.kb.messages.texts
    found = {}
    for key, phased in messages.items():
        if key in PRE_VOTE_MESSAGES:
            continue  # countdowns and reminders are only sent before or on the day
        text = replies.text(key, **fields_of(phased.after))
        found[key] = calls_to_action(pipeline.kb, text)
    assert {k: v for k, v in found.items() if v} == {}


def test_menu_texts_follow_the_phase(pipeline: Pipeline) -> None:
    before = [command_description(at(pipeline, "before").replies, n) for n in COMMANDS + STORAGE_COMMANDS]
    after = [command_description(at(pipeline, "after").replies, n) for n in COMMANDS + STORAGE_COMMANDS]
    assert "Ingatkan aku untuk mencoblos" in before
    assert not any(calls_to_action(pipeline.kb, text) for text in after), after


def test_a_phased_message_needs_a_phase(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="differs by election phase"):
        kb.messages.get("console_bye")
    assert kb.messages.get("console_bye", "after") != kb.messages.get("console_bye", "before")


def test_no_post_vote_question_gets_a_confident_factual_reply(pipeline: Pipeline) -> None:
    """The post-vote set through the whole reply path (claim check included), at today's phase."""
    replies = at(pipeline, "after").replies
    confident = []
    for item in load_postvote_set(REPO_ROOT / "tests" / "data" / "postvote.yaml"):
        reply = replies.for_question(item.question)
        # A checked claim states a fact: confident unless the reply also says what the sources lack.
        stated = any(c.verdict != "unverifiable" for c in reply.claims)
        if reply.kind == "answer" or (stated and not reply.says_unknown):
            confident.append((item.split, item.question, reply.entry_id))
    # tune: none; held-out: one known miss, named in docs/matching.md.
    assert [c for c in confident if c[0] == "tune"] == []
    for split in ("heldout", "heldout3", "heldout4"):
        assert len([c for c in confident if c[0] == split]) <= 1, confident


def test_known_unknown_replies_say_what_they_do_not_know(pipeline: Pipeline) -> None:
    replies = at(pipeline, "after").replies
    for entry in pipeline.kb.entries:
        if entry.kind != "unknown":
            continue
        reply = replies.for_entry(entry.id)
        assert reply.kind == "unknown"
        text = fold(reply.text)
        assert "tidak" in text and ("tanyakan" in text or "lihat" in text or "cek" in text), entry.id
        assert "(https://" not in reply.text or "http" in str(pipeline.config.knowledge.links), entry.id
