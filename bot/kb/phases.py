"""Texts that read differently before, on and after voting day.

An answer or message in YAML is either plain text (right in every phase) or a
mapping with `before` (required), `today` and `after`. The bot picks the phase from
the election clock (bot/replies/election.py); `check` flags a call to action ("datang ke
TPS") that has no wording for after the vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Phase = Literal["before", "today", "after"]
PHASES: tuple[Phase, ...] = ("before", "today", "after")


@dataclass(frozen=True, slots=True)
class PhasedText:
    before: str
    today: str
    after: str
    # Which phases staff wrote a text for; empty for one plain text meant for every phase.
    written: frozenset[Phase] = frozenset()

    @classmethod
    def same(cls, text: str) -> PhasedText:
        return cls(text, text, text)

    def at(self, phase: Phase) -> str:
        return self.today if phase == "today" else self.after if phase == "after" else self.before

    def texts(self) -> dict[Phase, str]:
        """Each distinct text with the first phase it is shown in."""
        out: dict[Phase, str] = {}
        for phase in PHASES:
            if self.at(phase) not in out.values():
                out[phase] = self.at(phase)
        return out

    def map(self, change: object) -> PhasedText:
        """The same text with `change` (a str -> str function) applied to every phase."""
        assert callable(change)
        return PhasedText(change(self.before), change(self.today), change(self.after), self.written)
