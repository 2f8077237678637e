"""The deployment recipe in deploy/: checked as far as this machine allows (no Docker engine).

- compose.yaml: valid against the Compose specification's JSON schema (check-jsonschema
  ships it), and consistent with the rest of the recipe (every variable documented in
  env.example, nginx given every name its template uses, the replicas' port).
- the systemd unit: `systemd-analyze verify` finds nothing to complain about.
- nginx: Debian's nginx runs the recipe's own site file (deploy/nginx/...template, filled
  in like the nginx image does) over TLS in front of two stand-in replicas on 127.0.0.1,
  and must route, refuse and retry as docs/scaling.md says. The real replicas behind the
  same file are in tests/test_replicas.py.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.connflood import ConnectionFlood
from tests.support.nginxserver import (
    TEMPLATE,
    NginxServer,
    envsubst,
    free_port,
    self_signed_certificate,
    template_names,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = REPO_ROOT / "deploy"
SECRET = "s3cret-for-the-test_0123456789"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")


# ---------------------------------------------------------------- compose.yaml


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


@pytest.mark.subprocess
def test_compose_file_is_valid_against_the_compose_specification(tmp_path: Path) -> None:
    # Interpolate as `docker compose` would with a filled-in .env, then validate.
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    filled = _VAR.sub(lambda m: "value-" + m.group(1).lower(), text)
    (tmp_path / "compose.yaml").write_text(filled, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(tmp_path / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The check is not vacuous: a misspelt key is refused.
    (tmp_path / "broken.yaml").write_text(filled.replace("restart:", "restrat:", 1), encoding="utf-8")
    broken = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(tmp_path / "broken.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr


def test_every_variable_the_compose_file_needs_is_in_env_example() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    required = {m.group(1) for m in _VAR.finditer(text) if ":-" not in m.group(0)}
    assert required <= set(_env_example()), f"missing from deploy/env.example: {required - set(_env_example())}"


def test_compose_runs_two_identical_replicas_behind_nginx_with_one_database() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "bot1", "bot2", "nginx"}
    assert services["bot1"] == services["bot2"]
    replica = services["bot1"]
    env = replica["environment"]
    assert env["PILKADA_BOT_MODE"] == "webhook"
    assert env["PILKADA_BOT_DATABASE"].startswith("postgresql://pilkada@db:5432/")
    assert ":" not in env["PILKADA_BOT_DATABASE"].split("//", 1)[1].split("@")[0], "no password in the URL"
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "PILKADA_BOT_SALT", "PILKADA_BOT_DATABASE_PASSWORD"):
        assert env[name].startswith("${"), f"{name} must come from deploy/.env, not the compose file"
    nginx_env = services["nginx"]["environment"]
    assert template_names(TEMPLATE.read_text(encoding="utf-8")) <= set(nginx_env)
    assert nginx_env["BOT_1"] == "bot1:8443" and nginx_env["BOT_2"] == "bot2:8443"
    assert replica["expose"] == ["8443"]
    assert "8443/healthz" in " ".join(replica["healthcheck"]["test"])
    assert nginx_env["TELEGRAM_WEBHOOK_SECRET"] == env["TELEGRAM_WEBHOOK_SECRET"]
    assert env["PILKADA_BOT_WEBHOOK_URL"].endswith("/" + nginx_env["WEBHOOK_PATH"])


# ---------------------------------------------------------------- systemd


@pytest.mark.subprocess
@pytest.mark.systemd
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: `apt-get install -y systemd` (.ci/run does)"
    unit = (DEPLOY / "systemd" / "pilkada-bot@.service").read_text(encoding="utf-8")
    # Point it at this checkout's executable, which exists; everything else stays as shipped.
    local = unit.replace("/opt/pilkada-bot/.venv/bin/pilkada-bot", str(Path(sys.executable).parent / "pilkada-bot"))
    (tmp_path / "pilkada-bot@.service").write_text(local, encoding="utf-8")
    (tmp_path / "pilkada-bot@8441.service").symlink_to(tmp_path / "pilkada-bot@.service")
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "pilkada-bot@8441.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr


# ---------------------------------------------------------------- nginx in front of stand-in replicas


@dataclass
class StandIn:
    """A stand-in replica: records each POST body it got, answers as `mode` says."""

    name: str
    mode: str = "ok"  # ok | drop (read the body, hang up) | 503 (stopping)
    got: list[int] = field(default_factory=list)
    health: int = 200
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                update_id = json.loads(body)["update_id"]
                stand_in.got.append(update_id)
                if stand_in.mode == "drop":
                    self.close_connection = True
                    return
                status = 503 if stand_in.mode == "503" else 200
                self._answer(status, f"{stand_in.name}:{update_id}")

            def do_GET(self) -> None:
                self._answer(stand_in.health if self.path == "/healthz" else 404, stand_in.name)

            def _answer(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@dataclass
class Balancer:
    nginx: NginxServer
    replicas: tuple[StandIn, StandIn]
    client: httpx.Client
    tls: ssl.SSLContext

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.nginx.port}{path}"

    def post(self, update_id: int, secret: str | None = SECRET, **kwargs: Any) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.client.post(self.url("/telegram"), json={"update_id": update_id}, headers=headers, **kwargs)


def trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


@pytest.fixture(scope="module")
def _tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def balancer(_tls: tuple[Path, Path]) -> Iterator[Balancer]:
    cert, key = _tls
    replicas = (StandIn("one").start(), StandIn("two").start())
    port = free_port()
    values = {
        "BOT_1": f"127.0.0.1:{replicas[0].port}",
        "BOT_2": f"127.0.0.1:{replicas[1].port}",
        "LISTEN": f"127.0.0.1:{port}",
        "SERVER_NAME": "127.0.0.1",
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
        "WEBHOOK_PATH": "telegram",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
    }
    try:
        tls = trusting(cert)
        with NginxServer.start(values, port=port) as nginx, httpx.Client(verify=tls, timeout=10) as client:
            yield Balancer(nginx, replicas, client, tls)
    finally:
        for replica in replicas:
            replica.stop()


def test_template_fills_in_like_envsubst() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    names = template_names(text)
    assert {"BOT_1", "BOT_2", "TELEGRAM_WEBHOOK_SECRET", "WEBHOOK_PATH", "LISTEN"} <= names
    filled = envsubst(text, {name: "X" for name in names})
    assert "${" not in filled
    assert "$http_x_telegram_bot_api_secret_token" in filled, "nginx's own variables stay"


@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
def test_updates_with_the_secret_reach_both_replicas(balancer: Balancer) -> None:
    for update_id in range(1, 11):
        response = balancer.post(update_id)
        assert response.status_code == 200
        assert response.text.endswith(f":{update_id}")
    one, two = balancer.replicas
    assert sorted(one.got + two.got) == list(range(1, 11))
    assert one.got and two.got, "round robin over both replicas"


@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
def test_forged_or_wrong_requests_never_reach_a_replica(balancer: Balancer) -> None:
    assert balancer.post(1, secret=None).status_code == 403
    assert balancer.post(2, secret="wrong").status_code == 403
    assert balancer.post(3, secret=SECRET + "x").status_code == 403
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert balancer.client.get(balancer.url("/telegram"), headers=headers).status_code == 403
    big = balancer.client.post(
        balancer.url("/telegram"), content=b'{"update_id": 4, "x": "' + b"a" * 300_000 + b'"}', headers=headers
    )
    assert big.status_code == 413
    assert balancer.client.get(balancer.url("/")).status_code == 404
    assert balancer.client.get(balancer.url("/admin")).status_code == 404
    assert balancer.replicas[0].got == [] and balancer.replicas[1].got == []


@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
@pytest.mark.parametrize("mode", ["drop", "503"])
def test_a_replica_that_dies_or_stops_mid_request_is_retried_on_the_other(balancer: Balancer, mode: str) -> None:
    broken, healthy = balancer.replicas
    broken.mode = mode
    for update_id in range(1, 21):
        response = balancer.post(update_id)
        assert response.status_code == 200, response.text
        assert response.text == f"two:{update_id}"
    assert sorted(healthy.got) == list(range(1, 21)), "every update handled once by the healthy replica"
    assert broken.got, "the broken replica was tried (then avoided for fail_timeout)"


@pytest.mark.subprocess
@pytest.mark.nginx
@pytest.mark.openssl
def test_healthz_answers_while_one_replica_is_up(balancer: Balancer) -> None:
    assert balancer.client.get(balancer.url("/healthz")).status_code == 200
    balancer.replicas[0].health = 503
    assert all(balancer.client.get(balancer.url("/healthz")).text == "two" for _ in range(4))
    balancer.replicas[1].health = 503
    assert balancer.client.get(balancer.url("/healthz")).status_code in (502, 503)


@pytest.mark.nginx
@pytest.mark.openssl
@pytest.mark.parametrize("mode", ["idle", "slow"])
def test_idle_and_slow_header_connections_do_not_make_nginx_deaf(balancer: Balancer, mode: str) -> None:
    # Issue #25 item 1, the same attack as tests/test_webhook.py's against the recipe's nginx
    # (the test's main configuration: worker_connections 256): 150 connections that send
    # nothing (or headers at one byte per 2 s), renewed when closed, for at most 5 s, while
    # 5 updates are posted with the secret, each on a new connection as Telegram does.
    flood = ConnectionFlood(balancer.nginx.port, sockets=150, mode=mode, duration=5.0, max_connects=30_000)  # type: ignore[arg-type]
    outcomes: list[object] = []
    with flood:
        time.sleep(0.5)
        for i in range(5):
            try:
                with httpx.Client(verify=balancer.tls, timeout=8) as fresh:
                    answer = fresh.post(
                        balancer.url("/telegram"),
                        json={"update_id": 9000 + i},
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                outcomes.append(answer.status_code)
            except httpx.HTTPError as exc:
                outcomes.append(type(exc).__name__)
            time.sleep(0.3)
    print(mode, outcomes, flood.figures)
    assert outcomes == [200] * 5, (outcomes, flood.figures, balancer.nginx.log_text()[-2000:])
