"""bot/cli.py staff commands: `pilkada-bot report` and `pilkada-bot unanswered` on a temporary database."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.config import load_config
from bot.pipeline import Pipeline
from bot.storage import SALT_ENV, SqliteStore
from tests.support.constants import ANSWERED
from tests.support.kbcopy import KbCopy

USER, OTHER = 111, 222
ASKED_TWICE = "berapa gaji kpps"


def run_cli(config_path: Path, *args: str) -> tuple[int, str]:
    stdout = io.StringIO()
    code = main(["--config", str(config_path), *args], stdout=stdout)
    return code, stdout.getvalue()


@pytest.fixture(autouse=True)
def _salt_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bot and the CLI must find the same salt: here the file beside the database.
    monkeypatch.delenv(SALT_ENV, raising=False)


@pytest.fixture
def db_path(kb_copy: KbCopy) -> Path:
    return load_config(kb_copy.config_path, environ={}).bot.database


@pytest.fixture
def recorded(kb_copy: KbCopy, db_path: Path) -> Path:
    """What the bot would have stored after a few questions, a suggestion press and a 👍."""
    pipeline = Pipeline.load(kb_copy.config_path)
    match = pipeline.matcher.match

    async def record() -> None:
        async with await SqliteStore.open(db_path, timezone=pipeline.config.election.timezone) as store:
            await store.record_match(USER, ANSWERED, match(ANSWERED))
            await store.record_match(USER, ASKED_TWICE, match(ASKED_TWICE))
            await store.record_match(OTHER, ASKED_TWICE, match(ASKED_TWICE))
            await store.record_match(OTHER, "gaji kpps berapa ya", match("gaji kpps berapa ya"))
            await store.record_feedback(USER, "apa_itu_golput", True)
            await store.subscribe(OTHER)

    # The fixture relies on these not being answered (KPPS pay is a known unknown: logged for staff).
    assert match(ASKED_TWICE).outcome in ("none", "unknown")
    asyncio.run(record())
    return db_path


def test_report(kb_copy: KbCopy, recorded: Path) -> None:
    code, out = run_cli(kb_copy.config_path, "report")
    assert code == 0
    assert out.startswith("Laporan pilkada-bot, ")
    assert "Pertanyaan hari ini:    4 (terjawab 1, dari 2 pengguna)" in out
    assert "Persentase terjawab:    25%" in out
    assert "Pelanggan pengingat:    1" in out
    assert "apa_itu_golput  1 / 0" in out


def test_unanswered_yaml_is_a_draft_staff_can_paste(kb_copy: KbCopy, recorded: Path) -> None:
    code, out = run_cli(kb_copy.config_path, "unanswered", "--format", "yaml")
    assert code == 0
    data = yaml.safe_load(out)
    (draft,) = data["entries"]  # the three questions about KPPS pay are one group
    assert draft["id"] == "draft_1"
    assert len(draft["questions"]) == 2 and all("kpps" in q for q in draft["questions"])
    assert "# ditanyakan 3 kali" in out


def test_unanswered_text(kb_copy: KbCopy, recorded: Path) -> None:
    code, out = run_cli(kb_copy.config_path, "unanswered", "--format", "text", "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    when, kind, question, *_ = lines[0].split("\t")
    assert kind == "unknown" and "kpps" in question and len(when) == len("2024-11-20 10:00")


def add_comment(kb_copy: KbCopy, db_path: Path) -> None:
    async def record() -> None:
        async with await SqliteStore.open(db_path) as store:
            await store.record_feedback(OTHER, "jadwal_pencoblosan", False, "Jawabannya salah")

    asyncio.run(record())


def test_unanswered_shows_the_reasons_given_with_a_thumbs_down(kb_copy: KbCopy, recorded: Path, db_path: Path) -> None:
    add_comment(kb_copy, db_path)
    code, out = run_cli(kb_copy.config_path, "unanswered", "--format", "text")
    assert code == 0
    when, kind, comment, entry, score = out.splitlines()[-1].split("\t")
    assert len(when) == len("2024-11-20 10:00")
    assert (kind, comment, entry, score) == ("feedback_down", "Jawabannya salah", "jadwal_pencoblosan", "")
    code, out = run_cli(kb_copy.config_path, "unanswered", "--format", "yaml")
    assert code == 0
    assert len(yaml.safe_load(out)["entries"]) == 1  # still pasteable: the reasons are YAML comments
    assert out.splitlines()[-1].endswith("👎 jadwal_pencoblosan: Jawabannya salah")
    assert out.splitlines()[-1].startswith("#   ")


def test_empty_database(kb_copy: KbCopy, db_path: Path) -> None:
    async def first_start() -> None:  # the bot created the database, nobody asked anything yet
        await (await SqliteStore.open(db_path)).close()

    asyncio.run(first_start())
    code, out = run_cli(kb_copy.config_path, "unanswered")
    assert code == 0 and yaml.safe_load(out) == {"entries": []}
    code, out = run_cli(kb_copy.config_path, "report")
    assert code == 0 and "Persentase terjawab:    belum ada" in out


@pytest.mark.parametrize("command", ["report", "unanswered"])
def test_no_database_yet(kb_copy: KbCopy, db_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out = run_cli(kb_copy.config_path, command)
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and str(db_path) in err and "pilkada-bot run" in err
    assert not db_path.exists() and not db_path.parent.exists()  # nothing created in the wrong place


def test_a_broken_knowledge_base_does_not_stop_the_report(kb_copy: KbCopy, recorded: Path) -> None:
    kb_copy.replace("knowledge/messages.yaml", "  fallback:", "  fallbak:")
    code, out = run_cli(kb_copy.config_path, "report")
    assert code == 0 and "Pertanyaan seluruhnya:  4" in out


def test_staff_texts_are_editable_and_checked(
    kb_copy: KbCopy, recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb_copy.replace("knowledge/staff.yaml", '"Laporan pilkada-bot, {day}"', '"Rekap harian {day}"')
    code, out = run_cli(kb_copy.config_path, "report")
    assert code == 0 and out.startswith("Rekap harian ")
    kb_copy.replace("knowledge/staff.yaml", "Rekap harian {day}", "Rekap harian {hari}")
    code, out = run_cli(kb_copy.config_path, "report")
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    line = kb_copy.line_of("knowledge/staff.yaml", "{hari}")
    assert f"staff.yaml:{line}: staff text 'report_title' uses unknown placeholder {{hari}} (known: day)" in err


def test_a_database_from_another_salt_is_refused_in_one_line(
    kb_copy: KbCopy, recorded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(SALT_ENV, "another-salt-0123456789")
    code, _ = run_cli(kb_copy.config_path, "report")
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "salt" in err and "Traceback" not in err


@pytest.mark.subprocess
def test_console_script_as_a_process(kb_copy: KbCopy, recorded: Path, repo_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(kb_copy.config_path), "unanswered", "--format", "yaml"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout)["entries"][0]["questions"]
