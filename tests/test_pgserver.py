"""The throwaway PostgreSQL server the tests use (tests/pgserver.py): it really starts, and stops by PID."""

from __future__ import annotations

import os

import psycopg
import pytest

try:  # works whether or not tests/ is a package
    from tests.pgserver import PostgresServer
except ImportError:
    from pgserver import PostgresServer  # type: ignore[no-redef]


def test_the_session_server_asks_for_the_password(postgres_server: PostgresServer, postgres_url: str) -> None:
    with psycopg.connect(postgres_url, password=postgres_server.password) as conn:
        row = conn.execute("SELECT current_database(), inet_server_addr()::text").fetchone()
    assert row is not None
    assert row[0] == postgres_url.rsplit("/", 1)[1]
    assert row[1] in ("127.0.0.1", "127.0.0.1/32")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres_url, password="wrong", connect_timeout=5)


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
