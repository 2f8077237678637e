"""Write a benchmark's results as JSON under bench/results/, with date, machine and command.

Also what a benchmark records about the run itself: the commit measured (`git_state`)
and how fast the shared machine was at the time (`cpu_probe_ms`).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def git_state() -> str:
    """The commit measured, with "+ uncommitted changes" when the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "bot"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return head.stdout.strip() + (" + uncommitted changes in bot/" if dirty.stdout.strip() else "")


def cpu_probe_ms() -> float:
    """CPU ms of a fixed pure-Python loop (best of 3): how fast this shared machine is right now.

    Recorded before and after the run, so figures from different runs can be compared.
    """
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return 1000 * best


def write_results(name: str, script: str, payload: dict[str, Any]) -> Path:
    """bench/results/<name>: the payload plus when, where and how it was measured."""
    out = ROOT / "bench" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "command": f"python bench/{script} " + " ".join(sys.argv[1:]),
        **payload,
    }
    out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return out
