"""Load YAML files while remembering the line of every value.

Staff edit the knowledge base by hand, so every error must point to `file:line`.
PyYAML's constructed objects forget their position; we compose the node tree
ourselves and record a line for every path (("entries", 3, "answer") -> 57).

Aliases (`*name`) are refused: each one repeats a whole subtree, so a few hundred
bytes of nested aliases (an "alias bomb") expand to gigabytes when walked. Staff
files never need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a file, reported as `file:line: message` (`file: message` when line is 0)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:  # not in a file: an environment variable
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class InvalidFiles(Exception):
    """Raised with every problem found, so they can be reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(slots=True)
class YamlDoc:
    """Plain Python data plus the line number of each value, by path."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int:
        """Line of the value at `path`, or of its nearest known parent."""
        key: PathKey = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def problem(self, message: str, *path: str | int) -> Problem:
        return Problem(self.file, self.line(*path), message)


# libyaml's C parser composes ~10x faster than the pure-Python one and keeps the marks
# we need; a big knowledge base (10 000 entries) would otherwise take seconds to start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# PyYAML's messages are written for programmers; staff get plain words.
_PLAIN_WORDS = (
    ("found character '\\t'", "a tab character is not allowed in YAML: indent with spaces"),
    ("mapping values are not allowed here", "unexpected ':' here: check the indentation, or put the text in quotes"),
    ("could not find expected ':'", "a line is missing its ':' (key: value), or the indentation is off"),
    ("did not find expected key", "the indentation is off here (items of one list or block must line up)"),
    ("expected <block end>", "the indentation is off here: keys of one block must start in the same column"),
    ("did not find expected '-' indicator", "the indentation is off here (list items must line up under each other)"),
    ("found unexpected end of stream", "the file ends inside an unfinished quote or bracket"),
    ("found undefined alias", "an alias (*name) refers to an anchor that does not exist"),
)


ALIAS_REFUSED = "an alias (*name) is not allowed: write the value out in full instead"


def _plain(error: yaml.MarkedYAMLError) -> str:
    raw = f"{error.context or ''} {error.problem or ''}".strip()
    for needle, plain in _PLAIN_WORDS:
        if needle in raw:
            return plain
    return f"invalid YAML: {raw}"


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        # Parse again with the pure-Python parser: its error messages and marks are
        # the ones _PLAIN_WORDS translates (libyaml words some errors differently).
        return yaml.compose(text, Loader=yaml.SafeLoader)


def load_yaml(path: Path, display: str | None = None) -> YamlDoc:
    """Parse `path`; raise InvalidFiles with `file:line` messages on any YAML error."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidFiles([Problem(name, 1, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise InvalidFiles([Problem(name, 1, f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise InvalidFiles([Problem(name, 1, f"cannot read file: {exc.strerror}")]) from None
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidFiles([Problem(name, line, _plain(exc))]) from None
    except yaml.YAMLError as exc:
        raise InvalidFiles([Problem(name, 1, f"invalid YAML: {exc}")]) from None
    doc = YamlDoc(name, None)
    if node is None:
        return doc
    # A composed tree shares the node of an anchor among its aliases, which costs
    # nothing; only walking it (below) would expand them. "*" is in every alias.
    if "*" in text and (aliases := _alias_lines(text)):
        raise InvalidFiles([Problem(name, line, ALIAS_REFUSED) for line in aliases])
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")
    doc.data = _build(node, (), doc, problems, constructor)
    if problems:
        raise InvalidFiles(problems)
    return doc


_C_NAME = "libyaml's parser"
_PURE_NAME = "PyYAML's pure-Python parser"
_AGREE = "put the text in quotes so that every YAML reader reads it the same"


def parser_disagreements(path: Path, display: str | None = None) -> list[Problem]:
    """Where libyaml's C parser and PyYAML's pure-Python one do not read `path` alike.

    load_yaml reads with libyaml where it is installed and falls back to the pure-Python
    parser, and staff's editors and linters use either: a file only one of them accepts
    works on one machine and breaks on the next. `pilkada-bot check` calls this for every
    config and knowledge file. One Problem at the line where the refusing parser stops (or
    at the first value the two read differently); none when both agree, when both refuse
    (load_yaml reports that), when the file cannot be read, or when libyaml is missing.
    """
    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is None:
        return []
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    c_node, c_error = _try_compose(text, c_loader)
    pure_node, pure_error = _try_compose(text, yaml.SafeLoader)
    if c_error is not None and pure_error is not None:
        return []
    if c_error is not None or pure_error is not None:
        reader, refuser = (_PURE_NAME, _C_NAME) if c_error is not None else (_C_NAME, _PURE_NAME)
        error = c_error or pure_error
        assert error is not None
        line, detail = 1, ""
        if isinstance(error, yaml.MarkedYAMLError):
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            said = error.problem or error.context
            detail = f" ({said})" if said else ""
        return [Problem(name, line, f"{reader} reads this but {refuser} refuses it{detail}: {_AGREE}")]
    differs = _first_difference(c_node, pure_node)
    if differs is None:
        return []
    return [Problem(name, differs, f"{_C_NAME} and {_PURE_NAME} read this differently: {_AGREE}")]


def _try_compose(text: str, loader: Any) -> tuple[yaml.Node | None, yaml.YAMLError | None]:
    try:
        return yaml.compose(text, Loader=loader), None
    except yaml.YAMLError as exc:
        return None, exc


def _first_difference(a: yaml.Node | None, b: yaml.Node | None) -> int | None:
    """The line of the first node where two composed trees differ; None when they are alike.

    Each pair of nodes is compared once: an alias shares its anchor's node, so walking
    the tree instead would expand an alias bomb (load_yaml refuses those; see the top).
    """
    if a is None or b is None:
        return None if a is None and b is None else 1
    stack: list[tuple[yaml.Node, yaml.Node]] = [(a, b)]
    seen: set[tuple[int, int]] = set()
    while stack:
        x, y = stack.pop()
        if (id(x), id(y)) in seen:
            continue
        seen.add((id(x), id(y)))
        line = int(x.start_mark.line) + 1
        if type(x) is not type(y) or x.tag != y.tag:
            return line
        if isinstance(x, yaml.ScalarNode):
            if x.value != y.value:
                return line
            continue
        if isinstance(x, yaml.MappingNode):
            children_x = [node for pair in x.value for node in pair]
            children_y = [node for pair in y.value for node in pair]
        else:
            children_x, children_y = list(x.value), list(y.value)
        if len(children_x) != len(children_y):
            return line
        stack.extend(reversed(list(zip(children_x, children_y, strict=True))))
    return None


def _alias_lines(text: str) -> list[int]:
    """The line of every alias in `text` (already known to be valid YAML)."""
    events = yaml.parse(text, Loader=_LOADER)
    return [e.start_mark.line + 1 if e.start_mark else 1 for e in events if isinstance(e, yaml.AliasEvent)]


def _build(
    node: yaml.Node,
    path: PathKey,
    doc: YamlDoc,
    problems: list[Problem],
    constructor: yaml.SafeLoader,
) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc, problems, constructor)
            if key in result:
                problems.append(
                    Problem(doc.file, key_node.start_mark.line + 1, f"duplicate key '{key}' (it already appears above)")
                )
                continue
            result[key] = _build(value_node, (*path, str(key)), doc, problems, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc, problems, constructor) for i, item in enumerate(node.value)]
    return _scalar(node, doc, problems, constructor)


def _scalar(node: yaml.Node, doc: YamlDoc, problems: list[Problem], constructor: yaml.SafeLoader) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        problems.append(Problem(doc.file, node.start_mark.line + 1, "a key must be plain text"))
        return f"<invalid@{node.start_mark.line + 1}>"
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        problems.append(Problem(doc.file, node.start_mark.line + 1, f"invalid value: {exc.problem}"))
        return None
    except ValueError as exc:  # e.g. a date that does not exist: 2024-02-30
        problems.append(Problem(doc.file, node.start_mark.line + 1, f"invalid value '{node.value}': {exc}"))
        return None
