"""Assemble config, knowledge base, matcher and reply builder: what every front end needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.clock import Clock, utc_now
from bot.config import Config, load_config
from bot.kb.knowledge import KnowledgeBase
from bot.nlu.claims import ClaimChecker, overall
from bot.nlu.decision import DecisionModel
from bot.nlu.matcher import Matcher
from bot.replies.replies import ReplyBuilder
from bot.replies.reply import Reply


@dataclass(frozen=True, slots=True)
class Response:
    """The reply to one message, the text as it was asked, and whether staff statistics count it."""

    reply: Reply
    asked: str
    recorded: bool


@dataclass(frozen=True, slots=True)
class Pipeline:
    config: Config
    kb: KnowledgeBase
    matcher: Matcher
    replies: ReplyBuilder

    @classmethod
    def from_config(cls, config: Config, clock: Clock = utc_now) -> Pipeline:
        """Load and validate the knowledge base named by `config` (raises InvalidFiles)."""
        kb = KnowledgeBase.load(config.knowledge)
        return cls.from_parts(config, kb, clock)

    @classmethod
    def from_parts(
        cls,
        config: Config,
        kb: KnowledgeBase,
        clock: Clock = utc_now,
        model: DecisionModel | Literal["default"] | None = "default",
    ) -> Pipeline:
        """`model`: the decision model (see Matcher.for_knowledge); evaluation compares others."""
        matcher = Matcher.for_knowledge(kb, config.matching, model=model)
        claims = ClaimChecker(kb.facts.values(), matcher.normalizer, kb.lexicon, matcher.unknown_only_words)
        return cls(config, kb, matcher, ReplyBuilder(kb, matcher, config.election, clock, claims))

    @classmethod
    def load(cls, config_path: Path, clock: Clock = utc_now) -> Pipeline:
        return cls.from_config(load_config(config_path), clock)

    def claim_verdict(self, text: str) -> tuple[str, frozenset[str]]:
        """The claim verdict a user sees for `text` ("none" when small talk or an answer takes it),
        and the answer entries that state the facts its verdicts show.

        For `pilkada-bot eval`: a question the claim check takes over misses its answer unless a
        verdict states that answer's fact; "partial" when the reply also says the sources cannot
        answer the rest.
        """
        reply = self.replies.for_question(text)
        if reply.kind != "claim":
            return "none", frozenset()
        verdict = overall(list(reply.claims))
        shown = {f.id for v in reply.claims if v.verdict != "unverifiable" for f in (v.fact, *v.others) if f}
        stated = frozenset(e.id for e in self.kb.entries if e.kind == "answer" and shown & set(e.facts))
        return ("partial" if verdict != "unverifiable" and reply.says_unknown else verdict), stated

    def respond(self, text: str, *, forwarded: bool = False) -> Response:
        """The reply to a message, by the policy every front end shares.

        Too long to be a question: the user is asked to shorten it, unless it was forwarded
        (someone else's words: it is cut instead). A forwarded message is read as a claim first.
        Small talk ("ok", "makasih") is no question: staff statistics do not count it.
        """
        limit = self.config.bot.max_message_length
        if len(text) > limit:
            if not forwarded:
                return Response(self.replies.message("too_long"), text, False)
            text = text[:limit]
        reply = self.replies.for_question(text, forwarded=forwarded)
        return Response(reply, text, reply.match is not None and reply.kind != "small_talk")
