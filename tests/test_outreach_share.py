"""bot/outreach/share.py: WhatsApp share texts fit the limits and survive URL encoding."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from bot.outreach.kit import Outreach
from bot.outreach.share import ELLIPSIS, MAX_SHARE_URL, WHATSAPP_SHARE, compose, share_text, whatsapp_url
from bot.pipeline import Pipeline

USERNAME = "PilkadaBloraBot"
# A WhatsApp message holds at most 65,536 characters.
MAX_WHATSAPP_TEXT = 65_536


def decoded(url: str) -> str:
    """The text a wa.me link carries, decoded the way WhatsApp (or any URL parser) reads it."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/")
    (text,) = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)["text"]
    return text


def test_every_answer_shares_its_text_source_and_link(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    for entry in (e for e in pipeline.kb.entries if e.kind == "answer"):
        reply = pipeline.replies.for_entry(entry.id)
        text = kit.share_text(reply)
        assert text is not None
        link = f"https://t.me/{USERNAME}" + (f"?start={entry.link}" if entry.link else "")
        footer = pipeline.replies.message("share_footer", link=link).text
        assert text == compose(reply.text, reply.source_line, footer), entry.id
        assert text.endswith(link)
        url = whatsapp_url(text)
        assert len(url) <= MAX_SHARE_URL and len(text) <= MAX_WHATSAPP_TEXT
        assert decoded(url) == text


def test_share_text_for_a_long_answer_is_cut_at_a_word_and_keeps_source_and_link() -> None:
    answer = " ".join(f"kata{i} & 100% #{i}?" for i in range(400))
    source, footer = "Sumber: KPU Kabupaten Blora, 6 September 2024", "Tanya bot: https://t.me/X_bot?start=golput"
    text = share_text(answer, source, footer)
    url = whatsapp_url(text)
    assert len(url) <= MAX_SHARE_URL
    assert len(url) > MAX_SHARE_URL - 60  # not cut much more than needed
    head, tail = text.split(ELLIPSIS + "\n\n")
    assert tail == f"{source}\n\n{footer}"
    assert answer.startswith(head) and answer[len(head)] == " "  # cut between words
    assert decoded(url) == text


def test_short_text_is_not_cut() -> None:
    assert share_text("Jawaban.", None, "Tanya bot") == "Jawaban.\n\nTanya bot"


@given(
    answer=st.text(min_size=1, max_size=3000).filter(str.strip),
    source=st.one_of(st.none(), st.text(min_size=1, max_size=120).filter(str.strip)),
)
def test_any_text_round_trips_and_fits(answer: str, source: str | None) -> None:
    footer = "Tanya jawab lain: https://t.me/PilkadaBloraBot?start=golput"
    text = share_text(answer, source, footer)
    url = whatsapp_url(text)
    assert url.startswith(WHATSAPP_SHARE)
    assert len(url) <= MAX_SHARE_URL
    assert decoded(url) == text
    assert text.endswith(footer)


def test_only_answers_get_the_whatsapp_button(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    answer = pipeline.replies.for_entry("apa_itu_golput")
    decorated = kit.decorate(answer)
    assert decorated.buttons[:-1] == answer.buttons
    button, card = decorated.buttons[-1]
    assert (card.action, card.value) == ("card", "apa_itu_golput")
    assert (button.label, button.action) == (pipeline.replies.message("share_whatsapp_button").text, "url")
    assert decoded(button.value) == kit.share_text(answer)
    for other in (pipeline.replies.fallback(), pipeline.replies.welcome(), pipeline.replies.topics()):
        assert other.kind != "answer"
        assert kit.decorate(other) == other
        assert kit.share_text(other) is None


def test_without_a_username_the_share_text_has_no_link(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_entry("apa_itu_golput")
    assert Outreach(pipeline.replies, "").share_text(reply) == f"{reply.text}\n\n{reply.source_line}"
