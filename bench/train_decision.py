"""Train the shipped decision model on the corpus's train split and print the figures.

Run:  python bench/train_decision.py [--corpus tests/data/corpus.yaml] [--write]

Trains on the corpus's train split, the older sets' tune splits, and the sealed fresh sets
that have had their first run (`--fresh-splits`: written by people who read only the
articles, run once before they were trained on: fresh5-16 by default; the later ones stay out, to be measured).
Prints, for the hand-set thresholds (config.yaml) and for the learned model:
the cross-validated operating point on train, and the evaluation (as the user sees it,
claim check included) on the corpus's dev split, the fresh sets left out and the older
labelled sets. With --write, the model goes to bot/nlu/decision_model.json (the one the bot ships).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.nlu.decision import DEFAULT_MODEL
from bot.nlu.evaluation import evaluate, format_report, load_eval_set, load_postvote_set
from bot.nlu.training import L2, train, variant_examples
from bot.pipeline import Pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # The labelled sets are about Blora 2024: their knowledge base is the frozen test copy, whatever is shipped.
    parser.add_argument("--config", type=Path, default=Path("tests/data/blora2024/config.yaml"))
    parser.add_argument("--corpus", type=Path, default=Path("tests/data/corpus.yaml"))
    parser.add_argument("--eval", type=Path, default=Path("tests/data/eval.yaml"))
    parser.add_argument("--postvote", type=Path, default=Path("tests/data/postvote.yaml"))
    parser.add_argument("--fresh", type=Path, default=Path("tests/data/heldout_fresh.yaml"))
    parser.add_argument(
        "--fresh-splits",
        default=",".join(f"fresh{n}" for n in range(5, 17)),
        help="fresh sets to train on (comma-separated; the others are evaluated)",
    )
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--write", action="store_true", help=f"write the model to {DEFAULT_MODEL}")
    args = parser.parse_args()
    pipeline = Pipeline.load(args.config)
    ids = [e.id for e in pipeline.kb.entries]
    corpus = load_eval_set(args.corpus, ids)
    others = load_eval_set(args.eval, ids) + load_postvote_set(args.postvote)
    fresh = load_eval_set(args.fresh, ids) if args.fresh.exists() else []
    chosen_fresh = {s for s in args.fresh_splits.split(",") if s}
    # The corpus's train split, the older sets' tune splits (plainer questions, written beside the KB),
    # and the fresh sets already run once (questions nobody tuned on, from seven more writers).
    train_items = (
        [i for i in corpus if i.split == "train"]
        + [i for i in others if i.split == "tune"]
        + [i for i in fresh if i.split in chosen_fresh]
    )
    variants = variant_examples(pipeline.kb, pipeline.config.matching)
    print(
        f"{len(variants)} question variants, each asked of the KB without it: best entry right for "
        f"{sum(v.right for v in variants)}"
    )
    model, point = train(
        pipeline.matcher,
        train_items,
        extra=variants,
        l2=args.l2,
        trained_on=f"{args.corpus} split train + {args.eval} and {args.postvote} split tune + {args.fresh} splits "
        f"{','.join(sorted(chosen_fresh))} ({len(train_items)}), "
        f"+ {len(variants)} KB question variants left out one at a time",
    )
    print(
        f"train: {point.total} questions, best entry right for {point.right_first}; cross-validated: "
        f"{point.answered_right} answered right, {point.answered_wrong} wrong at P >= {point.answer_at:.3f}; "
        f"suggest at P >= {point.suggest_at:.3f}"
    )
    for name, weight in sorted(zip(model.features, model.weights, strict=True), key=lambda fw: -abs(fw[1])):
        print(f"  {name:<18} {weight:+.3f}")
    sets = [i for i in corpus if i.split != "train"] + [i for i in fresh if i.split not in chosen_fresh] + others
    for label, chosen in (("hand-set thresholds", None), ("learned decision", model)):
        candidate = Pipeline.from_parts(pipeline.config, pipeline.kb, model=chosen)
        reports = evaluate(candidate.matcher.match, sets, candidate.claim_verdict)
        print(f"\n== {label}")
        print(format_report(reports, show_misses=False).split("\ntop-1:")[0])
    if args.write:
        DEFAULT_MODEL.write_text(model.to_json(), encoding="utf-8")
        print(f"\nwrote {DEFAULT_MODEL}")


if __name__ == "__main__":
    main()
