"""Compare our matcher with plain baselines on the same KB and the same evaluation set.

Run from the repository root:  python bench/compare_matchers.py [--eval tests/data/eval.yaml]

Matchers, all over the question variants of knowledge/entries.yaml (an entry scores
as its best variant):

- ours: `Pipeline.matcher.match` with the thresholds shipped in config.yaml (not re-tuned);
- WRatio: `rapidfuzz.process.extractOne(query.lower(), variants, scorer=fuzz.WRatio)`;
- TF-IDF: cosine over character 2-4-grams within word boundaries (sklearn's `char_wb`,
  smoothed IDF, L2 norm), written with the stdlib;
- BM25: Okapi (k1=1.5, b=0.75, Lucene's non-negative IDF) over lower-cased words.

Each baseline answers when its best score reaches one threshold, chosen on the *tune*
split by the rule of bench/calibrate.py: among thresholds with at most 3 % of
out-of-scope questions answered and at most 2 % of in-scope questions answered wrongly,
maximize confident right answers. The "+ suggest band" rows add a "did you mean" band
below that threshold, set on the tune split so that the same share of out-of-scope
questions gets the honest fallback as with our matcher. The held-out split is reported,
never used to choose. Prints Markdown tables (held-out, then tune) and writes
bench/results/compare_matchers.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import rapidfuzz
from rapidfuzz import fuzz, process

from bot.nlu.evaluation import EvalItem, Predict, SplitReport, evaluate, load_eval_set
from bot.nlu.matcher import Candidate, MatchResult
from bot.nlu.ngrams import char_wb_ngrams
from bot.pipeline import Pipeline

SPLITS = ("heldout", "tune")
MAX_OOS_ANSWERED = 3.0  # % of out-of-scope questions answered (bench/calibrate.py)
MAX_WRONG_ANSWERS = 2.0  # % of in-scope questions answered with the wrong entry
MAX_SUGGESTIONS = 3
_WORD = re.compile(r"\w+")

Ranker = Callable[[str], tuple[Candidate, ...]]


class Baseline(Protocol):
    name: str

    def rank(self, query: str) -> tuple[Candidate, ...]: ...


@dataclass(frozen=True, slots=True)
class Variant:
    entry_id: str
    text: str  # lower-cased question variant


def _candidates(scores: dict[int, float], variants: Sequence[Variant], limit: int = 5) -> tuple[Candidate, ...]:
    """Entries by their best variant's score, best first (ties: KB order)."""
    best: dict[str, tuple[float, int]] = {}
    for vi in sorted(scores):
        entry_id = variants[vi].entry_id
        if scores[vi] > best.get(entry_id, (-math.inf, -1))[0]:
            best[entry_id] = (scores[vi], vi)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
    return tuple(Candidate(eid, score, 0.0, 0.0, 0.0, variants[vi].text) for eid, (score, vi) in ranked)


class WRatioBaseline:
    name = "`extractOne`, WRatio"

    def __init__(self, variants: Sequence[Variant]) -> None:
        self._variants = variants
        self._texts = [v.text for v in variants]

    def rank(self, query: str) -> tuple[Candidate, ...]:
        hit = process.extractOne(query.lower(), self._texts, scorer=fuzz.WRatio)
        if hit is None:
            return ()
        text, score, index = hit
        return (Candidate(self._variants[index].entry_id, score, 0.0, 0.0, 0.0, text),)


class TfidfBaseline:
    name = "TF-IDF, char 2–4-grams"

    def __init__(self, variants: Sequence[Variant]) -> None:
        self._variants = variants
        docs = [char_wb_ngrams(v.text) for v in variants]
        df = Counter(gram for doc in docs for gram in doc)
        n = len(docs)
        self._idf = {gram: math.log((1 + n) / (1 + count)) + 1 for gram, count in df.items()}
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for vi, doc in enumerate(docs):
            vector = {gram: tf * self._idf[gram] for gram, tf in doc.items()}
            norm = math.sqrt(sum(w * w for w in vector.values()))
            for gram, w in vector.items():
                self._postings[gram].append((vi, w / norm))

    def rank(self, query: str) -> tuple[Candidate, ...]:
        # Like a fitted sklearn vectorizer, n-grams no variant contains are dropped before the norm.
        vector = {g: tf * self._idf[g] for g, tf in char_wb_ngrams(query).items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm:
            return ()
        dots: dict[int, float] = defaultdict(float)
        for gram, w in vector.items():
            for vi, dw in self._postings[gram]:
                dots[vi] += w * dw / norm
        return _candidates(dots, self._variants)


class Bm25Baseline:
    name = "BM25, words"

    def __init__(self, variants: Sequence[Variant], k1: float = 1.5, b: float = 0.75) -> None:
        self._variants = variants
        docs = [Counter(_WORD.findall(v.text)) for v in variants]
        lengths = [sum(doc.values()) for doc in docs]
        avgdl = sum(lengths) / len(docs)
        n = len(docs)
        df = Counter(word for doc in docs for word in doc)
        idf = {word: math.log(1 + (n - count + 0.5) / (count + 0.5)) for word, count in df.items()}
        # A variant's contribution per query word does not depend on the query: precompute it.
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for vi, (doc, length) in enumerate(zip(docs, lengths, strict=True)):
            for word, tf in doc.items():
                saturation = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))
                self._postings[word].append((vi, idf[word] * saturation))

    def rank(self, query: str) -> tuple[Candidate, ...]:
        scores: dict[int, float] = defaultdict(float)
        for word in _WORD.findall(query.lower()):
            for vi, w in self._postings.get(word, ()):
                scores[vi] += w
        return _candidates(scores, self._variants)


# Known-unknown entries (knowledge/unknowns.yaml): "answering" one is an honest "I do not know".
UNKNOWN_IDS: set[str] = set()


def decide(candidates: tuple[Candidate, ...], answer_at: float, suggest_at: float = math.inf) -> MatchResult:
    """Answer at or above `answer_at`; "did you mean" at or above `suggest_at`; else none."""
    best = candidates[0].score if candidates else 0.0
    if candidates and best >= answer_at:
        outcome = "unknown" if candidates[0].entry_id in UNKNOWN_IDS else "answer"
        return MatchResult(outcome, candidates[0].entry_id, best, (), "", candidates)
    if candidates and best >= suggest_at:
        suggestions = tuple(c.entry_id for c in candidates[:MAX_SUGGESTIONS] if c.score >= suggest_at)
        return MatchResult("suggest", None, best, suggestions, "", candidates)
    return MatchResult("none", None, best, (), "", candidates)


def thresholded(rank: Ranker, answer_at: float, suggest_at: float = math.inf) -> Predict:
    def predict(query: str) -> MatchResult:
        return decide(rank(query), answer_at, suggest_at)

    return predict


def first_entry(rank: Ranker) -> Callable[[str], str | None]:
    def first(query: str) -> str | None:
        candidates = rank(query)
        return candidates[0].entry_id if candidates else None

    return first


@dataclass(frozen=True, slots=True)
class Choice:
    answer_at: float
    suggest_at: float
    feasible: bool  # some threshold met the tune-split limits


def cut_points(ranked: dict[str, tuple[Candidate, ...]]) -> list[float]:
    """Every threshold that decides differently on these rankings: midpoints between best scores."""
    scores = sorted({c[0].score for c in ranked.values() if c})
    return [-math.inf, *((a + b) / 2 for a, b in pairwise(scores)), math.inf]


def choose(ranked: dict[str, tuple[Candidate, ...]], tune: list[EvalItem], fallback_share: float) -> Choice:
    """The answer threshold by calibrate.py's rule, then the suggest band (see module docstring)."""
    cuts = cut_points(ranked)
    best: tuple[tuple[float, ...], float] | None = None
    fallback: tuple[tuple[float, ...], float] | None = None
    for cut in cuts:
        r = evaluate(thresholded(ranked.__getitem__, cut), tune)["all"]
        # Equal right answers and rejection: the higher threshold only drops wrong answers.
        key = (round(r.answer_accuracy, 1), round(r.top1_accuracy, 1), r.oos_rejection, -r.wrong_answer_rate)
        if r.oos_wrongly_answered <= MAX_OOS_ANSWERED and r.wrong_answer_rate <= MAX_WRONG_ANSWERS:
            if best is None or key > best[0]:
                best = (key, cut)
        elif fallback is None or (r.oos_rejection, r.answer_accuracy) > fallback[0]:
            fallback = ((r.oos_rejection, r.answer_accuracy), cut)
    feasible = best is not None
    chosen = best if best is not None else fallback
    assert chosen is not None
    answer_at = chosen[1]
    oos = [item.question for item in tune if item.expect is None]
    suggest_at = answer_at
    for cut in cuts:  # ascending: the widest band that still leaves the share of fallbacks
        if cut > answer_at:
            break
        share = sum(not ranked[q] or ranked[q][0].score < cut for q in oos) / len(oos)
        if share >= fallback_share:
            suggest_at = cut
            break
    return Choice(answer_at, suggest_at, feasible)


@dataclass(slots=True)
class Contender:
    name: str
    threshold: str
    predict: Predict
    first: Callable[[str], str | None]  # the entry ranked first, without any threshold
    settings: dict[str, Any]


def latency_ms(predict: Predict, questions: Sequence[str], repeat: int) -> dict[str, float]:
    """Median and p99 over questions of each question's median time over `repeat` passes."""
    times: list[list[int]] = [[] for _ in questions]
    for _ in range(repeat):
        for i, question in enumerate(questions):
            start = time.perf_counter_ns()
            predict(question)
            times[i].append(time.perf_counter_ns() - start)
    medians = sorted(statistics.median(t) for t in times)
    # The first pass runs on a cold typo cache (our matcher): report it so warm passes do not flatter.
    first = sorted(t[0] for t in times)
    return {
        "median": statistics.median(medians) / 1e6,
        "p99": _p99(medians) / 1e6,
        "first_pass_median": statistics.median(first) / 1e6,
        "first_pass_p99": _p99(first) / 1e6,
    }


def _p99(sorted_values: Sequence[float]) -> float:
    return sorted_values[math.ceil(0.99 * len(sorted_values)) - 1]  # nearest rank


def ranked_first(first: Callable[[str], str | None], items: list[EvalItem]) -> float:
    in_scope = [item for item in items if item.expect is not None]
    return 100.0 * sum(first(item.question) == item.expect for item in in_scope) / len(in_scope)


def _num(x: float) -> str:
    return "never answers" if x == math.inf else "always" if x == -math.inf else f"{x:.3g}"


def machine() -> dict[str, Any]:
    processor = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():  # platform.processor() is often empty or just the arch on Linux
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                processor = line.split(":", 1)[1].strip()
                break
    return {
        "processor": processor,
        "machine": platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "rapidfuzz": rapidfuzz.__version__,
    }


def git_state() -> dict[str, Any]:
    """The commit measured, and whether the files that decide the figures differ from it."""

    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], capture_output=True, text=True, check=False).stdout.rstrip("\n")

    changed = git("status", "--porcelain", "--", "bot", "knowledge", "config.yaml", "tests/data", "bench")
    return {"commit": git("rev-parse", "HEAD") or None, "uncommitted_changes": changed.splitlines()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # The labelled sets are about Blora 2024: their knowledge base is the frozen test copy, whatever is shipped.
    parser.add_argument("--config", type=Path, default=Path("tests/data/blora2024/config.yaml"))
    parser.add_argument("--eval", type=Path, default=Path("tests/data/eval.yaml"))
    parser.add_argument("--out", type=Path, default=Path("bench/results/compare_matchers.json"))
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the evaluation set")
    parser.add_argument("--choose", default="tune", help="the split baseline thresholds are chosen on")
    parser.add_argument("--splits", default=",".join(SPLITS), help="comma-separated splits to report")
    args = parser.parse_args()
    splits = tuple(x for x in args.splits.split(",") if x)

    pipeline = Pipeline.load(args.config)
    UNKNOWN_IDS.update(e.id for e in pipeline.kb.entries if e.kind == "unknown")
    entries = pipeline.kb.entries
    items = load_eval_set(args.eval, (e.id for e in entries))
    tune = [item for item in items if item.split == args.choose]
    variants = [Variant(e.id, q.lower()) for e in entries for q in e.questions]
    matcher = pipeline.matcher
    s = matcher.settings

    hand = Pipeline.from_parts(pipeline.config, pipeline.kb, model=None).matcher
    model = matcher.model
    contenders = [
        Contender(
            "ours, hand-set thresholds",
            f"answer {s.answer_threshold:g} ({s.known_words_threshold:g} if all words known), "
            f"margin {s.margin:g}, suggest {s.suggest_threshold:g}",
            hand.match,
            first_entry(lambda q: hand.rank(q, limit=1).candidates),
            {
                "answer": s.answer_threshold,
                "known_words": s.known_words_threshold,
                "margin": s.margin,
                "suggest": s.suggest_threshold,
            },
        )
    ]
    if model is not None:
        contenders.append(
            Contender(
                "ours, learned decision (`pilkada-bot`)",
                f"P(right) >= {model.answer_at:.3f}, suggest {model.suggest_at:.3f}",
                matcher.match,
                first_entry(lambda q: matcher.rank(q, limit=1).candidates),
                {"answer_at": model.answer_at, "suggest_at": model.suggest_at},
            )
        )
    # A separate matcher, so that the shipped one's typo cache is still cold for the first timed pass.
    twin = Pipeline.from_parts(pipeline.config, pipeline.kb).matcher
    oos_tune = [item.question for item in tune if item.expect is None]
    fallback_share = sum(twin.match(q).outcome == "none" for q in oos_tune) / len(oos_tune)

    baselines: list[Baseline] = [WRatioBaseline(variants), TfidfBaseline(variants), Bm25Baseline(variants)]
    infeasible: list[str] = []
    banded: list[Contender] = []
    for baseline in baselines:
        ranked = {item.question: baseline.rank(item.question) for item in tune}
        choice = choose(ranked, tune, fallback_share)
        if not choice.feasible:
            infeasible.append(baseline.name)

        contenders.append(
            Contender(
                baseline.name,
                _num(choice.answer_at),
                thresholded(baseline.rank, choice.answer_at),
                first_entry(baseline.rank),
                {"answer": choice.answer_at, "feasible_on_tune": choice.feasible},
            )
        )
        banded.append(
            Contender(
                f"{baseline.name} + suggest band",
                f"{_num(choice.answer_at)}, suggest {_num(choice.suggest_at)}",
                thresholded(baseline.rank, choice.answer_at, choice.suggest_at),
                first_entry(baseline.rank),
                {"answer": choice.answer_at, "suggest": choice.suggest_at, "feasible_on_tune": choice.feasible},
            )
        )
    contenders.extend(banded)

    questions = [item.question for item in items]
    latency = {c.name: latency_ms(c.predict, questions, args.repeat) for c in contenders}
    reports = {c.name: evaluate(c.predict, items) for c in contenders}
    first_rates = {
        c.name: {split: ranked_first(c.first, [i for i in items if i.split == split]) for split in splits}
        for c in contenders
    }

    now = datetime.now(UTC)
    command = shlex.join(["python", *sys.argv])
    box = machine()
    print(
        f"Generated {now:%Y-%m-%d %H:%M} UTC by `{command}` on {box['processor']} ({box['machine']}, "
        f"{box['cpu_count']} CPUs), Python {box['python']}, rapidfuzz {box['rapidfuzz']}; "
        f"KB: {len(entries)} entries, {len(variants)} question variants."
    )
    print(
        f"Baseline thresholds chosen on the tune split: out-of-scope answered <= {MAX_OOS_ANSWERED:g} %, "
        f"in-scope wrong answers <= {MAX_WRONG_ANSWERS:g} %, then most right answers. Suggest bands leave "
        f"{100 * fallback_share:.1f} % of tune out-of-scope questions to the fallback, as ours does."
    )
    if infeasible:
        print(f"No threshold met the limits for {', '.join(infeasible)}: best rejection taken instead.")
    for split in splits:
        any_report = reports[contenders[0].name][split]
        print(f"\n**{split}** ({any_report.in_scope} in scope, {any_report.out_of_scope} out of scope)\n")
        print(
            "| matcher | threshold | ranked first | top-1 | answered right | wrong answers | "
            "out-of-scope answered | median ms | p99 ms |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in contenders:
            r = reports[c.name][split]
            lat = latency[c.name]
            print(
                f"| {c.name} | {c.threshold} | {first_rates[c.name][split]:.1f} % | {r.top1_accuracy:.1f} % | "
                f"{r.answer_accuracy:.1f} % | {r.wrong_answer_rate:.1f} % | {r.oos_wrongly_answered:.1f} % | "
                f"{lat['median']:.3f} | {lat['p99']:.3f} |"
            )
    print(
        "\nranked first: the right entry scores highest (in scope, no threshold); top-1: the answer or the "
        "first suggestion is right; wrong answers: in scope, answered with the wrong entry; latency: per "
        f"query, median of {args.repeat} passes over all {len(items)} questions."
    )

    print("\nWhere each matcher answers wrongly (confident answers only):")
    for c in contenders[: len(contenders) - len(banded)]:  # a suggest band does not change the answers
        for split in splits:
            wrong = _wrong_answers(reports[c.name][split])
            if wrong:
                print(f"- {c.name}, {split}:")
                for line in wrong:
                    print(f"    {line}")

    result = {
        "date": now.isoformat(timespec="seconds"),
        "command": command,
        "machine": box,
        "git": git_state(),
        "eval_set": str(args.eval),
        "kb": {"entries": len(entries), "variants": len(variants)},
        "rule": {
            "max_oos_answered_pct": MAX_OOS_ANSWERED,
            "max_wrong_answers_pct": MAX_WRONG_ANSWERS,
            "suggest_band_oos_fallback_share": fallback_share,
            "tuned_on": args.choose,
        },
        "matchers": [
            {
                "name": c.name,
                "threshold": {k: _json_num(v) for k, v in c.settings.items()},
                "latency_ms": latency[c.name],
                "splits": {split: _split_json(reports[c.name][split], first_rates[c.name][split]) for split in splits},
            }
            for c in contenders
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"\nwrote {args.out}")


def _wrong_answers(report: SplitReport) -> list[str]:
    return [
        f"{m.question!r} -> {m.got} ({m.score:.3g}; expected {m.expect or 'none'})"
        for m in report.misses
        if m.outcome == "answer"
    ]


def _json_num(value: Any) -> Any:
    return str(value) if isinstance(value, float) and math.isinf(value) else value


def _split_json(r: SplitReport, first: float) -> dict[str, Any]:
    return {
        "in_scope": r.in_scope,
        "out_of_scope": r.out_of_scope,
        "ranked_first_pct": round(first, 1),
        "top1_pct": round(r.top1_accuracy, 1),
        "answered_right_pct": round(r.answer_accuracy, 1),
        "wrong_answers_pct": round(r.wrong_answer_rate, 1),
        "oos_answered_pct": round(r.oos_wrongly_answered, 1),
        "wrong_answers": _wrong_answers(r),
    }


if __name__ == "__main__":
    main()
