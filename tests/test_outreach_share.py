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
    for entry in pipeline.kb.entries:  # known unknowns too: "ask the KPU" is worth passing on
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
        # Facts ({fakta:...}) and official links ({link:...}) are rendered, never shown raw.
        assert "{" not in text and "}" not in text, entry.id


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


def test_a_known_unknown_is_shared_without_a_card(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    unknown = pipeline.replies.for_entry("hasil_pilkada")
    assert unknown.kind == "unknown"
    decorated = kit.decorate(unknown)
    (button,) = decorated.buttons[-1]
    assert button.action == "url" and decoded(button.value) == kit.share_text(unknown)
    assert decoded(button.value).startswith(unknown.text)
    assert not kit.has_card("hasil_pilkada") and kit.has_card("apa_itu_golput")


def test_a_claim_check_is_shared_without_the_english_note_and_without_a_card(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    hoax = "PENTING!! Pencoblosan Pilkada Blora DIUNDUR ke 4 Desember 2024. Sebarkan"
    verdict = pipeline.replies.for_question(hoax, forwarded=True)
    assert verdict.kind == "claim"
    text = kit.share_text(verdict)
    assert text is not None
    assert text.startswith(verdict.text) and "27 November 2024" in text
    assert text.endswith(f"https://t.me/{USERNAME}")  # a verdict has no answer of its own to open
    (button,) = kit.decorate(verdict).buttons[-1]
    assert button.action == "url"
    # The English note is the bot's word to the asker, not part of what is passed on.
    english = pipeline.replies.for_question("is it true the vote was postponed to 4 December 2024?")
    assert english.kind == "claim" and english.text.startswith(pipeline.replies.text("english_note"))
    shared = kit.share_text(english)
    assert shared is not None and "❌" in shared and pipeline.replies.text("english_note") not in shared


def test_only_answers_get_the_whatsapp_button(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    answer = pipeline.replies.for_entry("apa_itu_golput")
    decorated = kit.decorate(answer)
    # The card joins the row of Bagikan and the feedback; WhatsApp gets a row of its own, last.
    assert decorated.buttons[:-2] == answer.buttons[:-1]
    share, card, up, down = decorated.buttons[-2]
    assert (share, up, down) == answer.buttons[-1]
    assert (card.action, card.value) == ("card", "apa_itu_golput")
    (button,) = decorated.buttons[-1]
    assert (button.label, button.action) == (pipeline.replies.message("share_whatsapp_button").text, "url")
    assert decoded(button.value) == kit.share_text(answer)
    small_talk = pipeline.replies.for_question("makasih")
    suggest = pipeline.replies.for_question("pemilu")
    others = (pipeline.replies.fallback(), pipeline.replies.welcome(), pipeline.replies.topics(), small_talk, suggest)
    for other in others:
        assert other.kind not in ("answer", "unknown", "claim")
        assert kit.decorate(other) == other
        assert kit.share_text(other) is None


def test_without_a_username_the_share_text_has_no_link(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_entry("apa_itu_golput")
    assert Outreach(pipeline.replies, "").share_text(reply) == f"{reply.text}\n\n{reply.source_line}"


# About 34 characters of button text fit across a 360-dp phone (Telegram cuts longer labels
# with "…"); a row's buttons share that width equally.
ROW_CHARS = 34


def test_keyboards_stay_readable_on_a_phone(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    for entry in pipeline.kb.entries:
        for row in kit.decorate(pipeline.replies.for_entry(entry.id)).buttons:
            assert len(row) <= 4, entry.id
            for button in row:
                assert len(button.label) <= ROW_CHARS // len(row), (entry.id, button.label)
