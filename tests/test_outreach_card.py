"""bot/outreach/card.py: every answer as a square card; text stays in its box, the QR code opens the answer.

QR codes are decoded with zxing-cpp (a maintained ZXing port on PyPI, a test dependency).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import zxingcpp
from PIL import Image

from bot.outreach.card import BAND, BOXES, MARGIN, QR_BOX, SIZE, CardCache, CardContent, render_card
from bot.outreach.kit import Outreach
from bot.outreach.typeset import ELLIPSIS, drawable, inside
from bot.pipeline import Pipeline
from tests.support.clocks import make_clock

USERNAME = "PilkadaBloraBot"
# On a phone the 1080-pixel card is about 400 points wide: 30 pixels read as 11 pt.
MIN_BODY_SIZE = 30


def decode_qr(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture
def kit(pipeline: Pipeline) -> Outreach:
    return Outreach(pipeline.replies, USERNAME, clock=make_clock(dt.date(2024, 11, 20)))


def check_layout(card_png: bytes, layout, link: str) -> Image.Image:  # type: ignore[no-untyped-def]
    image = Image.open(io.BytesIO(card_png))
    assert (image.format, image.size) == ("PNG", (SIZE, SIZE))
    canvas = (0, 0, SIZE, SIZE)
    for name, box in layout.boxes.items():
        assert inside(box, canvas), name
        for ink in layout.inked[name]:
            assert inside(ink, box), (name, ink, box)
    assert inside(layout.qr, QR_BOX) and inside(layout.qr, canvas)
    assert decode_qr(image) == [link]
    # Nothing is drawn in the side margins below the band (the QR code's white quiet zone may reach them).
    rgb = image.convert("RGB")
    for x in (*range(0, MARGIN - 8), *range(SIZE - MARGIN + 8, SIZE - 16)):
        for y in range(BAND[3], layout.qr[1], 7):
            assert rgb.getpixel((x, y)) == (255, 255, 255), (x, y)
    return image


def test_every_answer_has_a_card_that_keeps_its_text_in_its_boxes(kit: Outreach, pipeline: Pipeline) -> None:
    for entry in (e for e in pipeline.kb.entries if e.kind == "answer"):
        content = kit.card_content(entry.id)
        # Facts ({fakta:...}) and official links ({link:...}) are rendered, never drawn raw.
        assert not any("{" in str(part) for part in dataclasses.astuple(content)), entry.id
        card = kit.card(entry.id)
        check_layout(card.png, card.layout, kit.link_for(entry.id))
        assert card.layout.truncated == (), entry.id
        assert card.layout.sizes["body"] >= MIN_BODY_SIZE, entry.id
        # Every word of the answer (emoji aside) is on the card.
        reply = pipeline.replies.for_entry(entry.id)
        assert content.body == reply.text and content.title == entry.title
        assert ("source" in card.layout.boxes) == bool(entry.sources), entry.id
        assert content.source_line == reply.source_line
        assert "20 November 2024" in content.footer


def test_known_unknowns_have_no_card(kit: Outreach, pipeline: Pipeline) -> None:
    unknowns = [e.id for e in pipeline.kb.entries if e.kind == "unknown"]
    assert unknowns
    for entry_id in unknowns:
        assert not kit.has_card(entry_id)
        with pytest.raises(ValueError, match="no card"):
            kit.card_content(entry_id)


def test_card_text_is_the_answer_without_emoji(kit: Outreach, pipeline: Pipeline) -> None:
    body = kit.card_content("jadwal_pencoblosan").body
    assert "⏳" in body  # the countdown line, as the chat shows it...
    drawn = drawable(body)
    assert "⏳" not in drawn and "7 hari lagi" in drawn  # ...drawn without the emoji the font lacks
    assert drawable("Ayo 🗳️ ke TPS!\u200d") == "Ayo ke TPS!"


def test_a_too_long_answer_is_cut_inside_its_box(kit: Outreach) -> None:
    content = dataclasses.replace(kit.card_content("apa_itu_golput"), body="kata panjang sekali " * 400)
    card = render_card(content)
    check_layout(card.png, card.layout, content.link)
    assert card.layout.truncated == ("body",)
    assert card.layout.sizes["body"] == MIN_BODY_SIZE


def test_long_links_and_sources_still_fit_and_decode() -> None:
    link = "https://t.me/" + "a" * 29 + "bot?start=" + "x" * 64  # the longest a link can be
    content = CardContent(
        heading="Pilkada Serentak 2024 · Kabupaten Blora",
        title="Judul yang cukup panjang untuk dua baris di kartu ini",
        body="Jawaban singkat.",
        source_line="Sumber: " + "; ".join(["TribunJateng.com, 27 Juli 2024"] * 4),
        footer="Pindai QR untuk bertanya ke bot · dibuat 20 November 2024",
        link=link,
    )
    card = render_card(content)
    check_layout(card.png, card.layout, link)


def test_cards_are_cached_by_what_they_show(pipeline: Pipeline) -> None:
    cache = CardCache(size=2)
    day1 = Outreach(pipeline.replies, USERNAME, clock=make_clock(dt.date(2024, 11, 20)), cards=cache)
    first = day1.card("apa_itu_golput")
    assert day1.card("apa_itu_golput") is first and cache.drawn == 1
    day2 = Outreach(pipeline.replies, USERNAME, clock=make_clock(dt.date(2024, 11, 21)), cards=cache)
    assert day2.card("apa_itu_golput").digest != first.digest  # the date on it changed
    other_bot = Outreach(pipeline.replies, "OtherPilkadaBot", clock=make_clock(dt.date(2024, 11, 20)), cards=cache)
    assert other_bot.card("apa_itu_golput").digest != first.digest  # so did the link
    assert cache.drawn == 2  # the oldest was dropped


def test_a_knowledge_base_change_makes_a_new_card(kb_copy, pipeline: Pipeline) -> None:
    kb_copy.replace("knowledge/entries.yaml", "Golput (golongan putih)", "Golput atau golongan putih")
    changed = Pipeline.from_parts(pipeline.config, kb_copy.load())
    clock = make_clock(dt.date(2024, 11, 20))
    before = Outreach(pipeline.replies, USERNAME, clock=clock).card_content("apa_itu_golput")
    after = Outreach(changed.replies, USERNAME, clock=clock).card_content("apa_itu_golput")
    assert before.digest() != after.digest()
    assert after.body.startswith("Golput atau golongan putih")


def test_boxes_leave_room_for_each_other() -> None:
    names = list(BOXES)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            one, two = BOXES[a], BOXES[b]
            overlap = one[0] < two[2] and two[0] < one[2] and one[1] < two[3] and two[1] < one[3]
            assert not overlap, (a, b)
    assert ELLIPSIS == "…"
