"""knowledge/lexicon.yaml and the word lists under knowledge/words/."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from bot.facts.statements import fold
from bot.kb.model import Lexicon
from bot.schema import LIST, MAPPING, check_mapping
from bot.yamlfile import Problem, YamlDoc


def _parse_lexicon(doc: YamlDoc, problems: list[Problem]) -> Lexicon:
    if not check_mapping(
        doc,
        doc.data,
        (),
        problems,
        required={"normalize": MAPPING},
        optional={
            "particles": LIST,
            "filler": LIST,
            "protected": LIST,
            "call_to_action": LIST,
            "claim_markers": LIST,
            "question_words": LIST,
            "at_most": LIST,
            "date_change": LIST,
            "trend_up": LIST,
            "trend_down": LIST,
            "other_regions": LIST,
            "role_glue": LIST,
            "exclusive": LIST,
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
    words: dict[str, tuple[str, ...]] = {}
    for key in (
        "particles",
        "filler",
        "protected",
        "call_to_action",
        "claim_markers",
        "question_words",
        "at_most",
        "date_change",
        "trend_up",
        "trend_down",
        "other_regions",
        "role_glue",
    ):
        values = doc.data.get(key) or []
        if not all(isinstance(p, str) for p in values):
            problems.append(doc.problem(f"'{key}' must be a list of words (quote numbers and yes/no)", key))
            values = []
        words[key] = tuple(fold(p.strip()) for p in values)
    return Lexicon(
        mapping,
        frozenset(words["particles"]),
        frozenset(words["filler"]),
        frozenset(words["protected"]),
        words["call_to_action"],
        claim_markers=words["claim_markers"],
        question_words=words["question_words"],
        at_most=words["at_most"],
        date_change=words["date_change"],
        trend_up=words["trend_up"],
        trend_down=words["trend_down"],
        other_regions=words["other_regions"],
        role_glue=words["role_glue"],
        exclusive=_exclusive_groups(doc, problems),
        asks=_asks(doc, problems),
    )


ASKED_KINDS = ("date", "figure", "person", "place")


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


def _exclusive_groups(doc: YamlDoc, problems: list[Problem]) -> tuple[frozenset[str], ...]:
    groups = []
    for i, group in enumerate(doc.data.get("exclusive") or []):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) for w in group):
            problems.append(doc.problem("each item of 'exclusive' must be a list of two or more words", "exclusive", i))
            continue
        groups.append(frozenset(fold(w) for w in group))
    return tuple(groups)


def _read_words(paths: Iterable[Path], problems: list[Problem]) -> frozenset[str]:
    """Every word in the word lists (one per line; '#' starts a comment line)."""
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
        return _word_lists(tuple(versions))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(versions[0][0]) if versions else "?", 1, f"cannot read word list: {exc}"))
        return frozenset()


@functools.lru_cache(maxsize=4)
def _word_lists(versions: tuple[tuple[Path, int, int], ...]) -> frozenset[str]:
    # 180 000 words take 0.2 s to read: /reload and tests reuse them until a file changes.
    words: set[str] = set()
    for path, _, _ in versions:
        lines = path.read_text(encoding="utf-8").lower().split("\n")
        words.update(w for w in (line.strip() for line in lines) if w and not w.startswith("#"))
    return frozenset(words)


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
