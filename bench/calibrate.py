"""Calibrate the matcher's weights and thresholds on the *tune* split only.

Run:  python bench/calibrate.py [--eval tests/data/eval.yaml]

Prints the best settings by this rule (truth first: a confident wrong answer is the
worst outcome): among settings that give no confident answer to any post-vote
question the sources cannot answer (tests/data/postvote.yaml), to any out-of-scope
question, and no confident wrong answer, maximize confident right answers, then
in-scope top-1 (answer or first suggestion right), then the share of out-of-scope
questions that get an honest reply (fallback or known unknown) instead of
suggestions. The held-out splits are reported for the chosen setting but never used
to choose it.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from pathlib import Path

from bot.config import load_config
from bot.kb.knowledge import KnowledgeBase
from bot.nlu.evaluation import evaluate, load_eval_set, load_postvote_set
from bot.nlu.matcher import Matcher, Weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # The labelled sets are about Blora 2024: their knowledge base is the frozen test copy, whatever is shipped.
    parser.add_argument("--config", type=Path, default=Path("tests/data/blora2024/config.yaml"))
    parser.add_argument("--eval", type=Path, default=Path("tests/data/eval.yaml"))
    parser.add_argument("--postvote", type=Path, default=Path("tests/data/postvote.yaml"))
    args = parser.parse_args()
    config = load_config(args.config)
    kb = KnowledgeBase.load(config.knowledge)
    items = load_eval_set(args.eval, (e.id for e in kb.entries))
    unanswerable = load_postvote_set(args.postvote)
    tune = [i for i in items if i.split == "tune"] + [i for i in unanswerable if i.split == "tune"]
    heldout = [i for i in items if i.split == "heldout"] + [i for i in unanswerable if i.split == "heldout"]
    best = None
    for cov, var, unknown, penalty, filler in itertools.product(
        (0.4, 0.5, 0.6), (0.2, 0.3, 0.4), (1.2, 1.5, 2.0), (0.6,), (0.3, 0.5)
    ):
        if cov + var > 0.95:
            continue
        weights = Weights(cov, var, unknown, penalty, filler)
        matcher = Matcher.for_knowledge(kb, config.matching, weights)
        # Rank once per weighting; thresholds only change the decision on top of it.
        ranked = {item.question: matcher.rank(item.question, limit=3) for item in tune}
        for answer, known, suggest, margin, unknown_margin in itertools.product(
            range(52, 82, 2), range(40, 82, 3), (30, 35, 40, 45, 50), (0, 3, 6, 9), (0, 5, 10, 15)
        ):
            if not suggest <= known <= answer:
                continue
            settings = dataclasses.replace(
                config.matching,
                answer_threshold=answer,
                known_words_threshold=known,
                suggest_threshold=suggest,
                margin=margin,
                unknown_margin=unknown_margin,
            )
            report = evaluate(lambda q, s=settings, r=ranked, m=matcher: m.decide(r[q], s), tune)["tune"]
            if report.unanswerable_answered or report.oos_wrongly_answered > 0 or report.wrong_answer_rate > 0:
                continue
            # Then prefer the honest fallback over suggestions for out-of-scope questions:
            # "did you mean: Ketua KPU?" for "siapa calon bupati" helps nobody.
            key = (
                round(report.answer_accuracy, 1),
                round(report.top1_accuracy, 1),
                report.oos_rejection,
                round(report.oos_fallback_rate, 1),
                -margin,
                -unknown_margin,
            )
            if best is None or key > best[0]:
                best = (key, weights, settings)
    if best is None:
        print("no setting meets the out-of-scope limits on the tune split")
        return
    _, weights, settings = best
    print(f"weights: {weights}")
    print(
        f"thresholds: answer={settings.answer_threshold} known_words={settings.known_words_threshold} "
        f"suggest={settings.suggest_threshold} margin={settings.margin} unknown_margin={settings.unknown_margin}"
    )
    matcher = Matcher.for_knowledge(kb, settings, weights)
    for name, part in (("tune", tune), ("heldout", heldout)):
        r = evaluate(matcher.match, part)[name]
        print(
            f"{name:8} top-1 {r.top1_accuracy:5.1f}%  answered {r.answer_accuracy:5.1f}%  "
            f"reached {r.reached_rate:5.1f}%  wrong-ans {r.wrong_answer_rate:4.1f}%  oos-rej {r.oos_rejection:5.1f}%  "
            f"unanswerable answered {r.unanswerable_answered}/{r.unanswerable}"
        )


if __name__ == "__main__":
    main()
