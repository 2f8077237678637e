"""Tiny declarative checks for YAML mappings: unknown keys, missing keys, wrong types.

Every problem is collected with its line, so a staff member sees all mistakes at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.yamlfile import Problem, YamlDoc


@dataclass(frozen=True, slots=True)
class Expect:
    """What a key must hold: accepted Python types and words for the error message."""

    types: tuple[type, ...]
    words: str

    def accepts(self, value: Any) -> bool:
        # YAML booleans are ints in Python; never accept True where a number is expected.
        if isinstance(value, bool) and bool not in self.types:
            return False
        # A bare date is parsed as datetime.date; a datetime is not a date for us.
        if isinstance(value, dt.datetime) and dt.datetime not in self.types:
            return False
        return isinstance(value, self.types)


TEXT = Expect((str,), "text")
NONEMPTY_TEXT = Expect((str,), "non-empty text")
INT = Expect((int,), "a whole number")
NUMBER = Expect((int, float), "a number")
BOOL = Expect((bool,), "true or false")
DATE = Expect((dt.date,), "a date written YYYY-MM-DD")
LIST = Expect((list,), "a list")
MAPPING = Expect((dict,), "a mapping of key: value")


def check_mapping(
    doc: YamlDoc,
    value: Any,
    path: tuple[str | int, ...],
    problems: list[Problem],
    *,
    required: Mapping[str, Expect],
    optional: Mapping[str, Expect] | None = None,
    what: str = "this block",
) -> bool:
    """Report unknown, missing and wrongly typed keys; return True if `value` is a mapping."""
    optional = optional or {}
    if not isinstance(value, dict):
        problems.append(doc.problem(f"{what} must be a mapping of key: value", *path))
        return False
    for key in value:
        if key not in required and key not in optional:
            known = ", ".join(sorted([*required, *optional]))
            problems.append(doc.problem(f"unknown key '{key}' in {what} (known keys: {known})", *path, str(key)))
    for key, expect in required.items():
        if key not in value:
            problems.append(doc.problem(f"{what} is missing '{key}' ({expect.words})", *path))
    for key, expect in {**required, **optional}.items():
        if key in value and not expect.accepts(value[key]):
            problems.append(doc.problem(f"'{key}' must be {expect.words}, got {_describe(value[key])}", *path, key))
        elif key in value and expect is NONEMPTY_TEXT and not value[key].strip():
            problems.append(doc.problem(f"'{key}' must not be empty", *path, key))
    return True


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, str):
        return f"text '{value[:40]}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"
