"""Run sealed question sets once through the reply path and print the figures, as docs/matching.md reports them.

    python bench/first_run.py --eval tests/data/heldout_fresh.yaml --splits fresh7

As the user sees it (claim check included). For a held-out set's first run: run it once,
keep the output (bench/results/), report it even when it is bad.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.nlu.evaluation import evaluate, format_report, load_eval_set
from bot.pipeline import Pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # The labelled sets are about Blora 2024: their knowledge base is the frozen test copy, whatever is shipped.
    parser.add_argument("--config", type=Path, default=Path("tests/data/blora2024/config.yaml"))
    parser.add_argument("--eval", type=Path, required=True)
    parser.add_argument("--splits", required=True, help="comma-separated split names")
    args = parser.parse_args()
    pipeline = Pipeline.load(args.config)
    wanted = set(args.splits.split(","))
    items = [i for i in load_eval_set(args.eval, (e.id for e in pipeline.kb.entries)) if i.split in wanted]
    print(format_report(evaluate(pipeline.matcher.match, items, pipeline.claim_verdict)))


if __name__ == "__main__":
    main()
