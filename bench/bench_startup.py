"""Start-up: time from process start to ready, and peak memory, by KB size.

    python bench/bench_startup.py                 # shipped KB, 1 000 and 10 000 entries
    python bench/bench_startup.py --sizes 0 1000 --runs 5

"Ready" means what the bot needs before it can answer anything: the config and the
knowledge base loaded and validated and the matcher built (`Pipeline.load`). Each run
spawns a fresh `python -c` child that imports bot.pipeline, loads the pipeline and
prints "ready"; the time is wall clock from just before the spawn to the moment the
parent reads that line, so it includes the interpreter's own start-up and every import.
The child reads its own peak resident memory (VmHWM in /proc/self/status) just before
printing. `pilkada-bot check` (the same load plus the CLI's imports and a summary) is
timed as a whole command too, and so is what `pilkada-bot run` adds after ready (importing
python-telegram-bot; not part of the ready time). Size 0 is the shipped KB; larger sizes are synthetic KBs
(bench/synthetic_kb.py). Reports medians of --runs runs, prints a table and writes
bench/results/startup.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import cpu_probe_ms, git_state, write_results
from synthetic_kb import write_kb

ROOT = Path(__file__).resolve().parent.parent
TARGET_READY_S = 2.0  # issue 7: ready in under 2 s for the shipped KB

# Runs in the child. Phase stamps use time.time() (the same clock as the parent's),
# so the parent can split the total into interpreter start, imports and KB load.
CHILD = """
import time
imported_at = time.time()
import sys
from pathlib import Path
from bot.pipeline import Pipeline
modules_at = time.time()
pipeline = Pipeline.load(Path(sys.argv[1]))
loaded_at = time.time()
hwm_kib = 0
with open("/proc/self/status") as status:
    for line in status:
        if line.startswith("VmHWM:"):
            hwm_kib = int(line.split()[1])
variants = sum(len(e.questions) for e in pipeline.kb.entries)
print("ready", imported_at, modules_at, loaded_at, hwm_kib, len(pipeline.kb.entries), variants, flush=True)
# After "ready" (not timed by the parent): what `pilkada-bot run` adds on top, python-telegram-bot.
import bot.telegram.app
print("telegram", time.time() - loaded_at, flush=True)
"""


def child_env() -> dict[str, str]:
    # No TELEGRAM_* or PILKADA_* settings from the caller's shell: the config file decides.
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PILKADA_"))}


def time_ready(config: Path) -> dict[str, float]:
    """One cold start of a child process; seconds from spawn to its "ready" line."""
    spawned_at = time.time()
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(config)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    ready = time.perf_counter() - start
    telegram = child.stdout.readline()
    child.stdout.close()
    if child.wait() != 0 or not line.startswith("ready ") or not telegram.startswith("telegram "):
        raise SystemExit(f"the child failed to start the pipeline for {config}: {line!r}")
    _, imported_at, modules_at, loaded_at, hwm_kib, entries, variants = line.split()
    return {
        "ready_s": ready,
        "interpreter_s": float(imported_at) - spawned_at,
        "imports_s": float(modules_at) - float(imported_at),
        "load_s": float(loaded_at) - float(modules_at),
        "peak_rss_mib": int(hwm_kib) / 1024,
        "telegram_import_s": float(telegram.split()[1]),
        "entries": int(entries),
        "variants": int(variants),
    }


def check_command() -> list[str]:
    """The installed `pilkada-bot` console script, or `python -m bot` if it is not on hand."""
    script = Path(sys.executable).parent / "pilkada-bot"
    if script.exists():
        return [str(script)]
    found = shutil.which("pilkada-bot")
    return [found] if found else [sys.executable, "-m", "bot"]


def time_check(config: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*check_command(), "--config", str(config), "check"],
        cwd=ROOT,
        env=child_env(),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def bench_size(size: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        if size == 0:
            config = ROOT / "config.yaml"
        else:
            write_kb(size, Path(tmp))
            config = Path(tmp) / "config.yaml"
        time_ready(config)  # warm the page cache (files, .pyc) once: we measure warm starts
        samples = [time_ready(config) for _ in range(runs)]
        checks = [time_check(config) for _ in range(runs)]
    ready = [s["ready_s"] for s in samples]
    return {
        "size": samples[0]["entries"],
        "synthetic": size != 0,
        "variants": samples[0]["variants"],
        "runs": runs,
        "ready_median_s": statistics.median(ready),
        "ready_min_s": min(ready),
        "ready_max_s": max(ready),
        "interpreter_median_s": statistics.median(s["interpreter_s"] for s in samples),
        "imports_median_s": statistics.median(s["imports_s"] for s in samples),
        "load_median_s": statistics.median(s["load_s"] for s in samples),
        "peak_rss_median_mib": statistics.median(s["peak_rss_mib"] for s in samples),
        "telegram_import_median_s": statistics.median(s["telegram_import_s"] for s in samples),
        "check_median_s": statistics.median(checks),
        "check_samples_s": checks,
        "ready_samples_s": ready,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 10000], help="0 = the shipped KB")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    code = git_state()
    probe_before = cpu_probe_ms()
    rows = [bench_size(size, args.runs) for size in args.sizes]
    probe = {"before": probe_before, "after": cpu_probe_ms()}
    print(
        "| entries | variants | ready median s | ready min-max s | interpreter s | imports s | KB load + matcher s "
        "| peak RSS MiB | `pilkada-bot check` s | + PTB import s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        name = f"{r['size']}" + ("" if r["synthetic"] else " (shipped)")
        print(
            f"| {name} | {r['variants']} | {r['ready_median_s']:.3f} | {r['ready_min_s']:.3f}-{r['ready_max_s']:.3f} "
            f"| {r['interpreter_median_s']:.3f} | {r['imports_median_s']:.3f} | {r['load_median_s']:.3f} "
            f"| {r['peak_rss_median_mib']:.1f} | {r['check_median_s']:.3f} | {r['telegram_import_median_s']:.3f} |"
        )
    shipped = next((r for r in rows if not r["synthetic"]), None)
    if shipped is not None:
        verdict = "pass" if shipped["ready_median_s"] < TARGET_READY_S else "FAIL"
        print(f"\nshipped KB ready in {shipped['ready_median_s']:.3f} s (target < {TARGET_READY_S} s): {verdict}")
    print(f"machine speed probe: {probe['before']:.0f} ms before, {probe['after']:.0f} ms after (lower is faster)")
    write_results(
        "startup.json",
        "bench_startup.py",
        {
            "code": code,
            "cpu_probe_ms": probe,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
