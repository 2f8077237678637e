"""Debian's nginx running the deployment recipe's own site file (deploy/nginx/), for tests.

`NginxServer.start(values)` fills in deploy/nginx/pilkada-bot.conf.template the way
envsubst does in the official nginx image (only the names given), wraps it in a small
main configuration (pid, logs and temporary files in a fresh folder), checks it with
`nginx -t` and runs nginx in the foreground (`daemon off`), so we hold its PID.
`stop()` asks for a graceful stop (SIGQUIT), waits, and removes the folder.

`self_signed_certificate()` makes the certificate for 127.0.0.1 that the recipe's TLS
listener needs, with Debian's openssl.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.constants import REPO_ROOT

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "pilkada-bot.conf.template"
_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class NginxUnavailable(RuntimeError):
    """nginx (or openssl) is not installed, or nginx refused the configuration."""


def find_nginx() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise NginxUnavailable("nginx is not installed: `apt-get install -y nginx` (.ci/run does)")


def template_names(text: str) -> set[str]:
    """The ${NAME}s a template expects."""
    return set(_NAME.findall(text))


def envsubst(text: str, values: Mapping[str, str]) -> str:
    """Replace ${NAME} for the names in `values` only, as the nginx image's envsubst call does."""
    return _NAME.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate and key for `host` (an IP address), valid for two days."""
    if shutil.which("openssl") is None:
        raise NginxUnavailable("openssl is not installed: `apt-get install -y openssl`")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class NginxServer:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def error_log(self) -> Path:
        return self.root / "error.log"

    def log_text(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")
        except OSError:
            return ""

    @classmethod
    def start(cls, values: Mapping[str, str], *, port: int, root: Path | None = None) -> NginxServer:
        """Render the recipe's template with `values`, check it with `nginx -t`, run it until stop()."""
        nginx = find_nginx()
        owned = root is None
        root = root or Path(tempfile.mkdtemp(prefix="pilkada-nginx-"))
        root.mkdir(parents=True, exist_ok=True)
        try:
            return cls._start(nginx, root, values, port)
        except BaseException:
            if owned:
                shutil.rmtree(root, ignore_errors=True)
            raise

    @classmethod
    def _start(cls, nginx: str, root: Path, values: Mapping[str, str], port: int) -> NginxServer:
        template = TEMPLATE.read_text(encoding="utf-8")
        missing = template_names(template) - set(values)
        if missing:
            raise ValueError(f"values missing for {sorted(missing)}")
        (root / "site.conf").write_text(envsubst(template, values), encoding="utf-8")
        temp = root / "temp"
        temp.mkdir(exist_ok=True)
        temp.chmod(0o777)  # the workers (nobody, when we are root) buffer large bodies there
        user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        main = f"""{user}worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/site.conf;
}}
"""
        (root / "nginx.conf").write_text(main, encoding="utf-8")
        args = [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")]
        check = subprocess.run([*args, "-t", "-q"], capture_output=True, timeout=30, check=False)
        if check.returncode != 0:
            raise NginxUnavailable(f"nginx -t refused the configuration: {check.stderr.decode(errors='replace')}")
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        server = cls(root, port, process)
        try:
            server._wait_ready()
        except BaseException:
            server.stop()  # by PID; also closes its stderr pipe, which would otherwise warn in a later test
            raise
        return server

    def _wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NginxUnavailable(f"nginx exited with {self.process.returncode}: {self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise NginxUnavailable(f"nginx did not listen on {self.port} within {timeout} s")

    def stop(self) -> None:
        """Graceful stop by PID (SIGQUIT), then remove the folder."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGQUIT)
                try:
                    self.process.wait(15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(15)
            if self.process.stderr is not None:
                self.process.stderr.close()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> NginxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
