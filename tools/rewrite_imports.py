"""Rewrite module names and file paths after the layout change of issue #24 (bot/kb, facts, nlu, replies).

The modules moved without a change of content (see .git-blame-ignore-revs); this script
rewrites what names them elsewhere, so a branch made before the move can follow it:

    git merge layout                         # or rebase; git follows the renames
    python3 tools/rewrite_imports.py         # every tracked .py/.md/.toml/.yaml/.cfg/.sh file
    python3 tools/rewrite_imports.py FILE…   # or only these files
    ruff check --fix . && ruff format .      # the import blocks sorted again

A module the branch added under bot/ is moved by hand first (`git mv`), given a line in
MOVES below, and placed in pyproject.toml's layers; then the script rewrites its uses.

It rewrites dotted names (`from bot.knowledge import …`, `import bot.decision`,
`"bot.telegram.flood.time"` in a monkeypatch, `bot.events` in prose), `from bot import
knowledge`, and paths (`bot/knowledge.py`, `bot/decision_model.json`). It is idempotent: a
name already moved is left alone, so running it twice changes nothing. Where a moved module
shares its name with its new package (`bot.facts`, `bot.replies`), `from bot.facts import x`
is taken as the old module unless every `x` is a module of the new package.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# old module -> new module (no content changed; bot/pipeline.py keeps its name)
MOVES = {
    "bot.knowledge": "bot.kb.knowledge",
    "bot.phases": "bot.kb.phases",
    "bot.staff_texts": "bot.kb.staff_texts",
    "bot.smalltalk": "bot.kb.smalltalk",
    "bot.english": "bot.kb.english",
    "bot.scope": "bot.kb.scope",
    "bot.facts": "bot.facts.facts",
    "bot.statements": "bot.facts.statements",
    "bot.text": "bot.nlu.text",
    "bot.matcher": "bot.nlu.matcher",
    "bot.claims": "bot.nlu.claims",
    "bot.decision": "bot.nlu.decision",
    "bot.training": "bot.nlu.training",
    # added on main after this layout was cut: `git mv bot/ngrams.py bot/nlu/` when merging, and
    # put "ngrams" beside "decision | text" in the bot.nlu layers contract
    "bot.ngrams": "bot.nlu.ngrams",
    "bot.evaluation": "bot.nlu.evaluation",
    "bot.replies": "bot.replies.replies",
    "bot.election": "bot.replies.election",
    "bot.events": "bot.storage.events",
    "bot.redaction": "bot.storage.redaction",
    "bot.telegram.flood": "bot.storage.flood",
}
# files that are not modules: old path -> new path
FILE_MOVES = {
    "bot/decision_model.json": "bot/nlu/decision_model.json",
}
# the new packages whose name is also an old module's
PACKAGES = {"bot.facts": {"facts", "statements"}, "bot.replies": {"replies", "election"}}

SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".sh", ".txt"}
# history and data are left as they were written
SKIP = ("bench/results/", "knowledge/", "tests/data/", "tools/rewrite_imports.py")


def _names(old: str) -> str:
    return re.escape(old)


# `bot.x` not preceded by a word character or a dot, and not followed by more of a name
# (so `bot.text` is not `bot.textual`, and `bot.facts.facts` is not moved again). A bare
# `bot.facts` or `bot.replies` is left alone: after the move it names the new package.
_BARE = sorted((m for m in MOVES if m not in PACKAGES), key=len, reverse=True)
_DOTTED = re.compile(r"(?<![\w.])(" + "|".join(_names(m) for m in _BARE) + r")(?![\w])(?!\.(\w+))(?! import )")
# `import bot.facts` (old module) is the one bare form that must move with its uses
_IMPORT_PACKAGE_NAME = re.compile(r"^(\s*import )(" + "|".join(_names(m) for m in PACKAGES) + r")$", re.MULTILINE)
_DOTTED_ATTR = re.compile(
    r"(?<![\w.])(" + "|".join(_names(m) for m in sorted(MOVES, key=len, reverse=True)) + r")\.(\w+)"
)
_FROM_PACKAGE = re.compile(r"^(\s*)from (bot(?:\.telegram)?) import ([^\n(]+|\([^)]*\))", re.MULTILINE)
_PATHS = {old.replace(".", "/") + ".py": new.replace(".", "/") + ".py" for old, new in MOVES.items()}
_PATHS.update(FILE_MOVES)
_PATH = re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(p) for p in sorted(_PATHS, key=len, reverse=True)) + r")")


def _dotted(match: re.Match[str]) -> str:
    return MOVES[match.group(1)]


def _dotted_attr(match: re.Match[str]) -> str:
    """`bot.facts.x`: x is a name in the old module unless it is a module of the new package."""
    old, rest = match.group(1), match.group(2)
    if rest in PACKAGES.get(old, ()):
        return match.group(0)
    return f"{MOVES[old]}.{rest}"


def _from_import(text: str) -> str:
    """`from bot.facts import a, b`: the old module unless a, b are all modules of the package."""

    def fix(match: re.Match[str]) -> str:
        indent, module, names = match.group(1), match.group(2), match.group(3)
        if module in MOVES:  # handled by _dotted
            return match.group(0)
        # from bot import knowledge, config  ->  one line per moved module
        items = [n.strip() for n in names.strip("()").replace("\n", " ").split(",") if n.strip()]
        moved = [n for n in items if f"{module}.{n.split(' as ')[0]}" in MOVES]
        if not moved:
            return match.group(0)
        lines = []
        stay = [n for n in items if n not in moved]
        if stay:
            lines.append(f"{indent}from {module} import {', '.join(stay)}")
        for n in moved:
            base, _, alias = n.partition(" as ")
            new = MOVES[f"{module}.{base}"]
            parent, _, leaf = new.rpartition(".")
            lines.append(f"{indent}from {parent} import {leaf}" + (f" as {alias}" if alias else ""))
        return "\n".join(lines)

    return _FROM_PACKAGE.sub(fix, text)


def _from_moved_module(text: str) -> str:
    """`from bot.facts import x` (old module) -> `from bot.facts.facts import x`, once."""
    pattern = re.compile(
        r"^(\s*from )(" + "|".join(_names(m) for m in MOVES) + r")( import )([^\n(]+|\([^)]*\))", re.MULTILINE
    )

    def fix(match: re.Match[str]) -> str:
        module, names = match.group(2), match.group(4)
        items = {n.strip().split(" as ")[0] for n in names.strip("()").replace("\n", " ").split(",") if n.strip()}
        if module in PACKAGES and items <= PACKAGES[module]:
            return match.group(0)  # already the new package's modules
        return f"{match.group(1)}{MOVES[module]}{match.group(3)}{names}"

    return pattern.sub(fix, text)


def rewrite(text: str) -> str:
    text = _from_import(text)
    text = _from_moved_module(text)
    # dotted names in any other place: `import bot.x`, strings, prose
    text = _IMPORT_PACKAGE_NAME.sub(lambda m: m.group(1) + MOVES[m.group(2)], text)
    text = _DOTTED_ATTR.sub(_dotted_attr, text)
    text = _DOTTED.sub(_dotted, text)
    return _PATH.sub(lambda m: _PATHS[m.group(1)], text)


def default_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    return [Path(f) for f in listed if (Path(f).suffix in SUFFIXES or f == ".ci/run") and not f.startswith(SKIP)]


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or default_files()
    changed = 0
    for path in files:
        if not path.is_file():
            continue
        before = path.read_text(encoding="utf-8")
        after = rewrite(before)
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed += 1
            print(path)
    print(f"{changed} file(s) rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
