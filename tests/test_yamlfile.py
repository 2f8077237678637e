"""bot/yamlfile.py: YAML parsing that remembers the line of every value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.yamlfile import InvalidFiles, Problem, _first_difference, load_yaml, parser_disagreements

needs_libyaml = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML was built without libyaml")


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidFiles) as exc:
        load_yaml(path)
    return [str(p) for p in exc.value.problems]


def test_data_and_the_line_of_every_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# a comment\n"
        "entries:\n"
        "  - id: a\n"
        "    tags: [x, y]\n"
        "  - id: b\n"
        "    answer: |-\n"
        "      line one\n"
        "      line two\n"
        "    count: 3\n",
    )
    doc = load_yaml(path)
    assert doc.data == {
        "entries": [{"id": "a", "tags": ["x", "y"]}, {"id": "b", "answer": "line one\nline two", "count": 3}]
    }
    assert doc.file == str(path)
    assert doc.line("entries", 0, "id") == 3
    assert doc.line("entries", 0, "tags", 1) == 4
    assert doc.line("entries", 1) == 5
    assert doc.line("entries", 1, "answer") == 6  # a block scalar starts at its '|-'
    assert doc.line("entries", 1, "count") == 9


def test_line_falls_back_to_the_nearest_known_parent(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, "top: 1\nblock:\n  inner: 2\n"))
    assert doc.line("block", "missing", 7) == 3  # the 'block' mapping starts at 'inner'
    assert doc.line("nothing", "here") == 1
    assert str(doc.problem("oops", "block", "inner")) == f"{tmp_path / 'f.yaml'}:3: oops"


def test_display_name_replaces_the_path_in_messages(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\na: 2\n")
    with pytest.raises(InvalidFiles) as exc:
        load_yaml(path, display="knowledge/x.yaml")
    assert [str(p) for p in exc.value.problems] == ["knowledge/x.yaml:2: duplicate key 'a' (it already appears above)"]


def test_empty_file_has_no_data(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "# only a comment\n")).data is None


def test_tab_indentation(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - id: a\n\ttitle: b\n")
    assert problems_of(path) == [f"{path}:3: a tab character is not allowed in YAML: indent with spaces"]


def test_over_indented_key(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - id: a\n     title: b\n")
    assert problems_of(path) == [f"{path}:3: unexpected ':' here: check the indentation, or put the text in quotes"]


def test_under_indented_key_is_explained_in_plain_words(tmp_path: Path) -> None:
    # The most common slip when editing an entry by hand: one space too few.
    path = write(tmp_path, "entries:\n  - id: a\n   title: b\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3: ")
    message = problem.removeprefix(f"{path}:3: ")
    assert "indentation" in message, message
    assert "<block" not in message  # PyYAML's internal token names mean nothing to staff


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "a:\n  b: 1\n  c: 2\n  b: 3\nd: 4\nd: 5\n")
    assert problems_of(path) == [
        f"{path}:4: duplicate key 'b' (it already appears above)",
        f"{path}:6: duplicate key 'd' (it already appears above)",
    ]


def test_impossible_date(tmp_path: Path) -> None:
    path = write(tmp_path, "x: 1\nvoting_date: 2024-02-30\n")
    assert problems_of(path) == [f"{path}:2: invalid value '2024-02-30': day is out of range for month"]


def test_unfinished_quote(tmp_path: Path) -> None:
    path = write(tmp_path, 'a: "abc\nb: 1\n')
    [problem] = problems_of(path)
    assert problem == f"{path}:3: the file ends inside an unfinished quote or bracket"


def test_undefined_alias(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: *nothing\n")
    assert problems_of(path) == [f"{path}:2: an alias (*name) refers to an anchor that does not exist"]


def test_a_key_must_be_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path, "ok: 1\n? [a, b]\n: 2\n")
    assert problems_of(path) == [f"{path}:2: a key must be plain text"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems_of(path) == [f"{path}:1: file not found"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: café\n".encode("latin-1"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:1: not UTF-8 text")


def test_invalid_files_message_lists_every_problem() -> None:
    exc = InvalidFiles([Problem("a.yaml", 3, "first"), Problem("b.yaml", 9, "second")])
    assert str(exc) == "a.yaml:3: first\nb.yaml:9: second"
    assert [p.line for p in exc.problems] == [3, 9]


ALIAS_REFUSED = "an alias (*name) is not allowed: write the value out in full instead"


def test_an_alias_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a: &x hello\nb:\n  c: *x\nd: [*x, 2]\n")
    assert problems_of(path) == [f"{path}:3: {ALIAS_REFUSED}", f"{path}:4: {ALIAS_REFUSED}"]


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    # Each level repeats the one above it ten times: 10**6 strings from 400 bytes here
    # (about 2 s to build before the fix); nine levels (the 540-byte file of issue #14)
    # would need gigabytes. tests/test_reliability_yaml.py has the nine levels.
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 6)]
    path = write(tmp_path, "\n".join(levels) + "\n")
    problems = problems_of(path)
    assert len(problems) == 50
    assert problems[0] == f"{path}:2: {ALIAS_REFUSED}"
    assert problems[-1] == f"{path}:6: {ALIAS_REFUSED}"


def test_an_anchor_without_alias_is_harmless(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "a: &x 1\nb: '*x'\nc: 2 * 3\n")).data == {"a": 1, "b": "*x", "c": "2 * 3"}


# ---------------------------------------------------------------- both parsers (pilkada-bot check)

ONLY_LIBYAML = "libyaml's parser reads this but PyYAML's pure-Python parser refuses it"
AGREE = "put the text in quotes so that every YAML reader reads it the same"


@needs_libyaml
def test_a_file_only_libyaml_reads_loads_but_is_reported_at_its_line(tmp_path: Path) -> None:
    # knowledge/messages.yaml had this: '? ' inside a flow mapping, which the pure parser refuses.
    text = "start_topics:\n  - {label: Jadwal, entry: a}\n  - {label: 📅 Kapan? Sudah lewat?, entry: b}\n"
    path = write(tmp_path, text)
    assert load_yaml(path).data["start_topics"][1]["label"] == "📅 Kapan? Sudah lewat?"  # the bot still starts
    assert [str(p) for p in parser_disagreements(path)] == [
        f"{path}:3: {ONLY_LIBYAML} (expected ',' or '}}', but got '?'): {AGREE}"
    ]


@needs_libyaml
def test_a_tab_after_a_colon_is_read_only_by_libyaml(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb:\t2\n", name="config.yaml")
    assert [str(p) for p in parser_disagreements(path, display="config.yaml")] == [
        f"config.yaml:2: {ONLY_LIBYAML} (found character '\\t' that cannot start any token): {AGREE}"
    ]


@needs_libyaml
def test_a_file_only_the_pure_parser_reads_is_reported_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Fussy(yaml.SafeLoader):  # stands in for a libyaml that refuses what the pure parser reads
        def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
            node = super().compose_node(parent, index)  # type: ignore[no-untyped-call]
            if isinstance(node, yaml.ScalarNode) and node.value == "odd":
                raise yaml.MarkedYAMLError(problem="no odd values", problem_mark=node.start_mark)
            return node

    monkeypatch.setattr(yaml, "CSafeLoader", Fussy)
    path = write(tmp_path, "a: 1\nb: odd\n")
    assert [str(p) for p in parser_disagreements(path)] == [
        f"{path}:2: PyYAML's pure-Python parser reads this but libyaml's parser refuses it (no odd values): {AGREE}"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, 'y? z']\n",  # both read it
        "a: 1\n\tb: 2\n",  # both refuse: load_yaml reports that, in plain words
        "",
    ],
)
def test_no_disagreement_when_both_parsers_agree(tmp_path: Path, text: str) -> None:
    assert parser_disagreements(write(tmp_path, text)) == []


def test_a_missing_file_is_left_to_load_yaml(tmp_path: Path) -> None:
    assert parser_disagreements(tmp_path / "missing.yaml") == []


def test_the_first_value_read_differently_is_found() -> None:
    def tree(text: str) -> yaml.Node | None:
        return yaml.compose(text, Loader=yaml.SafeLoader)

    assert _first_difference(tree("a: 1\nb: [x, y]\n"), tree("a: 1\nb: [x, y]\n")) is None
    assert _first_difference(tree("a: 1\nb: [x, y]\n"), tree("a: 1\nb: [x, z]\n")) == 2
    assert _first_difference(tree("a: 1\nb: [x, y]\n"), tree("a: 1\nb: [x]\n")) == 2
    assert _first_difference(tree("a: 1\nb: 2\n"), tree("a: 1\nc: 2\n")) == 2
    assert _first_difference(tree("a: 1\n"), tree("a: '1'\n")) == 1  # same text, another type
