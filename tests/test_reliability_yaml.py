"""Staff mistakes in the YAML files give `file:line: plain words`, in every file staff edit.

tests/test_yamlfile.py covers the parser on small files and tests/test_knowledge.py
the same mistakes in entries.yaml (tabs, indentation, duplicate keys, a missing
answer, a wrong date in an answer); tests/test_config.py wrong values in config.yaml.
Added here: the YAML-level mistakes in config.yaml, messages.yaml, sources.yaml and
lexicon.yaml, an impossible date in config.yaml and sources.yaml, and what
`pilkada-bot run` prints for them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.yamlfile import ALIAS_REFUSED, InvalidFiles
from tests.support.cli import cli_env
from tests.support.constants import TOKEN
from tests.support.kbcopy import KbCopy

TAB = "a tab character is not allowed in YAML: indent with spaces"
TOO_DEEP = "unexpected ':' here: check the indentation, or put the text in quotes"

# (file, text to find, its replacement, the message expected on the replacement's line)
MISTAKES = [
    ("config.yaml", "  region: Kabupaten Blora\n", "\tregion: Kabupaten Blora\n", TAB),
    ("config.yaml", "  region: Kabupaten Blora\n", "   region: Kabupaten Blora\n", TOO_DEEP),
    ("config.yaml", "  region: Kabupaten Blora\n", " region: Kabupaten Blora\n", "indentation"),
    (
        "config.yaml",
        "  region: Kabupaten Blora\n",
        "  region: Kabupaten Blora\n  region: Blora\n",
        "duplicate key 'region' (it already appears above)",
    ),
    (
        "config.yaml",
        "voting_date: 2024-11-27",
        "voting_date: 2024-11-31",
        "invalid value '2024-11-31': day is out of range for month",
    ),
    (
        "knowledge/messages.yaml",
        '  topics_intro: "Pilih topik:"\n',
        '\ttopics_intro: "Pilih topik:"\n',
        TAB,
    ),
    (
        "knowledge/messages.yaml",
        '  topics_intro: "Pilih topik:"\n',
        '  topics_intro: "Pilih topik:"\n  topics_intro: "Topik:"\n',
        "duplicate key 'topics_intro' (it already appears above)",
    ),
    (
        "knowledge/messages.yaml",
        '  topics_intro: "Pilih topik:"\n',
        '   topics_intro: "Pilih topik:"\n',
        "indentation",
    ),
    (
        "knowledge/sources.yaml",
        "    date: 2024-09-06\n",
        "    date: 2024-09-31\n",
        "invalid value '2024-09-31': day is out of range for month",
    ),
    ("knowledge/sources.yaml", "    date: 2024-09-06\n", "\tdate: 2024-09-06\n", TAB),
    ("knowledge/lexicon.yaml", "  kpn: kapan\n", "  kpn: kapan\n  kpn: kapan lagi\n", "duplicate key 'kpn'"),
    ("knowledge/lexicon.yaml", "  kpn: kapan\n", " kpn: kapan\n", "indentation"),
]


def all_problems(kb_copy: KbCopy) -> list[str]:
    """What loading config.yaml, then the knowledge base, reports (as the bot does at start)."""
    try:
        kb_copy.load()
    except InvalidFiles as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize(("name", "old", "new", "message"), MISTAKES, ids=lambda v: str(v)[:24])
def test_yaml_mistake_is_reported_at_its_line_in_plain_words(
    kb_copy: KbCopy, name: str, old: str, new: str, message: str
) -> None:
    kb_copy.replace(name, old, new)
    last_line = new.rstrip("\n").split("\n")[-1]
    where = kb_copy.where(name, last_line)
    found = all_problems(kb_copy)
    assert found, "no problem reported"
    first = found[0]
    assert first.startswith(f"{where}: "), found
    assert message in first.removeprefix(f"{where}: "), first
    assert "<block" not in first and "mapping values" not in first  # PyYAML's words mean nothing to staff


@pytest.mark.subprocess
def test_run_prints_every_problem_with_file_and_line(repo_root: Path, kb_copy: KbCopy) -> None:
    kb_copy.replace("knowledge/entries.yaml", "    title: Salam\n", "\ttitle: Salam\n")
    kb_copy.replace("knowledge/messages.yaml", '  topics_intro: "Pilih topik:"\n', '  topics_intro: ""\n')
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=repo_root,
        env=cli_env(TELEGRAM_BOT_TOKEN=TOKEN, PILKADA_BOT_CONFIG=str(kb_copy.config_path)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"{kb_copy.where('knowledge/entries.yaml', chr(9) + 'title: Salam')}: {TAB}")
    assert lines[-1].endswith("fix them and run `pilkada-bot check` again.")
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr


# The 540-byte file of issue #14: nine levels, each repeating the one above nine times
# (9**9 = 387 million strings). Before aliases were refused, `check` ran out of memory
# after 37 s and /reload froze the bot at 2.7 GB.
ALIAS_BOMB = "\n".join(
    ["bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"bomb{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]" for i in range(1, 9)]
)


@pytest.mark.subprocess
@pytest.mark.parametrize("name", ["config.yaml", "knowledge/messages.yaml", "knowledge/entries.yaml"])
def test_an_alias_bomb_is_refused_at_once_by_check(repo_root: Path, kb_copy: KbCopy, name: str) -> None:
    kb_copy.write(name, kb_copy.read(name) + "\n" + ALIAS_BOMB + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        cwd=repo_root,
        env=cli_env(PILKADA_BOT_CONFIG=str(kb_copy.config_path)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[0] == f"{kb_copy.where(name, 'bomb1: ')}: {ALIAS_REFUSED}"
    assert len(lines) == 8 * 9 + 1 and "Traceback" not in done.stderr
