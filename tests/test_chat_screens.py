"""tools/chat_screens.py builds its pages from the real replies (the PNGs need Chromium; this does not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.subprocess
def test_pages_are_built_from_the_real_replies(tmp_path: Path, repo_root: Path, kb_root: Path) -> None:
    config = str(kb_root / "config.yaml")
    done = subprocess.run(
        [sys.executable, "tools/chat_screens.py", "--html-only", "--out", str(tmp_path), "--config", config],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    pages = {p.stem: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.html")}
    assert set(pages) == {"start", "answer", "small-talk", "caption", "feedback", "group", "group-ask", "english"}
    assert {p.stem for p in (repo_root / "docs" / "screens").glob("*.png")} == set(pages)  # committed pictures
    start = pages["start"]
    assert "Halo! 👋" in start and "sudah lewat" in start and "📚 Topik lainnya" in start
    assert "Sama-sama" in pages["small-talk"] and "Jawabannya salah" in pages["feedback"]
    assert "I answer in Indonesian" in pages["english"] and "@PilkadaBloraBot" in pages["group"]
