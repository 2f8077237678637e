"""Broadcast: one reminder round to N subscribers against a fake Bot API enforcing Telegram's limits.

    python bench/bench_broadcast.py                       # 10 000 subscribers: about 6 minutes
    python bench/bench_broadcast.py --subscribers 1000    # a quick look
    python bench/bench_broadcast.py --rate 30 --bucket 30 # PTB's default limiter shape instead
    python bench/bench_broadcast.py --paid 100            # a paid round (allow_paid_broadcast) at 100/s

The production path end to end: a temporary SQLite store (bot.storage.Store) with N
subscribed chats, the first reminder of config.yaml's schedule, its text from
messages.yaml, and `run_reminder_round` from bot/telegram/broadcast.py (claim in the
store, send, settle) with its default concurrency. It sends through the bot that
`build_application` builds, so with the app's own rate limiter and the bot.rate_limit
settings of config.yaml. The fake Bot API (tests/support/fakebotapi.py, in a thread: at 30
messages/s the GIL is no bottleneck) enforces Telegram's published limits as exact
sliding windows, 30 messages in any second overall and 1 per second per chat, and
answers anything over them with 429 and retry_after.

Reported: achieved messages/s (chats reached / round time), 429s the server sent, chats
that got the reminder more than once (duplicates) and subscribed chats that never got it
(misses). Target (issue 7): >= 27 messages/s with no 429s, duplicates or misses.

To try other limiter settings, --rate R [--bucket B] sends through a plain ExtBot with
AIORateLimiter(overall_max_rate=B, overall_time_period=B/R) instead (max_retries from
config): R messages/s in the long run, bursts of at most B. AIORateLimiter is a leaky
bucket (aiolimiter), and its default shape, B = R with a 1 s period (also the default
of --bucket), lets R messages through at once and then R per second, so the first
second can carry up to 2R. Prints a table and writes bench/results/broadcast.json
(broadcast-<rate>-<bucket>.json for --rate runs).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter, ExtBot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the fake Bot API is test code
from results_file import git_state, write_results

from bot.config import Config, load_config
from bot.pipeline import Pipeline
from bot.reminders import Reminder, reminder_schedule
from bot.storage import SqliteStore
from bot.telegram.app import build_application
from bot.telegram.broadcast import reminder_text, round_concurrency, run_reminder_round
from bot.telegram.handlers import BotData
from tests.support.fakebotapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TELEGRAM_OVERALL = 30  # messages in any one second, all chats together
TELEGRAM_PER_CHAT = 1  # messages in any one second to one chat
TARGET_RATE = 27.0  # issue 7: 90 % of Telegram's cap, with no 429s, duplicates or misses
STARS_PER_PAID_MESSAGE = 0.1  # core.telegram.org/bots/api, sendMessage: allow_paid_broadcast
FIRST_CHAT_ID = 5_000_000  # subscribers are FIRST_CHAT_ID, FIRST_CHAT_ID + 1, ... (private chats)


def experiment_bot(base_url: str, config: Config, rate: float, bucket: float) -> ExtBot[None]:
    """A plain ExtBot whose AIORateLimiter allows `rate` messages/s in bursts of at most `bucket`."""
    limits = config.bot.rate_limit
    limiter = AIORateLimiter(
        overall_max_rate=bucket,
        overall_time_period=bucket / rate,
        group_max_rate=limits.group_per_minute,
        max_retries=limits.max_retries,
    )
    return ExtBot(TOKEN, base_url=base_url, rate_limiter=limiter)


def describe_limiter(bot: ExtBot[Any]) -> str:
    """e.g. "RetryingRateLimiter: 29/s, bursts of 1", read from the limiter's overall bucket."""
    limiter = bot.rate_limiter
    # PTB keeps AIORateLimiter's overall bucket private; fall back to the class name.
    base = getattr(limiter, "_base_limiter", None)
    if base is None:
        return type(limiter).__name__
    return f"{type(limiter).__name__}: {base.max_rate / base.time_period:g}/s, bursts of {base.max_rate:g}"


def the_text(pipeline: Pipeline, reminder: Reminder) -> str:
    """The reminder as subscribers get it (messages.yaml), as the reminder job builds it."""
    data = BotData()
    data.pipeline = pipeline
    return reminder_text(data, reminder) or reminder.key  # None only if staff removed the text


async def report_progress(api: FakeBotApi, started: float, total: int) -> None:
    """Every 30 s on stderr: a 10 000-chat round takes minutes, show it is moving."""
    while True:
        await asyncio.sleep(30)
        stats = api.stats
        done = sum(1 for n in stats["sent"].values() if n)
        elapsed = time.monotonic() - started
        print(f"  {elapsed:5.0f} s: {done}/{total} sent, {stats['429']} x 429", file=sys.stderr, flush=True)


async def bench(
    subscribers: int, rate: float | None, bucket: float | None, concurrency: int | None, paid: float | None = None
) -> dict[str, Any]:
    config = load_config(ROOT / "config.yaml", environ={})
    if paid is not None:  # reminders.paid_broadcast on, at `paid` messages/s
        config = replace(config, reminders=replace(config.reminders, paid_broadcast=True, paid_per_second=paid))
    pipeline = Pipeline.from_config(config)
    reminder = reminder_schedule(config.election, config.reminders)[0]
    text = the_text(pipeline, reminder)
    chats = list(range(FIRST_CHAT_ID, FIRST_CHAT_ID + subscribers))
    with tempfile.TemporaryDirectory() as tmp, FakeBotApi(token=TOKEN) as api:
        store = await SqliteStore.open(
            Path(tmp) / "bench.sqlite3", salt=os.urandom(32), timezone=config.election.timezone
        )
        try:
            for chat in chats:
                await store.subscribe(chat)
            api.enforce_limits(per_second_overall=TELEGRAM_OVERALL, per_second_per_chat=TELEGRAM_PER_CHAT)
            if rate is None:
                # The app's own bot: its rate limiter, defaults and request settings.
                bot: ExtBot[Any] = build_application(pipeline, TOKEN, base_url=api.base_url).bot
            else:
                bot = experiment_bot(api.base_url, config, rate, bucket or rate)
            async with bot:
                # Only concurrency is varied here: the rest is run_reminder_round's own defaults.
                extra: dict[str, Any] = {} if concurrency is None else {"concurrency": concurrency}
                if paid is not None:  # as reminder_job runs a paid round
                    extra = {"concurrency": round_concurrency(config.reminders), **extra, "paid": True}
                started = time.monotonic()
                progress = asyncio.create_task(report_progress(api, started, subscribers))
                try:
                    result = await run_reminder_round(bot, store, reminder, text, **extra)
                finally:
                    progress.cancel()
                elapsed = time.monotonic() - started
            pending = await store.pending_chats(reminder.key)
        finally:
            await store.close()
        stats = api.stats
        delivered = [c for c in api.calls("sendMessage") if c.status == 200]
    sent: Counter[Any] = stats["sent"]
    reached = sum(1 for chat in chats if sent[chat] > 0)
    span = delivered[-1].time - delivered[0].time if len(delivered) > 1 else float("nan")
    return {
        "subscribers": subscribers,
        "limiter": describe_limiter(bot),
        "app_limiter": rate is None,
        "max_retries": config.bot.rate_limit.max_retries,
        "concurrency": concurrency if concurrency is not None else "run_reminder_round default",
        "round_s": elapsed,
        "messages_per_s": reached / elapsed,
        # Between the first and the last delivered message, as the server saw them.
        "server_messages_per_s": (len(delivered) - 1) / span,
        "http_429": stats["429"],
        "paid_messages": stats["paid"],
        # Telegram's price: 0.1 Star per paid message (Bot API, sendMessage, allow_paid_broadcast).
        "stars": stats["paid"] * STARS_PER_PAID_MESSAGE,
        "duplicates": sum(1 for chat in chats if sent[chat] > 1),
        "misses": subscribers - reached,
        "still_pending": len(pending),  # released claims a later retry round would pick up
        "round_result": {
            "sent": result.sent,
            "blocked": result.blocked,
            "failed": result.failed,
            "skipped_already_sent": result.skipped_already_sent,
            "retry_later": result.retry_later,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, help="messages/s: use a plain AIORateLimiter instead of the app's")
    parser.add_argument("--bucket", type=float, help="with --rate: largest burst (default: = rate, PTB's shape)")
    parser.add_argument("--concurrency", type=int, help="chats in flight (default: run_reminder_round's)")
    parser.add_argument("--paid", type=float, help="messages/s: a paid round (reminders.paid_broadcast) at this rate")
    args = parser.parse_args()
    if args.bucket is not None and args.rate is None:
        parser.error("--bucket needs --rate")
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22 warns when it builds a RetryAfter otherwise
    logging.basicConfig(level=logging.WARNING)
    # Each 429 would print a traceback here; the fake server counts them instead.
    for name in ("telegram.ext.AIORateLimiter", "bot.telegram.network"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    code = git_state()  # now: the run takes minutes and the work tree may change meanwhile
    r = asyncio.run(bench(args.subscribers, args.rate, args.bucket, args.concurrency, args.paid))
    ok = r["messages_per_s"] >= TARGET_RATE and not (r["http_429"] or r["duplicates"] or r["misses"])
    print(
        "| subscribers | limiter | round s | messages/s | server-side msg/s | 429s | duplicates | misses "
        "| sent / failed / retry later | target |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---|")
    rr = r["round_result"]
    limiter = r["limiter"] + (" (the app's)" if r["app_limiter"] else "")
    print(
        f"| {r['subscribers']} | {limiter} | {r['round_s']:.1f} | {r['messages_per_s']:.2f} "
        f"| {r['server_messages_per_s']:.2f} | {r['http_429']} | {r['duplicates']} | {r['misses']} "
        f"| {rr['sent']} / {rr['failed']} / {rr['retry_later']} | {'pass' if ok else 'FAIL'} |"
    )
    name = "broadcast.json" if args.rate is None else f"broadcast-{args.rate:g}-{args.bucket or args.rate:g}.json"
    if args.paid is not None:
        name = f"broadcast-paid-{args.paid:g}.json"
        print(f"paid messages: {r['paid_messages']}, cost {r['stars']:g} Stars")
    write_results(
        name,
        "bench_broadcast.py",
        {
            "code": code,
            "telegram_limits": {"overall_per_s": TELEGRAM_OVERALL, "per_chat_per_s": TELEGRAM_PER_CHAT},
            "result": r,
            "target": {"messages_per_s": TARGET_RATE, "pass": ok},
        },
    )


if __name__ == "__main__":
    main()
