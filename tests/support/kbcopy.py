"""A throw-away copy of config.yaml and knowledge/ that a test may break, with `file:line` lookups."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import load_config
from bot.kb.knowledge import KnowledgeBase
from bot.yamlfile import InvalidFiles


@dataclass
class KbCopy:
    """config.yaml and knowledge/ copied under `root`; edit a file, then load it again."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def _find(self, text: str, needle: str, after: str | None) -> int:
        start = 0
        if after is not None:
            assert text.count(after) == 1, f"anchor {after!r} must occur exactly once"
            start = text.index(after)
        at = text.find(needle, start)
        assert at >= 0, f"{needle!r} not found" + (f" after {after!r}" if after else "")
        return at

    def replace(self, name: str, old: str, new: str, *, after: str | None = None) -> None:
        """Replace the first `old` (after the unique `after` anchor) in file `name`."""
        text = self.read(name)
        at = self._find(text, old, after)
        self.write(name, text[:at] + new + text[at + len(old) :])

    def line_of(self, name: str, needle: str, *, after: str | None = None) -> int:
        """1-based line of the first `needle` (after `after`) in the file as it is now."""
        text = self.read(name)
        return text.count("\n", 0, self._find(text, needle, after)) + 1

    def where(self, name: str, needle: str, *, after: str | None = None) -> str:
        """`file:line` as the bot reports it."""
        return f"{self.path(name)}:{self.line_of(name, needle, after=after)}"

    def load(self) -> KnowledgeBase:
        return KnowledgeBase.load(load_config(self.config_path, environ={}).knowledge)

    def problems(self) -> list[str]:
        """Every problem the knowledge base reports, as `file:line: message` strings."""
        with pytest.raises(InvalidFiles) as exc:
            self.load()
        return [str(p) for p in exc.value.problems]
