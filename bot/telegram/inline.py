"""Inline mode: `@bot golput` in any chat lists matching answers that staff can send there.

Needs inline mode switched on with BotFather (/setinline). The "Bagikan" button under
an answer opens this with the entry id as the query, so that entry comes first.
"""

from __future__ import annotations

import textwrap

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit, ParseMode

from bot.knowledge import Messages
from bot.pipeline import Pipeline
from bot.telegram.handlers import Context
from bot.telegram.render import render_html

MAX_RESULTS: int = InlineQueryLimit.RESULTS
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
    if query in pipeline.kb.by_id:
        ids = [query, *(i for i in ids if i != query)]
    return ids[:MAX_RESULTS]


def article(pipeline: Pipeline, entry_id: str) -> InlineQueryResultArticle:
    """One entry as an inline result: its title, a one-line preview, and the full answer."""
    entry = pipeline.kb.entry(entry_id)
    reply = pipeline.replies.for_entry(entry_id)
    first_line = entry.answer.strip().splitlines()[0]
    return InlineQueryResultArticle(
        id=entry.id,
        title=entry.title,
        description=textwrap.shorten(first_line, DESCRIPTION_LENGTH, placeholder="…"),
        input_message_content=InputTextMessageContent(render_html(reply), parse_mode=ParseMode.HTML),
    )


async def inline_query(update: Update, context: Context) -> None:
    """List matching entries as articles; an empty query lists the main topics."""
    query = update.inline_query
    if query is None:
        return
    pipeline = context.bot_data.pipeline
    results = [article(pipeline, i) for i in entries_for_query(pipeline, query.query)]
    button = results_button(pipeline.kb.messages, query.query, found=bool(results))
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False, button=button)


def results_button(messages: Messages, query: str, *, found: bool) -> InlineQueryResultsButton | None:
    """A button above the results that opens the private chat: a hint, or "ask me directly"."""
    if not query.strip():
        key = "inline_empty_hint"
    elif not found:
        key = "inline_no_results"
    else:
        return None
    if not messages.has(key):
        return None
    return InlineQueryResultsButton(messages.get(key), start_parameter=START_PARAMETER)
