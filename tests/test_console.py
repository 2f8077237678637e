"""bot/console.py: the terminal chat, driven through in-memory stdin/stdout."""

from __future__ import annotations

import io

from bot.console import choice_ids, render_text, run_console
from bot.pipeline import Pipeline


def chat(pipeline: Pipeline, *lines: str, keluar: bool = True) -> tuple[int, list[str]]:
    """Type `lines` (then /keluar) into the console; return the exit code and each bot turn."""
    script = [*lines, "/keluar"] if keluar else list(lines)
    stdout = io.StringIO()
    code = run_console(pipeline, io.StringIO("".join(f"{line}\n" for line in script)), stdout)
    turns = ["Bot> " + turn for turn in stdout.getvalue().split("Bot> ") if turn]
    return code, turns


def test_welcome_then_goodbye(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline)
    assert code == 0
    assert len(turns) == 2
    assert render_text(pipeline.replies.welcome()) in turns[0]
    assert pipeline.replies.text("console_hint") in turns[0]
    assert turns[-1] == f"Bot> {pipeline.replies.text('console_bye')}\n"


def test_question_gets_the_answer_and_its_source(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline, "golput itu apa sih")
    answer = pipeline.kb.entry("apa_itu_golput").answer.before
    assert code == 0
    assert answer in turns[1]
    assert "(Sumber: UU Pilkada, Perpu 1/2014, 2 Oktober 2014; KPU Kabupaten Blora, 6 September 2024)" in turns[1]
    assert pipeline.replies.text("console_choice") in turns[1]  # related entries are numbered


def test_numbered_suggestion_choice(pipeline: Pipeline) -> None:
    suggestions = pipeline.replies.for_question("partisipasi").suggestions
    code, turns = chat(pipeline, "partisipasi", "2")
    assert code == 0
    assert pipeline.replies.text("did_you_mean") in turns[1]
    for i, entry_id in enumerate(suggestions, 1):
        assert f"  {i}. {pipeline.kb.entry(entry_id).title}" in turns[1]
    assert pipeline.kb.entry(suggestions[1]).answer.before in turns[2]


def test_topics_then_a_number(pipeline: Pipeline) -> None:
    topics = pipeline.kb.messages.topics
    code, turns = chat(pipeline, "/topik", "3")
    assert code == 0
    assert pipeline.replies.text("topics_intro") in turns[1]
    assert f"  3. {topics[2].label}" in turns[1]
    assert pipeline.kb.entry(topics[2].entry).answer.before in turns[2]


def test_number_without_a_matching_choice_is_just_text(pipeline: Pipeline) -> None:
    fallback = pipeline.replies.fallback().text
    code, turns = chat(pipeline, "/sumber", "1", "/topik", "99")
    assert code == 0
    assert fallback in turns[2]  # /sumber offers no choices
    assert fallback in turns[4]  # there is no topic 99


def test_countdown_command(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline, "/hitungmundur")
    assert code == 0
    assert turns[1] == f"Bot> {pipeline.replies.countdown_text()}\n"
    assert "7 hari lagi" in turns[1]  # the fixture's clock: 20 November 2024


def test_sources_command(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline, "/sumber")
    assert code == 0
    for source in pipeline.kb.sources.values():
        assert source.title in turns[1]


def test_unknown_command(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline, "/hapus semua")
    assert code == 0
    assert turns[1] == f"Bot> {pipeline.replies.text('unknown_command')}\n"


def test_blank_lines_are_ignored_and_keluar_stops(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline, "", "   ", "/keluar", "kapan pilkada", keluar=False)
    assert code == 0
    assert len(turns) == 2  # welcome, goodbye: nothing after /keluar is read
    assert turns[-1] == f"Bot> {pipeline.replies.text('console_bye')}\n"


def test_end_of_input_without_keluar_ends_cleanly(pipeline: Pipeline) -> None:
    code, turns = chat(pipeline, "kapan pilkada", keluar=False)
    assert code == 0
    assert pipeline.kb.entry("jadwal_pencoblosan").answer.before in turns[1]
    assert turns[-1] == f"Bot> {pipeline.replies.text('console_bye')}\n"


def test_render_text_numbers_entry_buttons_only(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_entry("kenapa_memilih")
    text = render_text(reply)
    related = pipeline.kb.entry("kenapa_memilih").related[:3]
    assert choice_ids(reply) == list(related)
    assert text.splitlines()[-1] == f"  {len(related)}. {pipeline.kb.entry(related[-1]).title}"
    assert pipeline.replies.text("share_button") not in text


def test_the_console_keeps_the_message_policy_telegram_keeps(pipeline: Pipeline) -> None:
    # One policy in the core (Pipeline.respond): a message too long to be a question is refused here too.
    limit = pipeline.config.bot.max_message_length
    long_question = "kapan hari pencoblosan pilkada blora? " * (limit // 30)
    assert len(long_question) > limit
    _, turns = chat(pipeline, long_question)
    assert pipeline.replies.text("too_long") in turns[1]
    # Forwarded text is cut rather than refused, and small talk is never counted for staff.
    assert pipeline.respond(long_question, forwarded=True).reply.kind != "info"
    assert len(pipeline.respond(long_question, forwarded=True).asked) == limit
    assert pipeline.respond("makasih").recorded is False
    assert pipeline.respond("golput itu apa").recorded is True
