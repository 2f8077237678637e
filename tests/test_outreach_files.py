"""bot/outreach/files.py: the kit's files never replace a file unasked, never go through a link, and are whole.

The command-line behaviour is in tests/test_cli_outreach.py; here the races: something
appearing under the file's name between the check and the moment the file gets it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from bot.outreach import files
from bot.outreach.files import RefusedOutput, write_output


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_is_written_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "poster.png"
    old = os.umask(0o022)
    try:
        write_output(out, b"png bytes")
    finally:
        os.umask(old)
    assert out.read_bytes() == b"png bytes"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert names(tmp_path) == ["poster.png"], "no temporary file left"


def test_a_link_planted_after_the_check_is_not_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "important.txt"
    target.write_text("do not touch")
    out = tmp_path / "poster.png"
    real_link = os.link

    def plant_then_link(src: Path, dst: Path) -> None:
        Path(dst).symlink_to(target)
        real_link(src, dst)

    monkeypatch.setattr(files.os, "link", plant_then_link)
    with pytest.raises(RefusedOutput, match="it is a symbolic link"):
        write_output(out, b"png bytes")
    assert target.read_text() == "do not touch"
    assert names(tmp_path) == ["important.txt", "poster.png"] and out.is_symlink()


def test_with_force_a_link_planted_after_the_check_is_replaced_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "important.txt"
    target.write_text("do not touch")
    out = tmp_path / "poster.png"
    out.write_bytes(b"last week's poster")
    real_replace = os.replace

    def plant_then_replace(src: Path, dst: Path) -> None:
        Path(dst).unlink()
        Path(dst).symlink_to(target)
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", plant_then_replace)
    write_output(out, b"png bytes", force=True)
    assert target.read_text() == "do not touch"
    assert not out.is_symlink() and out.read_bytes() == b"png bytes"


def test_a_failed_write_leaves_the_old_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "poster.pdf"
    out.write_bytes(b"last week's poster")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_output(out, b"%PDF- new", force=True)
    assert out.read_bytes() == b"last week's poster"
    assert names(tmp_path) == ["poster.pdf"], "no temporary file left"


def test_a_file_system_without_hard_links_still_gets_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: Path, dst: Path) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    out = tmp_path / "golput.png"
    write_output(out, b"png bytes")
    assert out.read_bytes() == b"png bytes" and names(tmp_path) == ["golput.png"]
    with pytest.raises(RefusedOutput, match="already exists"):
        write_output(out, b"other")


def test_a_folder_in_the_way_is_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "poster.png").mkdir()
    with pytest.raises(RefusedOutput, match="it exists and is not a regular file"):
        write_output(tmp_path / "poster.png", b"png bytes", force=True)
