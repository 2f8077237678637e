"""Voting-day capacity (issue 13): the real Application against a fake Bot API with a network in between.

    python bench/bench_capacity.py                  # everything below: about 12 minutes
    python bench/bench_capacity.py --quick          # 200 users per burst, no sweep: about 3 minutes
    python bench/bench_capacity.py --sweep 4 8 16 32 64   # also: which concurrency, at 200 ms

The fake Bot API (tests/support/fakebotapi.py) runs in its own process, pinned to the second
core, and answers every call (getUpdates too) a round trip later: half of it before
the call is carried out, half after, like api.telegram.org seen from a server in
Indonesia. It enforces Telegram's limits (30 messages/s overall, 1/s per chat) with
429s, which are counted. The bot is what `pilkada-bot run` builds (config.yaml, the
shipped rate limiter, a fresh SQLite store), started by tests/support/botapp.py's
bot_app and pinned to the first core. Each row is measured side by side for the
shipped `bot.concurrency` and for 1 (one update at a time: the bot before issue 13).

Scenarios:
- burst: N users (default 600) each ask one question at the same moment, at round trips
  of 0, 50, 100 and 200 ms. answered/s = users / (last answer - first question).
- spread: 300 users over 10 s (30 a second, Telegram's cap) at 100 ms.
- flood: the same, plus one user sending 30 messages in 3 s: the other users' latency
  next to the spread row, and how many replies the flooder got.
- loopback capacity: 2 000 users at once, no round trip, the overall limit lifted to
  100 000/s and no limits in the fake: how many updates/s the bot itself handles on one
  core (target >= 300); once more with `import sniffio` failing the way it does when
  sniffio is not installed (change D of docs/performance.md), side by side.

Latency is per user, from the update being available to getUpdates to the fake server
receiving the answering sendMessage (one clock: time.monotonic, system-wide). Prints
tables and writes bench/results/capacity.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.abc
import importlib.machinery
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_e2e import (
    LIFTED_RATE,
    ROOT,
    Fake,
    Questions,
    fake_server,
    percentile,
    pick_cpus,
    running_bot,
    with_rate,
)
from results_file import cpu_probe_ms, git_state, write_results

from bot.config import load_config
from bot.pipeline import Pipeline

ROUND_TRIPS_MS = (0, 50, 100, 200)
TARGET_ANSWERS_PER_S = 27.0  # 600-user burst at 100 ms, shipped limiter
TARGET_SPREAD_P99_S = 2.0  # 300 users over 10 s at 100 ms
TARGET_CAPACITY = 300.0  # loopback, lifted limit, one core
FLOOD = (9_999_999, 30, 3.0)  # one chat: 30 messages in 3 s


@dataclass(frozen=True)
class Scenario:
    name: str
    users: int
    round_trip_ms: float
    rate: float | None = None  # users per second; None: all at once
    limited: bool = True  # shipped limiter + Telegram's limits in the fake; False: lifted, no limits
    flood: bool = False
    hide_sniffio: bool = False


async def measure(fake: Fake, questions: Questions, scenario: Scenario) -> dict[str, Any]:
    rtt = scenario.round_trip_ms / 1000
    # Generous: the sequential bot at 200 ms needs ~0.2 s a user.
    timeout = 60 + scenario.users * (rtt + 0.05)
    batch = questions.take(scenario.users)
    cpu_before = time.process_time()
    result = await fake.run(
        batch,
        scenario.rate,
        timeout,
        scenario.limited,
        round_trip=rtt,
        flood=FLOOD if scenario.flood else None,
    )
    cpu = time.process_time() - cpu_before
    pushed, replied = result["pushed"], result["replied"]
    latencies = [replied[chat] - pushed[chat] for chat in replied]
    span = max(replied.values()) - min(pushed.values()) if replied else float("nan")
    return {
        "users": len(pushed),
        "answered": len(replied),
        "missing": len(pushed) - len(replied),
        "duplicates": result["duplicates"],
        "http_429": result["http_429"],
        "answered_per_s": len(replied) / span,
        "p50_s": percentile(latencies, 50) if latencies else float("nan"),
        "p99_s": percentile(latencies, 99) if latencies else float("nan"),
        "max_s": max(latencies, default=float("nan")),
        "span_s": span,
        "cpu_ms_per_update": 1000 * cpu / max(len(pushed), 1),
        "flood_replies": result.get("flood_replies", 0),
    }


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    found = [Scenario(f"burst {args.users}, {rtt} ms", args.users, rtt) for rtt in ROUND_TRIPS_MS]
    found.append(Scenario("300 over 10 s, 100 ms", 300, 100, rate=30.0))
    found.append(Scenario("300 over 10 s, 100 ms, + one user 30 msgs in 3 s", 300, 100, rate=30.0, flood=True))
    found.append(Scenario(f"loopback capacity, {args.capacity_users} at once", args.capacity_users, 0, limited=False))
    found.append(
        Scenario(
            f"loopback capacity, {args.capacity_users} at once, without sniffio",
            args.capacity_users,
            0,
            limited=False,
            hide_sniffio=True,
        )
    )
    return found


class HideSniffio(importlib.abc.MetaPathFinder):
    """Make `import sniffio` fail the way it does when it is not installed: after searching sys.path."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "sniffio":
            elsewhere = [p for p in sys.path if "site-packages" not in p]
            importlib.machinery.PathFinder.find_spec(name, elsewhere)  # the search a missing module costs
            raise ModuleNotFoundError("No module named 'sniffio'", name=name)
        return None


@contextlib.contextmanager
def without_sniffio(hide: bool) -> Iterator[None]:
    if not hide:
        yield
        return
    finder = HideSniffio()
    saved = sys.modules.pop("sniffio", None)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        if saved is not None:
            sys.modules["sniffio"] = saved


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    cpus = pick_cpus("process")
    if cpus[0] is not None:
        os.sched_setaffinity(0, {cpus[0]})
    shipped = load_config(ROOT / "config.yaml", environ={})
    limited = Pipeline.from_config(shipped)
    lifted = Pipeline.from_parts(with_rate(shipped, LIFTED_RATE), limited.kb)
    questions = Questions()
    plan = scenarios(args)
    rows: list[dict[str, Any]] = []
    sweep: list[dict[str, Any]] = []
    tmp = tempfile.mkdtemp(prefix="bench-capacity-")
    concurrencies = dict.fromkeys((shipped.bot.concurrency, 1))
    async with fake_server("process", cpus) as fake:
        for i, concurrency in enumerate(concurrencies):
            for is_limited in (True, False):
                group = [s for s in plan if s.limited == is_limited]
                if not group:
                    continue
                pipeline = limited if is_limited else lifted
                db = Path(tmp) / f"bot-{i}-{is_limited}.sqlite3"
                async with running_bot(pipeline, fake.base_url, concurrency, db):
                    await fake.run(questions.take(60 if is_limited else 300), None, 120, False)  # warm up
                    for scenario in group:
                        if scenario.hide_sniffio and concurrency == 1:
                            continue  # the comparison is made at the shipped concurrency
                        row = {"scenario": scenario.name, "concurrency": concurrency, **scenario.__dict__}
                        with without_sniffio(scenario.hide_sniffio):
                            row |= await measure(fake, questions, scenario)
                        rows.append(row)
                        print_row(row, file=sys.stderr)
        for concurrency in args.sweep:
            scenario = Scenario(f"sweep: burst {args.users}, 200 ms", args.users, 200)
            db = Path(tmp) / f"sweep-{concurrency}.sqlite3"
            async with running_bot(limited, fake.base_url, concurrency, db):
                await fake.run(questions.take(60), None, 120, False)
                row = {"scenario": scenario.name, "concurrency": concurrency, **scenario.__dict__}
                row |= await measure(fake, questions, scenario)
                sweep.append(row)
                print_row(row, file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "setup": {
            "bot_cpu": cpus[0],
            "fake_cpu": cpus[1],
            "shipped_concurrency": shipped.bot.concurrency,
            "rate_limit": {
                "overall_per_second": shipped.bot.rate_limit.overall_per_second,
                "chat_per_second": shipped.bot.rate_limit.chat_per_second,
                "max_retries": shipped.bot.rate_limit.max_retries,
            },
            "flood": {"messages": shipped.bot.flood_messages, "seconds": shipped.bot.flood_seconds},
            "telegram_limits_in_fake": "30/s overall, 1/s per chat, 20/min per group",
        },
        "rows": rows,
        "sweep": sweep,
    }


HEADER = (
    "| scenario | concurrency | users | answered/s | p50 s | p99 s | max s | 429s | duplicates | missing "
    "| bot CPU ms/update |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def print_row(r: dict[str, Any], file: Any = None) -> None:
    flood = f" (flooder got {r['flood_replies']} replies)" if r.get("flood") else ""
    print(
        f"| {r['scenario']}{flood} | {r['concurrency']} | {r['users']} | {r['answered_per_s']:.1f} "
        f"| {r['p50_s']:.2f} | {r['p99_s']:.2f} | {r['max_s']:.2f} | {r['http_429']} | {r['duplicates']} "
        f"| {r['missing']} | {r['cpu_ms_per_update']:.2f} |",
        file=file or sys.stdout,
        flush=True,
    )


def print_verdict(result: dict[str, Any]) -> None:
    shipped = result["setup"]["shipped_concurrency"]
    mine = {r["scenario"]: r for r in result["rows"] if r["concurrency"] == shipped}
    print()
    for name, row in mine.items():
        if name.endswith(", 100 ms") and name.startswith("burst"):
            clean = not (row["http_429"] or row["duplicates"] or row["missing"])
            ok = row["answered_per_s"] >= TARGET_ANSWERS_PER_S and clean
            print(f"{name}: {row['answered_per_s']:.1f} answers/s, clean {clean} (target >= 27): {verdict(ok)}")
        elif name == "300 over 10 s, 100 ms":
            ok = row["p99_s"] <= TARGET_SPREAD_P99_S and not row["missing"]
            print(f"{name}: p99 {row['p99_s']:.2f} s (target <= 2 s): {verdict(ok)}")
        elif name.startswith("loopback") and not row["hide_sniffio"]:
            ok = row["answered_per_s"] >= TARGET_CAPACITY
            print(f"{name}: {row['answered_per_s']:.0f} updates/s (target >= 300): {verdict(ok)}")
        elif row.get("flood"):
            base = mine.get("300 over 10 s, 100 ms")
            if base is not None:
                print(
                    f"flood: others' p99 {row['p99_s']:.2f} s vs {base['p99_s']:.2f} s without the flood; "
                    f"the flooder got {row['flood_replies']} replies to 30 messages (target <= 5)"
                )


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=600, help="users in each burst")
    parser.add_argument("--capacity-users", type=int, default=2000, help="users in the loopback capacity run")
    parser.add_argument("--sweep", type=int, nargs="*", default=[], help="concurrency values to try at 200 ms")
    parser.add_argument("--quick", action="store_true", help="200 users per burst, 600 for capacity")
    args = parser.parse_args()
    if args.quick:
        args.users, args.capacity_users = 200, 600
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22 warns when it builds a RetryAfter otherwise
    logging.basicConfig(level=logging.WARNING)
    for name in ("telegram.ext.AIORateLimiter", "bot.telegram.network"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # 429s are counted by the fake
    code = git_state()
    probe_before = cpu_probe_ms()
    result = asyncio.run(run_all(args))
    result["setup"] |= {"code": code, "cpu_probe_ms": {"before": probe_before, "after": cpu_probe_ms()}}
    probe = result["setup"]["cpu_probe_ms"]
    print(f"\ncode: {code}; machine speed probe {probe['before']:.0f} / {probe['after']:.0f} ms (lower is faster)")
    print(HEADER)
    for row in result["rows"]:
        print_row(row)
    if result["sweep"]:
        print("\nconcurrency sweep\n" + HEADER)
        for row in result["sweep"]:
            print_row(row)
    print_verdict(result)
    write_results("capacity.json", "bench_capacity.py", result)


if __name__ == "__main__":
    main()
