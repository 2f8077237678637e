"""Redraw the sample images the README shows: `.venv/bin/python docs/make_samples.py` from the repository root.

They use the example username PilkadaBloraBot and a fixed day (20 November 2024, a
week before voting day), so they change only when the drawing or the answers do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.outreach.kit import Outreach
from bot.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
USERNAME = "PilkadaBloraBot"
DAY = dt.datetime(2024, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def main() -> None:
    pipeline = Pipeline.load(ROOT / "config.yaml", clock=lambda: DAY)
    kit = Outreach(pipeline.replies, USERNAME, clock=lambda: DAY)
    OUT.mkdir(parents=True, exist_ok=True)
    card = OUT / "card-jadwal.png"
    card.write_bytes(kit.card("jadwal_pencoblosan").png)
    print(card)
    # The poster at a third of its print size (A4 at 100 dpi): enough to see it in the README.
    poster = kit.poster(kit.poster_links()).image
    preview = OUT / "poster-preview.png"
    small = poster.resize((poster.width // 3, poster.height // 3), Image.Resampling.LANCZOS)
    small.quantize(64).save(preview, optimize=True)
    print(preview)


if __name__ == "__main__":
    main()
