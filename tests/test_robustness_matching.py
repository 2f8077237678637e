"""Property-based tests: normalization and matching never raise and stay bounded on any input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.nlu.matcher import Matcher
from bot.nlu.text import MAX_CHARS, Normalizer
from bot.pipeline import Pipeline

# Any Unicode (including surrogate-free control, RTL and combining characters).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)
ZALGO = st.text(st.sampled_from(["a", "b", "\u0300", "\u0336", "\u0489", "\u20dd", " "]), min_size=1, max_size=400)
RTL = st.text(st.sampled_from([*"مرحبا שלום", "\u202e", "\u200f", " "]), min_size=1, max_size=200)
# Multi-codepoint emoji (flags, skin tones, ZWJ sequences) joined from single characters.
EMOJI = st.lists(st.sampled_from(["🙏", "😀", "🗳️", "👍🏽", "\u200d", "🇮🇩"]), min_size=1, max_size=100).map("".join)
DIGITS = st.text(st.sampled_from(list("0123456789.,")), min_size=1, max_size=200)
CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=200)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def normalizer(pipeline: Pipeline) -> Normalizer:
    return Normalizer(pipeline.kb.lexicon)


@pytest.fixture
def matcher(pipeline: Pipeline) -> Matcher:
    return pipeline.matcher


def check(matcher: Matcher, normalizer: Normalizer, text: str) -> None:
    tokens = normalizer.tokens(text)
    assert all(isinstance(t, str) and t and " " not in t for t in tokens)
    result = matcher.match(text)
    assert result.outcome in ("answer", "unknown", "suggest", "none")
    assert (result.entry_id is not None) == (result.outcome == "answer")
    assert len(result.suggestions) <= matcher.settings.max_suggestions


@PROPERTY
@given(text=st.one_of(ANY_TEXT, ZALGO, RTL, EMOJI, DIGITS, CONTROL))
def test_any_text_never_raises(matcher: Matcher, normalizer: Normalizer, text: str) -> None:
    check(matcher, normalizer, text)


@pytest.mark.parametrize("unit", ["golput ", "🙏", "9", "a\u0336", "مرحبا ", "\x00\x07", "kapan nyoblos? "])
def test_100_kb_input_is_bounded(matcher: Matcher, normalizer: Normalizer, unit: str) -> None:
    text = unit * (100_000 // len(unit))
    start = time.perf_counter()
    check(matcher, normalizer, text)
    # Normalization reads at most MAX_CHARS characters whatever the input size, so this is
    # a guard against accidental quadratic work, far above the ~1 ms a question takes.
    assert time.perf_counter() - start < 1.0
    assert len(normalizer.tokens(text)) <= MAX_CHARS


def test_only_emoji_or_punctuation_is_no_match(matcher: Matcher) -> None:
    for text in ("🙏🙏🙏", "?!?!", "...", "\u200d\u200d"):
        assert matcher.match(text).outcome == "none"
