"""bot/cli.py: `pilkada-bot chat | ask | check`, in process and once as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main

STABLE_KEYS = {"question", "entry_id", "score", "answer", "suggestions", "sources"}


def run_cli(config_path: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    stdout = io.StringIO()
    code = main(["--config", str(config_path), *args], stdin=io.StringIO(stdin), stdout=stdout)
    return code, stdout.getvalue()


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.fixture
def config_path(kb_root: Path) -> Path:
    return kb_root / "config.yaml"


def test_ask_json(config_path: Path) -> None:
    code, out = run_cli(config_path, "ask", "--json", "golput itu apa sih")
    assert code == 0
    [data] = json_lines(out)
    assert data.keys() >= STABLE_KEYS
    assert data["question"] == "golput itu apa sih"
    assert data["entry_id"] == "apa_itu_golput"
    assert isinstance(data["score"], float) and 0 <= data["score"] <= 100
    assert data["answer"].startswith("Golput (golongan putih)")
    assert data["suggestions"] == []
    assert data["sources"] == ["perpu-1-2014-hak-memilih", "kpu-blora-2024-09-06"]
    assert "explain" not in data


def test_ask_json_suggestions(config_path: Path) -> None:
    code, out = run_cli(config_path, "ask", "--json", "partisipasi")
    [data] = json_lines(out)
    assert code == 0
    assert data["entry_id"] is None
    assert {"partisipasi_pemilu_2024", "partisipasi_pilkada_2020"} <= set(data["suggestions"])
    assert data["sources"] == []


@pytest.mark.parametrize("question", ["resep nasi goreng", "siapa pemenang pilkada blora"])
def test_ask_json_out_of_scope_has_no_entry(config_path: Path, question: str) -> None:
    code, out = run_cli(config_path, "ask", "--json", question)
    [data] = json_lines(out)
    assert code == 0
    assert data["question"] == question
    assert data["entry_id"] is None
    assert data["sources"] == []


def test_ask_json_reads_one_question_per_line(config_path: Path) -> None:
    code, out = run_cli(config_path, "ask", "--json", stdin="kapan pilkada\n\ngolput itu apa sih\nresep nasi goreng\n")
    assert code == 0
    rows = json_lines(out)
    assert [r["question"] for r in rows] == ["kapan pilkada", "golput itu apa sih", "resep nasi goreng"]
    assert [r["entry_id"] for r in rows] == ["jadwal_pencoblosan", "apa_itu_golput", None]
    assert all(r.keys() >= STABLE_KEYS for r in rows)


def test_ask_json_explain(config_path: Path) -> None:
    code, out = run_cli(config_path, "ask", "--json", "--explain", "Kapan PILKADA??")
    [data] = json_lines(out)
    assert code == 0
    explain = data["explain"]
    assert explain["normalized"] == "kapan pilkada"
    candidates = explain["candidates"]
    assert candidates[0]["entry_id"] == "jadwal_pencoblosan"
    assert candidates[0]["score"] == data["score"]
    assert {"entry_id", "score", "coverage", "variant_f1", "fuzzy", "variant"} <= candidates[0].keys()
    assert [c["score"] for c in candidates] == sorted((c["score"] for c in candidates), reverse=True)


def test_ask_plain_text(config_path: Path) -> None:
    code, out = run_cli(config_path, "ask", "golput itu apa sih")
    assert code == 0
    assert out.startswith("Golput (golongan putih)")
    assert "(Sumber: UU Pilkada, Perpu 1/2014, 2 Oktober 2014; KPU Kabupaten Blora, 6 September 2024)" in out


def test_check_prints_the_summary(config_path: Path, kb) -> None:
    code, out = run_cli(config_path, "check")
    assert code == 0
    assert out == kb.summary() + "\n"
    assert out.startswith("OK: ")


def test_check_on_a_broken_copy(kb_copy, capsys: pytest.CaptureFixture[str]) -> None:
    kb_copy.replace("knowledge/messages.yaml", "{label: Hoaks, entry: hoaks}", "{label: Hoaks, entry: hoax}")
    kb_copy.replace("knowledge/entries.yaml", "    title: Salam\n", "    title: Salam\n    colour: red\n")
    code, out = run_cli(kb_copy.config_path, "check")
    err = capsys.readouterr().err
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{kb_copy.where('knowledge/entries.yaml', 'colour: red')}: unknown key 'colour'")
    assert (
        lines[1]
        == f"{kb_copy.where('knowledge/messages.yaml', 'entry: hoax}')}: topic 'Hoaks' points to unknown entry 'hoax'"
    )
    assert lines[2].startswith("2 problem(s) found")
    assert "Traceback" not in err


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML was built without libyaml")
def test_check_reports_what_only_one_yaml_parser_reads(kb_copy, capsys: pytest.CaptureFixture[str]) -> None:
    # What knowledge/messages.yaml once had: libyaml reads it, PyYAML's pure-Python parser does not.
    label = "📅 Kapan nyoblos? Sudah lewat?"
    kb_copy.replace("knowledge/messages.yaml", f'{{label: "{label}",', f"{{label: {label},")
    kb_copy.replace("config.yaml", "mode: polling", "mode:\tpolling")
    code, _ = run_cli(kb_copy.config_path, "ask", "kapan pilkada")
    assert code == 0, "the bot itself reads both files (with libyaml)"
    code, out = run_cli(kb_copy.config_path, "check")
    assert (code, out) == (1, "")
    only_libyaml = "libyaml's parser reads this but PyYAML's pure-Python parser refuses it"
    agree = "put the text in quotes so that every YAML reader reads it the same"
    tab = "found character '\\t' that cannot start any token"
    flow = "expected ',' or '}', but got '?'"
    assert capsys.readouterr().err.splitlines() == [
        f"{kb_copy.where('config.yaml', 'mode:' + chr(9))}: {only_libyaml} ({tab}): {agree}",
        f"{kb_copy.where('knowledge/messages.yaml', label)}: {only_libyaml} ({flow}): {agree}",
        "2 problem(s) found; fix them and run `pilkada-bot check` again.",
    ]


def test_broken_config_is_reported_the_same_way(kb_copy, capsys: pytest.CaptureFixture[str]) -> None:
    kb_copy.replace("config.yaml", "mode: polling", "mode: push")
    code, _ = run_cli(kb_copy.config_path, "ask", "kapan pilkada")
    err = capsys.readouterr().err
    assert code == 1
    assert (
        err.splitlines()[0]
        == f"{kb_copy.where('config.yaml', 'mode: push')}: 'mode' must be 'polling' or 'webhook', got 'push'"
    )


def test_chat_through_stdin(config_path: Path, kb) -> None:
    code, out = run_cli(config_path, "chat", stdin="golput itu apa sih\n/sumber\n/keluar\n")
    assert code == 0
    assert kb.entry("apa_itu_golput").answer.before in out
    assert kb.sources["tribunjateng-2024-07-27"].title in out
    assert out.rstrip().endswith(kb.messages.get("console_bye", "after"))  # the real clock: after the 2024 vote


# --- the real thing: `python -m bot` in a subprocess ----------------------------------------


def run_module(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PILKADA_BOT_", "TELEGRAM_"))}
    env["PYTHONUTF8"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


@pytest.mark.subprocess
def test_subprocess_ask_json(kb_root: Path) -> None:
    # No --config: the default is ./config.yaml in the working directory.
    proc = run_module(kb_root, "ask", "--json", "golput itu apa sih")
    assert (proc.returncode, proc.stderr) == (0, "")
    [data] = json_lines(proc.stdout)
    assert data.keys() >= STABLE_KEYS
    assert data["entry_id"] == "apa_itu_golput"


@pytest.mark.subprocess
def test_subprocess_ask_json_from_stdin(kb_root: Path) -> None:
    proc = run_module(kb_root, "ask", "--json", stdin="kapan pilkada\nsiapa pemenang pilkada blora\n")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert [r["entry_id"] for r in json_lines(proc.stdout)] == ["jadwal_pencoblosan", None]


@pytest.mark.subprocess
def test_subprocess_check(kb_root: Path, kb) -> None:
    proc = run_module(kb_root, "check")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, kb.summary() + "\n", "")


@pytest.mark.subprocess
def test_subprocess_check_on_a_broken_copy(kb_root: Path, kb_copy) -> None:
    kb_copy.replace("knowledge/entries.yaml", "    title: Salam\n", "\ttitle: Salam\n")
    proc = run_module(kb_root, "--config", str(kb_copy.config_path), "check")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"{kb_copy.where('knowledge/entries.yaml', chr(9) + 'title')}: "
        "a tab character is not allowed in YAML: indent with spaces",
        "1 problem(s) found; fix them and run `pilkada-bot check` again.",
    ]


@pytest.mark.subprocess
def test_subprocess_chat(kb_root: Path) -> None:
    proc = run_module(kb_root, "chat", stdin="kapan pilkada\n")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "27 November 2024" in proc.stdout
