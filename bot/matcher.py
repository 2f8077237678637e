"""Match a user's question to a knowledge-base entry. Pure: no Telegram, no I/O.

Ranking is easy; rejecting what the knowledge base does not cover is the hard part
(see docs/matching.md). Each entry gets a score in 0-100 from three signals:

- coverage: the IDF-weighted share of the query's words that the entry knows
  (in any of its question variants or keywords). Words the whole KB has never
  seen ("debat", "pemenang") weigh the most, so a near miss that shares only
  common words ("kapan", "pilkada", "blora") with an entry stays low.
- variant F1: IDF-weighted overlap between the query and the entry's best
  variant, as an F1 of precision (query explained) and recall (variant used).
- fuzzy: rapidfuzz token_sort_ratio against that entry's variants, for word order
  and leftover spelling noise.

Typos are fixed before scoring by snapping unknown words to the closest KB word
(rapidfuzz ratio >= typo_cutoff). The outcome is an answer, suggestions ("did
you mean"), or no match, by the thresholds and the margin in config.yaml.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.config import MatchingConfig
from bot.knowledge import Entry
from bot.text import Normalizer

Outcome = Literal["answer", "suggest", "none"]
# Suffixes that informal and Javanese writing glues onto a known word.
_SUFFIXES = ("nya", "ne", "e", "in", "kan", "lah", "kah", "an", "i")
_TYPO_CACHE_SIZE = 4096
_LONG_QUERY = 8  # tokens; longer messages are also scored sentence by sentence
_SEGMENT_SPLIT = re.compile(r"[.?!;\n,]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry's score and how it was reached (for `ask --explain`)."""

    entry_id: str
    score: float
    coverage: float
    variant_f1: float
    fuzzy: float
    variant: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    outcome: Outcome
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    normalized: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class _Variant:
    entry: int
    text: str
    tokens: frozenset[str]
    weight: float


_NO_CANDIDATE = Candidate("", -1.0, 0.0, 0.0, 0.0, "")


@dataclass(frozen=True, slots=True)
class Weights:
    """How the three signals mix, and how hard unknown words and stray numbers count."""

    coverage: float = 0.4
    variant: float = 0.4
    unknown_factor: float = 1.2
    number_penalty: float = 0.75
    filler: float = 0.3  # weight of a filler word (lexicon 'filler'), whatever its IDF


class Matcher:
    """Precomputes normalized variants, vocabulary and word weights at load time."""

    def __init__(
        self,
        entries: tuple[Entry, ...],
        normalizer: Normalizer,
        settings: MatchingConfig,
        weights: Weights = Weights(),
        filler: frozenset[str] = frozenset(),
    ) -> None:
        self._w_coverage, self._w_variant = weights.coverage, weights.variant
        self._number_penalty = weights.number_penalty
        self._entries = entries
        self._normalizer = normalizer
        self._settings = settings
        entry_tokens: list[set[str]] = []
        raw_variants: list[tuple[int, list[str]]] = []
        for i, entry in enumerate(entries):
            known: set[str] = set()
            for question in entry.questions:
                tokens = normalizer.tokens(question)
                raw_variants.append((i, tokens))
                known.update(tokens)
            for keyword in entry.keywords:
                known.update(normalizer.tokens(keyword))
            entry_tokens.append(known)
        self._entry_tokens = [frozenset(t) for t in entry_tokens]
        df: dict[str, int] = defaultdict(int)
        for tokens in self._entry_tokens:
            for token in tokens:
                df[token] += 1
        n = len(entries)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        # Filler words keep a small fixed weight: present or not, they never decide a match.
        self._weights = dict(self._idf)
        self._weights.update({t: weights.filler for t in filler})
        # A word no entry knows weighs like a word only one entry knows, and a bit more.
        self._unknown_weight = math.log(1 + n) * weights.unknown_factor
        self._vocab = sorted(self._idf)
        self._variants = [
            _Variant(i, " ".join(toks), frozenset(toks), sum(self._weights[t] for t in set(toks)))
            for i, toks in raw_variants
        ]
        self._variant_texts = [v.text for v in self._variants]
        self._by_token: dict[str, list[int]] = defaultdict(list)
        for vi, variant in enumerate(self._variants):
            for token in variant.tokens:
                self._by_token[token].append(vi)
        self._entry_by_token: dict[str, list[int]] = defaultdict(list)
        for ei, tokens in enumerate(self._entry_tokens):
            for token in tokens:
                self._entry_by_token[token].append(ei)
        self._typo_cache: dict[str, str | None] = {}

    @property
    def settings(self) -> MatchingConfig:
        return self._settings

    def weight(self, token: str) -> float:
        return self._weights.get(token, self._unknown_weight)

    def correct(self, token: str) -> str | None:
        """The KB word `token` is a typo or suffixed form of, or None if it is new to the KB."""
        if token in self._idf:
            return token
        if token in self._typo_cache:
            return self._typo_cache[token]
        fixed: str | None = None
        for suffix in _SUFFIXES:
            stem = token[: -len(suffix)]
            if token.endswith(suffix) and len(stem) >= 3 and stem in self._idf:
                fixed = stem
                break
        if fixed is None and len(token) >= 4 and not token.isdigit():
            best = process.extractOne(
                token, self._vocab, scorer=fuzz.ratio, score_cutoff=self._settings.typo_cutoff
            )
            # Short words collide easily ("calon"/"salam"): demand the same first letter.
            if best is not None and best[0][0] == token[0]:
                fixed = best[0]
        if len(self._typo_cache) >= _TYPO_CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[token] = fixed
        return fixed

    def query_tokens(self, text: str) -> list[str]:
        """Normalized query tokens with typos snapped to KB words (unknown words kept)."""
        out: list[str] = []
        for token in self._normalizer.tokens(text):
            fixed = self.correct(token)
            out.append(fixed if fixed is not None else token)
        return list(dict.fromkeys(out))

    def rank(self, text: str, limit: int = 5) -> tuple[str, list[Candidate]]:
        """Normalized query and the best `limit` entries, best first.

        A long message is also scored sentence by sentence, keeping each entry's
        best: the question is often buried in a story ("aku kuliah di Semarang...
        tanggal berapa coblosannya?") whose other words would dilute coverage.
        """
        tokens = self.query_tokens(text)
        normalized = " ".join(tokens)
        if not tokens:
            return normalized, []
        best = self._score(tokens)
        if len(tokens) > _LONG_QUERY:
            for segment in _SEGMENT_SPLIT.split(text):
                seg_tokens = self.query_tokens(segment)
                if len(seg_tokens) < 2 or len(seg_tokens) == len(tokens):
                    continue
                for entry_id, candidate in self._score(seg_tokens).items():
                    if candidate.score > best.get(entry_id, _NO_CANDIDATE).score:
                        best[entry_id] = candidate
        ranked = sorted(best.values(), key=lambda c: c.score, reverse=True)
        return normalized, ranked[:limit]

    def _score(self, tokens: list[str]) -> dict[str, Candidate]:
        normalized = " ".join(tokens)
        weights = {t: self.weight(t) for t in tokens}
        total = sum(weights.values())
        numbers = [t for t in tokens if t[:1].isdigit()]
        coverage: dict[int, float] = defaultdict(float)
        overlap: dict[int, float] = defaultdict(float)
        for token, w in weights.items():
            for ei in self._entry_by_token.get(token, ()):
                coverage[ei] += w
            for vi in self._by_token.get(token, ()):
                overlap[vi] += w
        best_variant: dict[int, tuple[float, int]] = {}
        for vi, inter in overlap.items():
            variant = self._variants[vi]
            precision, recall = inter / total, inter / variant.weight
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best_variant.get(variant.entry, (-1.0, -1))[0]:
                best_variant[variant.entry] = (f1, vi)
        out: dict[str, Candidate] = {}
        for ei, (f1, vi) in best_variant.items():
            cov = coverage[ei] / total
            fz = fuzz.token_sort_ratio(normalized, self._variants[vi].text) / 100
            score = 100 * (self._w_coverage * cov + self._w_variant * f1 + (1 - self._w_coverage - self._w_variant) * fz)
            # A year or figure the entry never mentions means another question ("partisipasi 2019").
            if any(n not in self._entry_tokens[ei] for n in numbers):
                score *= self._number_penalty
            entry_id = self._entries[ei].id
            out[entry_id] = Candidate(entry_id, round(score, 2), round(cov, 3), round(f1, 3), round(fz, 3), self._variants[vi].text)
        return out

    def match(self, text: str) -> MatchResult:
        """Answer, suggestions or no match for `text`, per the configured thresholds."""
        normalized, candidates = self.rank(text, limit=max(self._settings.max_suggestions, 2))
        return decide(normalized, candidates, self._settings)


def decide(normalized: str, candidates: list[Candidate], s: MatchingConfig) -> MatchResult:
    """Turn ranked candidates into an outcome: answer, suggest or none."""
    if not candidates or candidates[0].score < s.suggest_threshold:
        return MatchResult("none", None, candidates[0].score if candidates else 0.0, (), normalized, tuple(candidates))
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if best.score >= s.answer_threshold and best.score - runner_up >= s.margin:
        return MatchResult("answer", best.entry_id, best.score, (), normalized, tuple(candidates))
    suggestions = tuple(c.entry_id for c in candidates[: s.max_suggestions] if c.score >= s.suggest_threshold)
    return MatchResult("suggest", None, best.score, suggestions, normalized, tuple(candidates))
