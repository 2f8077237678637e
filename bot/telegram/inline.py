"""Inline mode: `@bot golput` in any chat lists matching answers that staff can send there.

Needs inline mode switched on with BotFather (/setinline). The "Bagikan" button under
an answer opens this with the entry's title as the query ("@bot Apa itu golput?"), so
that entry comes first; so does its id, which older Bagikan buttons pre-filled.

Telegram sends a query at every keystroke. Each user's queries go through a Throttle
(bot/storage/flood.py, bot.inline_interval in config.yaml): the first is answered at
once, later ones at most once per interval, always the latest, so typing "golput
itu apa" costs two or three answers instead of fourteen.
"""

from __future__ import annotations

import asyncio
import textwrap

from telegram import InlineQuery, InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit, ParseMode

from bot.kb.knowledge import KnowledgeBase
from bot.pipeline import Pipeline
from bot.replies.replies import ReplyBuilder
from bot.telegram.handlers import Context
from bot.telegram.render import render_html

MAX_RESULTS: int = InlineQueryLimit.RESULTS
# Telegram never sends a longer query; a forged or future one is cut, not refused.
MAX_QUERY_LENGTH: int = InlineQueryLimit.MAX_QUERY_LENGTH
# Answers change only when staff edit the knowledge base; the countdown line may be
# five minutes stale, which is harmless.
CACHE_SECONDS = 300
DESCRIPTION_LENGTH = 100
# Deep link parameter of the results button: opens a private chat with the bot (/start inline).
START_PARAMETER = "inline"


def entries_for_query(pipeline: Pipeline, query: str) -> list[str]:
    """Entry ids to offer for `query`, best first: the topics if it is empty."""
    query = query.strip()
    if not query:
        return [topic.entry for topic in pipeline.kb.messages.topics][:MAX_RESULTS]
    # The bar of a "did you mean": below it an entry shares only a stray word with the query.
    floor = pipeline.config.matching.suggest_threshold
    ids = [c.entry_id for c in pipeline.matcher.rank(query, limit=MAX_RESULTS).candidates if c.score >= floor]
    named = entry_named(pipeline.kb, query)
    if named is not None:
        ids = [named, *(i for i in ids if i != named)]
    return ids[:MAX_RESULTS]


def entry_named(kb: KnowledgeBase, query: str) -> str | None:
    """The entry whose title (what Bagikan pre-fills) or id `query` is, ignoring case and spacing."""
    if query in kb.by_id:
        return query
    wanted = _plain(query)
    return next((e.id for e in kb.entries if _plain(e.title) == wanted), None)


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def article(pipeline: Pipeline, entry_id: str) -> InlineQueryResultArticle:
    """One entry as an inline result: its title, a one-line preview, and the full answer."""
    entry = pipeline.kb.entry(entry_id)
    reply = pipeline.replies.for_entry(entry_id)
    first_line = reply.text.strip().splitlines()[0]
    return InlineQueryResultArticle(
        id=entry.id,
        title=entry.title,
        description=textwrap.shorten(first_line, DESCRIPTION_LENGTH, placeholder="…"),
        input_message_content=InputTextMessageContent(render_html(reply), parse_mode=ParseMode.HTML),
    )


async def inline_query(update: Update, context: Context) -> None:
    """List matching entries as articles; an empty query lists the main topics. Throttled per user."""
    query = update.inline_query
    if query is None:
        return
    throttle = context.bot_data.inline_throttle
    wait = throttle.offer(query.from_user.id, query)
    if wait is None:  # an answer is already scheduled: it will answer this newer query instead
        return
    if wait > 0:
        # In a task, so the wait does not hold up other users' updates.
        context.application.create_task(_answer_later(context, query.from_user.id, wait), update=update)
        return
    await answer_query(query, context.bot_data.pipeline)


async def _answer_later(context: Context, user_id: int, wait: float) -> None:
    await asyncio.sleep(wait)
    latest = context.bot_data.inline_throttle.take(user_id)
    if latest is not None:
        await answer_query(latest, context.bot_data.pipeline)


async def answer_query(query: InlineQuery, pipeline: Pipeline) -> None:
    """Answer one inline query with the matching entries."""
    text = query.query[:MAX_QUERY_LENGTH]
    results = [article(pipeline, i) for i in entries_for_query(pipeline, text)]
    button = results_button(pipeline.replies, text, found=bool(results))
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False, button=button)


def results_button(replies: ReplyBuilder, query: str, *, found: bool) -> InlineQueryResultsButton | None:
    """A button above the results that opens the private chat: a hint, or "ask me directly"."""
    if not query.strip():
        key = "inline_empty_hint"
    elif not found:
        key = "inline_no_results"
    else:
        return None
    if not replies.kb.messages.has(key):
        return None
    return InlineQueryResultsButton(replies.text(key), start_parameter=START_PARAMETER)
