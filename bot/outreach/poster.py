"""Posters for school visits: an A4 page with a headline, where we stand relative to voting
day, and 3-6 topics, each with the QR code that opens its answer in the bot.

Drawn at 300 dpi (2480 x 3508 pixels) and saved as PNG or as a one-page PDF whose page
is exactly A4, ready to print.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw

from bot.outreach.card import ACCENT, BACKGROUND, INK, MUTED, ON_ACCENT, RULE
from bot.outreach.qr import qr_image
from bot.outreach.typeset import Box, Color, TextBlock, draw_block, fit

DPI = 300
WIDTH, HEIGHT = 2480, 3508  # A4, 210 x 297 mm, at 300 dpi
MARGIN = 150
GUTTER = 60
MIN_TOPICS, MAX_TOPICS = 3, 6
BAND_BOTTOM = 1000
BOXES: dict[str, Box] = {
    "heading": (MARGIN, 120, WIDTH - MARGIN, 200),
    "headline": (MARGIN, 230, WIDTH - MARGIN, 740),
    "intro": (MARGIN, 770, WIDTH - MARGIN, 950),
    "footer": (MARGIN, 3230, WIDTH - MARGIN, 3360),
    "link": (MARGIN, 3370, WIDTH - MARGIN, 3440),
}
# Between the band and the footer, stacked: the phase, the sources (after voting day
# only), the scan hint, then the topics' grid takes the rest, down to GRID_BOTTOM.
STACK_TOP = BAND_BOTTOM + 60
PHASE_HEIGHT, SOURCES_HEIGHT, SCAN_HEIGHT = 250, 280, 90
GAP = 40
GRID_BOTTOM = 3180
LABEL_HEIGHT = 170
LINK_HEIGHT = 60


@dataclass(frozen=True, slots=True)
class PosterTopic:
    label: str
    link: str  # the deep link its QR code opens


@dataclass(frozen=True, slots=True)
class PosterContent:
    heading: str  # election and region
    headline: str
    intro: str
    phase: str  # the countdown before voting day, "today", or "sudah lewat" after it
    sources: str | None  # after voting day: where the answers come from
    scan: str  # how to use the QR codes
    topics: tuple[PosterTopic, ...]
    footer: str
    bot_link: str


@dataclass(frozen=True, slots=True)
class PosterLayout:
    boxes: dict[str, Box]
    inked: dict[str, list[Box]]
    sizes: dict[str, int]
    qr: tuple[Box, ...]  # one per topic, in order
    truncated: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Poster:
    image: Image.Image
    layout: PosterLayout

    def save(self, path: Path) -> None:
        """Write the poster as PNG or PDF (by the file's suffix), at 300 dpi: A4 when printed."""
        if path.suffix.lower() not in (".png", ".pdf"):
            raise ValueError(f"a poster is saved as .png or .pdf, not '{path.suffix or path.name}'")
        path.write_bytes(self.encode(path.suffix))

    def encode(self, suffix: str) -> bytes:
        """The poster as the bytes of a .png or .pdf file, at 300 dpi: A4 when printed."""
        buffer = io.BytesIO()
        if suffix.lower() == ".png":
            self.image.save(buffer, "PNG", dpi=(DPI, DPI))
        elif suffix.lower() == ".pdf":
            # Pillow embeds the page as a JPEG; quality 95 keeps letters and QR modules sharp.
            self.image.save(buffer, "PDF", resolution=DPI, quality=95, title="Poster", producer="pilkada-bot")
        else:
            raise ValueError(f"a poster is saved as .png or .pdf, not '{suffix}'")
        return buffer.getvalue()


def grid_cells(count: int, grid: Box) -> list[Box]:
    """Cells for `count` topics in `grid`: one row of 3, 2 x 2, or two rows of 3 (a short last row centered)."""
    if not MIN_TOPICS <= count <= MAX_TOPICS:
        raise ValueError(f"a poster has {MIN_TOPICS} to {MAX_TOPICS} topics, not {count}")
    columns = 2 if count == 4 else 3
    rows = math.ceil(count / columns)
    left, top, right, bottom = grid
    width = (right - left - GUTTER * (columns - 1)) // columns
    height = (bottom - top - GUTTER * (rows - 1)) // rows
    cells: list[Box] = []
    for row in range(rows):
        in_row = min(columns, count - row * columns)
        start = left + (right - left - in_row * width - (in_row - 1) * GUTTER) // 2
        y = top + row * (height + GUTTER)
        for column in range(in_row):
            x = start + column * (width + GUTTER)
            cells.append((x, y, x + width, y + height))
    return cells


def render_poster(content: PosterContent) -> Poster:
    """Draw the poster."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, BAND_BOTTOM - 1), fill=ACCENT)
    texts: dict[str, tuple[TextBlock, Color, str]] = {
        "heading": (fit(content.heading, BOXES["heading"], range(64, 39, -4), max_lines=1), ON_ACCENT, "left"),
        "headline": (
            fit(content.headline, BOXES["headline"], range(170, 99, -6), bold=True, max_lines=3, spacing=1.15),
            ON_ACCENT,
            "left",
        ),
        "intro": (fit(content.intro, BOXES["intro"], range(68, 43, -4), max_lines=2), ON_ACCENT, "left"),
        "footer": (fit(content.footer, BOXES["footer"], range(48, 31, -2), max_lines=2), MUTED, "left"),
        "link": (fit(content.bot_link.removeprefix("https://"), BOXES["link"], range(52, 31, -2)), ACCENT, "left"),
    }
    top = STACK_TOP
    stack = [("phase", content.phase, PHASE_HEIGHT, range(88, 51, -4), True, ACCENT, 3)]
    if content.sources:
        stack.append(("sources", content.sources, SOURCES_HEIGHT, range(48, 29, -2), False, INK, 6))
    stack.append(("scan", content.scan, SCAN_HEIGHT, range(60, 35, -2), True, INK, 1))
    for name, text, height, sizes, bold, color, lines in stack:
        block = fit(text, (MARGIN, top, WIDTH - MARGIN, top + height), sizes, bold=bold, max_lines=lines)
        # Shrink the box to the lines set, so the next text (and the grid) moves up.
        block = replace(block, box=(MARGIN, top, WIDTH - MARGIN, top + block.height))
        texts[name] = (block, color, "left")
        top += block.height + GAP
    draw.line((MARGIN, BOXES["footer"][1] - 30, WIDTH - MARGIN, BOXES["footer"][1] - 30), fill=RULE, width=4)
    qr_boxes: list[Box] = []
    cells = grid_cells(len(content.topics), (MARGIN, top + GAP // 2, WIDTH - MARGIN, GRID_BOTTOM))
    for i, (topic, cell) in enumerate(zip(content.topics, cells, strict=True)):
        left, top, right, bottom = cell
        draw.rounded_rectangle((left, top, right - 1, bottom - 1), radius=36, outline=RULE, width=4)
        inner = (left + 30, top + 30, right - 30, bottom - 24)
        label_box = (inner[0], inner[1], inner[2], inner[1] + LABEL_HEIGHT)
        link_box = (inner[0], inner[3] - LINK_HEIGHT, inner[2], inner[3])
        label = fit(topic.label, label_box, range(68, 39, -2), bold=True, max_lines=2, spacing=1.15)
        link = fit(topic.link.removeprefix("https://"), link_box, range(34, 19, -1), max_lines=1)
        texts[f"topic{i}"] = (label, INK, "center")
        texts[f"topic{i}_link"] = (link, MUTED, "center")
        room = min(inner[2] - inner[0], link_box[1] - label_box[3])
        code = qr_image(topic.link, room)
        x = left + (right - left - code.width) // 2
        y = label_box[3] + (link_box[1] - label_box[3] - code.height) // 2
        image.paste(code.convert("RGB"), (x, y))
        qr_boxes.append((x, y, x + code.width, y + code.height))
    inked = {name: draw_block(draw, block, color, align=align) for name, (block, color, align) in texts.items()}
    layout = PosterLayout(
        boxes={name: block.box for name, (block, _, _) in texts.items()},
        inked=inked,
        sizes={name: block.size for name, (block, _, _) in texts.items()},
        qr=tuple(qr_boxes),
        truncated=tuple(name for name, (block, _, _) in texts.items() if block.truncated),
    )
    return Poster(image, layout)
