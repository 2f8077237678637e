"""`Outreach`: everything the front ends need for sharing, built on the ReplyBuilder.

Answer texts come from `ReplyBuilder.for_entry` (so wording that depends on the
election phase reaches links, shares and cards too) and user-facing words from
`ReplyBuilder.message`; nothing here reads the knowledge base's messages directly.
"""

from __future__ import annotations

from dataclasses import replace

from bot.outreach import share
from bot.outreach.links import LinkIndex, LinkRow, deep_link
from bot.replies import Button, Reply, ReplyBuilder


class Outreach:
    """Deep links and share texts for one bot (`username`, without '@') over one knowledge base.

    `username` may be empty offline (e.g. `ask --json` with no bot.username configured):
    share texts then go without the link back to the bot.
    """

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

    def share_text(self, reply: Reply) -> str | None:
        """What "Bagikan ke WhatsApp" sends for an answer: its text, source line and the link back; None otherwise."""
        if reply.kind != "answer" or reply.entry_id is None:
            return None
        # The entry's own answer: a reply to a question may carry more (the English note above it).
        answer = self.replies.for_entry(reply.entry_id)
        footer = (
            self.replies.message("share_footer", link=self.link_for(reply.entry_id)).text if self.username else None
        )
        return share.share_text(answer.text, answer.source_line, footer)

    def decorate(self, reply: Reply) -> Reply:
        """An answer with one more row of buttons: share to WhatsApp. Other replies unchanged."""
        text = self.share_text(reply)
        if text is None:
            return reply
        label = self.replies.message("share_whatsapp_button").text
        row = (Button(label, "url", share.whatsapp_url(text)),)
        return replace(reply, buttons=(*reply.buttons, row))
