"""Throughput of one replica against two, behind nginx on one PostgreSQL (docs/scaling.md).

The same set-up as tests/test_replica_cluster.py (real `pilkada-bot run` replicas in webhook
mode, Debian's nginx with the recipe's site file, the throwaway PostgreSQL), with
Telegram's limits lifted so the bot's own capacity shows: the fake Bot API enforces
none and answers each call `--round-trip` seconds later (as an internet round trip
would), and the replicas' shared schedule is set to `--rate` messages/s. Telegram's side
posts `--updates` questions (one per user) at once, through at most 40 connections
(setWebhook's default max_connections).

Runs alternate (1, 2, 1, 2, ...) so both see the same machine; medians are printed.

    python bench/bench_replicas.py [--updates 1500] [--repeat 3] [--round-trip 0.05] [--rate 10000]

Writes bench/results/replicas.json.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from results_file import write_results  # noqa: E402

from tests.support.fakebotapi import FakeBotApi  # noqa: E402
from tests.support.pgserver import PostgresServer  # noqa: E402
from tests.support.replicacluster import SECRET, TOKEN, ReplicaCluster, cleanup  # noqa: E402
from tests.support.webhooksender import WebhookSender  # noqa: E402


def _fake_server(round_trip: float, out: Any, stop: Any) -> None:
    """The fake Bot API in a process of its own: in the bench's process its threads would
    compete for one GIL with the sender (measured: 1.5 -> 4.7 ms of that process's CPU per
    update when a second replica doubled its connections)."""
    api = FakeBotApi(TOKEN).start()
    api.round_trip(round_trip)
    out.put(api.base_url)
    stop.wait()
    out.put(sorted({int(c.params["chat_id"]) for c in api.calls("sendMessage") if c.status == 200}))
    api.stop()


def question(i: int) -> dict[str, Any]:
    user = 30_000_000 + i
    text = ["kapan nyoblos", "golput itu apa", "siapa menang"][i % 3]
    person = {"id": user, "is_bot": False, "first_name": "Pemilih"}
    message = {"message_id": i + 1, "date": int(time.time()), "chat": {"id": user, "type": "private"}}
    return {"update_id": 900_000 + i, "message": {**message, "from": person, "text": text}}


async def one_run(server: PostgresServer, replicas: int, args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    fake = ctx.Process(target=_fake_server, args=(args.round_trip, out, stop))
    fake.start()
    base_url = out.get(timeout=60)
    url = server.create_database("bench")
    root = Path(tempfile.mkdtemp(prefix="pilkada-bench-"))
    cluster = ReplicaCluster(root, server, url, base_url, count=replicas, overall_per_second=args.rate).start()
    try:
        updates = [question(i) for i in range(args.updates)]
        assert cluster.tls is not None
        async with WebhookSender(cluster.url, SECRET, verify=cluster.tls, max_connections=40) as sender:
            # Warm up (first requests, connections, the matcher's caches) outside the timing.
            await sender.deliver(updates[:100])
            started = time.monotonic()
            report = await sender.deliver(updates[100:])
            elapsed = time.monotonic() - started
        latencies = sorted(report.confirmed[u] - report.first_sent[u] for u in report.confirmed)
        stop.set()
        answered = set(out.get(timeout=60))
        return {
            "replicas": replicas,
            "updates": len(updates) - 100,
            "answered_per_s": round((len(updates) - 100) / elapsed, 1),
            "median_ms": round(1000 * statistics.median(latencies), 1),
            "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
            "unanswered": len(updates) - len(answered),
            "given_up": len(report.given_up),
        }
    finally:
        cluster.stop()
        stop.set()
        fake.join(30)
        server.drop_database(url)
        cleanup(root)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--round-trip", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=10_000)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with PostgresServer.start() as server:
        for run in range(args.repeat):
            for replicas in (1, 2):
                row = await one_run(server, replicas, args)
                row["run"] = run + 1
                rows.append(row)
                print(row, flush=True)
    summary = []
    for replicas in (1, 2):
        mine = [r for r in rows if r["replicas"] == replicas]
        summary.append(
            {
                "replicas": replicas,
                "runs": len(mine),
                "answered_per_s_median": statistics.median(r["answered_per_s"] for r in mine),
                "answered_per_s_runs": [r["answered_per_s"] for r in mine],
                "median_ms_median": statistics.median(r["median_ms"] for r in mine),
                "p99_ms_median": statistics.median(r["p99_ms"] for r in mine),
                "unanswered": sum(r["unanswered"] for r in mine),
            }
        )
    print()
    print("| replicas | runs | answered/s (median) | each run | median ms | p99 ms | unanswered |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    for s in summary:
        runs = ", ".join(f"{x:g}" for x in s["answered_per_s_runs"])
        print(
            f"| {s['replicas']} | {s['runs']} | {s['answered_per_s_median']:g} | {runs} |"
            f" {s['median_ms_median']:g} | {s['p99_ms_median']:g} | {s['unanswered']} |"
        )
    ratio = summary[1]["answered_per_s_median"] / summary[0]["answered_per_s_median"]
    print(f"\n2 replicas / 1 replica: {ratio:.2f}")
    write_results(
        "replicas.json",
        "bench_replicas.py",
        {"round_trip_s": args.round_trip, "rate": args.rate, "rows": rows, "summary": summary, "ratio": ratio},
    )


if __name__ == "__main__":
    asyncio.run(main())
