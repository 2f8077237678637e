"""The connection pool both PostgreSQL users share: the store (bot/storage/postgres.py) and the
replicas' coordination (bot/storage/replicas.py)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

AsyncPool = AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]]


def connection_pool(conninfo: str, kwargs: dict[str, Any], size: int, name: str) -> AsyncPool:
    """A pool of 1 to `size` connections, not opened yet (the caller opens it with its own timeout).

    After a server restart every pooled connection is dead: each is checked before it is handed
    out, so a stale one is replaced instead of failing its request.
    """
    return AsyncConnectionPool(
        conninfo,
        kwargs=kwargs,
        min_size=1,
        max_size=size,
        open=False,
        name=name,
        check=AsyncConnectionPool.check_connection,
    )
