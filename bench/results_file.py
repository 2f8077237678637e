"""Write a benchmark's results as JSON under bench/results/, with date, machine and command."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


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
