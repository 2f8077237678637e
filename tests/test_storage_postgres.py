"""bot/storage/postgres.py: what only the PostgreSQL back end has (its behaviour shared with SQLite
is in tests/test_storage.py, which runs every test on both).

Against the throwaway server of tests/support/pgserver.py: the password from the environment and
never in the URL, the salt required, one-line errors, migrations applied once when
replicas start together, a schema newer than this code refused.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
import pytest

from bot.storage import PASSWORD_ENV, SALT_ENV, PostgresStore, StorageError, describe_url, open_store
from bot.storage.postgres_migrations import MIGRATIONS
from tests.support.pgserver import PostgresServer

SALT = "pg-test-salt-0123456789"


def env(server: PostgresServer, **extra: str) -> dict[str, str]:
    return {PASSWORD_ENV: server.password, SALT_ENV: SALT, **extra}


async def test_open_store_picks_postgres_for_a_url(postgres_server: PostgresServer, postgres_url: str) -> None:
    async with await open_store(postgres_url, environ=env(postgres_server)) as store:
        assert isinstance(store, PostgresStore)
        assert await store.schema_version() == len(MIGRATIONS)
        assert store.where == postgres_url


async def test_a_password_in_the_url_is_refused_and_never_shown(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with_password = postgres_url.replace("pilkada@", f"pilkada:{postgres_server.password}@")
    with pytest.raises(StorageError, match=PASSWORD_ENV) as exc:
        await PostgresStore.open(with_password, environ=env(postgres_server))
    assert postgres_server.password not in str(exc.value)
    assert postgres_server.password not in describe_url(with_password)


async def test_the_salt_is_required(postgres_server: PostgresServer, postgres_url: str) -> None:
    with pytest.raises(StorageError, match=f"{SALT_ENV}.*must be set with PostgreSQL"):
        await PostgresStore.open(postgres_url, environ={PASSWORD_ENV: postgres_server.password})


@pytest.mark.parametrize("fault", ["wrong password", "no server"])
async def test_a_database_that_cannot_be_reached_is_one_line_at_once(
    postgres_server: PostgresServer, postgres_url: str, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    url, environ = postgres_url, env(postgres_server)
    if fault == "wrong password":
        environ[PASSWORD_ENV] = "wrong"
    else:
        url = url.replace(f":{postgres_server.port}/", ":1/")
    caplog.set_level(logging.WARNING)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(StorageError) as exc:
        await PostgresStore.open(url, environ=environ)
    assert loop.time() - started < 5
    message = str(exc.value)
    assert "\n" not in message and message.startswith("cannot connect to the database postgresql://pilkada@127.0.0.1")
    assert ("password authentication failed" if fault == "wrong password" else "refused") in message
    assert "wrong" not in message
    assert not caplog.records, "no retry noise from the pool"


async def test_replicas_starting_together_apply_the_migrations_once(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(postgres_url, environ=env(postgres_server)) for _ in range(4)))
    try:
        assert [await s.schema_version() for s in stores] == [len(MIGRATIONS)] * 4
    finally:
        for store in stores:
            await store.close()
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


async def test_a_failed_migration_changes_nothing(postgres_server: PostgresServer, postgres_url: str) -> None:
    broken = [*MIGRATIONS, "CREATE TABLE extra (x INTEGER); SELECT no_such_function();"]
    with pytest.raises(StorageError, match="no_such_function"):
        await PostgresStore.open(postgres_url, environ=env(postgres_server), migrations=broken)
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        assert conn.execute("SELECT to_regclass('extra') IS NULL, to_regclass('questions') IS NULL").fetchone() == (
            True,
            True,
        ), "all of it rolled back, v1 included"


async def test_a_newer_schema_is_refused(postgres_server: PostgresServer, postgres_url: str) -> None:
    async with await PostgresStore.open(postgres_url, environ=env(postgres_server)):
        pass
    with postgres_server.connect(postgres_url.rsplit("/", 1)[1]) as conn:
        conn.execute("UPDATE schema_version SET version = version + 1")
    with pytest.raises(StorageError, match="upgrade pilkada-bot on every replica"):
        await PostgresStore.open(postgres_url, environ=env(postgres_server))


async def test_deleted_rows_are_vacuumed(postgres_server: PostgresServer, postgres_url: str) -> None:
    async with await PostgresStore.open(postgres_url, environ=env(postgres_server)) as store:
        await store.subscribe(-1001234567890)
        await store.unsubscribe(-1001234567890)
    with psycopg.connect(postgres_url, password=postgres_server.password) as conn:
        row = conn.execute(
            "SELECT n_dead_tup, last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'subscriptions'"
        ).fetchone()
    assert row is not None and row[1], "VACUUM ran after the privacy delete"
