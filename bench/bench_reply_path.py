"""Reply-path latency: every corpus question through the whole reply (small talk, claim check, matcher).

    python bench/bench_reply_path.py [--repeat 3]

Prints the median and p99 per message for the reply path and for the matcher alone, per pass;
the target is a median of 1 ms or less (issue #21). Quote one run's figures, with the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bot.nlu.evaluation import load_eval_set
from bot.pipeline import Pipeline


def _ms(fn: object, questions: list[str]) -> list[float]:
    assert callable(fn)
    out: list[float] = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # The labelled sets are about Blora 2024: their knowledge base is the frozen test copy, whatever is shipped.
    parser.add_argument("--config", type=Path, default=Path("tests/data/blora2024/config.yaml"))
    parser.add_argument("--corpus", type=Path, default=Path("tests/data/corpus.yaml"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pipeline = Pipeline.load(args.config)
    questions = [i.question for i in load_eval_set(args.corpus, (e.id for e in pipeline.kb.entries))]
    for q in questions[:50]:  # warm the typo cache as a running bot has it
        pipeline.replies.for_question(q)
    print(f"{len(questions)} questions; load average {os.getloadavg()[0]:.2f}")
    for n in range(args.repeat):
        reply = _ms(pipeline.replies.for_question, questions)
        match = _ms(pipeline.matcher.match, questions)
        p99 = int(len(reply) * 0.99)
        print(
            f"pass {n + 1}: reply path median {statistics.median(reply):.3f} ms, p99 {reply[p99]:.2f} ms; "
            f"matcher median {statistics.median(match):.3f} ms, p99 {match[p99]:.2f} ms"
        )


if __name__ == "__main__":
    main()
