"""The shipped pipeline with some settings changed, for tests that need other limits."""

from __future__ import annotations

import math
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from bot.config import Config
from bot.pipeline import Pipeline
from tests.support.constants import ADMIN


def force_suggestions(pipeline: Pipeline, *questions: str) -> None:
    """Make `questions` get "did you mean" whatever their score, so flows survive matcher tuning."""
    strict = replace(pipeline.config, matching=replace(pipeline.config.matching, margin=math.inf))
    suggesting = Pipeline.from_parts(strict, pipeline.kb).matcher
    real = pipeline.replies.matcher
    pipeline.replies.matcher = SimpleNamespace(  # type: ignore[assignment]
        match=lambda text: (suggesting if text in questions else real).match(text)
    )


def tuned(pipeline: Pipeline, **settings: Any) -> Pipeline:
    """The pipeline with some `bot:` settings changed; rate_limit_<key> changes bot.rate_limit.<key>."""
    bot = pipeline.config.bot
    limits = {k.removeprefix("rate_limit_"): settings.pop(k) for k in list(settings) if k.startswith("rate_limit_")}
    bot = replace(bot, rate_limit=replace(bot.rate_limit, **limits), **settings)
    return replace(pipeline, config=replace(pipeline.config, bot=bot))


def unpaced(pipeline: Pipeline) -> Pipeline:
    """Replies to one chat not spaced a second apart (rate_limit.chat_per_second 0).

    For offline tests that send many replies to one chat back to back: the spacing
    would only make them slow. It has its own test (test_network.py).
    """
    return tuned(pipeline, rate_limit_chat_per_second=0)


def with_admin(config: Config) -> Config:
    """`config` with ADMIN as the one staff member."""
    return replace(config, bot=replace(config.bot, admin_ids=frozenset({ADMIN})))
