"""Redaction (bot/storage/redaction.py): CPU time to redact one text, by its size and shape.

    python bench/bench_redaction.py                      # 1, 4, 16 and 64 KB
    python bench/bench_redaction.py --sizes 1 4 --out redaction-before.json

Issue 25, item 3: the e-mail pattern was quadratic, so one long comment cost the bot
seconds of CPU. Each shape is one text of the given size: `words` (one long run of
letters with no '@': the worst case for the old e-mail pattern), `dots` ("a.a.a...", the
local part of an address that never ends), `chat` (an ordinary question repeated, with
numbers, an e-mail address and a handle in it) and `digits` ("1 2 3 ...": one long
number candidate). `redact` is what a feedback comment goes through; `redact_question`
(with the text as both the raw and the normalized question) is what an unanswered
question goes through. Times are CPU seconds of this thread (time.thread_time, best of
--runs), so other processes on a shared machine do not count. A shape whose time passes
--give-up seconds is not measured at larger sizes (quadratic code would take minutes).
Prints a table and writes bench/results/<--out>.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results_file import cpu_probe_ms, git_state, write_results

from bot.storage.redaction import redact, redact_question

CHAT = "kapan pilkada? email budi.santoso@gmail.com wa 0812-3456-7890 @budi_s ok "
SHAPES: dict[str, Callable[[int], str]] = {
    "words": lambda n: "a" * n,
    "dots": lambda n: ("a." * n)[:n],
    "chat": lambda n: (CHAT * (n // len(CHAT) + 1))[:n],
    "digits": lambda n: ("1 " * n)[:n],
}
FUNCTIONS: dict[str, Callable[[str], object]] = {
    "redact": redact,
    "redact_question": lambda text: redact_question(text, text),
}


def measure(function: Callable[[str], object], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        function(text)
        best = min(best, time.thread_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 64], help="text sizes in KB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--give-up", type=float, default=10.0, help="seconds; larger sizes of that shape are skipped")
    parser.add_argument("--out", default="redaction.json")
    args = parser.parse_args()
    probe_before = cpu_probe_ms()
    results: dict[str, dict[str, dict[str, float | None]]] = {}
    print(f"{'function':<16} {'shape':<7} " + " ".join(f"{size:>9} KB" for size in args.sizes))
    for fname, function in FUNCTIONS.items():
        results[fname] = {}
        for shape, make in SHAPES.items():
            row: dict[str, float | None] = {}
            gave_up = False
            for size in args.sizes:
                if gave_up:
                    row[str(size)] = None
                    continue
                seconds = measure(function, make(size * 1024), 1 if size >= 16 else args.runs)
                row[str(size)] = round(seconds * 1000, 2)
                gave_up = seconds > args.give_up
            results[fname][shape] = row
            cells = " ".join(f"{'-' if v is None else f'{v:.2f}':>9} ms" for v in row.values())
            print(f"{fname:<16} {shape:<7} {cells}", flush=True)
    write_results(
        args.out,
        "bench_redaction.py",
        {
            "commit": git_state(),
            "cpu_probe_ms": [round(probe_before, 1), round(cpu_probe_ms(), 1)],
            "unit": "CPU ms per text (best of --runs; one run at 16 KB and more); null: not measured",
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
