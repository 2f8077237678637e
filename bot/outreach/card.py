"""Answer cards: one answer as a square PNG to save and share (1080 x 1080, the size phones and WhatsApp show whole).

The card carries the entry's title, the answer, its source line, a footer with the
date it was made, and the deep link as text and as a small QR code. No logos: we have
no right to use any. Cards are cached by a digest of everything drawn on them, so a
knowledge-base reload or a new day (the countdown line) makes a new card, and an
unchanged one is never drawn twice.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass, field

from PIL import Image, ImageDraw

from bot.outreach.qr import qr_image
from bot.outreach.typeset import Box, Color, TextBlock, draw_block, fit

SIZE = 1080
MARGIN = 64
BACKGROUND: Color = (255, 255, 255)
ACCENT: Color = (11, 79, 108)  # the band and the link: a dark teal that prints well in grey too
ON_ACCENT: Color = (255, 255, 255)
INK: Color = (31, 41, 51)
MUTED: Color = (84, 96, 108)
RULE: Color = (205, 212, 219)
BAND: Box = (0, 0, SIZE, 210)
RULE_Y = 792
# Where each text goes, and the sizes it may take (largest that fits wins). On a phone
# the card is about 400 points wide, so the smallest body size, 30, still reads as 11 pt.
BOXES: dict[str, Box] = {
    "heading": (MARGIN, 34, SIZE - MARGIN, 76),
    "title": (MARGIN, 84, SIZE - MARGIN, 196),
    "body": (MARGIN, 246, SIZE - MARGIN, 770),
    "source": (MARGIN, 818, 780, 898),
    "footer": (MARGIN, 912, 780, 990),
    "link": (MARGIN, 1000, 780, 1040),
}
# The QR code's own white border (quiet zone) may overlap the margin: it is white like it.
QR_BOX: Box = (800, 804, SIZE - MARGIN + 24, 1040 + 24)
# Bump when the drawing changes, so cached cards are drawn anew.
CARD_VERSION = "1"
CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class CardContent:
    """Everything a card shows; equal contents make identical cards."""

    heading: str  # election and region
    title: str
    body: str  # the answer, as ReplyBuilder.for_entry words it
    source_line: str | None  # None for an entry without sources: the card shows none
    footer: str
    link: str  # the deep link, drawn as text and as the QR code

    def digest(self) -> str:
        data = "\x00".join(str(part) for part in (CARD_VERSION, *astuple(self)))
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class CardLayout:
    """Where things were drawn: each text's box, the ink box of each of its lines, its font size."""

    boxes: dict[str, Box]
    inked: dict[str, list[Box]]
    sizes: dict[str, int]
    qr: Box
    truncated: tuple[str, ...]  # texts cut with "…" because they did not fit


@dataclass(frozen=True, slots=True)
class Card:
    png: bytes
    digest: str
    layout: CardLayout


def render_card(content: CardContent) -> Card:
    """Draw `content` as a square PNG."""
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((BAND[0], BAND[1], BAND[2] - 1, BAND[3] - 1), fill=ACCENT)
    draw.line((MARGIN, RULE_Y, SIZE - MARGIN, RULE_Y), fill=RULE, width=2)
    blocks: dict[str, tuple[TextBlock, Color]] = {
        "heading": (fit(content.heading, BOXES["heading"], range(28, 19, -2), max_lines=1), ON_ACCENT),
        "title": (
            fit(content.title, BOXES["title"], range(54, 35, -2), bold=True, max_lines=2, spacing=1.2),
            ON_ACCENT,
        ),
        "body": (fit(content.body, BOXES["body"], range(50, 29, -2), spacing=1.38), INK),
        "footer": (_few_lines(content.footer, "footer", range(24, 17, -1)), MUTED),
        "link": (fit(content.link.removeprefix("https://"), BOXES["link"], range(24, 15, -1), max_lines=1), ACCENT),
    }
    if content.source_line:
        blocks["source"] = (_few_lines(content.source_line, "source", range(26, 19, -1), bold=True), INK)
    inked = {name: draw_block(draw, block, color) for name, (block, color) in blocks.items()}
    code = qr_image(content.link, min(QR_BOX[2] - QR_BOX[0], QR_BOX[3] - QR_BOX[1]))
    # Right-aligned with the text margin, bottom-aligned with the link line.
    x, y = QR_BOX[2] - code.width, QR_BOX[3] - code.height
    image.paste(code.convert("RGB"), (x, y))
    layout = CardLayout(
        boxes={name: block.box for name, (block, _) in blocks.items()},
        inked=inked,
        sizes={name: block.size for name, (block, _) in blocks.items()},
        qr=(x, y, x + code.width, y + code.height),
        truncated=tuple(name for name, (block, _) in blocks.items() if block.truncated),
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")  # optimize=True: 4 % smaller, 3x slower (measured); not worth it
    return Card(buffer.getvalue(), content.digest(), layout)


def _few_lines(text: str, box: str, sizes: range, *, bold: bool = False) -> TextBlock:
    """One line if some size allows it, else two: a lone "2024" on a second line reads badly."""
    one = fit(text, BOXES[box], sizes, bold=bold, max_lines=1)
    return one if not one.truncated else fit(text, BOXES[box], sizes, bold=bold, max_lines=2, spacing=1.25)


@dataclass
class CardCache:
    """Recently drawn cards by digest, and what Telegram called each one once uploaded (its file_id)."""

    size: int = CACHE_SIZE
    _cards: OrderedDict[str, Card] = field(default_factory=OrderedDict)
    uploads: dict[str, str] = field(default_factory=dict)
    # Cards are drawn in worker threads (asyncio.to_thread): guard the bookkeeping, not the drawing.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def card(self, content: CardContent) -> Card:
        """The card for `content`, drawn only if it is not cached."""
        key = content.digest()
        with self._lock:
            card = self._cards.get(key)
            if card is not None:
                self._cards.move_to_end(key)
                return card
        card = render_card(content)  # two threads may draw the same card once each: harmless
        with self._lock:
            self._cards[key] = card
            while len(self._cards) > self.size:
                old, _ = self._cards.popitem(last=False)
                self.uploads.pop(old, None)
        return card

    @property
    def drawn(self) -> int:
        return len(self._cards)
