"""`Outreach`: everything the front ends need for sharing, built on the ReplyBuilder.

Answer texts come from `ReplyBuilder.for_entry` (so wording that depends on the
election phase reaches links, shares and cards too) and user-facing words from
`ReplyBuilder.message`; nothing here reads the knowledge base's messages directly.
"""

from __future__ import annotations

from bot.outreach.links import LinkIndex, LinkRow, deep_link
from bot.replies import ReplyBuilder


class Outreach:
    """Deep links for one bot (`username`, without '@') over one knowledge base."""

    def __init__(self, replies: ReplyBuilder, username: str) -> None:
        self.replies = replies
        self.username = username
        self.links = LinkIndex(replies.kb.entries)

    def entry_for_link(self, payload: str) -> str | None:
        """The entry a deep link's payload opens, or None if no entry has that link word."""
        return self.links.entry_for(payload)

    def link_for(self, entry_id: str) -> str:
        """The deep link that opens `entry_id` (the bot's own link if the entry has no `link:`)."""
        return deep_link(self.username, self.links.link_for(entry_id))

    def link_rows(self) -> list[LinkRow]:
        return self.links.rows()
