"""Staff commands: /stats, /unanswered [n], /reload.

Only the user ids in `bot.admin_ids` (config.yaml) can use them, and only in a private
chat: the statistics quote what people asked, which is not for a group to read. For
everyone else build_application does not let these handlers see the command at all,
so they get exactly what an unknown command gets (the unknown_command reply in
private, silence in groups) and cannot even tell that staff commands exist.

There is no /broadcast on purpose: see bot/telegram/broadcast.py.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.pipeline import Pipeline
from bot.replies.election import local_today
from bot.replies.reply import Reply
from bot.staff_reports import format_stats
from bot.storage import FeedbackComment, UnansweredRow
from bot.telegram.handlers import BotData, Context, send_reply
from bot.telegram.render import MAX_MESSAGE_LENGTH, escape, split_message, text_length
from bot.yamlfile import InvalidFiles

logger = logging.getLogger(__name__)

DEFAULT_UNANSWERED = 10
MAX_UNANSWERED = 50
# A question may be up to bot.max_message_length (1000) characters; a list of 50 of
# those would need a dozen messages. The start is enough to recognise it.
QUESTION_PREVIEW = 200
_PRE = ("<pre>", "</pre>")


async def _send_pre(message: Message, text: str) -> None:
    """Plain `text` as monospaced HTML, split into messages that fit Telegram's limit."""
    room = MAX_MESSAGE_LENGTH - text_length("".join(_PRE))
    for chunk in split_message(escape(text.rstrip("\n")), room):
        await message.get_bot().send_message(message.chat_id, f"{_PRE[0]}{chunk}{_PRE[1]}", parse_mode=ParseMode.HTML)


async def stats(update: Update, context: Context) -> None:
    """/stats: today's and all-time questions, answer rate, top entries and top unanswered questions."""
    message = update.message
    data = context.bot_data
    if message is None or data.store is None:
        return
    today = local_today(data.pipeline.config.election, data.clock())
    await _send_pre(message, format_stats(await data.store.stats(today), data.pipeline.kb.staff))


def unanswered_limit(args: list[str] | None) -> int:
    """`/unanswered [n]`: n between 1 and 50; missing or not a number means 10."""
    if not args:
        return DEFAULT_UNANSWERED
    try:
        wanted = int(args[0])
    except ValueError:
        return DEFAULT_UNANSWERED
    return min(max(wanted, 1), MAX_UNANSWERED)


def format_unanswered_row(data: BotData, row: UnansweredRow) -> str:
    """One unanswered question as plain text: local time, kind, the question, the nearest entry."""
    when = row.asked_at.astimezone(data.pipeline.config.election.timezone)
    question = textwrap.shorten(row.normalized, QUESTION_PREVIEW, placeholder="…")
    nearest = f" → {row.best_entry} ({row.best_score:.0f})" if row.best_entry else ""
    kind = data.pipeline.kb.staff.get(f"unanswered_kind_{row.kind}")
    return f"{when:%d-%m %H:%M} [{kind}] {question}{nearest}"


def format_comment(data: BotData, comment: FeedbackComment) -> str:
    """One feedback comment as plain text: local time, the vote, the entry and why."""
    when = comment.voted_at.astimezone(data.pipeline.config.election.timezone)
    vote = data.text("feedback_up") if comment.positive else data.text("feedback_down")
    why = textwrap.shorten(comment.comment, QUESTION_PREVIEW, placeholder="…")
    return f"{when:%d-%m %H:%M} {vote} {comment.entry_id}: {why}"


async def unanswered(update: Update, context: Context) -> None:
    """/unanswered [n]: the latest n questions the bot could not answer, then the latest n reasons given with 👎/👍."""
    message = update.message
    data = context.bot_data
    if message is None or data.store is None:
        return
    limit = unanswered_limit(context.args)
    rows = await data.store.unanswered(limit)
    comments = await data.store.feedback_comments(limit)
    staff = data.pipeline.kb.staff
    # Plain text through the normal renderer: it escapes the users' words and splits long lists.
    lines = [staff.get("unanswered_intro"), *(format_unanswered_row(data, row) for row in rows)]
    if not rows:
        lines = [staff.get("unanswered_empty")]
    if comments:
        lines += ["", staff.get("feedback_comments_intro"), *(format_comment(data, c) for c in comments)]
    await send_reply(message, Reply("info", "\n".join(lines)))


def fit_problems(header: str, problems: list[str], limit: int = MAX_MESSAGE_LENGTH) -> str:
    """`header` and as many problem lines as fit one message (HTML-escaped), then "… (+N)"."""
    text = escape(header)
    for shown, problem in enumerate(problems):
        candidate = f"{text}\n{escape(problem)}"
        left = len(problems) - shown - 1
        # Take a line only if the "… (+N)" for the lines after it would still fit.
        if text_length(candidate + (f"\n… (+{left})" if left else "")) > limit:
            return f"{text}\n… (+{len(problems) - shown})"
        text = candidate
    return text


async def reload_knowledge(update: Update, context: Context) -> None:
    """/reload: load and check the knowledge base again; keep serving the old one if it has errors."""
    message = update.message
    data = context.bot_data
    if message is None:
        return
    config = data.pipeline.config
    try:
        # Reading and validating the YAML takes a moment: keep the event loop answering meanwhile.
        fresh = await asyncio.to_thread(Pipeline.from_config, config, data.clock)
    except InvalidFiles as exc:
        logger.warning("/reload refused: %d problem(s) in the knowledge base", len(exc.problems))
        # The old knowledge base's staff texts: the new one did not load.
        text = fit_problems(data.pipeline.kb.staff.get("reload_failed"), [str(p) for p in exc.problems])
        await message.get_bot().send_message(message.chat_id, text, parse_mode=ParseMode.HTML)
        return
    data.pipeline = fresh
    logger.info("knowledge base reloaded: %s", fresh.kb.summary())
    # The other replicas (PostgreSQL NOTIFY) load the same files too: see reload_announced.
    try:
        await data.replicas.announce_reload()
    except Exception as exc:  # this replica is reloaded; the others keep the old one until told again
        logger.warning("/reload could not be announced to the other replicas: %s", exc)
    await send_reply(message, Reply("info", f"{fresh.kb.staff.get('reload_ok')}\n{fresh.kb.summary()}"))


async def reload_announced(data: BotData, from_me: bool) -> None:
    """A replica reloaded the knowledge base (/reload there): load it here too, unless this is that replica.

    Any PostgreSQL role that can connect may announce a reload (NOTIFY has no permission of
    its own), so a replica reloads at most once per `data.reload_throttle.interval` for
    announcements: the first at once, those that follow within the interval merged into one
    reload when it is over (issue 25, item 9; docs/scaling.md). A put-off reload runs in a
    task of its own: the listener is held up only by an immediate one, as before.
    """
    if from_me:
        return
    wait = data.reload_throttle.offer(0, 1)
    if wait is None:  # a reload is already put off: this announcement is merged into it
        data.reloads_merged += 1
        return
    if wait == 0.0:
        await _reload_from_files(data, "announced by another replica")
        return
    data.reloads_merged += 1
    data.reload_later = asyncio.get_running_loop().create_task(_reload_later(data, wait), name="announced reload")


async def _reload_later(data: BotData, wait: float) -> None:
    await asyncio.sleep(wait)
    if data.reload_throttle.take(0) is None:
        return
    merged, data.reloads_merged = data.reloads_merged, 0
    interval = data.reload_throttle.interval
    await _reload_from_files(
        data, f"announced by another replica; {merged} announcement(s) within {interval:g} s merged into this reload"
    )


async def _reload_from_files(data: BotData, why: str) -> None:
    try:
        fresh = await asyncio.to_thread(Pipeline.from_config, data.pipeline.config, data.clock)
    except InvalidFiles as exc:
        logger.warning("Reload %s refused here: %d problem(s)", why.split(";")[0], len(exc.problems))
        return
    data.pipeline = fresh
    logger.info("knowledge base reloaded (%s): %s", why, fresh.kb.summary())


def cancel_announced_reload(data: BotData) -> None:
    """At shutdown: forget a reload the throttle put off."""
    if data.reload_later is not None:
        data.reload_later.cancel()
        data.reload_later = None
