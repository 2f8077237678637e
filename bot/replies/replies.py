"""Turn a question (or a command) into a neutral Reply: text plus buttons as data.

Both front ends render the same Reply: the console as plain text, Telegram as
HTML with an inline keyboard. Nothing here knows about Telegram.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.clock import Clock, utc_now
from bot.config import ElectionConfig
from bot.facts.facts import Fact
from bot.kb.knowledge import Entry, KnowledgeBase
from bot.kb.phases import Phase
from bot.nlu.claims import ClaimChecker, ClaimVerdict
from bot.nlu.matcher import HOLDS, Matcher, MatchResult
from bot.replies.election import countdown, format_date
from bot.replies.reply import Button, Reply, ReplyKind

# Someone else's words quoted in a message: "…", “…”, '…' around three words or more.
_QUOTED = re.compile(r"[\"“”„«»]|'\w+\s+\w+\s+\w+")
_SENTENCES = re.compile(r"[^.?!\n]+[.?!]*")
# A question that asks only whether something is true, or for its true value: the verdict answers it.
_CHECK_ASKED = re.compile(
    r"\b(?:benar|bener|betul|bnr|leres|valid|hoaks|hoax|asli\w*|beneran|serius|cek|salah|janggal|resmi|true)\b"
)
# "Yang benar MANA?", "mana yg bener?": which one, not where.
_WHICH = re.compile(r"\b(?:yang|yg)\s+(?:\w+\s+)?mana\b|\bmana\s+(?:yang|yg)\b")


class ReplyBuilder:
    """Builds every reply the bot can give, from the knowledge base and the matcher."""

    def __init__(
        self,
        kb: KnowledgeBase,
        matcher: Matcher,
        election: ElectionConfig,
        clock: Clock = utc_now,
        claims: ClaimChecker | None = None,
    ) -> None:
        self.kb = kb
        self.matcher = matcher
        self.claims = claims
        self.election = election
        self._clock = clock
        self._msg = kb.messages

    def _fields(self) -> dict[str, object]:
        return {"election_name": self.election.name, "region": self.election.region}

    def phase(self) -> Phase:
        """Before, on or after voting day, by this builder's clock."""
        return countdown(self.election, self._clock()).state

    def text(self, key: str, **fields: object) -> str:
        """Message `key` in today's wording, with the election's name and region filled in."""
        return self._msg.get(key, self.phase(), **{**self._fields(), **fields})

    def for_question(self, text: str, *, forwarded: bool = False) -> Reply:
        """Reply to free text: small talk, a claim check, an answer, a known unknown, a "did you mean", or the fallback.

        A message that states something checkable ("pencoblosan diundur ke 4 Desember")
        gets the claim check's verdict; `forwarded` messages are read as claims unless they ask.
        """
        talk = self.small_talk(text)
        if talk is not None:
            return talk
        reply = self._matched(text, forwarded)
        if self._msg.has("english_note") and self.kb.messages.english.is_english(text):
            # Answers are Indonesian only (bot/kb/english.py): say so first, in English.
            reply = replace(reply, text=f"{self.text('english_note')}\n\n{reply.text}")
        return reply

    def _matched(self, text: str, forwarded: bool) -> Reply:
        result = self.matcher.match(text)
        verdicts = self.claims.check(text, forwarded=forwarded) if self.claims is not None else []
        question = self.claims is not None and self.claims.is_question(text)
        if verdicts and not self._answered_instead(result, verdicts, text, forwarded, question):
            return self.for_claims(verdicts, result, question=question, text=text)
        if result.outcome in ("answer", "unknown") and result.entry_id is not None:
            return self.for_entry(result.entry_id, match=result)
        if result.outcome == "suggest":
            rows = [(Button(self.kb.entry(i).title, "entry", i),) for i in result.suggestions]
            rows.append((Button(self.text("not_this_button"), "not_this", result.suggestions[0]),))
            key = "did_you_mean_one" if len(result.suggestions) == 1 else "did_you_mean"
            return Reply("suggest", self.text(key), buttons=tuple(rows), suggestions=result.suggestions, match=result)
        return self.fallback(match=result)

    def _answered_instead(
        self, result: MatchResult, verdicts: list[ClaimVerdict], text: str, forwarded: bool, question: bool
    ) -> bool:
        """Whether the message gets the matcher's reply rather than the claim check's.

        A question is answered, a claim is checked: "pilkada 2024 hari rabu atau kamis?" and a
        forwarded story ending "min, KPU nanggepinnya gimana?" ask, and their answer (which
        states the facts with their source) says more than a verdict. Something false in a
        message always gets the verdict; a confirmation goes to a question only when the
        matcher is sure and the question does not ask for the check ("... 83,5% kan?" does).
        When nothing could be checked, a question gets the matcher's reply unless it asks for
        a check and the matcher is not sure, and a statement keeps "cannot verify" unless the
        matcher is sure and nobody asked for a check: "jam buka tps" gets the known unknown
        on TPS hours, not "cannot verify that news".
        """
        if self._answer_covers(result, verdicts, text, forwarded):
            return True
        sure = result.outcome in ("answer", "unknown")
        # Nothing in it could be settled, and nothing bears on it ("83 persen" said as a result
        # keeps the verdict that 83 % was the target). "suara aku beneran ngaruh?" and "hr H nya
        # tgl 27 kan?": the sure answer, which states the facts with their source, answers it;
        # "kpu pake medsos ga buat sebarin info" asks in its own words: its "did you mean" too.
        # Someone else's words in quotes stay a claim nobody can vouch for.
        unsettled = all(v.verdict == "unverifiable" and not v.context for v in verdicts)
        if not forwarded and unsettled and not _QUOTED.search(text):
            # "... ya?" with nothing read; "alamat kpu blora": a search, not news to vouch for.
            searched = self.claims is not None and self.claims.is_search(text)
            asks = question or ("?" in text and not any(v.said for v in verdicts)) or searched
            if sure or (result.outcome == "suggest" and asks):
                return True
        if any(v.verdict == "contradicted" for v in verdicts):
            return False
        check = self.claims is not None and self.claims.asks(text, forwarded=forwarded)
        if any(v.verdict == "confirmed" for v in verdicts):
            return question and sure and not check  # "... 83,5% kan?" asks for the confirmation
        if not question:
            return sure and not check  # a statement: its known unknown or answer if sure, else the verdict
        return sure or not check

    def _answer_covers(self, result: MatchResult, verdicts: list[ClaimVerdict], text: str, forwarded: bool) -> bool:
        """Whether the confident answer already states every fact the message rightly says.

        "raker 6 sept kpu blora" names a topic; it does not ask for a check. Its answer,
        which states the date with its source, says more than "Benar: 6 September".
        """
        if result.outcome != "answer" or result.entry_id is None or self.claims is None:
            return False
        if any(v.verdict != "confirmed" or v.fact is None for v in verdicts):
            return False
        if not self.claims.is_question(text) and any(_binds(v) for v in verdicts):
            return False  # "mustakim tu divisi sosdiklih": a statement of who is what gets its ✅
        stated = set(self.kb.entry(result.entry_id).facts)
        return all(v.fact is not None and v.fact.id in stated for v in verdicts) and not self.claims.asks(
            text, forwarded=forwarded
        )

    def small_talk(self, text: str) -> Reply | None:
        """A short reply to small talk ("makasih" -> "sama-sama"), or None if `text` may be a question."""
        kind = self.kb.messages.small_talk.detect(text)
        if kind is None:
            return None
        buttons = self.start_buttons() if kind.topics else ()
        return Reply("small_talk", kind.reply.at(self.phase()).format(**self._fields()), buttons=buttons)

    def for_entry(self, entry_id: str, match: MatchResult | None = None) -> Reply:
        """The full answer of one entry, with its source line and follow-up buttons."""
        entry = self.kb.entry(entry_id)
        text = entry.answer.at(self.phase())
        if entry.show_countdown:
            text = f"{text}\n\n{self.countdown_text()}"
        rows: list[tuple[Button, ...]] = [(Button(self.kb.entry(r).title, "entry", r),) for r in entry.related[:3]]
        rows.append(
            (
                # Pre-fills "@bot Apa itu golput?": words a person would type, which inline mode finds.
                Button(self.text("share_button"), "share", entry.title),
                Button(self.text("feedback_up"), "feedback_up", entry.id),
                Button(self.text("feedback_down"), "feedback_down", entry.id),
            )
        )
        kind: ReplyKind = "unknown" if entry.kind == "unknown" else "answer"
        return Reply(
            kind, text, self.source_line(entry), tuple(rows), entry_id=entry.id, sources=entry.sources, match=match
        )

    def for_claims(
        self, verdicts: list[ClaimVerdict], match: MatchResult | None = None, *, question: bool = False, text: str = ""
    ) -> Reply:
        """The claim check's verdicts: each with the fact, its quote and source; then what the sources lack.

        `question`: the message also asks something ("... brp? kalo pemilu 2019 kan 26 ribuan").
        Unless its answer is a known unknown (added here) or the matcher's confident answer,
        the reply says the sources do not answer it, so a checked aside never reads as the answer.
        """
        parts: list[str] = []
        sources: dict[str, None] = {}
        facts: list[str] = []

        def cite(fact: Fact) -> list[str]:
            source = self.kb.sources[fact.source]
            where = self.text("source_item", publisher=source.publisher, date=format_date(source.date))
            sources[fact.source] = None
            facts.append(fact.id)
            # What someone said: what it is about, and who said it ("…: suara pemilih … (kata Ahmad Mustakim)").
            line = (
                self.text("claim_said_fact", what=fact.what, person=fact.render())
                if fact.statement
                else self.text("claim_fact", what=fact.what, value=self._fact_value(fact))
            )
            # A quote that quotes someone itself ("“…,” ungkap Mustakim") nests its marks: ‘…’ inside “…”.
            nested = fact.quote.replace("“", "‘").replace("”", "’")
            opened, closed = fact.quote.count("“"), fact.quote.count("”")
            nested = "‘" * max(0, closed - opened) + nested + "’" * max(0, opened - closed)  # a quote cut mid-speech
            return [line, self.text("claim_quote", quote=nested, source=where)]

        # What is false comes first, then what is confirmed, then what the sources do not cover;
        # a chain message may repeat itself, and three verdicts fit a phone screen.
        order = {"contradicted": 0, "confirmed": 1, "unverifiable": 2}
        shown = sorted((v for v in verdicts if v.fact is not None), key=lambda v: order[v.verdict])[:3]
        for verdict in shown:
            assert verdict.fact is not None
            key = "claim_moved" if verdict.moved else f"claim_{verdict.verdict}"
            if verdict.verdict == "confirmed" and verdict.fact.statement:
                key = "claim_said_confirmed"  # the speaker's name alone is no claim to put in quotes
            lines = [self.text(key, said=verdict.said, person=verdict.fact.render())]
            for fact in (verdict.fact, *verdict.others):
                lines += cite(fact)
            parts.append("\n".join(lines))
        # The rest of the message may ask what the sources cannot say ("... trus hasilnya?"), or state
        # it; a message whose every claim got its verdict needs no known unknown's answer besides.
        doubt = any(v.verdict == "unverifiable" for v in verdicts)
        # A question the verdicts answer ("62 ribu. Bener segitu?") needs no known unknown's answer besides.
        answered = question and not doubt and self._verdicts_answer(text, shown)
        unknown = self._unknown_in(match) if (question and not answered) or doubt else None
        if doubt:
            lines = [self.text("claim_unverifiable")]
            # What the sources do say about it, unless the known unknown's answer below says it:
            # "Pilkada 2024 partisipasinya 83 persen" -> 83 % was the target, not a result.
            told = set(self.kb.entry(unknown).facts) if unknown is not None else set()
            context = {f.id: f for v in verdicts if v.verdict == "unverifiable" for f in v.context if f.id not in told}
            for fact in context.values():
                lines += cite(fact)
            parts.append("\n".join(lines))
        says_unknown = unknown is not None or doubt
        if unknown is not None:
            parts.append(self.kb.entry(unknown).answer.at(self.phase()))
        elif question and not says_unknown and not answered and self._msg.has("claim_rest"):
            parts.append(self.text("claim_rest"))
            says_unknown = True
        # Follow-ups: the entries that state these facts, then the hoax advice.
        entries = [e.id for e in self.kb.entries if e.kind == "answer" and set(e.facts) & set(facts)]
        if "hoaks" in self.kb.by_id:
            entries.append("hoaks")
        rows = tuple(
            (Button(self.kb.entry(i).title, "entry", i),) for i in dict.fromkeys(entries) if i in self.kb.by_id
        )
        line = self._source_line(tuple(sources))
        return Reply(
            "claim",
            "\n\n".join(parts),
            line,
            rows[:3],
            entry_id=unknown,
            sources=tuple(sources),
            match=match,
            claims=tuple(verdicts),
            says_unknown=says_unknown,
        )

    def _verdicts_answer(self, text: str, shown: list[ClaimVerdict]) -> bool:
        """Whether the verdicts shown answer every question in the message.

        A question that only asks for the check ("Apakah benar targetnya 100 persen?", "ini hoaks
        bukan?", "angka aslinya?") is answered by them. One that asks for a date or a figure is answered
        when a fact shown gives that kind, of the election and topic it asks about: "27 November kan?
        Hari apa waktu itu?" (Rabu), "... 260 ribu. Angka aslinya berapa?" (26.238). Not "partisipasi
        pemilu 2019 brp persen? kan 2024 naik" (another election), nor "golputnya berapa orang? kan
        partisipasinya 77,6%" (another topic), nor "... trus hasilnya?", "kenapa ...?" (nothing shown
        says).
        """
        if self.claims is None:
            return False
        facts = [f for v in shown for f in (v.fact, *v.others) if f is not None]
        given = {k for f in facts for k in HOLDS.get(f.kind, ())}
        for sentence in _SENTENCES.findall(text):
            if not self.claims.is_question(sentence):
                continue
            asked = self.matcher.asked(set(self.matcher.normalizer.tokens(sentence)))
            if asked == {"place"} and _CHECK_ASKED.search(sentence.lower()) and _WHICH.search(sentence.lower()):
                continue  # "Yang benar mana?" asks which of two is true: the verdict says
            if asked:
                if not (asked <= given and asked <= {"date", "figure", "percent"}):
                    return False
                if not self.claims.about(sentence, [f for f in facts if asked & set(HOLDS.get(f.kind, ()))]):
                    return False
            elif not _CHECK_ASKED.search(sentence.lower()):
                return False
        return bool(facts)

    def _unknown_in(self, match: MatchResult | None) -> str | None:
        """The known unknown the matcher answered or suggested first, if any."""
        if match is None:
            return None
        if match.outcome == "unknown":
            return match.entry_id
        unknown = [i for i in match.suggestions if self.kb.entry(i).kind == "unknown"]
        return unknown[0] if match.outcome == "suggest" and unknown else None

    @staticmethod
    def _fact_value(fact: Fact) -> str:
        if fact.kind == "person" and fact.act is None:  # a role may change; who opened a meeting does not
            return f"{fact.render()} ({fact.render('per')})"
        return fact.render()

    def feedback_reasons(self, entry_id: str) -> Reply | None:
        """After 👎: "what was wrong?" with one button per reason and one to write it; None if not configured."""
        reasons = self._msg.feedback_reasons
        if not self._msg.has("feedback_why") or not reasons:
            return None
        rows = [(Button(reason, "feedback_reason", entry_id, option=i),) for i, reason in enumerate(reasons)]
        if self._msg.has("feedback_write_button") and self._msg.has("feedback_write_prompt"):
            rows.append((Button(self.text("feedback_write_button"), "feedback_write", entry_id),))
        return Reply("info", self.text("feedback_why"), buttons=tuple(rows), entry_id=entry_id)

    def source_line(self, entry: Entry) -> str | None:
        return self._source_line(entry.sources)

    def _source_line(self, source_ids: tuple[str, ...]) -> str | None:
        if not source_ids:
            return None
        items = [
            self.text("source_item", publisher=s.publisher, date=format_date(s.date))
            for s in (self.kb.sources[i] for i in source_ids)
        ]
        return self.text("source_line", sources="; ".join(items))

    def fallback(self, match: MatchResult | None = None) -> Reply:
        return Reply("fallback", self.text("fallback"), buttons=self.topic_buttons(), match=match)

    def welcome(self) -> Reply:
        """The /start greeting, with where we stand relative to voting day (before, on, or after it)."""
        text = f"{self.text('welcome')}\n\n{self.countdown_text()}"
        return Reply("info", text, buttons=self.start_buttons())

    def group_welcome(self, bot_username: str) -> Reply:
        """/start in a group: how to ask there (members' plain messages never reach the bot)."""
        if not self._msg.has("welcome_group"):
            return self.welcome()
        text = f"{self.text('welcome_group', bot=bot_username)}\n\n{self.countdown_text()}"
        return Reply("info", text, buttons=self.start_buttons())

    def help(self) -> Reply:
        return Reply("info", self.text("help"))

    def group_help(self, bot_username: str) -> Reply:
        """/help in a group: mention the bot, reply to it, or use inline mode."""
        if not self._msg.has("help_group"):
            return self.help()
        return Reply("info", self.text("help_group", bot=bot_username))

    def topics(self) -> Reply:
        return Reply("info", self.text("topics_intro"), buttons=self.topic_buttons())

    def start_buttons(self) -> tuple[tuple[Button, ...], ...]:
        """The first-minute menu: the few topics asked first, one per row, then "more topics"."""
        topics = self._msg.start_topics
        if not topics:
            return self.topic_buttons()
        rows = [(Button(t.label, "entry", t.entry),) for t in topics]
        if self._msg.has("more_topics_button"):
            rows.append((Button(self.text("more_topics_button"), "topics", ""),))
        return tuple(rows)

    def topic_buttons(self) -> tuple[tuple[Button, ...], ...]:
        buttons = [Button(t.label, "entry", t.entry) for t in self._msg.topics]
        # Two per row fits a phone screen without truncating labels.
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def countdown_text(self) -> str:
        state = countdown(self.election, self._clock())
        date = format_date(self.election.voting_date, with_weekday=True)
        return self.text(f"countdown_{state.state}", days=state.days, date=date)

    def countdown(self) -> Reply:
        return Reply("info", self.countdown_text())

    def sources(self) -> Reply:
        lines = [self.text("sources_intro")]
        for source in self.kb.sources.values():
            lines.append(
                self.text(
                    "sources_item_long", title=source.title, publisher=source.publisher, date=format_date(source.date)
                )
            )
        return Reply("info", "\n".join(lines))

    def message(self, key: str, **fields: object) -> Reply:
        """A fixed message from messages.yaml (non-text input, errors, ...); `fields` fill its other placeholders."""
        return Reply("info", self.text(key, **fields) if self._msg.has(key) else key)


def _binds(verdict: ClaimVerdict) -> bool:
    """Whether a confirmed verdict ties a person to a role or deed ("divisi sosdiklih … Ahmad Mustakim"),
    not only names them."""
    fact = verdict.fact
    return (
        fact is not None
        and fact.kind == "person"
        and not fact.statement
        and len(verdict.said.split()) > len(str(fact.value).split())
    )
