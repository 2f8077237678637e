"""Train the decision model (bot/nlu/decision.py) on labelled questions; choose its operating point.

Used by `pilkada-bot train` (staff with their own labelled questions) and by
bench/train_decision.py (the figures in docs/matching.md). The label of a question is
whether the matcher's best-ranked entry is the one it expects; the model learns when
that is so from signals that name no entry.

The operating point comes from cross-validation: every training question gets a
probability from a model that did not see it (k folds), and `answer_at` is the
probability at which those out-of-fold answers gain the most, a confident wrong answer
costing `wrong_cost` right ones (docs/matching.md says why not zero). Pure but for what
the matcher does; no third-party packages.
"""

from __future__ import annotations

import bisect
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.config import MatchingConfig
from bot.kb.knowledge import KnowledgeBase
from bot.nlu.decision import FEATURES, DecisionModel, fit, word_rates, worst_rate
from bot.nlu.evaluation import EvalItem
from bot.nlu.matcher import Matcher

# L2 penalty of the fit: chosen on the corpus's dev split among 0.3, 1, 3 and 10 (bench/train_decision.py
# --l2; docs/matching.md). Stronger than 1 keeps plain questions ("kapan pilkada?") clear of the
# answer point, which the weaker fit put them on the edge of.
L2 = 10.0
SEEDS = (7, 8, 9, 10, 11)  # cross-validation draws whose gains, averaged, choose the operating point


@dataclass(frozen=True, slots=True)
class Example:
    question: str
    expect: str | None
    top: str | None  # the best-ranked entry
    signals: dict[str, float]

    unknowns: frozenset[str] = frozenset()  # the knowledge base's known-unknown ids
    missing: tuple[str, ...] = ()  # the question's words the best entry does not know

    @property
    def states(self) -> bool:
        """Whether answering with the best entry states facts (a known unknown says it does not know)."""
        return self.top not in self.unknowns

    @property
    def right(self) -> int:
        """Answering with the best entry is right: it is the one expected, or it is a known unknown
        ("the sources do not say; ask the KPU office") for a question no answer entry answers."""
        if self.top == self.expect:
            return 1
        return int(not self.states and (self.expect is None or self.expect in self.unknowns))


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    answer_at: float
    suggest_at: float
    answered_right: int  # out-of-fold, at this point
    answered_wrong: int
    right_first: int  # questions whose best-ranked entry is right
    total: int


def example(matcher: Matcher, question: str, expect: str | None) -> Example:
    """What `matcher` ranks first for `question`, with the signals the model reads."""
    ranking = matcher.rank(question, limit=max(matcher.settings.max_suggestions, 3))
    top = ranking.candidates[0].entry_id if ranking.candidates else None
    missing = matcher.missing_terms(ranking)
    return Example(question, expect, top, matcher.signals(ranking, missing), matcher.unknown_ids, missing)


def examples(matcher: Matcher, items: Sequence[EvalItem]) -> list[Example]:
    return [example(matcher, item.question, item.expect) for item in items]


def variant_examples(kb: KnowledgeBase, settings: MatchingConfig, every: int = 1) -> list[Example]:
    """The knowledge base's own question variants, each asked of the knowledge base without it.

    Plain questions close to what the entries say: they teach the model what a clear match
    looks like, which the harder labelled questions rarely show. `every`: use every n-th variant.
    """
    out: list[Example] = []
    for ei, entry in enumerate(kb.entries):
        for qi, question in enumerate(entry.questions):
            if (ei + qi) % every:
                continue
            others = entry.questions[:qi] + entry.questions[qi + 1 :]
            entries = (*kb.entries[:ei], replace(entry, questions=others), *kb.entries[ei + 1 :])
            matcher = Matcher.for_knowledge(replace(kb, entries=entries), settings, model=None)
            out.append(example(matcher, question, entry.id))
    return [e for e in out if e.signals]


def out_of_fold(data: Sequence[Example], folds: int = 5, l2: float = L2, seed: int = 7) -> list[float]:
    """Each example's probability from a model trained on the other folds."""
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    probs = [0.0] * len(data)
    for f in range(folds):
        held = set(order[f::folds])
        train = [data[i] for i in range(len(data)) if i not in held and data[i].signals]
        model = _model(train, l2, 1.0, 0.0)
        for i in held:
            probs[i] = model.probability(data[i].signals, data[i].missing) if data[i].signals else 0.0
    return probs


def choose_point(
    data: Sequence[Example], probs: Sequence[float], wrong_cost: float = 10.0, suggest_recall: float = 0.98
) -> OperatingPoint:
    """The answer probability that maximizes right answers minus `wrong_cost` x wrong ones (out of fold).

    A confident wrong answer misleads a voter; a right one not given costs a tap on
    "did you mean". `wrong_cost` says how many of the second one of the first is worth.
    `suggest_at`: low enough that `suggest_recall` of the questions whose best entry is right
    still get at least a "did you mean".
    """
    return choose_point_over(data, [probs], wrong_cost, suggest_recall)


def choose_point_over(
    data: Sequence[Example],
    draws: Sequence[Sequence[float]],
    wrong_cost: float = 10.0,
    suggest_recall: float = 0.98,
) -> OperatingPoint:
    """`choose_point` over several cross-validation draws: the point whose gain, averaged over the draws, is
    highest. One draw's best point moves with which questions share a fold (by 0.04 when one question
    variant was added); the average gain is flat where that happens, and its peak stays put."""
    columns = []
    for probs in draws:
        ranked = sorted(zip(probs, data, strict=True), key=lambda pd: -pd[0])
        right = wrong = 0
        counts = []
        for _, ex in ranked:
            right += ex.right
            wrong += not ex.right and ex.states  # a wrong known unknown misses an answer but states nothing false
            counts.append((right, wrong))
        columns.append(([-p for p, _ in ranked], counts))
    candidates = sorted({p for probs in draws for p in probs}, reverse=True)

    def at(t: float) -> tuple[float, float]:
        """Mean right and wrong answers over the draws when answering at P >= t."""
        total_right = total_wrong = 0
        for negated, counts in columns:
            n = bisect.bisect_right(negated, -t)
            if n:
                total_right += counts[n - 1][0]
                total_wrong += counts[n - 1][1]
        return total_right / len(columns), total_wrong / len(columns)

    answer_at, best, gain = 1.0, (0.0, 0.0), 0.0
    for i, t in enumerate(candidates):
        mean_right, mean_wrong = at(t)
        if mean_right - wrong_cost * mean_wrong > gain:
            # Halfway to the next probability down: any point in between answers the same questions
            # here, and the middle leaves the most room on either side for questions not seen.
            below = candidates[i + 1] if i + 1 < len(candidates) else 0.0
            answer_at, best = (t + below) / 2, (mean_right, mean_wrong)
            gain = mean_right - wrong_cost * mean_wrong
    cuts = []
    for probs in draws:
        rights = sorted((p for p, ex in zip(probs, data, strict=True) if ex.right), reverse=True)
        if rights:
            cuts.append(rights[min(len(rights) - 1, int(len(rights) * suggest_recall))])
    suggest_at = min(statistics.median(cuts), answer_at) if cuts else answer_at
    right_first = sum(1 for ex in data if ex.right)
    return OperatingPoint(answer_at, suggest_at, round(best[0]), round(best[1]), right_first, len(data))


def train(
    matcher: Matcher,
    items: Sequence[EvalItem],
    *,
    folds: int = 5,
    l2: float = L2,
    wrong_cost: float = 10.0,
    trained_on: str = "",
    extra: Sequence[Example] = (),
) -> tuple[DecisionModel, OperatingPoint]:
    """A model fitted on all of `items` (and `extra` examples), with the operating point cross-validation chose.

    The operating point is chosen on `items` only: they are what users ask.
    """
    data = [e for e in examples(matcher, items) if e.signals]
    if len(data) < 2 * folds or not any(e.right for e in data) or all(e.right for e in data):
        raise ValueError(
            f"training needs at least {2 * folds} questions with a ranking, some answered right and some not"
        )
    draws = [out_of_fold([*data, *extra], folds, l2, seed)[: len(data)] for seed in SEEDS]
    point = choose_point_over(data, draws, wrong_cost)
    return _model([*data, *extra], l2, point.answer_at, point.suggest_at, trained_on), point


def _model(
    data: Sequence[Example], l2: float, answer_at: float, suggest_at: float, trained_on: str = ""
) -> DecisionModel:
    labels = [e.right for e in data]
    rates, prior = word_rates([e.missing for e in data], labels)
    rows = [{**e.signals, "missing_rate": worst_rate(e.missing, rates, prior)} for e in data]
    weights, bias, means, scales = fit(rows, labels, FEATURES, l2)
    return DecisionModel(
        FEATURES, weights, bias, means, scales, answer_at, suggest_at, trained_on, word_rates=rates, word_prior=prior
    )
