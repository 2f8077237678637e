"""Several real `pilkada-bot run` replicas behind Debian's nginx, on the throwaway PostgreSQL, for tests and benchmarks.

What runs (all on 127.0.0.1):
- the replicas: `python -m bot run` in webhook mode, each on its own port, configured
  through the environment exactly as deploy/compose.yaml configures them
  (PILKADA_BOT_MODE, _DATABASE, _WEBHOOK_*; password and salt from the environment);
- nginx with the recipe's own site file (deploy/nginx/), TLS with a self-signed
  certificate, in front of them;
- the fake Bot API (tests/support/fakebotapi.py), given by the caller, as TELEGRAM_API_URL.

The config is the shipped config.yaml with the election's date and the reminder times
moved so that one reminder is due a minute before the replicas start: each replica then
runs it as a catch-up round at start, taking turns through the advisory lock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.constants import REPO_ROOT, WIB
from tests.support.nginxserver import NginxServer, free_port, self_signed_certificate
from tests.support.pgserver import PostgresServer

TOKEN = "123456:AAreplica-test-token_0123456789abcdef"  # the shape run checks
SECRET = "replica-test-secret_0123456789"
SALT = "replica-test-salt-0123456789abcdef"


def reminder_due_a_minute_ago(config_text: str, now: dt.datetime | None = None) -> str:
    """config.yaml with voting day today and one reminder, due a minute ago (WIB)."""
    due = (now or dt.datetime.now(WIB)).astimezone(WIB) - dt.timedelta(minutes=1)
    head, _, _ = config_text.partition("\nreminders:")
    lines = []
    for line in head.splitlines():
        if line.strip().startswith("voting_date:"):
            line = f"  voting_date: {due.date().isoformat()}"
        lines.append(line)
    reminders = f'\nreminders:\n  times:\n    - {{days_before: 0, time: "{due:%H:%M}"}}\n  grace_minutes: 30\n'
    return "\n".join(lines) + reminders


@dataclass
class Replica:
    """One `pilkada-bot run` process; its stderr goes to `log`."""

    name: str
    port: int
    root: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log(self) -> Path:
        return self.root / f"{self.name}.log"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self.starts += 1
        with open(self.log, "ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(self.root / "config.yaml"), "run"],
                cwd=self.root,
                env={**self.env, "PILKADA_BOT_WEBHOOK_PORT": str(self.port)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not healthy after {timeout} s:\n{self.log_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye, its connections simply close."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int | None:
        """SIGTERM, as a supervisor stops it; the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


@dataclass
class ReplicaCluster:
    """N replicas + nginx on one PostgreSQL database; see the module docstring."""

    root: Path
    postgres: PostgresServer
    database_url: str
    api_url: str
    count: int = 2
    overall_per_second: float = 25.0  # 5 below Telegram's 30: jitter on a busy machine (docs/scaling.md)
    concurrency: int | None = None
    replicas: list[Replica] = field(default_factory=list)
    nginx: NginxServer | None = None
    tls: ssl.SSLContext | None = None

    def write_config(self) -> None:
        test_kb = REPO_ROOT / "tests" / "data" / "blora2024"  # the tests' knowledge base (conftest.py)
        text = reminder_due_a_minute_ago((test_kb / "config.yaml").read_text(encoding="utf-8"))
        text = text.replace("../../../knowledge/words/", f"{REPO_ROOT / 'knowledge' / 'words'}/")
        text = text.replace("overall_per_second: 29 ", f"overall_per_second: {self.overall_per_second:g} ", 1)
        if self.concurrency is not None:
            text = text.replace("  concurrency:", f"  concurrency: {self.concurrency}  #", 1)
        (self.root / "config.yaml").write_text(text, encoding="utf-8")
        knowledge = self.root / "knowledge"
        if not knowledge.exists():
            knowledge.symlink_to(test_kb / "knowledge")

    def environment(self, nginx_port: int) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PILKADA_BOT_", "PG"))}
        return {
            **keep,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_URL": self.api_url,
            "PILKADA_BOT_MODE": "webhook",
            "PILKADA_BOT_WEBHOOK_URL": f"https://127.0.0.1:{nginx_port}/telegram",
            "PILKADA_BOT_WEBHOOK_LISTEN": "127.0.0.1",
            "PILKADA_BOT_DATABASE": self.database_url,
            "PILKADA_BOT_DATABASE_PASSWORD": self.postgres.password,
            "PILKADA_BOT_SALT": SALT,
        }

    def start(self) -> ReplicaCluster:
        """Start the replicas, then nginx in front of them.

        If any step fails (a replica exits, nginx or openssl is missing, nginx refuses the
        configuration), everything already started is stopped by PID before the error goes
        up, so it is reported against the test that started the cluster and no process
        outlives it.
        """
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> ReplicaCluster:
        self.write_config()
        nginx_port = free_port()
        env = self.environment(nginx_port)
        self.replicas = [Replica(f"replica{i + 1}", free_port(), self.root, env) for i in range(self.count)]
        for replica in self.replicas:
            replica.start()
        for replica in self.replicas:
            replica.wait_healthy()
        cert, key = self_signed_certificate(self.root)
        self.tls = ssl.create_default_context(cafile=str(cert))
        upstreams = [f"127.0.0.1:{r.port}" for r in self.replicas]
        values = {
            # The recipe's template names two replicas; one replica stands in for both.
            "BOT_1": upstreams[0],
            "BOT_2": upstreams[1 % len(upstreams)],
            "LISTEN": f"127.0.0.1:{nginx_port}",
            "SERVER_NAME": "127.0.0.1",
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "WEBHOOK_PATH": "telegram",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        self.nginx = NginxServer.start(values, port=nginx_port)
        return self

    @property
    def url(self) -> str:
        assert self.nginx is not None
        return f"https://127.0.0.1:{self.nginx.port}/telegram"

    def lock_holder(self, name: str) -> Replica | None:
        """The replica holding the advisory lock whose key is `name` (bot/storage/replicas.py), if any."""
        from bot.storage.replicas import LOCK_SPACE, _lock_key

        with self.postgres.connect(self.database_url.rsplit("/", 1)[1]) as conn:
            row = conn.execute(
                "SELECT a.application_name FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
                (LOCK_SPACE, _lock_key(name) % 2**32),
            ).fetchone()
        if row is None:
            return None
        pid = int(str(row[0]).rsplit(" ", 1)[1])
        return next((r for r in self.replicas if r.process is not None and r.process.pid == pid), None)

    def stop(self) -> dict[str, int | None]:
        """Stop nginx and every replica that was started (SIGTERM, by PID); their exit codes."""
        try:
            if self.nginx is not None:
                self.nginx.stop()
                self.nginx = None
        finally:
            codes = {replica.name: replica.stop() for replica in self.replicas}
        return codes

    def logs(self) -> str:
        return "\n".join(f"===== {r.name}\n{r.log_text()}" for r in self.replicas)


def cleanup(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
