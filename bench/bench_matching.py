"""Matching latency and accuracy: our matcher vs plain rapidfuzz extractOne, by KB size.

    python bench/bench_matching.py            # shipped KB, 1 000 and 10 000 entries
    python bench/bench_matching.py --sizes 0 1000

Size 0 is the shipped KB with tests/data/eval.yaml as queries; larger sizes are
synthetic KBs (bench/synthetic_kb.py) queried with one unseen phrasing per entry
(sampled) plus made-up out-of-scope questions. Both matchers see the same variants
and the same queries in the same run. Prints a table and writes
bench/results/matching.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import write_results
from synthetic_kb import write_kb

from bot.nlu.evaluation import load_eval_set
from bot.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
QUERIES_PER_SIZE = 400


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(fn, queries: list[str], repeat: int) -> tuple[list[float], list[object]]:  # type: ignore[no-untyped-def]
    """Per-query latency in ms (median over `repeat` runs) and the last run's results."""
    per_query: list[list[float]] = [[] for _ in queries]
    results: list[object] = []
    for _ in range(repeat):
        results = []
        for i, q in enumerate(queries):
            start = time.perf_counter_ns()
            results.append(fn(q))
            per_query[i].append((time.perf_counter_ns() - start) / 1e6)
    return [statistics.median(v) for v in per_query], results


def bench_size(size: int, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        if size == 0:
            pipeline = Pipeline.load(ROOT / "config.yaml")
            items = load_eval_set(ROOT / "tests/data/eval.yaml")
            labelled = [(i.question, i.expect) for i in items]
        else:
            queries = write_kb(size, Path(tmp))
            pipeline = Pipeline.load(Path(tmp) / "config.yaml")
            rng = random.Random(size)
            sample = rng.sample(queries, min(QUERIES_PER_SIZE, len(queries)))
            labelled = [(q, e) for q, e in sample]
            labelled += [(f"berapa harga {w} di pasar", None) for w in ("beras", "cabai", "gula", "minyak")] * 10
    kb = pipeline.kb
    variants: list[str] = []
    owners: list[str] = []
    for entry in kb.entries:
        for question in entry.questions:
            variants.append(question.lower())
            owners.append(entry.id)
    questions = [q for q, _ in labelled]
    ours_ms, ours = timed(pipeline.matcher.match, questions, repeat)

    def plain(q: str) -> tuple[str, float] | None:
        best = process.extractOne(q.lower(), variants, scorer=fuzz.WRatio)
        return (owners[best[2]], best[1]) if best else None

    plain_ms, plain_results = timed(plain, questions, repeat)

    in_scope = [(i, e) for i, (_, e) in enumerate(labelled) if e is not None]
    ours_right = sum(
        1
        for i, e in in_scope
        if (ours[i].entry_id or (ours[i].suggestions[0] if ours[i].suggestions else None)) == e  # type: ignore[attr-defined]
    )
    ours_answered = sum(1 for i, e in in_scope if ours[i].entry_id == e)  # type: ignore[attr-defined]
    plain_right = sum(1 for i, e in in_scope if plain_results[i] and plain_results[i][0] == e)  # type: ignore[index]
    return {
        "size": len(kb.entries),
        "variants": len(variants),
        "queries": len(questions),
        "ours_median_ms": statistics.median(ours_ms),
        "ours_p99_ms": percentile(ours_ms, 99),
        "plain_median_ms": statistics.median(plain_ms),
        "plain_p99_ms": percentile(plain_ms, 99),
        "ratio_median": statistics.median(ours_ms) / statistics.median(plain_ms),
        "ratio_p99": percentile(ours_ms, 99) / percentile(plain_ms, 99),
        "ours_top1_pct": 100 * ours_right / len(in_scope),
        "ours_answered_pct": 100 * ours_answered / len(in_scope),
        "plain_top1_pct": 100 * plain_right / len(in_scope),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [bench_size(size, args.repeat if size <= 1000 else 3) for size in args.sizes]
    print(
        "| entries | variants | queries | ours median ms | ours p99 ms | extractOne median ms | extractOne p99 ms "
        "| p99 ratio | ours top-1 % | extractOne top-1 % |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['size']} | {r['variants']} | {r['queries']} | {r['ours_median_ms']:.3f} | {r['ours_p99_ms']:.3f} "
            f"| {r['plain_median_ms']:.3f} | {r['plain_p99_ms']:.3f} | {r['ratio_p99']:.2f} "
            f"| {r['ours_top1_pct']:.1f} | {r['plain_top1_pct']:.1f} |"
        )
    write_results(
        "matching.json",
        "bench_matching.py",
        {
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
