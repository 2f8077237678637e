"""Is a question written in English? Pure: no Telegram, no I/O.

The bot answers in Indonesian only: an English answer for every entry would be a second
text to keep grounded and in step. An English question is still matched (the lexicon
maps English words) and gets the Indonesian answer, with a one-line note in English that
answers are in Indonesian (messages.yaml `english_note`), so the asker is not left
wondering. The marker words are data (messages.yaml `english_words`); the thresholds
below were measured with bench/english.py on the evaluation set and a written sample.

A question counts as English when at least MIN_MARKERS of its words are English marker
words and they make up at least MIN_SHARE of its words: "when is the voting day" is
English, "vote di mana" or "turnout pemilu 2024 naik gak" (Indonesian with an English
word or two) is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.yamlfile import Problem, YamlDoc

MIN_MARKERS = 2
MIN_SHARE = 0.5
SECTION = "english_words"
# Letters only (numbers say nothing about the language); "blora's" and "i'm" count as "blora", "i".
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def english_tokens(text: str) -> list[str]:
    """The words of `text`, lower-case, without digits, cut at an apostrophe."""
    return [word.split("'", 1)[0] for word in _WORD.findall(text.casefold().replace("’", "'"))]


@dataclass(frozen=True, slots=True)
class EnglishDetector:
    """English marker words: function and question words that Indonesian and Javanese do not use."""

    words: frozenset[str] = frozenset()

    def is_english(self, text: str) -> bool:
        tokens = english_tokens(text)
        if not tokens:
            return False
        markers = sum(token in self.words for token in tokens)
        return markers >= MIN_MARKERS and markers / len(tokens) >= MIN_SHARE


def parse_english_words(doc: YamlDoc, raw: Any, problems: list[Problem]) -> EnglishDetector:
    """The `english_words:` list of messages.yaml: single lower-case words, each reported with its line."""
    if not isinstance(raw, list):
        problems.append(doc.problem(f"'{SECTION}' must be a list of words", SECTION))
        return EnglishDetector()
    words: set[str] = set()
    for i, word in enumerate(raw):
        if not isinstance(word, str) or english_tokens(word) != [word]:
            problems.append(
                doc.problem(
                    f"each of '{SECTION}' must be one lower-case word without digits (got {word!r})", SECTION, i
                )
            )
            continue
        if word in words:
            problems.append(doc.problem(f"'{word}' is listed twice in '{SECTION}'", SECTION, i))
        words.add(word)
    return EnglishDetector(frozenset(words))
