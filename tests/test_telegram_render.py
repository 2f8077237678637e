"""bot/telegram/render.py: Reply -> HTML chunks and inline keyboard; callback data."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton

from bot.kb.knowledge import KnowledgeBase
from bot.pipeline import Pipeline
from bot.replies.reply import Button, Reply
from bot.telegram.render import (
    MAX_CALLBACK_DATA,
    ButtonPress,
    decode_callback,
    encode_callback,
    render_html,
    render_reply,
    split_message,
)


def layout(reply: Reply) -> list[list[tuple[str, str]]]:
    """The keyboard as rows of (label, callback data or "share:<query>")."""
    keyboard = render_reply(reply).keyboard
    assert keyboard is not None
    return [[(b.text, describe(b)) for b in row] for row in keyboard.inline_keyboard]


def describe(button: InlineKeyboardButton) -> str:
    if button.switch_inline_query is not None:
        return f"share:{button.switch_inline_query}"
    assert isinstance(button.callback_data, str)
    return button.callback_data


def test_answer_text_and_source_line_are_escaped() -> None:
    reply = Reply("answer", "Pilih <b>paslon</b> & datang ke TPS", source_line="Sumber: KPU <Blora> & co")
    (html,) = render_reply(reply).chunks
    assert html == ("Pilih &lt;b&gt;paslon&lt;/b&gt; &amp; datang ke TPS\n\n<i>Sumber: KPU &lt;Blora&gt; &amp; co</i>")


def test_reply_without_source_line_has_no_italics() -> None:
    assert render_reply(Reply("info", "Halo \"kamu\" 'ya'")).chunks == ("Halo \"kamu\" 'ya'",)


def test_split_message_cuts_at_line_boundaries() -> None:
    lines = [f"Baris {i:04d} " + "x" * (20 + i % 50) for i in range(200)]
    text = "\n".join(lines)
    assert 9000 <= len(text) < 20000
    chunks = split_message(text)
    assert len(chunks) > 2
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == text  # only the newline at each cut is dropped
    assert all(c.split("\n")[0] in lines and c.split("\n")[-1] in lines for c in chunks)


def test_split_message_prefers_paragraphs_and_never_splits_entities() -> None:
    paragraph = "Kalimat &amp; kata. " * 150  # ~3000 characters
    text = f"{paragraph}\n\n{paragraph}\n\n{paragraph}"
    chunks = split_message(text)
    assert chunks == [paragraph, paragraph, paragraph]
    one_line = "&amp;" * 2000  # no space or newline anywhere
    pieces = split_message(one_line)
    assert "".join(pieces) == one_line
    assert all(len(p) <= 4096 and p.startswith("&amp;") and p.endswith("&amp;") for p in pieces)


def test_split_message_counts_emoji_as_telegram_does() -> None:
    text = "🗳️ ayo memilih\n" * 400  # the ballot emoji is 2 UTF-16 units, plus a variation selector
    chunks = split_message(text)
    assert all(len(c.encode("utf-16-le")) // 2 <= 4096 for c in chunks)
    assert "\n".join(chunks) == text


def test_long_answer_keeps_keyboard_and_source_on_last_chunk(pipeline: Pipeline) -> None:
    answer = pipeline.replies.for_entry("apa_itu_golput")
    long_text = "\n".join([answer.text] * 60)
    rendered = render_reply(Reply("answer", long_text, answer.source_line, answer.buttons, entry_id=answer.entry_id))
    assert len(rendered.chunks) >= 3
    assert all(len(c) <= 4096 for c in rendered.chunks)
    assert rendered.chunks[-1].endswith("</i>")
    assert not any("<i>" in c for c in rendered.chunks[:-1])
    assert rendered.keyboard is not None
    assert render_html(answer) == render_reply(answer).chunks[0]


def test_callback_data_fits_for_every_entry(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        for kind in ("entry", "suggestion", "feedback_up", "feedback_down"):
            data = encode_callback(kind, entry.id)
            assert len(data.encode()) <= MAX_CALLBACK_DATA
            assert decode_callback(data) == ButtonPress(kind, entry.id)


def test_reason_callback_data_fits_for_every_entry_and_reason(pipeline: Pipeline) -> None:
    longest = "x" * 48  # the longest id the knowledge base allows
    for entry_id in [*pipeline.kb.by_id, longest]:
        ask = pipeline.replies.feedback_reasons(entry_id)
        assert ask is not None
        for row in layout(ask):
            for _, data in row:
                assert len(data.encode()) <= MAX_CALLBACK_DATA
                press = decode_callback(data)
                assert press is not None and press.entry_id == entry_id
    assert decode_callback("r2:apa_itu_golput") == ButtonPress("feedback_reason", "apa_itu_golput", 2)
    assert decode_callback("w:apa_itu_golput") == ButtonPress("feedback_write", "apa_itu_golput")
    for forged in ("e2:apa_itu_golput", "r:apa_itu_golput", "r٣:apa_itu_golput", "r10:apa_itu_golput"):
        assert decode_callback(forged) is None
    with pytest.raises(ValueError):
        encode_callback("feedback_reason", "apa_itu_golput")  # a reason needs its number
    with pytest.raises(ValueError):
        encode_callback("entry", "apa_itu_golput", 1)


def test_callback_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode_callback("entry", "x" * 63)


@pytest.mark.parametrize(
    "data", [None, "", "golput", "x:apa_itu_golput", "e:", "e:../../etc", "e:APA", "vote:1", "e:a b"]
)
def test_forged_callback_data_decodes_to_none(data: str | None) -> None:
    assert decode_callback(data) is None


def test_answer_keyboard_related_then_share_and_feedback(pipeline: Pipeline) -> None:
    entry = pipeline.kb.entry("apa_itu_golput")
    reply = pipeline.replies.for_entry(entry.id)
    assert entry.related
    msg = pipeline.kb.messages
    assert layout(reply) == [
        *([(pipeline.kb.entry(r).title, f"e:{r}")] for r in entry.related[:3]),
        [
            (msg.get("share_button"), f"share:{entry.title}"),
            (msg.get("feedback_up"), f"u:{entry.id}"),
            (msg.get("feedback_down"), f"d:{entry.id}"),
        ],
    ]


def test_suggestion_keyboard_one_suggestion_per_row() -> None:
    reply = Reply(
        "suggest",
        "Maksud kamu?",
        buttons=(
            (Button("Apa itu golput", "entry", "apa_itu_golput"),),
            (Button("Jangan golput", "entry", "jangan_golput"),),
        ),
        suggestions=("apa_itu_golput", "jangan_golput"),
    )
    assert layout(reply) == [[("Apa itu golput", "s:apa_itu_golput")], [("Jangan golput", "s:jangan_golput")]]


def test_fallback_keyboard_is_the_topic_menu(pipeline: Pipeline) -> None:
    reply = pipeline.replies.fallback()
    topics = pipeline.kb.messages.topics
    rows = layout(reply)
    assert [button for row in rows for button in row] == [(t.label, f"e:{t.entry}") for t in topics]
    assert all(1 <= len(row) <= 2 for row in rows)


def test_reply_without_buttons_has_no_keyboard(pipeline: Pipeline) -> None:
    assert render_reply(pipeline.replies.help()).keyboard is None
