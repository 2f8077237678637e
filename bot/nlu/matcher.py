"""Match a user's question to a knowledge-base entry. Pure: no Telegram, no I/O.

Ranking is easy; rejecting what the knowledge base does not cover is the hard part
(see docs/matching.md). Each entry gets a score in 0-100 from three signals:

- coverage: the IDF-weighted share of the query's words that the entry knows
  (in any of its question variants or keywords). Words the whole KB has never
  seen ("debat", "pemenang") weigh the most, so a near miss that shares only
  common words ("kapan", "pilkada", "blora") with an entry stays low.
- variant F1: IDF-weighted overlap between the query and the entry's best
  variant, as an F1 of precision (query explained) and recall (variant used).
- fuzzy: rapidfuzz token_sort_ratio against that variant, for word order and
  leftover spelling noise.

Before scoring, words the KB does not know are snapped to a KB word when they are
a typo of it or of a lexicon spelling ("nyblos" ~ "nyoblos" -> "mencoblos"), a
suffixed form ("partisipasinya"), or share its stem ("penyelenggaraan"). Filler
words get a small fixed weight. A number the entry never mentions ("2019" asked of
a 2024 entry) scales the score down. The outcome (answer, suggestions or none)
comes from the thresholds in config.yaml; a lower answer threshold applies when
every content word of the query is known to the KB.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from rapidfuzz import fuzz, process

from bot.config import MatchingConfig
from bot.facts.statements import ELECTION_KIND, ELECTION_NAMES
from bot.kb.knowledge import Entry, KnowledgeBase
from bot.nlu.decision import DEFAULT_MODEL, DecisionModel
from bot.nlu.ngrams import NgramRanker
from bot.nlu.text import Normalizer, crude_stem

# unknown: the best entry is a known unknown (the sources cannot answer; the reply says so).
Outcome = Literal["answer", "unknown", "suggest", "none"]
# Suffixes that informal and Javanese writing glues onto a known word.
_SUFFIXES = ("nya", "ne", "e", "in", "kan", "lah", "kah", "an", "i")
# Clitics that leave a real word's meaning alone (its owner, a question or emphasis):
# the only change allowed to a word on the real-word lists ("pemilunya" -> "pemilu").
_CLITICS = ("nya", "ne", "lah", "kah", "ku", "mu", "e")
_TYPO_CACHE_SIZE = 4096
_LONG_QUERY = 8  # tokens; longer messages are also scored sentence by sentence
_SEGMENT_SPLIT = re.compile(r"[.?!;\n,]+")
ANSWER_WORD = 0.5  # weight of a word only the entry's answer uses (not its questions or keywords)
# "Saya anggota KPPS baru, ...", "aku mahasiswa dari Cepu, ...": the asker saying who they are.
_INTRODUCTION = re.compile(
    r"\b(?:saya|aku|aq|gw|gue|gua|kula|kulo|i'm|i am)\s+(?:(?:adalah|ini|itu|seorang|salah\s+satu|cuma|hanya|"
    r"baru|lagi|sedang|sebagai)\s+)*(?:anggota|petugas|ketua|guru|dosen|mahasiswa|mahasiswi|pelajar|siswa|siswi|"
    r"murid|ibu|bapak|warga|staf|pegawai|karyawan|kader|relawan|wartawan|jurnalis|pengurus|dari|kelas|tinggal|"
    r"kerja|bekerja|a|an)\b[^,.;:!?\n]*",
    re.IGNORECASE,
)
_PREAMBLE = 0.8  # a sentence that does not ask, in a long message where another one does
_SHORTLIST = 15  # entries (by coverage) scored in full per query
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NOW = frozenset({"sekarang", "masih", "udah", "sudah", "lewat", "belum"})  # normalized
# Words that ask what a term means (normalized: "maksudnya" is "arti", "what is" is "apa"). A variant made
# of a term and these ("apa itu golput", "arti golput") is the knowledge base's definition of that term.
_DEFINING = frozenset({"apa", "itu", "arti", "pengertian", "maksud", "istilah", "definisi", "adalah", "sih"})
_DEFINES = tuple(map(frozenset, (("apa", "itu"), ("arti",), ("pengertian",), ("maksud",), ("istilah",), ("definisi",))))
# A fact's kind -> what a question asks for when it wants that fact ("kapan" wants a date).
# A percent is a figure too; "berapa PERSEN" asks a percent, which a count does not give.
HOLDS: dict[str, tuple[str, ...]] = {
    "date": ("date",),
    "weekday": ("date",),
    "month": ("date",),
    "percent": ("figure", "percent"),
    "count": ("figure",),
    "person": ("person",),
    "place": ("place",),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry's score and how it was reached (for `ask --explain`)."""

    entry_id: str
    score: float
    coverage: float
    variant_f1: float
    fuzzy: float
    variant: str
    segment: bool = False  # scored on one sentence of a long message, not the whole


class _Scored(NamedTuple):
    score: float
    coverage: float
    f1: float
    fuzzy: float
    variant: int
    segment: bool = False


@dataclass(frozen=True, slots=True)
class Ranking:
    normalized: str  # the query as the matcher saw it, typos fixed
    unknown: tuple[str, ...]  # content words no entry knows
    candidates: tuple[Candidate, ...]  # best first
    question: bool = False  # the message asks (a question mark or a question word)
    # Words only the asker's self-introduction uses ("saya anggota KPPS baru, ..."): not what is asked.
    introduction: frozenset[str] = frozenset()
    # The kinds of election the message names by their own names ("pilkada", "pemilu"; not "pemilihan" or
    # "election", which the lexicon reads as the Pilkada whatever was meant).
    elections: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MatchResult:
    outcome: Outcome
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    normalized: str
    candidates: tuple[Candidate, ...]
    unknown: tuple[str, ...] = ()
    confidence: float | None = None  # the decision model's P(best entry is right), when one decided


@dataclass(frozen=True, slots=True)
class Weights:
    """How the three signals mix, and how hard unknown words and stray numbers count.

    Defaults come from bench/calibrate.py on the tune split of tests/data/eval.yaml.
    """

    coverage: float = 0.5
    variant: float = 0.3
    unknown_factor: float = 1.2
    number_penalty: float = 0.6
    filler: float = 0.3  # weight of a filler word (lexicon 'filler'), whatever its IDF


@dataclass(frozen=True, slots=True)
class _Variant:
    entry: int
    text: str
    tokens: frozenset[str]
    weight: float


class Matcher:
    """Precomputes normalized variants, vocabulary and word weights at load time."""

    def __init__(
        self,
        entries: tuple[Entry, ...],
        normalizer: Normalizer,
        settings: MatchingConfig,
        weights: Weights = Weights(),
        filler: frozenset[str] = frozenset(),
        real_words: frozenset[str] = frozenset(),
        english_words: frozenset[str] = frozenset(),
        exclusive: tuple[frozenset[str], ...] = (),
        model: DecisionModel | None = None,
        asks: Mapping[str, tuple[str, ...]] | None = None,
        holds: Mapping[str, frozenset[str]] | None = None,
        acts: Mapping[str, frozenset[str]] | None = None,
        act_words: frozenset[str] = frozenset(),
        question_words: tuple[frozenset[str], ...] = (),
        other_regions: frozenset[str] = frozenset(),
        figure_elections: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        # The kinds of election ("pemilu", "pilkada") each entry's figures are about.
        self._figure_elections = dict(figure_elections or {})
        self._entries = entries
        # Regions the knowledge base is not about ("rembang", "nasional"): a question naming one is about there.
        self._other_regions = other_regions
        self._model = model
        # What a question asks for ("kapan" -> date) and what each answer holds (its facts' kinds).
        # A phrase asks when all its words are in the question ("hari apa"; "apa" alone asks nothing).
        self._asks = {kind: _phrases(normalizer, phrases) for kind, phrases in (asks or {}).items()}
        self._holds = dict(holds or {})
        # The words naming what the people an entry's answer names did ("membuka", "memimpin"): who OPENED
        # the meeting is not answered by an answer that names only who attended it.
        self._acts = dict(acts or {})
        self._act_words = act_words  # every deed the sources name
        self._question_words = question_words
        self._unknown_ids = frozenset(e.id for e in entries if e.kind == "unknown")
        self._index = {e.id: i for i, e in enumerate(entries)}
        self._unknown_index = frozenset(self._index[i] for i in self._unknown_ids)
        self._normalizer = normalizer
        self._settings = settings
        self._w = weights
        raw_variants: list[tuple[int, list[str]]] = []
        entry_tokens: list[set[str]] = []
        for i, entry in enumerate(entries):
            known: set[str] = set()
            for question in entry.questions:
                tokens = normalizer.tokens(question)
                raw_variants.append((i, tokens))
                known.update(tokens)
            for keyword in entry.keywords:
                known.update(normalizer.tokens(keyword))
            entry_tokens.append(known)
        # An answer with its own after-the-vote wording ("sudah berlangsung pada ...") answers "masih bisa
        # nyoblos SEKARANG?": the words of now are no detail it lacks.
        for known, entry in zip(entry_tokens, entries, strict=True):
            if len(set(entry.answer.texts().values())) > 1:
                known.update(_NOW)
        self._entry_tokens = [frozenset(t) for t in entry_tokens]
        # The knowledge base's own year, the one most entries name ("2024"): an entry that names no
        # other year is about it, so "pas 2024 sekretaris kpu blora siapa" asks no other topic of it.
        years = Counter(t for known_words in entry_tokens for t in known_words if _YEAR.fullmatch(t))
        home = years.most_common(1)[0][0] if years else None
        self._own_year = [
            home if home and not any(_YEAR.fullmatch(t) for t in known_words - {home}) else None
            for known_words in entry_tokens
        ]
        # Words an entry's answer uses but none of its questions or keywords: "badan adhoc" is
        # explained in an answer no variant asks about. They count for coverage at a lower weight.
        self._answer_tokens = [
            frozenset(t for text in e.answer.texts().values() for t in normalizer.tokens(text)) - known - filler
            for e, known in zip(entries, self._entry_tokens, strict=True)
        ]
        self._keyword_sets = [[frozenset(normalizer.tokens(k)) for k in e.keywords] for e in entries]
        # The words that say what an entry is about: a "did you mean" needs the message to use one.
        # Not filler, nor a question word unless the entry is keyed on it ("kapan?" is the voting day).
        asking = frozenset(t for phrase in question_words for t in phrase)
        self._topic_words = [
            (known | answer) - filler - (asking - {t for k in keys for t in k})
            for known, answer, keys in zip(self._entry_tokens, self._answer_tokens, self._keyword_sets, strict=True)
        ]
        # Words some factual entry knows; a word only known unknowns know marks their topics.
        self._factual_vocab = frozenset(
            t for i, tokens in enumerate(self._entry_tokens) if entries[i].kind != "unknown" for t in tokens
        )
        self._stated = [bool(e.facts) for e in entries]  # the answer states facts (figures, dates, names)
        # Greetings, thanks, help: entries that cite no source. In a long message they are its
        # opening or closing words ("Selamat malam, ... ? Terima kasih"), never its question.
        self._chat = frozenset(i for i, e in enumerate(entries) if e.kind == "answer" and not e.sources)
        # word -> the other words of its exclusive group ("pilkada" -> {"pemilu"})
        self._rivals = {w: g - {w} for g in exclusive for w in g}

        df: dict[str, int] = defaultdict(int)
        for known_tokens in self._entry_tokens:
            for token in known_tokens:
                df[token] += 1
        n = max(len(entries), 1)
        idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._filler = filler
        # A real word ("menang", "terpilih", "semarang") is no typo of another word (but see `correct`).
        self._real_words = real_words
        self._english = english_words
        # Filler words keep a small fixed weight: present or not, they never decide a match.
        self._weights = {**idf, **{t: weights.filler for t in filler}}
        # A word no entry knows weighs like a word only one entry knows, and more.
        self._unknown_weight = math.log(1 + n) * weights.unknown_factor

        # Every spelling we can snap an unknown word to: KB words, and lexicon keys
        # whose standard form is a KB word (so a typo of "nyoblos" finds "mencoblos").
        self._spellings: dict[str, str] = {w: w for w in idf}
        for key, target in normalizer.mapping.items():
            if target in idf:
                self._spellings.setdefault(key, target)
        self._spelling_list = list(self._spellings)
        # A letter left out of a KB word ("tangal", "ketu", "rapt") may spell a rare real word; the KB
        # word it drops a letter of is what was meant. Only a word one deletion reaches, and only one.
        dropped: dict[str, set[str]] = defaultdict(set)
        for spelling, word in self._spellings.items():
            if len(spelling) >= 5 and word not in filler:
                for i in range(len(spelling)):
                    dropped[spelling[:i] + spelling[i + 1 :]].add(word)
        self._dropped = {k: next(iter(v)) for k, v in dropped.items() if len(v) == 1}
        self._by_stem: dict[str, str] = {}
        for word in sorted(idf, key=lambda w: (-df[w], w)):  # the commonest word wins a shared stem
            self._by_stem.setdefault(crude_stem(word), word)

        self._variants = [
            _Variant(i, " ".join(toks), frozenset(toks), sum(self._weights[t] for t in set(toks)) or 1.0)
            for i, toks in raw_variants
        ]
        self._ngrams = NgramRanker([(v.entry, v.text) for v in self._variants])
        # Words an entry only ever says negated ("tidak sah"): asked plainly ("suara sah berapa"),
        # they ask the opposite, and the entry is not about it.
        said_plain: list[set[str]] = [set() for _ in entries]
        said_negated: list[set[str]] = [set() for _ in entries]
        for ei, toks in raw_variants:
            plain, negated = _polarity(toks)
            said_plain[ei] |= plain
            said_negated[ei] |= negated
        self._negated_only = [frozenset(n - p) for n, p in zip(said_negated, said_plain, strict=True)]
        # A term alone ("golput?") asks what it means: the entry defining it answers, not the one that
        # uses it most ("jangan golput"). Only a term one entry defines.
        defined: dict[frozenset[str], set[int]] = defaultdict(set)
        for ei, toks in raw_variants:
            words = frozenset(toks)
            term = words - _DEFINING
            if entries[ei].kind == "answer" and 0 < len(term) <= 3 and any(d <= words for d in _DEFINES):
                defined[term].add(ei)
        self._definitions = {term: entries[next(iter(e))].id for term, e in defined.items() if len(e) == 1}
        self._entry_variants: list[list[int]] = [[] for _ in entries]
        for vi, variant in enumerate(self._variants):
            self._entry_variants[variant.entry].append(vi)
        self._entries_by_token: dict[str, list[int]] = defaultdict(list)
        for ei, known_tokens in enumerate(self._entry_tokens):
            for token in known_tokens:
                self._entries_by_token[token].append(ei)
        self._typo_cache: dict[str, str | None] = {}
        self._answer_entries: dict[str, list[int]] = defaultdict(list)
        for ei, answer_tokens in enumerate(self._answer_tokens):
            if ei not in self._unknown_index:  # a known unknown is reached by its keywords only
                for token in answer_tokens:
                    self._answer_entries[token].append(ei)

    @classmethod
    def for_knowledge(
        cls,
        kb: KnowledgeBase,
        settings: MatchingConfig,
        weights: Weights = Weights(),
        model: DecisionModel | Literal["default"] | None = "default",
    ) -> Matcher:
        """The matcher for a knowledge base, with its lexicon's filler, real words and rival words.

        `model`: the decision model ("default": the one `settings` names, else the shipped one;
        None: the hand-set thresholds, kept for calibration and comparison).
        """
        lexicon = kb.lexicon
        if model == "default":
            path = settings.model or DEFAULT_MODEL
            model = DecisionModel.load(path) if settings.model or path.exists() else None
        normalizer = Normalizer(lexicon)
        holds = {
            e.id: frozenset(k for f in e.facts if f in kb.facts for k in HOLDS[kb.facts[f].kind]) for e in kb.entries
        }
        # Only deeds (not what someone said: "bilang", "mengatakan" name no deed of a person asked for).
        said = {w for f in kb.facts.values() if f.statement for t in f.act_terms for w in normalizer.tokens(t)}
        # Nor a role ("chaired" reads as "ketua"). A person's deeds are theirs wherever the answer names them.
        roles = {w for f in kb.facts.values() for t in f.role_terms for w in normalizer.tokens(t)}
        deeds: dict[str, set[str]] = defaultdict(set)
        for f in kb.facts.values():
            if f.kind == "person":
                deeds[f.key] |= {w for t in f.act_terms for w in normalizer.tokens(t)} - said - roles
        acts = {
            e.id: frozenset().union(
                *(deeds[kb.facts[f].key] for f in e.facts if f in kb.facts and kb.facts[f].kind == "person")
            )
            for e in kb.entries
        }
        return cls(
            kb.entries,
            normalizer,
            settings,
            weights,
            filler=lexicon.filler,
            real_words=lexicon.words | lexicon.protected,
            english_words=lexicon.english,
            exclusive=lexicon.exclusive,
            model=model,
            asks=lexicon.asks,
            holds=holds,
            acts=acts,
            act_words=frozenset().union(*deeds.values()),
            question_words=_phrases(normalizer, lexicon.question_words),
            other_regions=frozenset(t for w in lexicon.other_regions for t in normalizer.tokens(w)),
            figure_elections={
                e.id: frozenset(
                    str(kb.facts[f].election).split()[0].lower()
                    for f in e.facts
                    if f in kb.facts and kb.facts[f].kind in ("percent", "count") and kb.facts[f].election
                )
                for e in kb.entries
            },
        )

    @property
    def unknown_only_words(self) -> frozenset[tuple[str, ...]]:
        """Keyword phrases of known unknowns ("menang", "politik uang") with a word no factual entry uses.

        A phrase counts whole and in order: "politik" alone is not "politik uang".
        """
        # The words of now an after-vote answer knows (`_NOW`) still mark "ketua KPU SEKARANG" as what no source says.
        plain = (self._factual_vocab - _NOW) | self._filler
        phrases = (tuple(self._normalizer.tokens(k)) for i in self._unknown_index for k in self._entries[i].keywords)
        return frozenset(k for k in phrases if any(t.isalpha() and t not in plain for t in k))

    @property
    def normalizer(self) -> Normalizer:
        return self._normalizer

    @property
    def settings(self) -> MatchingConfig:
        return self._settings

    def weight(self, token: str) -> float:
        return self._weights.get(token, self._unknown_weight)

    def is_known(self, token: str) -> bool:
        return token in self._weights

    def correct(self, token: str) -> str | None:
        """The KB word `token` is a typo, suffixed form or stem-sibling of; None if new to the KB.

        A real word (on the word lists) only loses a clitic ("pemilunya"): "terpilih"
        is not "memilih" and "menang" is not a typo of anything; unless it is a KB word with one
        letter left out, and only one KB word ("tangal", "ketu", "rapt": rare words, common typos).
        An English plural of a word the lexicon maps is that word ("chairs"), not an Indonesian
        word ending in "s" ("dinas" is no plural of Javanese "dina").
        """
        if token in self._weights:
            return token
        if token in self._typo_cache:
            return self._typo_cache[token]
        real = token in self._real_words
        fixed: str | None = None
        if token in self._english and token.endswith("s") and self._normalizer.mapping.get(token[:-1]) in self._weights:
            # An English plural of a word the lexicon knows: "chairs" is "chair" (ketua).
            fixed = self._normalizer.mapping[token[:-1]]
        if fixed is None and real and token not in self._filler and token not in self._normalizer.mapping:
            fixed = self._dropped.get(token)
        for suffix in () if fixed else _CLITICS if real else _SUFFIXES:
            stem = token[: -len(suffix)]
            if token.endswith(suffix) and len(stem) >= 3 and stem in self._weights:
                fixed = stem
                break
        if fixed is None and len(token) >= 6 and not real:
            fixed = self._by_stem.get(crude_stem(token))
        if fixed is None and len(token) >= 4 and not token.isdigit() and not real:
            best = process.extractOne(
                token, self._spelling_list, scorer=fuzz.ratio, score_cutoff=self._settings.typo_cutoff
            )
            # Short words collide easily ("calon"/"salam"): demand the same first letter.
            if best is not None and best[0][0] == token[0]:
                fixed = self._spellings[best[0]]
        if len(self._typo_cache) >= _TYPO_CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[token] = fixed
        return fixed

    def query_tokens(self, text: str) -> list[str]:
        """Normalized query tokens with typos snapped to KB words (unknown words kept)."""
        out: list[str] = []
        for token in self._normalizer.tokens(text):
            fixed = self.correct(token)
            out.extend((fixed if fixed is not None else token).split())
        return list(dict.fromkeys(out))

    def rank(self, text: str, limit: int = 5) -> Ranking:
        """The normalized query, its unknown words, and the best `limit` entries.

        A long message is also scored sentence by sentence, keeping each entry's
        best: the question is often buried in a story ("aku kuliah di Semarang...
        tanggal berapa coblosannya?") whose other words would dilute coverage.
        """
        tokens = self.query_tokens(text)
        unknown = tuple(t for t in tokens if t not in self._weights and not t.isdigit())
        if not tokens:
            return Ranking("", (), ())
        question = "?" in text or self._asks_question(tokens)
        best = self._score(tokens)
        if len(tokens) > _LONG_QUERY:
            parts = [self.query_tokens(seg) for seg in _SEGMENT_SPLIT.split(text)]
            parts = [t for t in parts if t]
            asking = [i for i, t in enumerate(parts) if self._asks_question(t)]
            # The sentence that asks decides, with the one before it ("Ada rapat ... September.
            # Rapat itu diadakan di mana?"); the others count for less when one asks: in
            # "Izin, saya anggota KPPS baru, mau memastikan kapan ...?" the preamble is not the question.
            # A short follow-up ("caranya gmn?") says nothing alone: it is read with the sentence before it.
            scored_parts = [
                (t, 1.0 if not asking or i in asking else _PREAMBLE) for i, t in enumerate(parts) if len(t) >= 3
            ]
            scored_parts += [(parts[i - 1] + parts[i], 1.0) for i in asking if i > 0]
            for seg_tokens, factor in scored_parts:
                if len(seg_tokens) < 2 or len(seg_tokens) == len(tokens):
                    continue
                # The whole message still says which year or election it is about.
                for ei, scored in self._score(seg_tokens, context=tokens).items():
                    if ei in self._chat:
                        continue
                    score = scored.score * factor
                    if ei not in best or score > best[ei].score:
                        best[ei] = scored._replace(score=score, segment=True)
        top = heapq.nlargest(limit, best.items(), key=lambda item: item[1].score)
        candidates = tuple(
            Candidate(
                self._entries[ei].id,
                round(sc.score, 2),
                round(sc.coverage, 3),
                round(sc.f1, 3),
                round(sc.fuzzy, 3),
                self._variants[sc.variant].text,
                sc.segment,
            )
            for ei, sc in top
        )
        # By their own names only: "pemilihan" and "election" name any (the lexicon reads them as the Pilkada).
        elections = frozenset(ELECTION_KIND[w] for w in re.findall(r"\w+", text.lower()) if w in ELECTION_NAMES)
        return Ranking(" ".join(tokens), unknown, candidates, question, self._introduction(text), elections)

    def _introduction(self, text: str) -> frozenset[str]:
        """The words only the asker's self-introduction uses ("saya anggota KPPS baru, ...")."""
        said = [m.span() for m in _INTRODUCTION.finditer(text)]
        if not said:
            return frozenset()
        starts, ends = [0] + [e for _, e in said], [s for s, _ in said] + [len(text)]
        rest = "".join(text[a:b] for a, b in zip(starts, ends, strict=True))
        return frozenset(t for a, b in said for t in self.query_tokens(text[a:b])) - set(self.query_tokens(rest))

    def _asks_question(self, tokens: list[str]) -> bool:
        present = set(tokens)
        return any(q <= present for q in self._question_words)

    def _score(self, tokens: list[str], context: list[str] | None = None) -> dict[int, _Scored]:
        normalized = " ".join(tokens)
        weights = {t: self.weight(t) for t in tokens}
        total = sum(weights.values())
        context = tokens if context is None else context
        numbers = [t for t in context if _is_figure(t)]
        rivals = [t for t in context if t in self._rivals]
        plain_words, _ = _polarity(tokens)
        coverage: dict[int, float] = defaultdict(float)
        for token, weight in weights.items():
            for ei in self._entries_by_token.get(token, ()):
                coverage[ei] += weight
            for ei in self._answer_entries.get(token, ()):
                coverage[ei] += weight * ANSWER_WORD
        # Only the entries that explain most of the query can score high: coverage
        # carries the largest weight, so the rest are not worth a closer look. This
        # keeps a 10 000-entry knowledge base fast.
        shortlist = heapq.nlargest(_SHORTLIST, coverage.items(), key=lambda item: item[1])
        w = self._w
        query = frozenset(weights)
        # For keyword gates, "menange" also says "menang" (a clitic on a known word).
        gate = query | {
            t[: -len(c)] for t in query for c in _CLITICS if t.endswith(c) and t[: -len(c)] in self._weights
        }
        out: dict[int, _Scored] = {}
        for ei, covered in shortlist:
            # A known unknown competes only when the question uses one of its keywords
            # ("hasil", "berikutnya"): "kapan pilkada" is not "kapan pilkada berikutnya".
            if ei in self._unknown_index and not any(k <= gate for k in self._keyword_sets[ei]):
                continue
            best_f1, best_vi = -1.0, -1
            for vi in self._entry_variants[ei]:
                variant = self._variants[vi]
                common = variant.tokens & query
                if not common:
                    continue
                inter = sum(weights[t] for t in common)
                precision, recall = inter / total, inter / variant.weight
                f1 = 2 * precision * recall / (precision + recall)
                if f1 > best_f1:
                    best_f1, best_vi = f1, vi
            if best_vi < 0:
                if not self._entry_variants[ei]:
                    continue
                # Only its answer's words ("badan adhoc"): scored on coverage, its first question for the rest.
                best_f1, best_vi = 0.0, self._entry_variants[ei][0]
            cov = covered / total
            text = self._variants[best_vi].text
            fz = fuzz.token_sort_ratio(normalized, text) / 100
            score = 100 * (w.coverage * cov + w.variant * best_f1 + (1 - w.coverage - w.variant) * fz)
            # A year or figure the entry never mentions means another question ("partisipasi 2019").
            # A known unknown ("hasil", "tercapai") is about no figure: only a year changes its topic.
            checked = numbers if ei not in self._unknown_index else [n for n in numbers if _YEAR.fullmatch(n)]
            known = self._entry_tokens[ei]
            # A rival word ("pemilu" asked of a "pilkada" entry) only changes the topic of an answer that
            # states facts of one election; "arti golongan putih dalam pemilu" is the golput definition.
            rival = self._stated[ei] and any(t not in known and self._rivals[t] & known for t in rivals)
            opposite = bool(plain_words & self._negated_only[ei])
            if any(n not in known and n != self._own_year[ei] for n in checked) or rival or opposite:
                score *= w.number_penalty
            out[ei] = _Scored(score, cov, best_f1, fz, best_vi)
        return out

    def match(self, text: str) -> MatchResult:
        """Answer, suggestions or no match for `text`: by the decision model, else the thresholds."""
        ranking = self.rank(text, limit=max(self._settings.max_suggestions, 3))
        if self._model is None:
            return self.decide(ranking, self._settings)
        missing = self.missing_terms(ranking)
        return self.decide_by(self._model, ranking, self.signals(ranking, missing), missing)

    @property
    def unknown_ids(self) -> frozenset[str]:
        return self._unknown_ids

    @property
    def model(self) -> DecisionModel | None:
        return self._model

    def signals(self, ranking: Ranking, missing: tuple[str, ...] | None = None) -> dict[str, float]:
        """What the decision model reads about the best candidate (bot/nlu/decision.py FEATURES); {} if none.

        `missing`: `missing_terms(ranking)`, when the caller has it already.
        """
        if not ranking.candidates:
            return {}
        best = ranking.candidates[0]
        ei = self._index[best.entry_id]
        known = self._entry_tokens[ei]
        query = ranking.normalized.split()
        runner_up = ranking.candidates[1].score if len(ranking.candidates) > 1 else 0.0
        weights = [self.weight(t) for t in query]
        total = sum(weights) or 1.0
        unknown = [t for t in ranking.unknown if t not in ranking.introduction]
        unknown_weight = sum(w for t, w in zip(query, weights, strict=True) if t in unknown)
        is_unknown = ei in self._unknown_index
        behind = [c for c in ranking.candidates[1:] if c.entry_id in self._unknown_ids and best.score - c.score < 10]
        own: set[str] = set()
        for c in ranking.candidates[1:]:
            if c.entry_id in self._unknown_ids:
                own |= self._entry_tokens[self._index[c.entry_id]] - known - self._filler
        present = set(query)
        asked = self.asked(present)
        holds = self.holds(best.entry_id)
        # The lead over the best runner-up that could answer what is asked: "raker juli diadain dmn"
        # asks a place, and the runner-up about the speakers holds none.
        fitting = [c.score for c in ranking.candidates[1:] if not asked or asked & self.holds(c.entry_id)]
        fit_margin = (best.score - max(fitting, default=0.0)) / 100
        numbers = [t for t in query if _is_figure(t)]
        missing_weights = [self.weight(t) for t in (self.missing_terms(ranking) if missing is None else missing)]
        return {
            "score": best.score / 100,
            "margin": (best.score - runner_up) / 100,
            "coverage": best.coverage,
            "variant_f1": best.variant_f1,
            "fuzzy": best.fuzzy,
            "runner_up": runner_up / 100,
            "unknown_words": min(len(unknown), 3) / 3,
            "unknown_share": unknown_weight / total,
            "length": math.log1p(len(query)),
            "known_unknown": float(is_unknown),
            "unknown_behind": float(bool(behind) and not is_unknown),
            "unknown_only_word": float(bool(own & (present - ranking.introduction)) and not is_unknown),
            "asks_detail": float(bool(asked)),
            "asks_missing": float(bool(asked - holds) and not is_unknown),
            "number_missing": float(any(n not in known for n in numbers)),
            "from_segment": float(best.segment),
            "question": float(ranking.question),
            "states_facts": float(self._stated[ei]),
            "missing_max": max(missing_weights, default=0.0) / self._unknown_weight,
            "missing_words": min(len(missing_weights), 3) / 3,
            "fit_margin": fit_margin,
            **self._second_opinion(ranking.normalized, ei),
        }

    def missing_terms(self, ranking: Ranking) -> tuple[str, ...]:
        """The question's words the best entry does not know (not filler, not the asker's introduction)."""
        if not ranking.candidates:
            return ()
        known = self._entry_tokens[self._index[ranking.candidates[0].entry_id]]
        return tuple(
            t
            for t in ranking.normalized.split()
            if t not in known and t not in self._filler and t not in ranking.introduction
        )

    def _second_opinion(self, normalized: str, ei: int) -> dict[str, float]:
        """Where the n-gram ranker (bot/nlu/ngrams.py) puts the best entry: first, lower, or not in its five."""
        ranked = self._ngrams.rank(normalized)
        ids = [e for e, _ in ranked]
        scores = dict(ranked)
        return {
            "ngram_agree": float(bool(ids) and ids[0] == ei),
            "ngram_rank": (ids.index(ei) + 1 if ei in ids else 6) / 6,
            "ngram_ratio": scores.get(ei, 0.0) / ranked[0][1] if ranked else 0.0,
        }

    def holds(self, entry_id: str) -> frozenset[str]:
        """The kinds of detail an entry's answer holds (date, figure, person, place)."""
        return self._holds.get(entry_id, frozenset())

    def asked(self, present: set[str]) -> set[str]:
        """The kinds of detail a question asks for (lexicon `asks`).

        A kind is dropped when each of its phrases found is part of a longer phrase of another
        kind found: "berapa lama sejak pilkada" asks a date (how long ago), not a figure.
        """
        found = {kind: [p for p in phrases if p <= present] for kind, phrases in self._asks.items()}
        found = {kind: hits for kind, hits in found.items() if hits}
        longer = [p for hits in found.values() for p in hits]
        return {
            kind for kind, hits in found.items() if any(not any(h < q for q in longer if q not in hits) for h in hits)
        }

    def decide_by(
        self, model: DecisionModel, ranking: Ranking, signals: Mapping[str, float], missing: tuple[str, ...] = ()
    ) -> MatchResult:
        """The outcome by the model's probability that the best entry is right.

        Answer at or above `answer_at` (a known unknown then says what the sources cannot say);
        "did you mean" at or above `suggest_at` (the entries within `suggest_spread` of the best;
        the score floor of the thresholds applies only to a message that does not ask: a long
        question scores low); otherwise the honest fallback.
        """
        candidates = ranking.candidates
        if not candidates:
            return MatchResult("none", None, 0.0, (), ranking.normalized, candidates, ranking.unknown, 0.0)
        p = model.probability(signals, missing)
        best = candidates[0]

        def result(
            outcome: Outcome, entry_id: str | None, suggested: tuple[str, ...] = (), score: float = best.score
        ) -> MatchResult:
            return MatchResult(outcome, entry_id, score, suggested, ranking.normalized, candidates, ranking.unknown, p)

        # A question staff wrote for this entry, word for word (after normalizing; in any order: "pilkada itu
        # apa" is "apa itu pilkada"), is its question.
        own = sorted(ranking.normalized.split()) == sorted(best.variant.split()) and (
            len(candidates) < 2 or candidates[1].score < best.score
        )
        query = ranking.normalized.split()
        defined = self._definitions.get(frozenset(query) - _DEFINING)
        defining = next((c for c in candidates if c.entry_id == defined), None)
        if defining is not None:
            return result("answer", defining.entry_id, score=defining.score)
        if own or (
            p >= model.answer_at
            and not signals.get("unknown_only_word")
            and not self._other_deed(query, best.entry_id)
            and not self._elsewhere(query, best.entry_id)
            and not self._other_election(ranking, best.entry_id)
        ):
            return result("unknown" if best.entry_id in self._unknown_ids else "answer", best.entry_id)
        # A question that scores low (a long message does) still gets its "did you mean"; a
        # statement that scores low is about something else ("golput paling banyak dari petani").
        # And a "did you mean" is about something the message names, not only its "how" and "with".
        if (
            p >= model.suggest_at
            and (ranking.question or best.score >= self._settings.suggest_threshold)
            and self._names_topic_of(ranking.normalized.split(), best.entry_id)
        ):
            return result("suggest", None, suggestions(candidates, self._settings, floor=0.0))
        return result("none", None)

    def _other_deed(self, query: list[str], entry_id: str) -> bool:
        """Whether the question asks who did something the entry's answer names nobody doing
        ("siapa yang MEMBUKA raker" of an answer naming only who attended it)."""
        words = set(query)
        if "person" not in self.asked(words) or "person" not in self.holds(entry_id):
            return False
        deeds = words & self._act_words
        return bool(deeds) and not deeds & self._acts.get(entry_id, frozenset())

    def _elsewhere(self, query: list[str], entry_id: str) -> bool:
        """Whether a factual answer would be about another region than the question's: "kpu REMBANG targetnya
        brp persen" is not answered with Blora's target ("se-Jateng" ranks Blora among the others: it is not)."""
        if entry_id in self._unknown_ids:
            return False
        known = self._entry_tokens[self._index[entry_id]]
        return any(
            t in self._other_regions and t not in known and (i == 0 or query[i - 1] != "se")
            for i, t in enumerate(query)
        )

    def _other_election(self, ranking: Ranking, entry_id: str) -> bool:
        """Whether a question asks a figure of an election the entry's figures are not about: "berapa surat suara
        tidak sah di PILKADA kemarin?" is not answered with Pemilu 2019's count."""
        held = self._figure_elections.get(entry_id)
        if not held or not self.asked(set(ranking.normalized.split())) & {"figure", "percent"}:
            return False
        return bool(ranking.elections) and not ranking.elections & held

    def _names_topic_of(self, query: list[str], entry_id: str) -> bool:
        """The query uses one of the entry's topic words, not only its "how" and "with"."""
        topic = self._topic_words[self._index[entry_id]]
        return any(t in topic for t in query)

    def decide(self, ranking: Ranking, settings: MatchingConfig) -> MatchResult:
        """`decide`, aware of this knowledge base's known unknowns (calibration varies `settings`).

        A factual answer gives way to "did you mean" when a known unknown is behind it
        and the question has a word only that unknown knows, if that unknown is close
        and strong ("27 november kan? trus hasilnya?" also asks what the sources cannot
        say) or if no factual entry knows the word at all ("target 83 persen
        tercapai?"): a confident answer to half a question costs more than a doubt.
        """
        result = decide(ranking, settings)
        if result.outcome != "answer" or result.entry_id is None:
            return result
        if result.entry_id in self._unknown_ids:
            return replace(result, outcome="unknown")
        best = self._index[result.entry_id]
        query = ranking.normalized.split()
        for c in ranking.candidates[1:]:
            if c.entry_id not in self._unknown_ids or c.score < settings.suggest_threshold:
                continue
            own = self._entry_tokens[self._index[c.entry_id]] - self._entry_tokens[best] - self._filler
            close = c.score >= settings.known_words_threshold and result.score - c.score < (
                settings.margin + settings.unknown_margin
            )
            if any(t in own and (close or t not in self._factual_vocab) for t in query):
                return replace(
                    result,
                    outcome="suggest",
                    entry_id=None,
                    suggestions=suggestions(ranking.candidates, settings),
                )
        return result


_NEGATIONS = frozenset({"tidak", "bukan", "belum", "not", "no"})


def _phrases(normalizer: Normalizer, phrases: Iterable[str]) -> tuple[frozenset[str], ...]:
    """Each phrase as the set of its normalized words (phrases that normalize to nothing dropped)."""
    return tuple(words for words in (frozenset(normalizer.tokens(p)) for p in phrases) if words)


def _polarity(tokens: list[str]) -> tuple[set[str], set[str]]:
    """The words of `tokens` said plainly, and those said right after a negation ("tidak sah")."""
    plain: set[str] = set()
    negated: set[str] = set()
    for i, token in enumerate(tokens):
        if token in _NEGATIONS:
            continue
        (negated if i and tokens[i - 1] in _NEGATIONS else plain).add(token)
    return plain, negated


def _is_figure(token: str) -> bool:
    """A year or a figure ("2019", "83", "77,6", "26238"), not a small count or a day ("1 suara", "18 thn", "tgl 27").

    Only such numbers say that a question is about something an entry does not state.
    """
    if not token[:1].isdigit():
        return False
    whole, _, fraction = token.partition(",")
    return bool(fraction) or not whole.isdigit() or int(whole) > 31


def suggestions(candidates: tuple[Candidate, ...], s: MatchingConfig, floor: float | None = None) -> tuple[str, ...]:
    """The "did you mean" list: above the suggest threshold and close to the best one.

    An entry far below the best shares only a word or two with the question; showing it
    sends the user down a dead end ("did you mean: Ketua KPU?" for "siapa calon bupati").
    """
    if not candidates:
        return ()
    floor = max(s.suggest_threshold if floor is None else floor, candidates[0].score - s.suggest_spread)
    return tuple(c.entry_id for c in candidates[: s.max_suggestions] if c.score >= floor)


def decide(ranking: Ranking, s: MatchingConfig) -> MatchResult:
    """Turn a ranking into an outcome: answer, suggest or none."""
    candidates = ranking.candidates

    def result(outcome: Outcome, entry_id: str | None, suggestions: tuple[str, ...] = ()) -> MatchResult:
        score = candidates[0].score if candidates else 0.0
        return MatchResult(outcome, entry_id, score, suggestions, ranking.normalized, candidates, ranking.unknown)

    if not candidates or candidates[0].score < s.suggest_threshold:
        return result("none", None)
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    # Every content word known: the question is about something the KB talks about.
    threshold = s.known_words_threshold if not ranking.unknown else s.answer_threshold
    if best.score >= threshold and best.score - runner_up >= s.margin:
        return result("answer", best.entry_id)
    return result("suggest", None, suggestions(candidates, s))
