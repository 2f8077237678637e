"""A second opinion on the ranking: TF-IDF over character n-grams of the question variants.

The matcher scores words (typos snapped to known words, weights by how rare a word is);
this ranker scores pieces of words, so it sees what the word scorer cannot ("mbukak"
shares "buk" with "membuka") and errs in other places. Where the two agree on the best
entry, the answer is more often right: the decision model reads that agreement
(bot/nlu/decision.py, `ngram_*` signals), and it is worth more than any threshold on either
(docs/matching.md, "A second opinion").

N-grams found in more than `max_df` of the variants are dropped: they say little ("pi",
"an") and cost most of the time (0.1 ms a question instead of 3 ms). Pure; no I/O.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence


def char_wb_ngrams(text: str, low: int = 2, high: int = 4) -> Counter[str]:
    """Character n-grams of each space-padded word, exactly as sklearn's analyzer='char_wb'."""
    grams: Counter[str] = Counter()
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.update(padded[i : i + n] for i in range(max(len(padded) - n + 1, 1)))
            if len(padded) <= n:  # a short word counts once, whatever n
                break
    return grams


class NgramRanker:
    """Entries ranked by the cosine of their best variant with the question (n-gram TF-IDF)."""

    def __init__(self, variants: Sequence[tuple[int, str]], low: int = 3, high: int = 5, max_df: float = 0.05) -> None:
        """`variants`: (entry index, normalized question variant) pairs."""
        self._low, self._high = low, high
        self._entry = [entry for entry, _ in variants]
        docs = [char_wb_ngrams(text, low, high) for _, text in variants]
        df = Counter(gram for doc in docs for gram in doc)
        n = len(docs)
        self._idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items() if c <= max_df * n}
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for vi, doc in enumerate(docs):
            vector = {g: tf * self._idf[g] for g, tf in doc.items() if g in self._idf}
            norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
            for g, w in vector.items():
                self._postings[g].append((vi, w / norm))

    def rank(self, text: str, limit: int = 5) -> list[tuple[int, float]]:
        """The best `limit` (entry index, cosine) pairs for normalized `text`, best first."""
        vector = {
            g: tf * self._idf[g] for g, tf in char_wb_ngrams(text, self._low, self._high).items() if g in self._idf
        }
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm:
            return []
        dots: dict[int, float] = defaultdict(float)
        for g, w in vector.items():
            for vi, dw in self._postings[g]:
                dots[vi] += w * dw
        best: dict[int, float] = {}
        for vi, dot in dots.items():
            entry = self._entry[vi]
            if dot > best.get(entry, -1.0):
                best[entry] = dot
        return sorted(((e, s / norm) for e, s in best.items()), key=lambda es: (-es[1], es[0]))[:limit]
