"""`Outreach`: everything the front ends need for sharing, built on the ReplyBuilder.

Answer texts come from `ReplyBuilder.for_entry` (so wording that depends on the
election phase, and facts rendered from sources.yaml, reach links, shares and cards
too) and user-facing words from `ReplyBuilder.message`, in today's phase; nothing
here reads the knowledge base's messages directly.

What gets what: an answer gets the WhatsApp share and a card; a known unknown
(knowledge/unknowns.yaml: what the sources cannot say, and where to ask) and a claim
check's verdict get the WhatsApp share only: worth passing on in a group, but a
picture of "we do not know" or of one chain message's verdict is not a card to post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.clock import Clock, utc_now
from bot.outreach import share
from bot.outreach.card import Card, CardCache, CardContent
from bot.outreach.links import LinkIndex, LinkRow, bot_link, deep_link
from bot.outreach.poster import MAX_TOPICS, MIN_TOPICS, Poster, PosterContent, PosterTopic, render_poster
from bot.replies.election import format_date, local_today
from bot.replies.replies import ReplyBuilder
from bot.replies.reply import Button, Reply


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
        """Every answer's link (or the lack of one), and the known unknowns that have a link."""
        return [r for r in self.links.rows() if r.link or self.replies.kb.entry(r.entry_id).kind == "answer"]

    def has_card(self, entry_id: str) -> bool:
        """Answers have cards; known unknowns do not (see the module's docstring)."""
        entry = self.replies.kb.by_id.get(entry_id)
        return entry is not None and entry.kind == "answer"

    def share_text(self, reply: Reply) -> str | None:
        """What "Bagikan ke WhatsApp" sends: the answer (or verdict), its source line and the link back; else None."""
        if reply.kind == "claim" and reply.claims:
            # Built again from the verdicts: the reply may carry more (the English note above it).
            shared = self.replies.for_claims(list(reply.claims), reply.match)
            link = bot_link(self.username)
        elif reply.kind in ("answer", "unknown") and reply.entry_id is not None:
            # The entry's own answer, for the same reason.
            shared = self.replies.for_entry(reply.entry_id)
            link = self.link_for(reply.entry_id)
        else:
            return None
        footer = self.replies.message("share_footer", link=link).text if self.username else None
        return share.share_text(shared.text, shared.source_line, footer)

    def decorate(self, reply: Reply) -> Reply:
        """A shareable reply with "Bagikan ke WhatsApp" as its last row, and an answer's card button.

        The WhatsApp button has a row to itself, so its label is never cut on a narrow
        phone; the card button joins "Bagikan", 👍 and 👎 (short labels, four fit a row).
        Suggestions, the fallback, small talk and info replies are unchanged.
        """
        text = self.share_text(reply)
        if text is None:
            return reply
        rows = list(reply.buttons)
        if reply.kind == "answer" and reply.entry_id is not None and self.has_card(reply.entry_id):
            card = Button(self.replies.message("card_button").text, "card", reply.entry_id)
            at = next((i for i, row in enumerate(rows) if any(b.action == "share" for b in row)), None)
            if at is None:
                rows.append((card,))
            else:  # right after "Bagikan": the two ways to pass the answer on, side by side
                share_at = next(j for j, b in enumerate(rows[at]) if b.action == "share")
                rows[at] = (*rows[at][: share_at + 1], card, *rows[at][share_at + 1 :])
        whatsapp = Button(self.replies.message("share_whatsapp_button").text, "url", share.whatsapp_url(text))
        return replace(reply, buttons=(*rows, (whatsapp,)))

    def card_content(self, entry_id: str) -> CardContent:
        """What the card of `entry_id` shows today (entries without sources get no source line).

        Raises ValueError for an entry without a card (a known unknown).
        """
        if not self.has_card(entry_id):
            raise ValueError(f"entry '{entry_id}' has no card: only answers do, not known unknowns")
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
        # The phase and its countdown line come from the same clock, the ReplyBuilder's.
        after = self.replies.phase() == "after"
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
