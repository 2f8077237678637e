"""bot/replies/replies.py: neutral replies (text plus buttons as data) for every front end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.clock import Clock
from bot.pipeline import Pipeline
from bot.replies.reply import Button, Reply


def entry_buttons(reply: Reply) -> list[Button]:
    return [b for row in reply.buttons for b in row if b.action == "entry"]


def test_answer_has_source_related_share_and_feedback(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("golput itu apa sih")
    entry = pipeline.kb.entry("apa_itu_golput")
    assert reply.kind == "answer"
    assert reply.entry_id == "apa_itu_golput"
    assert reply.text == entry.answer.before
    assert reply.sources == ("perpu-1-2014-hak-memilih", "kpu-blora-2024-09-06")
    assert reply.source_line is not None
    assert "KPU Kabupaten Blora" in reply.source_line
    assert "6 September 2024" in reply.source_line
    assert reply.match is not None and reply.match.outcome == "answer"
    # Related entries first, one per row, labelled with their titles ...
    *related_rows, last = reply.buttons
    assert related_rows == [(Button(pipeline.kb.entry(r).title, "entry", r),) for r in entry.related[:3]]
    assert [b.value for b in entry_buttons(reply)] == list(entry.related[:3])
    # ... then share and feedback for this entry, on one row.
    assert [(b.action, b.value) for b in last] == [
        ("share", entry.title),  # words a person would type, not the id
        ("feedback_up", "apa_itu_golput"),
        ("feedback_down", "apa_itu_golput"),
    ]
    messages = pipeline.kb.messages
    assert [b.label for b in last] == [
        messages.get("share_button"),
        messages.get("feedback_up"),
        messages.get("feedback_down"),
    ]


def test_source_line_names_every_cited_source_in_order(pipeline: Pipeline) -> None:
    line = pipeline.replies.source_line(pipeline.kb.entry("partisipasi_pemilu_2024"))
    assert line is not None
    kpu, tribun = line.index("KPU Kabupaten Blora"), line.index("TribunJateng.com")
    assert kpu < tribun
    assert "6 September 2024" in line[kpu:tribun]
    assert "27 Juli 2024" in line[tribun:]


def test_entry_without_sources_has_no_source_line(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_entry("salam")
    assert reply.source_line is None
    assert reply.sources == ()


def test_at_most_three_related_buttons(pipeline: Pipeline) -> None:
    for entry in pipeline.kb.entries:
        reply = pipeline.replies.for_entry(entry.id)
        assert len(entry_buttons(reply)) == min(3, len(entry.related)), entry.id


def test_suggest_reply_offers_entry_buttons(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("partisipasi")
    assert reply.kind == "suggest"
    assert reply.entry_id is None
    assert reply.text == pipeline.replies.text("did_you_mean")
    assert reply.suggestions and {"partisipasi_pemilu_2024", "partisipasi_pilkada_2020"} <= set(reply.suggestions)
    assert entry_buttons(reply) == [Button(pipeline.kb.entry(i).title, "entry", i) for i in reply.suggestions]
    assert all(len(row) == 1 for row in reply.buttons)


def test_fallback_points_to_kpu_and_pps(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("resep nasi goreng")
    assert reply.kind == "fallback"
    assert reply.entry_id is None
    assert "KPU Kabupaten Blora" in reply.text
    assert "PPS" in reply.text
    assert "{" not in reply.text  # every placeholder filled
    # The fallback offers the topic menu, two buttons per row.
    assert [b.value for b in entry_buttons(reply)] == [t.entry for t in pipeline.kb.messages.topics]
    assert all(1 <= len(row) <= 2 for row in reply.buttons)


def test_out_of_scope_near_miss_is_not_an_answer(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("siapa pemenang pilkada blora")
    assert reply.kind == "unknown" and reply.entry_id == "hasil_pilkada"
    assert reply.source_line is None  # no source says who won: nothing to cite


def test_sources_lists_both_sources(pipeline: Pipeline) -> None:
    reply = pipeline.replies.sources()
    assert reply.kind == "info"
    lines = reply.text.splitlines()
    assert lines[0] == pipeline.replies.text("sources_intro")
    assert len(lines) == 1 + len(pipeline.kb.sources)
    for source in pipeline.kb.sources.values():
        assert any(source.title in line and source.publisher in line for line in lines[1:]), source.id
    assert "6 September 2024" in reply.text and "27 Juli 2024" in reply.text


def test_welcome_help_and_topics(pipeline: Pipeline) -> None:
    welcome = pipeline.replies.welcome()
    assert "Pilkada Serentak 2024" in welcome.text and "Kabupaten Blora" in welcome.text
    assert welcome.text.endswith(pipeline.replies.countdown_text())  # says whether the vote has passed
    messages = pipeline.kb.messages
    # The first minute: the three things asked first, one per row, then "more topics".
    assert [b.value for b in entry_buttons(welcome)] == ["jadwal_pencoblosan", "kenapa_memilih", "apa_itu_golput"]
    assert [len(row) for row in welcome.buttons] == [1, 1, 1, 1]
    assert welcome.buttons[-1] == (Button(messages.get("more_topics_button"), "topics", ""),)
    assert "/topik" in pipeline.replies.help().text
    topics = pipeline.replies.topics()
    assert topics.text == pipeline.replies.text("topics_intro")
    assert [b.label for b in entry_buttons(topics)] == [t.label for t in messages.topics]


def test_welcome_is_short_with_one_example_and_what_the_bot_cannot_do(pipeline: Pipeline) -> None:
    """Read on a phone by a first-time voter: a few lines, an example question that works, the limits."""
    text = pipeline.replies.text("welcome")
    lines = text.splitlines()
    assert len(lines) <= 3 and len(text) <= 300
    example = lines[1].split("misalnya: ", 1)[1].strip('“”"')
    assert pipeline.replies.for_question(example).kind == "answer"  # the example gets a real answer
    assert "tidak tahu" in text or "belum tahu" in text
    assert "calon" in text and "TPS" in text  # the two things first-time voters ask that the sources do not answer


def test_fixed_messages(pipeline: Pipeline) -> None:
    assert pipeline.replies.message("non_text").text == pipeline.replies.text("non_text")
    assert pipeline.replies.message("no_such_message").text == "no_such_message"


def test_replies_are_frozen(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("kapan pilkada")
    with pytest.raises(AttributeError):
        reply.text = "x"  # type: ignore[misc]


def test_a_forwarded_question_is_answered_and_a_forwarded_statement_checked(pipeline: Pipeline) -> None:
    replies = pipeline.replies
    # A forwarded question is someone's question: answered (or "did you mean"), never claim-checked.
    for question, entry in (("kapan pilkada blora?", "jadwal_pencoblosan"), ("golput itu apa sih", "apa_itu_golput")):
        reply = replies.for_question(question, forwarded=True)
        assert reply.kind in ("answer", "suggest") and (reply.entry_id or reply.suggestions[0]) == entry
    chain = replies.for_question("Pemilih yang golput akan didenda", forwarded=True)
    assert chain.kind == "claim" and [c.verdict for c in chain.claims] == ["unverifiable"]
    hoax = replies.for_question(
        "PENTING!! Pencoblosan Pilkada Blora DIUNDUR ke 4 Desember 2024. Sebarkan", forwarded=True
    )
    assert [c.verdict for c in hoax.claims] == ["contradicted"]


def test_group_help_drops_the_reminder_line_after_the_vote(
    pipeline: Pipeline, clock_at: Callable[[dt.date], Clock]
) -> None:
    before = pipeline.replies.group_help("PilkadaTestBot").text
    after = Pipeline.from_parts(pipeline.config, pipeline.kb, clock_at(dt.date(2024, 11, 28)))
    text = after.replies.group_help("PilkadaTestBot").text
    assert "t.me/PilkadaTestBot" in before and "Pengingat" in before
    assert "Pengingat" not in text and text.startswith(before.splitlines()[0])
