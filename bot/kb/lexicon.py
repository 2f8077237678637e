"""knowledge/lexicon.yaml and the word lists under knowledge/words/."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from pathlib import Path

from bot.facts.statements import fold
from bot.kb.model import Lexicon
from bot.schema import LIST, MAPPING, check_mapping
from bot.yamlfile import Problem, YamlDoc

# Every word list of the lexicon file is a field of Lexicon (a tuple or set of words), read the
# same way: a new list is one field in bot/kb/model.py and its words in lexicon.yaml.
_COMPUTED = {"normalize", "words", "english", "exclusive", "same_meaning", "other_meaning", "asks"}
_WORD_LISTS = tuple(
    f.name
    for f in dataclasses.fields(Lexicon)
    if f.name not in _COMPUTED and str(f.type) in ("tuple[str, ...]", "frozenset[str]")
)


def _parse_lexicon(doc: YamlDoc, problems: list[Problem]) -> Lexicon:
    if not check_mapping(
        doc,
        doc.data,
        (),
        problems,
        required={"normalize": MAPPING},
        optional={
            **dict.fromkeys(_WORD_LISTS, LIST),
            "exclusive": LIST,
            "same_meaning": LIST,
            "other_meaning": LIST,
            "asks": MAPPING,
        },
        what="the lexicon file",
    ):
        return Lexicon({}, frozenset())
    mapping: dict[str, str] = {}
    for word, target in (doc.data.get("normalize") or {}).items():
        if not isinstance(word, str) or not isinstance(target, str) or not target.strip():
            problems.append(
                doc.problem(
                    f"'{word}' must map to a non-empty word (quote it if it is a number or yes/no)",
                    "normalize",
                    str(word),
                )
            )
            continue
        if word != word.lower() or " " in word.strip():
            problems.append(doc.problem(f"lexicon key '{word}' must be one lower-case word", "normalize", word))
            continue
        mapping[word] = target.lower().strip()
    lists: dict[str, tuple[str, ...] | frozenset[str]] = {}
    for f in dataclasses.fields(Lexicon):
        if f.name not in _WORD_LISTS:
            continue
        values = doc.data.get(f.name) or []
        if not all(isinstance(p, str) for p in values):
            problems.append(doc.problem(f"'{f.name}' must be a list of words (quote numbers and yes/no)", f.name))
            values = []
        words = tuple(fold(p.strip()) for p in values)
        lists[f.name] = frozenset(words) if str(f.type).startswith("frozenset") else words
    return Lexicon(
        mapping,
        exclusive=_groups(doc, "exclusive", problems),
        same_meaning=_groups(doc, "same_meaning", problems),
        other_meaning=_groups(doc, "other_meaning", problems),
        asks=_asks(doc, problems),
        **lists,  # type: ignore[arg-type]
    )


ASKED_KINDS = ("date", "figure", "percent", "person", "place")


def _asks(doc: YamlDoc, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for kind, words in (doc.data.get("asks") or {}).items():
        if kind not in ASKED_KINDS:
            problems.append(
                doc.problem(f"'asks' kind must be one of {', '.join(ASKED_KINDS)}, got '{kind}'", "asks", kind)
            )
        elif not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            problems.append(doc.problem(f"'asks: {kind}' must be a list of words", "asks", kind))
        else:
            out[kind] = tuple(fold(w.strip()) for w in words)
    return out


def _groups(doc: YamlDoc, key: str, problems: list[Problem]) -> tuple[frozenset[str], ...]:
    """A list of word groups ("exclusive", "same_meaning", "other_meaning"), each of two or more words."""
    groups = []
    for i, group in enumerate(doc.data.get(key) or []):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) for w in group):
            problems.append(doc.problem(f"each item of '{key}' must be a list of two or more words", key, i))
            continue
        groups.append(frozenset(fold(w) for w in group))
    return tuple(groups)


def _read_words(paths: Iterable[Path], problems: list[Problem]) -> tuple[frozenset[str], frozenset[str]]:
    """Every word in the word lists (one per line; '#' starts a comment line), and the English
    list's (en.txt) alone: "chairs" is an English plural, "dinas" is not."""
    versions: list[tuple[Path, int, int]] = []
    for path in paths:
        try:
            path = path.resolve()
            stat = path.stat()
        except OSError as exc:
            problems.append(Problem(str(path), 1, f"cannot read word list: {exc.strerror}"))
            continue
        versions.append((path, stat.st_mtime_ns, stat.st_size))
    try:
        english = frozenset().union(*(_word_list(v) for v in versions if v[0].name == "en.txt"))
        return _word_lists(tuple(versions)), english
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(versions[0][0]) if versions else "?", 1, f"cannot read word list: {exc}"))
        return frozenset(), frozenset()


@functools.lru_cache(maxsize=4)
def _word_lists(versions: tuple[tuple[Path, int, int], ...]) -> frozenset[str]:
    # 180 000 words take 0.2 s to read: /reload and tests reuse them until a file changes.
    return frozenset().union(*(_word_list(v) for v in versions))


@functools.lru_cache(maxsize=32)
def _word_list(version: tuple[Path, int, int]) -> frozenset[str]:
    """One word list, read once per version of the file (the English list is also read alone)."""
    lines = set(map(str.strip, version[0].read_text(encoding="utf-8").lower().split("\n")))
    return frozenset(w for w in lines if w and not w.startswith("#"))


def _lexicon_warnings(doc: YamlDoc, lexicon: Lexicon) -> list[Problem]:
    """A mapping that turns a domain term into something else changes what people asked."""
    warnings = []
    for word, target in lexicon.normalize.items():
        if word in lexicon.protected and target != word:
            warnings.append(
                doc.problem(
                    f"warning: '{word}' is a protected term (see 'protected') but is rewritten to '{target}'",
                    "normalize",
                    word,
                )
            )
    for word in sorted(lexicon.protected & lexicon.filler):
        warnings.append(doc.problem(f"warning: protected term '{word}' is also listed as filler", "filler"))
    return warnings
