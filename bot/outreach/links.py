"""Deep links: t.me/<bot>?start=<link> opens the answer of the entry with that `link:` word.

The link words are staff-chosen and stable (entries.yaml `link:`), unlike entry ids,
which may be renamed; bot/kb/knowledge.py checks that each is valid and unique.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.kb.knowledge import Entry

TELEGRAM_LINK = "https://t.me/"


def bot_link(username: str) -> str:
    """The link that opens a chat with the bot (what /start without a payload shows)."""
    return f"{TELEGRAM_LINK}{username}"


def deep_link(username: str, link: str | None) -> str:
    """The link that opens the answer behind `link`, or the bot's own link if there is none."""
    return f"{bot_link(username)}?start={link}" if link else bot_link(username)


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One line of `pilkada-bot links`."""

    link: str | None
    entry_id: str
    title: str


class LinkIndex:
    """Link word <-> entry id, both ways."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries = tuple(entries)
        self._by_link = {e.link: e.id for e in self._entries if e.link}
        self._by_entry = {e.id: e.link for e in self._entries if e.link}

    def entry_for(self, payload: str) -> str | None:
        """The entry a /start payload names; None for an unknown word (an old poster, a typo)."""
        # Links are lower case; a hand-typed "Golput" should still work.
        return self._by_link.get(payload.strip().lower())

    def link_for(self, entry_id: str) -> str | None:
        return self._by_entry.get(entry_id)

    def rows(self) -> list[LinkRow]:
        """Entries with a link first (in file order), then those without one."""
        with_link = [LinkRow(e.link, e.id, e.title) for e in self._entries if e.link]
        without = [LinkRow(None, e.id, e.title) for e in self._entries if not e.link]
        return with_link + without
