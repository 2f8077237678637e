"""bot/kb/english.py: which questions get the "answers are in Indonesian" note."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.english import EnglishDetector, english_tokens
from bot.kb.knowledge import KnowledgeBase
from bot.nlu.evaluation import load_eval_set
from bot.pipeline import Pipeline
from tests.support.kbcopy import KbCopy

MESSAGES = "knowledge/messages.yaml"


@pytest.fixture
def english(kb: KnowledgeBase) -> EnglishDetector:
    return kb.messages.english


def test_tokens_are_letters_only_and_cut_at_apostrophes() -> None:
    assert english_tokens("Who's KPU Blora’s secretary in 2024?") == ["who", "kpu", "blora", "secretary", "in"]


@pytest.mark.parametrize(
    "text",
    ["when is the voting day", "What is golput?", "I don't feel like voting, is that ok?", "can I vote at 17"],
)
def test_english_questions(english: EnglishDetector, text: str) -> None:
    assert english.is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "kapan nyoblos",
        "vote di mana ya",  # one English word in an Indonesian question
        "aku first time voter nih, harus bawa apa",
        "is it ok kalo aku golput",
        "opo to golput kuwi",  # Javanese "to" is not English
        "2020 turnout",  # too short to tell: no note
        "",
        "🗳️",
    ],
)
def test_not_english(english: EnglishDetector, text: str) -> None:
    assert not english.is_english(text)


def test_evaluation_set(english: EnglishDetector, kb: KnowledgeBase, repo_root: Path) -> None:
    """Measured by bench/english.py: 32 of the 41 English questions, and no other question, get the note."""
    items = load_eval_set(repo_root / "tests/data/eval.yaml", (e.id for e in kb.entries))
    tagged = [i.question for i in items if "english" in i.tags]
    others = [i.question for i in items if "english" not in i.tags]
    assert [q for q in others if english.is_english(q)] == []
    assert sum(english.is_english(q) for q in tagged) >= 0.75 * len(tagged)


def test_the_note_comes_first_and_the_answer_stays_indonesian(pipeline: Pipeline) -> None:
    note = pipeline.kb.messages.get("english_note")
    english = pipeline.replies.for_question("what is golput")
    indonesian = pipeline.replies.for_question("golput itu apa sih")
    assert english.kind == indonesian.kind == "answer" and english.entry_id == indonesian.entry_id
    assert english.text == f"{note}\n\n{indonesian.text}"
    assert note not in indonesian.text
    fallback = pipeline.replies.for_question("how do I cook rendang with my grandmother")
    assert fallback.kind == "fallback" and fallback.text.startswith(note)
    assert pipeline.replies.for_question("thank you").kind == "small_talk"  # small talk needs no note


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[the, a, an,", "[the, a, an, on,", "must be one lower-case word without digits (got True)"),
        ("[the, a, an,", "[the, a, an, The,", "must be one lower-case word without digits (got 'The')"),
        ("[the, a, an,", "[the, a, an, h2o,", "must be one lower-case word without digits (got 'h2o')"),
        ("[the, a, an,", "[the, a, an, the,", "'the' is listed twice in 'english_words'"),
    ],
)
def test_word_mistakes_are_reported_with_their_line(kb_copy: KbCopy, old: str, new: str, message: str) -> None:
    line = kb_copy.line_of(MESSAGES, old)
    kb_copy.replace(MESSAGES, old, new)
    (problem,) = kb_copy.problems()
    assert problem.startswith(f"{kb_copy.path(MESSAGES)}:{line}: ") and message in problem


def test_without_the_list_there_is_no_note(kb_copy: KbCopy) -> None:
    text = kb_copy.read(MESSAGES)
    start = text.index("english_words:")
    kb_copy.write(MESSAGES, text[:start] + text[text.index("\n\n", start) + 2 :])
    assert not kb_copy.load().messages.english.is_english("when is the voting day")
