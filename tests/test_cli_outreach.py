"""`pilkada-bot links | cards | poster`: the outreach kit from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.cli import main
from bot.kb.knowledge import KnowledgeBase

USERNAME = "PilkadaBloraBot"


def run_cli(config_path: Path, *args: str) -> tuple[int, str]:
    stdout = io.StringIO()
    code = main(["--config", str(config_path), *args], stdin=io.StringIO(""), stdout=stdout)
    return code, stdout.getvalue()


@pytest.fixture
def config_path(kb_root: Path) -> Path:
    return kb_root / "config.yaml"


def test_links_lists_every_answer_with_its_deep_link(config_path: Path, kb: KnowledgeBase) -> None:
    code, out = run_cli(config_path, "links", "--username", USERNAME)
    assert code == 0
    lines = out.splitlines()
    # Known unknowns ("siapa yang menang?") are listed only if staff gave one a link.
    answers = [e for e in kb.entries if e.kind == "answer" or e.link]
    assert len(lines) == len(answers) < len(kb.entries)
    for entry in answers:
        line = next(line for line in lines if line.startswith(f"{entry.title} "))
        if entry.link:
            assert line.endswith(f"  https://t.me/{USERNAME}?start={entry.link}")
        else:
            assert f"no link: add `link:` to entry '{entry.id}'" in line


def test_links_takes_the_username_from_the_config(kb_copy) -> None:
    kb_copy.replace("config.yaml", 'username: ""', f"username: {USERNAME}")
    code, out = run_cli(kb_copy.config_path, "links")
    assert code == 0
    assert f"https://t.me/{USERNAME}?start=golput" in out


@pytest.mark.parametrize("extra", [(), ("--username", "not a bot")])
def test_links_without_a_username_says_what_to_do(
    config_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    code, out = run_cli(config_path, "links", *extra)
    assert code == 1
    assert out == ""
    assert "set bot.username in" in capsys.readouterr().err


def test_ask_json_has_the_share_text(kb_copy) -> None:
    kb_copy.replace("config.yaml", 'username: ""', f"username: {USERNAME}")
    code, out = run_cli(kb_copy.config_path, "ask", "--json", "golput itu apa sih")
    data = json.loads(out)
    assert code == 0
    assert data["entry_id"] == "apa_itu_golput"
    assert data["share_text"].startswith(
        data["answer"]
        + "\n\nSumber: UU Pilkada, Perpu 1/2014, 2 Oktober 2014; KPU Kabupaten Blora, 6 September 2024\n\n"
    )
    assert data["share_text"].endswith(f"https://t.me/{USERNAME}?start=golput")


def test_ask_json_share_text_is_null_without_an_answer(config_path: Path) -> None:
    code, out = run_cli(config_path, "ask", "--json", "resep nasi goreng")
    assert code == 0
    assert json.loads(out)["share_text"] is None


def test_cards_exports_one_png_per_entry(config_path: Path, kb: KnowledgeBase, tmp_path: Path) -> None:
    out = tmp_path / "kartu"
    code, printed = run_cli(config_path, "cards", "--out", str(out), "--username", USERNAME)
    assert code == 0
    files = sorted(out.iterdir())
    answers = [e for e in kb.entries if e.kind == "answer"]  # a known unknown has no card
    assert sorted(f.name for f in files) == sorted(f"{e.link or e.id}.png" for e in answers)
    assert printed.splitlines()[-1] == f"{len(answers)} cards in {out}"
    with Image.open(out / "golput.png") as image:
        assert image.size == (1080, 1080)
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [f"https://t.me/{USERNAME}?start=golput"]


def test_cards_into_a_file_fails_cleanly(config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _ = run_cli(config_path, "cards", "--out", str(blocker), "--username", USERNAME)
    assert code == 1
    assert capsys.readouterr().err.startswith(f"Cannot write the cards to {blocker}")


def test_poster_pdf_from_the_command_line(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "poster.pdf"
    code, printed = run_cli(
        config_path, "poster", "--out", str(out), "--username", USERNAME, "--topics", "jadwal, golput,pemula"
    )
    assert code == 0
    assert printed == f"{out}: A4 poster with 3 topics: jadwal, golput, pemula\n"
    assert out.read_bytes().startswith(b"%PDF-")


def test_poster_default_topics(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "poster.png"
    code, printed = run_cli(config_path, "poster", "--out", str(out), "--username", USERNAME)
    assert code == 0 and printed.startswith(f"{out}: A4 poster with 6 topics: ")
    with Image.open(out) as image:
        links = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert len(links) == 6 and all(link.startswith(f"https://t.me/{USERNAME}?start=") for link in links)


@pytest.mark.parametrize(
    ("out", "topics", "error"),
    [
        ("poster.jpg", "jadwal,golput,pemula", "The poster file must end in .pdf (to print) or .png, not 'poster.jpg'"),
        ("poster.pdf", "jadwal,golput", "Cannot make the poster: a poster needs 3 to 6 topics, got 2"),
        (
            "poster.pdf",
            "jadwal,golput,xyz",
            "Cannot make the poster: no entry has the link 'xyz' (see `pilkada-bot links`)",
        ),
        ("missing/poster.pdf", "jadwal,golput,pemula", "Cannot write the poster to "),
    ],
)
def test_poster_mistakes_are_explained(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, topics: str, error: str
) -> None:
    code, printed = run_cli(
        config_path, "poster", "--out", str(tmp_path / out), "--username", USERNAME, "--topics", topics
    )
    assert (code, printed) == (1, "")
    assert capsys.readouterr().err.startswith(error)


# Issue 25, item 6: `poster --out` and `cards --out` overwrote an existing file, or the file
# a symbolic link points to (a link planted in a shared folder), with exit 0 and no warning.
def poster_args(out: Path, *extra: str) -> tuple[str, ...]:
    return ("poster", "--out", str(out), "--username", USERNAME, "--topics", "jadwal,golput,pemula", *extra)


def only_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_poster_never_overwrites_an_existing_file_unless_forced(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "poster.pdf"
    out.write_bytes(b"the poster staff printed last week")
    assert run_cli(config_path, *poster_args(out)) == (1, "")
    assert only_line(capsys) == f"Refusing to write {out}: it already exists (pass --force to replace it)"
    assert out.read_bytes() == b"the poster staff printed last week"
    code, printed = run_cli(config_path, *poster_args(out, "--force"))
    assert code == 0 and printed.startswith(f"{out}: A4 poster")
    assert out.read_bytes().startswith(b"%PDF-")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_poster_never_writes_through_a_symbolic_link(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], force: tuple[str, ...]
) -> None:
    target = tmp_path / "important.txt"
    target.write_text("do not touch")
    out = tmp_path / "poster.png"
    out.symlink_to(target)
    dangling = tmp_path / "other.png"
    dangling.symlink_to(tmp_path / "nowhere" / "x.png")
    for link in (out, dangling):
        assert run_cli(config_path, *poster_args(link, *force)) == (1, "")
        assert (
            only_line(capsys) == f"Refusing to write {link}: it is a symbolic link (remove it or choose another name)"
        )
    assert target.read_text() == "do not touch" and out.is_symlink() and not (tmp_path / "nowhere").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_cards_never_write_through_a_planted_symbolic_link(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], force: tuple[str, ...]
) -> None:
    target = tmp_path / "important.txt"
    target.write_text("do not touch")
    out = tmp_path / "kartu"
    out.mkdir()
    (out / "golput.png").symlink_to(target)
    code, printed = run_cli(config_path, "cards", "--out", str(out), "--username", USERNAME, *force)
    assert (code, printed) == (1, "")
    assert only_line(capsys) == (
        f"Refusing to write {out / 'golput.png'}: it is a symbolic link (remove it or choose another name)"
    )
    assert target.read_text() == "do not touch"
    assert sorted(p.name for p in out.iterdir()) == ["golput.png"], "nothing written before the refusal"


def test_cards_never_overwrite_existing_cards_unless_forced(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kartu"
    out.mkdir()
    (out / "golput.png").write_bytes(b"edited by hand")
    code, _ = run_cli(config_path, "cards", "--out", str(out), "--username", USERNAME)
    assert code == 1
    assert only_line(capsys) == (
        f"Refusing to write {out / 'golput.png'}: it already exists (pass --force to replace it)"
    )
    assert [p.name for p in out.iterdir()] == ["golput.png"]
    assert (out / "golput.png").read_bytes() == b"edited by hand"
    code, printed = run_cli(config_path, "cards", "--out", str(out), "--username", USERNAME, "--force")
    assert code == 0 and printed.splitlines()[-1].endswith(f"cards in {out}")
    assert (out / "golput.png").read_bytes().startswith(b"\x89PNG")
    assert leftovers(out) == []
