"""Text on images: the shipped fonts, word wrapping by pixel width, and fitting text into a box.

The fonts are DejaVu Sans and DejaVu Sans Bold, shipped in bot/outreach/fonts with
their licence (redistribution allowed, see fonts/LICENSE): the same letters on every
machine, whatever fonts it has installed.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
ELLIPSIS = "…"
# A code point no font has: FreeType draws its "missing glyph" box for it.
_NO_GLYPH = "\U0010fffd"
_SLACK = 3

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)
Color = tuple[int, int, int]


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A shipped font at `size` pixels. BASIC layout: the same result with or without libraqm."""
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=4096)
def _has_glyph(path: str, size: int, char: str) -> bool:
    face = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)

    def signature(c: str) -> tuple[tuple[int, int], bytes]:
        mask = face.getmask(c)
        return mask.size, bytes(mask)

    return signature(char) != signature(_NO_GLYPH)


def drawable(text: str, bold: bool = False) -> str:
    """`text` without what the font cannot draw (emoji, invisible joiners), spaces tidied.

    Drawn, such a character would be an empty box; the answers' emoji are decoration.
    """
    path = str(BOLD if bold else REGULAR)
    kept = []
    for char in text:
        if char in "\n ":
            kept.append(char)
        elif unicodedata.category(char) in ("Cf", "Mn", "Cc") or char.isspace():
            kept.append(" " if char.isspace() else "")
        elif _has_glyph(path, 24, char):
            kept.append(char)
    lines = (" ".join(line.split()) for line in "".join(kept).split("\n"))
    return "\n".join(lines).strip()


def text_width(text: str, face: ImageFont.FreeTypeFont) -> float:
    return face.getlength(text)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of at most `width` pixels, broken at spaces; newlines kept; an over-long word split."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, face) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while text_width(line, face) > width:  # a word wider than the box (a long link)
                cut = max(1, _fitting_prefix(line, face, width))
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _fitting_prefix(text: str, face: ImageFont.FreeTypeFont, width: int) -> int:
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if text_width(text[:mid], face) <= width:
            low = mid
        else:
            high = mid - 1
    return low


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Wrapped lines set in one font, ready to draw into `box`."""

    lines: tuple[str, ...]
    face: ImageFont.FreeTypeFont
    line_height: int
    box: Box
    truncated: bool = False

    @property
    def size(self) -> int:
        return int(self.face.size)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit(
    text: str,
    box: Box,
    sizes: Iterable[int],
    *,
    bold: bool = False,
    spacing: float = 1.3,
    max_lines: int | None = None,
) -> TextBlock:
    """`text` in the largest of `sizes` whose wrapped lines fit `box`.

    If even the smallest size does not fit, the lines that fit are kept and the last
    one ends in "…" (`truncated`): text never runs out of its box.
    """
    text = drawable(text, bold)
    # A glyph's ink may reach a pixel or two past its advance width: wrap with some slack.
    width, height = box[2] - box[0] - 2 * _SLACK, box[3] - box[1]
    block: TextBlock | None = None
    for size in sorted(sizes, reverse=True):
        face = font(size, bold)
        line_height = round(size * spacing)
        lines = wrap(text, face, width)
        block = TextBlock(tuple(lines), face, line_height, box)
        if line_height * len(lines) <= height and (max_lines is None or len(lines) <= max_lines):
            return block
    if block is None:
        raise ValueError("fit needs at least one size")
    room = max(1, min(height // block.line_height, max_lines or len(block.lines)))
    kept = list(block.lines[:room])
    last = kept[-1]
    while last and text_width(last + ELLIPSIS, block.face) > width:
        last = last[:-1]
    kept[-1] = last.rstrip(" ,.;:") + ELLIPSIS
    return TextBlock(tuple(kept), block.face, block.line_height, box, truncated=True)


def draw_block(draw: ImageDraw.ImageDraw, block: TextBlock, fill: Color, *, align: str = "left") -> list[Box]:
    """Draw the block from the top of its box; return the ink box of every line (for checks)."""
    left, top, right, _ = block.box
    inked: list[Box] = []
    for i, line in enumerate(block.lines):
        x = left
        if align == "center":
            x = left + round((right - left - text_width(line, block.face)) / 2)
        y = top + i * block.line_height
        ink_left, _, ink_right, _ = draw.textbbox((x, y), line, font=block.face)
        # A letter such as "J" may start left of its origin: keep its ink inside the box.
        x += max(0, left - int(ink_left)) - max(0, int(ink_right) - right)
        draw.text((x, y), line, font=block.face, fill=fill)
        if line.strip():
            l_, t, r, b = draw.textbbox((x, y), line, font=block.face)
            inked.append((int(l_), int(t), int(r), int(b)))
    return inked


def inside(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]
