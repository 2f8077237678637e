"""bot/outreach/poster.py: A4 posters whose QR codes open their topics, with voting day in the right phase.

The PDF is read back with pypdf (page size, the embedded page image) and every QR code
decoded with zxing-cpp.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from bot.outreach.kit import Outreach
from bot.outreach.poster import GRID_BOTTOM, HEIGHT, MARGIN, WIDTH, grid_cells
from bot.outreach.typeset import inside
from bot.pipeline import Pipeline
from tests.support.clocks import make_clock

USERNAME = "PilkadaBloraBot"
A4_POINTS = (595.28, 841.89)  # 210 x 297 mm
BEFORE, TODAY, AFTER = dt.date(2024, 11, 20), dt.date(2024, 11, 27), dt.date(2026, 11, 30)


def kit_on(pipeline: Pipeline, day: dt.date) -> Outreach:
    clock = make_clock(day)
    replies = Pipeline.from_parts(pipeline.config, pipeline.kb, clock).replies
    return Outreach(replies, USERNAME, clock=clock)


def qr_texts(image: Image.Image) -> list[str]:
    return sorted(r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode)


def test_before_voting_day_the_poster_counts_down(pipeline: Pipeline) -> None:
    kit = kit_on(pipeline, BEFORE)
    content = kit.poster_content(["jadwal", "golput", "pemula"])
    assert "7 hari lagi" in content.phase and content.sources is None
    assert content.headline == pipeline.replies.message("poster_headline").text
    assert [t.link for t in content.topics] == [
        f"https://t.me/{USERNAME}?start={w}" for w in ("jadwal", "golput", "pemula")
    ]
    assert [t.label for t in content.topics] == [
        pipeline.kb.entry(e).title for e in ("jadwal_pencoblosan", "apa_itu_golput", "pemilih_pemula")
    ]


def test_on_voting_day_the_poster_says_today(pipeline: Pipeline) -> None:
    content = kit_on(pipeline, TODAY).poster_content(["jadwal", "golput", "pemula"])
    assert content.phase == kit_on(pipeline, TODAY).replies.countdown_text()
    assert "Hari ini" in content.phase and content.sources is None


def test_after_voting_day_the_poster_says_it_passed_and_cites_the_sources(pipeline: Pipeline) -> None:
    content = kit_on(pipeline, AFTER).poster_content(["jadwal", "golput", "pemula"])
    assert "sudah lewat" in content.phase
    assert content.sources is not None
    for source in pipeline.kb.sources.values():
        assert source.title in content.sources and source.publisher in content.sources


def test_poster_texts_follow_the_phase_and_render_links(pipeline: Pipeline, kb_copy) -> None:
    """Poster words are messages like any other: written per phase if staff wish, {link:...} filled in."""
    kb_copy.replace(
        "knowledge/messages.yaml",
        '  poster_headline: "Pemilih pemula, cek faktanya di sini!"',
        '  poster_headline:\n    before: "Pemilih pemula, siap memilih?"\n    after: "Pemilih pemula, cek faktanya!"',
    )
    kb = kb_copy.load()
    label = pipeline.config.knowledge.links["kpu_office"].label
    for day, headline in ((BEFORE, "Pemilih pemula, siap memilih?"), (AFTER, "Pemilih pemula, cek faktanya!")):
        clock = make_clock(day)
        # The kit's own clock (it dates cards) disagrees on purpose: the phase is the ReplyBuilder's.
        kit = Outreach(Pipeline.from_parts(pipeline.config, kb, clock).replies, USERNAME, clock=make_clock(TODAY))
        content = kit.poster_content(["jadwal", "golput", "pemula"])
        assert content.headline == headline
        assert (content.sources is not None) == (day == AFTER)
        assert content.footer.endswith(f"{label}.")
        texts = [content.heading, content.headline, content.intro, content.phase, content.scan, content.footer]
        assert not any("{" in text for text in texts)


@pytest.mark.parametrize("day", [BEFORE, AFTER])
@pytest.mark.parametrize("count", [3, 4, 5, 6])
def test_poster_layout_and_qr_codes(pipeline: Pipeline, day: dt.date, count: int) -> None:
    kit = kit_on(pipeline, day)
    words = ["jadwal", "kenapa-memilih", "golput", "partisipasi-2024", "pemula", "hoaks"][:count]
    poster = kit.poster(words)
    assert poster.image.size == (WIDTH, HEIGHT)
    canvas = (0, 0, WIDTH, HEIGHT)
    layout = poster.layout
    assert layout.truncated == ()
    for name, box in layout.boxes.items():
        assert inside(box, canvas), name
        for ink in layout.inked[name]:
            assert inside(ink, box), (name, ink, box)
    # The topics' grid keeps clear of everything above it and of the footer.
    grid_top = min(q[1] for q in layout.qr)
    assert all(layout.boxes[n][3] <= grid_top for n in ("phase", "scan", *(["sources"] if day == AFTER else [])))
    assert max(q[3] for q in layout.qr) <= GRID_BOTTOM
    # Big enough to scan from arm's length: at least 3 cm (354 px at 300 dpi) wide.
    assert min(q[2] - q[0] for q in layout.qr) >= 354
    assert qr_texts(poster.image) == sorted(f"https://t.me/{USERNAME}?start={w}" for w in words)


def test_pdf_is_one_a4_page_whose_qr_codes_decode(pipeline: Pipeline, tmp_path: Path) -> None:
    words = ["jadwal", "golput", "pemula", "hoaks"]
    path = tmp_path / "poster.pdf"
    kit_on(pipeline, BEFORE).poster(words).save(path)
    reader = pypdf.PdfReader(path)
    (page,) = reader.pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=0.5)
    (embedded,) = page.images
    assert embedded.image is not None
    assert qr_texts(embedded.image) == sorted(f"https://t.me/{USERNAME}?start={w}" for w in words)


def test_png_says_300_dpi(pipeline: Pipeline, tmp_path: Path) -> None:
    path = tmp_path / "poster.png"
    kit_on(pipeline, BEFORE).poster(["jadwal", "golput", "pemula"]).save(path)
    with Image.open(path) as image:
        assert image.size == (WIDTH, HEIGHT)
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_other_formats_are_refused(pipeline: Pipeline, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        kit_on(pipeline, BEFORE).poster(["jadwal", "golput", "pemula"]).save(tmp_path / "poster.jpg")


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["jadwal", "golput"], "3 to 6 topics, got 2"),
        (["jadwal", "golput", "pemula", "hoaks", "target", "media", "kpu"], "3 to 6 topics, got 7"),
        (["jadwal", "golput", "tidak-ada"], "no entry has the link 'tidak-ada'"),
    ],
)
def test_topics_are_checked(pipeline: Pipeline, words: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kit_on(pipeline, BEFORE).poster_content(words)


def test_default_topics_are_the_topic_buttons_with_links(pipeline: Pipeline) -> None:
    kit = kit_on(pipeline, BEFORE)
    expected = [kit.links.link_for(t.entry) for t in pipeline.kb.messages.topics][:6]
    assert kit.poster_links() == expected
    assert 3 <= len(expected) <= 6


@pytest.mark.parametrize("count", [3, 4, 5, 6])
def test_grid_cells_do_not_overlap(count: int) -> None:
    grid = (MARGIN, 1500, WIDTH - MARGIN, GRID_BOTTOM)
    cells = grid_cells(count, grid)
    assert len(cells) == count
    for i, a in enumerate(cells):
        assert inside(a, grid)
        for b in cells[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
