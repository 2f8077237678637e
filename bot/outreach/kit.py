"""`Outreach`: everything the front ends need for sharing, built on the ReplyBuilder.

Answer texts come from `ReplyBuilder.for_entry` (so wording that depends on the
election phase reaches links, shares and cards too) and user-facing words from
`ReplyBuilder.message`; nothing here reads the knowledge base's messages directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.election import countdown, format_date, local_today
from bot.outreach import share
from bot.outreach.card import Card, CardCache, CardContent
from bot.outreach.links import LinkIndex, LinkRow, bot_link, deep_link
from bot.outreach.poster import MAX_TOPICS, MIN_TOPICS, Poster, PosterContent, PosterTopic, render_poster
from bot.replies import Button, Clock, Reply, ReplyBuilder, utc_now


class Outreach:
    """Deep links, share texts and cards for one bot (`username`, without '@') over one knowledge base.

    `username` may be empty offline (e.g. `ask --json` with no bot.username configured):
    share texts then go without the link back to the bot. `clock` dates the cards;
    `cards` is the cache to draw them through (shared across knowledge-base reloads:
    its keys are digests of what is drawn).
    """

    def __init__(
        self, replies: ReplyBuilder, username: str, *, clock: Clock = utc_now, cards: CardCache | None = None
    ) -> None:
        self.replies = replies
        self.username = username
        self.links = LinkIndex(replies.kb.entries)
        self._clock = clock
        self.cards = cards if cards is not None else CardCache()

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
        """An answer with one more row of buttons: share to WhatsApp, and the card. Other replies unchanged."""
        text = self.share_text(reply)
        if text is None or reply.entry_id is None:
            return reply
        row = (
            Button(self.replies.message("share_whatsapp_button").text, "url", share.whatsapp_url(text)),
            Button(self.replies.message("card_button").text, "card", reply.entry_id),
        )
        return replace(reply, buttons=(*reply.buttons, row))

    def card_content(self, entry_id: str) -> CardContent:
        """What the card of `entry_id` shows today (entries without sources get no source line)."""
        reply = self.replies.for_entry(entry_id)
        today = local_today(self.replies.election, self._clock())
        return CardContent(
            heading=self.replies.message("card_heading").text,
            title=self.replies.kb.entry(entry_id).title,
            body=reply.text,
            source_line=reply.source_line,
            footer=self.replies.message("card_footer", date=format_date(today)).text,
            link=self.link_for(entry_id),
        )

    def card(self, entry_id: str) -> Card:
        """The card of `entry_id` as a PNG, from the cache when nothing on it changed."""
        return self.cards.card(self.card_content(entry_id))

    def card_caption(self, entry_id: str) -> str:
        """The text under a card sent in Telegram: its title and the deep link."""
        title = self.replies.kb.entry(entry_id).title
        return self.replies.message("card_caption", title=title, link=self.link_for(entry_id)).text

    def poster_links(self) -> list[str]:
        """The default poster topics: the link words of the topic buttons (messages.yaml `topics`), at most six."""
        words = [self.links.link_for(t.entry) for t in self.replies.kb.messages.topics]
        return [w for w in dict.fromkeys(words) if w][:MAX_TOPICS]

    def poster_content(self, link_words: Sequence[str]) -> PosterContent:
        """The poster for these topics (link words); raises ValueError naming what is wrong."""
        if not MIN_TOPICS <= len(link_words) <= MAX_TOPICS:
            raise ValueError(f"a poster needs {MIN_TOPICS} to {MAX_TOPICS} topics, got {len(link_words)}")
        topics = []
        for word in link_words:
            entry_id = self.entry_for_link(word)
            if entry_id is None:
                raise ValueError(f"no entry has the link '{word}' (see `pilkada-bot links`)")
            topics.append(PosterTopic(self.replies.kb.entry(entry_id).title, self.link_for(entry_id)))
        after = countdown(self.replies.election, self._clock()).state == "after"
        return PosterContent(
            heading=self.replies.message("card_heading").text,
            headline=self.replies.message("poster_headline").text,
            intro=self.replies.message("poster_intro").text,
            phase=self.replies.countdown_text(),
            # After voting day the countdown is history; the poster says where its answers come from.
            sources=self.replies.sources().text if after else None,
            scan=self.replies.message("poster_scan").text,
            topics=tuple(topics),
            footer=self.replies.message("poster_footer").text,
            bot_link=bot_link(self.username),
        )

    def poster(self, link_words: Sequence[str]) -> Poster:
        return render_poster(self.poster_content(link_words))
