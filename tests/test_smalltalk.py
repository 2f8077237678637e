"""bot/kb/smalltalk.py: recognising small talk from the shipped messages.yaml, and its validation."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.clock import Clock
from bot.config import load_config
from bot.console import run_console
from bot.kb.knowledge import KnowledgeBase
from bot.kb.smalltalk import SmallTalk, talk_tokens
from bot.pipeline import Pipeline
from tests.support.kbcopy import KbCopy


@pytest.fixture
def talk(kb: KnowledgeBase) -> SmallTalk:
    return kb.messages.small_talk


def test_tokens_fold_case_letter_runs_and_emoji_modifiers() -> None:
    assert talk_tokens("Makasiiih MIN!!") == ["makasih", "min", "!", "!"]
    assert talk_tokens("👍🏻 ❤️") == ["👍", "❤"]
    assert talk_tokens("pilkada 2024") == ["pilkada", "2024"]  # digits are never folded


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ok", "ok"),
        ("Oke deh kak", "ok"),
        ("siap", "ok"),
        ("mantappp", "ok"),
        ("👍", "ok"),
        ("wkwkwk", "laughter"),
        ("wkwkwkk 😂", "laughter"),
        ("hahaha", "laughter"),
        ("makasih", "thanks"),
        ("thanks!", "thanks"),
        ("terima kasih atas infonya 🙏", "thanks"),
        ("oke makasih", "thanks"),  # the kind listed first wins
        ("halo", "greeting"),
        ("halooo min 👋", "greeting"),
        ("selamat malam kak", "greeting"),
        ("good morning", "greeting"),
        ("?", "symbols"),
        ("🗳️", "symbols"),
        ("...", "symbols"),
    ],
)
def test_small_talk_is_recognised(talk: SmallTalk, text: str, kind: str) -> None:
    found = talk.detect(text)
    assert found is not None and found.name == kind


@pytest.mark.parametrize(
    "text",
    [
        "halo, kapan nyoblos?",
        "ok tapi golput itu apa",
        "makasih, terus tps ku dimana?",
        "kasih tau dong jadwalnya",
        "2024",
        "min",  # only a filler word: not sure what it is, so the matcher decides
        "",
        "   ",
    ],
)
def test_a_question_is_not_small_talk(talk: SmallTalk, text: str) -> None:
    assert talk.detect(text) is None


def test_no_evaluation_question_about_a_topic_is_taken_for_small_talk(talk: SmallTalk, repo_root: Path) -> None:
    """Every question of the evaluation set that is not a greeting or thanks must reach the matcher."""
    items = yaml.safe_load((repo_root / "tests/data/eval.yaml").read_text(encoding="utf-8"))["questions"]
    chat = {"salam", "terima_kasih"}
    taken = [q["q"] for q in items if q["expect"] not in chat and q["expect"] != "none" and talk.detect(q["q"])]
    assert taken == []
    greetings = [q["q"] for q in items if q["expect"] in chat]
    assert sum(talk.detect(q) is not None for q in greetings) >= len(greetings) - 1


def test_no_knowledge_base_question_is_taken_for_small_talk(talk: SmallTalk, kb: KnowledgeBase) -> None:
    chat = {"salam", "terima_kasih"}
    taken = [q for e in kb.entries if e.id not in chat for q in e.questions if talk.detect(q)]
    assert taken == []


def test_reply_builder_small_talk(pipeline: Pipeline) -> None:
    thanks = pipeline.replies.for_question("makasih")
    assert thanks.kind == "small_talk" and thanks.match is None and thanks.buttons == ()
    greeting = pipeline.replies.for_question("halo")
    assert greeting.buttons == pipeline.replies.start_buttons()
    assert pipeline.config.election.name in greeting.text  # placeholders filled in
    assert pipeline.replies.for_question("ok").text == ""


def test_console_stays_quiet_on_ok_and_answers_thanks(pipeline: Pipeline) -> None:
    out = io.StringIO()
    run_console(pipeline, io.StringIO("ok\nmakasih\n"), out)
    lines = out.getvalue().splitlines()
    bot_lines = [line for line in lines if line.startswith("Bot> ")]
    assert bot_lines[1] == f"Bot> {pipeline.replies.for_question('makasih').text}"
    assert len(bot_lines) == 3  # welcome, "sama-sama", goodbye: nothing for "ok"


# --- validation -------------------------------------------------------------------------


def test_shipped_section_loads(kb_copy: KbCopy) -> None:
    assert [k.name for k in kb_copy.load().messages.small_talk.kinds] == [
        "thanks",
        "greeting",
        "laughter",
        "ok",
        "symbols",
    ]


def test_a_file_without_the_section_has_no_small_talk(kb_copy: KbCopy) -> None:
    text = kb_copy.read("knowledge/messages.yaml")
    kb_copy.write("knowledge/messages.yaml", text[: text.index("\nsmall_talk:")] + "\n")
    assert kb_copy.load().messages.small_talk.detect("makasih") is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"(wk)+w?"', '"(wk+"', "pattern '(wk+' is not a valid regular expression"),
        ("helo, p,", "helo, p, makasih,", "'makasih' is already listed under 'thanks'"),
        ("tengkyu,", "tengkyu, kak,", "'kak' is already listed under 'filler'"),
        ("tengkyu,", "tengkyu, yes,", "each word must be non-empty text (quote yes, no, on, off)"),
        ("- name: ok", "- name: laughter", "small-talk kind 'laughter' is listed twice"),
        ("- name: ok", "- name: Oke!", "kind name 'Oke!' must be lower-case letters"),
        ("      topics: true", "      topics: ya", "'topics' must be true or false"),
        ("      topics: true", "      topic: true", "unknown key 'topic' in small-talk kind #2"),
        ("Mau tanya soal {election_name}?", "Mau tanya soal {pemilu}?", "unknown placeholder {pemilu}"),
        ('    - name: ok\n      reply: ""\n', "    - name: ok\n", "small-talk kind #4 is missing 'reply'"),
        # Replies are checked like every message: calls to action by phase, facts bound to the sources.
        ("Sama-sama! 😊", "Sama-sama! Gunakan hak pilihmu!", "only makes sense before voting day"),
        ("Sama-sama! 😊", "Sama-sama! Coblosan diundur ke 4 Desember 2024.", "4 Desember 2024"),
    ],
)
def test_mistakes_are_reported_with_their_line(kb_copy: KbCopy, old: str, new: str, message: str) -> None:
    name = "knowledge/messages.yaml"
    anchor = "small_talk:"
    line = kb_copy.line_of(name, old, after=anchor)
    kb_copy.replace(name, old, new, after=anchor)
    problems = kb_copy.problems()
    assert len(problems) == 1, problems
    assert message in problems[0]
    where, _ = problems[0].split(": ", 1)
    assert where.endswith(f"messages.yaml:{line}")


def test_a_reply_may_differ_by_phase(kb_copy: KbCopy, clock_at: Callable[[dt.date], Clock]) -> None:
    name = "knowledge/messages.yaml"
    old = '      reply: "Sama-sama! 😊 Kalau ada yang mau ditanyakan lagi, tulis saja."\n'
    new = '      reply:\n        before: "Sama-sama! Jangan lupa datang ke TPS."\n        after: "Sama-sama!"\n'
    kb_copy.replace(name, old, new, after="- name: thanks")
    kb = kb_copy.load()
    config = load_config(kb_copy.config_path, environ={})
    for day, wording in [
        (dt.date(2024, 11, 1), "Sama-sama! Jangan lupa datang ke TPS."),
        (dt.date(2026, 11, 1), "Sama-sama!"),
    ]:
        pipeline = Pipeline.from_parts(config, kb, clock_at(day))
        assert pipeline.replies.for_question("makasih").text == wording


def test_two_symbols_only_kinds_are_refused(kb_copy: KbCopy) -> None:
    name = "knowledge/messages.yaml"
    kb_copy.replace(name, '      reply: ""\n', '      reply: ""\n      symbols_only: true\n', after="- name: ok")
    (problem,) = kb_copy.problems()
    assert "only one small-talk kind may be 'symbols_only'" in problem


def test_a_kind_without_words_is_refused(kb_copy: KbCopy) -> None:
    name = "knowledge/messages.yaml"
    kb_copy.replace(name, "      symbols_only: true\n", "", after="- name: symbols")
    (problem,) = kb_copy.problems()
    assert "small-talk kind 'symbols' needs 'words' or 'patterns'" in problem
