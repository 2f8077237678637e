"""Telegram's per-token send limit across two replicas: a static share each, or one schedule in PostgreSQL.

Two sender processes stand for two replicas. Each sends `sendMessage` calls, one chat
per message, to the fake Bot API (tests/support/fakebotapi.py), which enforces Telegram's
limits as exact sliding windows (30 messages in any second, 1 per chat per second) in
a process of its own. Pacing:

- `static`: each replica spaces its own messages at rate / replicas (no coordination);
- `shared`: before each message a replica reserves the next slot of one schedule in
  PostgreSQL (bot/storage/replicas.py, `reserve_send`) at the full rate, and waits for it.

Loads: both replicas equally busy; uneven (one gets 5/6 of the messages, as when the
balancer or the users' timing favours one); one replica alone (the other is down).

    python bench/bench_pacer.py [--messages 600] [--rate 29]

Prints a table and writes bench/results/pacer-<rate>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from results_file import write_results  # noqa: E402

from bot.storage.replicas import SCHEMA, PostgresReplicas  # noqa: E402
from tests.support.fakebotapi import FakeBotApi  # noqa: E402
from tests.support.pgserver import PostgresServer  # noqa: E402


def _fake_server(port_out: Any, stop: Any) -> None:
    api = FakeBotApi().start()
    api.enforce_limits(per_second_overall=30, per_second_per_chat=1)
    port_out.put(api.port)
    stop.wait()
    stats = api.stats() if callable(api.stats) else api.stats  # a property in older versions
    times = sorted(call.time for call in api.calls("sendMessage") if call.status == 200)
    port_out.put({"429": stats["429"], "delivered": len(times), "times": times})
    api.stop()


async def _send_all(
    mode: str, first_chat: int, count: int, rate: float, replicas: int, api_port: int, url: str, password: str
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{api_port}/bot123456:TEST-TOKEN"
    shared = None
    if mode == "shared":
        shared = await PostgresReplicas.open(url, {"password": password}, str)
    retries = 0
    async with httpx.AsyncClient(timeout=30) as client:
        sends: list[asyncio.Task[None]] = []

        async def send(chat: int) -> None:
            nonlocal retries
            while True:
                response = await client.post(f"{base}/sendMessage", json={"chat_id": chat, "text": "x"})
                if response.status_code != 429:
                    return
                retries += 1  # like the bot's limiter: wait retry_after, then resend (in a new slot)
                await asyncio.sleep(response.json()["parameters"]["retry_after"] + 0.1)
                if shared is not None:
                    await asyncio.sleep(await shared.reserve_send(1 / rate))

        start = time.monotonic()
        for i in range(count):
            if shared is not None:
                wait = await shared.reserve_send(1 / rate)
            else:
                wait = start + i * replicas / rate - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            sends.append(asyncio.create_task(send(first_chat + i)))
        await asyncio.gather(*sends)
    if shared is not None:
        await shared.close()
    return {"retries": retries}


def _replica(
    mode: str, first_chat: int, count: int, rate: float, replicas: int, port: int, url: str, pw: str, out: Any
) -> None:
    out.put(asyncio.run(_send_all(mode, first_chat, count, rate, replicas, port, url, pw)))


def run(mode: str, loads: tuple[int, int], rate: float, url: str, password: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    port_out, stop = ctx.Queue(), ctx.Event()
    fake = ctx.Process(target=_fake_server, args=(port_out, stop))
    fake.start()
    port = port_out.get(timeout=30)
    outs = []
    procs = []
    started = time.monotonic()
    active = sum(1 for n in loads if n)
    for index, count in enumerate(loads):
        if not count:
            continue
        out = ctx.Queue()
        share = 2 if mode == "static" else 1  # a static share does not know the other replica is idle or down
        proc = ctx.Process(
            target=_replica, args=(mode, 1000 + index * 100_000, count, rate, share, port, url, password, out)
        )
        proc.start()
        procs.append(proc)
        outs.append(out)
    results = [out.get(timeout=600) for out in outs]
    for proc in procs:
        proc.join()
    elapsed = time.monotonic() - started
    stop.set()
    server = port_out.get(timeout=60)
    fake.join()
    times = server["times"]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    per_second = [sum(1 for t in times if s <= t < s + 1) for s in times]
    return {
        "mode": mode,
        "loads": list(loads),
        "active_replicas": active,
        "delivered": server["delivered"],
        "msg_per_s": round((len(times) - 1) / span, 2) if span else 0.0,
        "busiest_second": max(per_second) if per_second else 0,
        "429": server["429"],
        "resends": sum(r["retries"] for r in results),
        "elapsed_s": round(elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=29.0)
    args = parser.parse_args()
    n = args.messages
    loads = {"both busy": (n // 2, n // 2), "uneven 5:1": (n * 5 // 6, n // 6), "one replica down": (n // 2, 0)}
    rows = []
    with PostgresServer.start() as server:
        url = server.create_database()
        with server.connect(url.rsplit("/", 1)[1]) as conn:
            conn.execute(SCHEMA)
        for name, load in loads.items():
            for mode in ("static", "shared"):
                row = {"load": name, **run(mode, load, args.rate, url, server.password)}
                rows.append(row)
                print(
                    f"{name:18} {mode:7} delivered {row['delivered']:4} at {row['msg_per_s']:6.2f}/s,"
                    f" busiest second {row['busiest_second']:2}, 429s {row['429']:3}, {row['elapsed_s']:5.1f} s"
                )
    print()
    print("| load | pacing | messages | msg/s | busiest second | 429s |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['load']} | {row['mode']} | {row['delivered']} | {row['msg_per_s']} |"
            f" {row['busiest_second']} | {row['429']} |"
        )
    write_results(f"pacer-{args.rate:g}.json", "bench_pacer.py", {"rate": args.rate, "rows": rows})


if __name__ == "__main__":
    main()
