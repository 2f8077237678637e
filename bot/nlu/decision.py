"""When to answer: a learned probability that the best-ranked entry is the right answer.

The matcher ranks entries; this module turns the ranking's signals into a calibrated
probability and the outcome (answer, "did you mean", or the honest fallback). It
replaces hand-set score thresholds, which had reached their limit (docs/matching.md).

The model is a logistic regression over signals that never name an entry (scores,
margins, coverage, unknown words, what the question asks for against what the answer
holds, message length), so it carries over to another election's knowledge base. It
is trained by `pilkada-bot train` (or bench/train_decision.py for the figures) on
labelled questions, and shipped as a small JSON file read with no extra dependency.
Pure: no I/O except `DecisionModel.load`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The signals, in the model file's order. Each is a float; see Matcher.signals for their meaning.
FEATURES: tuple[str, ...] = (
    "score",  # best entry's blended score, 0-1
    "margin",  # its lead over the runner-up, 0-1
    "coverage",  # share of the question's weight the entry knows
    "variant_f1",  # overlap with its best question variant
    "fuzzy",  # rapidfuzz token_sort_ratio with that variant
    "runner_up",  # the runner-up's score, 0-1
    "unknown_words",  # content words no entry knows (capped at 3, /3)
    "unknown_share",  # share of the question's weight on those words
    "length",  # log(1 + tokens)
    "known_unknown",  # 1 if the best entry is a known unknown (the sources cannot say)
    "unknown_behind",  # a known unknown within 10 points of a factual best entry
    "unknown_only_word",  # the question uses a word only a known unknown knows
    "asks_detail",  # the question asks for a date, figure, person or place
    "asks_missing",  # ... and the best entry's answer holds no fact of a kind it asks ("persentase ... brp" of a count)
    "number_missing",  # a year or figure in the question that the entry never mentions
    "from_segment",  # the best score came from one sentence of a long message
    "question",  # the message asks (a question mark or a question word)
    "states_facts",  # the best entry's answer states facts (dates, figures, names)
    "missing_max",  # the weightiest question word the best entry does not know (0-1): "ketua BAWASLU blora"
    "missing_words",  # content words the best entry does not know (capped at 3, /3)
    "fit_margin",  # the lead over the best runner-up that holds what is asked (a date, a place...)
    "ngram_agree",  # the character n-gram ranker (bot/nlu/ngrams.py) also ranks the best entry first
    "ngram_rank",  # where it ranks it (1-5, 6 if not in its five), /6
    "ngram_ratio",  # its score for the best entry over its own best score
    "missing_rate",  # of the words the best entry does not know, the worst one's rate of right answers (below)
)

# How many right answers' worth of the overall rate a word's own rate starts from: a word seen
# once moves little. Chosen by cross-validation on the training questions (docs/matching.md).
WORD_SMOOTHING = 3.0


@dataclass(frozen=True, slots=True)
class DecisionModel:
    """Weights over standardized FEATURES, and the probabilities at which to answer or suggest."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    answer_at: float  # answer when P(right) >= this
    suggest_at: float  # "did you mean" when P(right) >= this (and the score clears the suggest floor)
    trained_on: str = ""  # what it was trained on, for the record
    # A word the best entry does not know, and how often the best entry was right when such a word was
    # missing from it, in training: "persen", "jumlah", "jam" ask what it lacks; "nyuwun", "instansi" do not.
    # Words, not entries: another knowledge base reads the same table (a word never seen has the prior).
    word_rates: Mapping[str, float] = field(default_factory=dict)
    word_prior: float = 1.0

    def probability(self, signals: Mapping[str, float], missing: Iterable[str] = ()) -> float:
        """P(the best entry is right), from its signals and the words of the question it does not know."""
        values = {**signals, "missing_rate": self.missing_rate(missing)}
        z = self.bias
        for name, w, m, s in zip(self.features, self.weights, self.means, self.scales, strict=True):
            z += w * (values.get(name, 0.0) - m) / s
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def missing_rate(self, missing: Iterable[str]) -> float:
        """The lowest rate of right answers among `missing` words (1.0 when the entry knows every word)."""
        return worst_rate(missing, self.word_rates, self.word_prior)

    @classmethod
    def load(cls, path: Path) -> DecisionModel:
        """Read a model file; raise ValueError with the path on anything malformed."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            features = tuple(str(f) for f in raw["features"])
            model = cls(
                features,
                tuple(float(w) for w in raw["weights"]),
                float(raw["bias"]),
                tuple(float(m) for m in raw["means"]),
                tuple(float(s) for s in raw["scales"]),
                float(raw["answer_at"]),
                float(raw["suggest_at"]),
                str(raw.get("trained_on", "")),
                {str(w): float(r) for w, r in dict(raw.get("word_rates", {})).items()},
                float(raw.get("word_prior", 1.0)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a decision model ({exc})") from exc
        if not (len(model.weights) == len(model.means) == len(model.scales) == len(features)):
            raise ValueError(f"{path}: features, weights, means and scales differ in length")
        if any(not s > 0 for s in model.scales):
            raise ValueError(f"{path}: every scale must be positive")
        if any(not 0.0 <= r <= 1.0 for r in (*model.word_rates.values(), model.word_prior)):
            raise ValueError(f"{path}: word rates and the prior must be between 0 and 1")
        if unknown := set(features) - set(FEATURES):
            raise ValueError(f"{path}: unknown features {sorted(unknown)}")
        return model

    def to_json(self) -> str:
        data = {
            "trained_on": self.trained_on,
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "means": [round(m, 6) for m in self.means],
            "scales": [round(s, 6) for s in self.scales],
            "answer_at": round(self.answer_at, 4),
            "suggest_at": round(self.suggest_at, 4),
            "word_prior": round(self.word_prior, 4),
            "word_rates": {w: round(r, 3) for w, r in sorted(self.word_rates.items())},
        }
        return json.dumps(data, indent=1) + "\n"


DEFAULT_MODEL = Path(__file__).with_name("decision_model.json")


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    features: Sequence[str] = FEATURES,
    l2: float = 1.0,
    iterations: int = 50,
) -> tuple[tuple[float, ...], float, tuple[float, ...], tuple[float, ...]]:
    """L2-regularized logistic regression by Newton's method (a few features: no numpy needed).

    Returns (weights, bias, means, scales) for standardized features.
    """
    n, k = len(rows), len(features)
    if n == 0 or len(labels) != n:
        raise ValueError("fit needs as many labels as rows, and at least one row")
    columns = [[float(r.get(f, 0.0)) for r in rows] for f in features]
    means = [sum(c) / n for c in columns]
    # A signal that (nearly) never varies here is left unscaled: the model file rounds to 6 places.
    scales = [_spread(c, m) for c, m in zip(columns, means, strict=True)]
    x = [[1.0] + [(columns[j][i] - means[j]) / scales[j] for j in range(k)] for i in range(n)]
    beta = [0.0] * (k + 1)
    for _ in range(iterations):
        grad = [0.0] * (k + 1)
        hess = [[0.0] * (k + 1) for _ in range(k + 1)]
        for xi, yi in zip(x, labels, strict=True):
            z = sum(b * v for b, v in zip(beta, xi, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            w = p * (1 - p)
            for a in range(k + 1):
                grad[a] += (yi - p) * xi[a]
                wa = w * xi[a]
                row = hess[a]
                for b in range(a, k + 1):
                    row[b] += wa * xi[b]
        for a in range(k + 1):
            for b in range(a):
                hess[a][b] = hess[b][a]
        for a in range(1, k + 1):  # the bias is not shrunk
            grad[a] -= l2 * beta[a]
            hess[a][a] += l2
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return tuple(beta[1:]), beta[0], tuple(means), tuple(scales)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b for a small symmetric positive definite `a` (Gaussian elimination with pivoting)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            if f:
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) < 1e-12:
            continue
        out[r] = (m[r][n] - sum(m[r][c] * out[c] for c in range(r + 1, n))) / m[r][r]
    return out


def word_rates(
    missing: Sequence[Iterable[str]], labels: Sequence[int], smoothing: float = WORD_SMOOTHING, least: int = 2
) -> tuple[dict[str, float], float]:
    """Each word's smoothed rate of right answers among the questions whose best entry did not know it, and
    the prior: the rate among the words missing fewer than `least` times, which keep it (the table stays small).
    A word rarely seen is mostly a new topic ("bioskop"), and a new word is read as one of them."""
    overall = sum(labels) / len(labels) if labels else 1.0
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for words, label in zip(missing, labels, strict=True):
        for w in set(words):
            seen[w] += 1
            right[w] += label
    rare = [w for w, n in seen.items() if n < least]
    prior = (sum(right[w] for w in rare) + smoothing * overall) / (sum(seen[w] for w in rare) + smoothing)
    rates = {w: (right[w] + smoothing * overall) / (n + smoothing) for w, n in seen.items() if n >= least}
    return rates, prior


def worst_rate(missing: Iterable[str], rates: Mapping[str, float], prior: float) -> float:
    """The lowest of `missing` words' rates (`prior` for a word not in `rates`); 1.0 for no word."""
    return min((rates.get(w, prior) for w in missing), default=1.0)


def _spread(column: Sequence[float], mean: float) -> float:
    std = math.sqrt(sum((v - mean) ** 2 for v in column) / len(column))
    return std if std >= 1e-4 else 1.0
