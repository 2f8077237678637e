"""`pilkada-bot run` exits instead of hanging on any start-up failure (issue #14 item 9, issue #15).

Before: a Bot API address answering with an HTML page, or `overall_per_second: 0`
(which `check` accepted), raised an unexpected error; run_bot logged it and returned
1, but the database's worker thread was never closed and the process hung: systemd
never restarts a hung process. And an API address without `/bot` glued the token to
the port ("Invalid port: '50749<token>'") and was retried forever.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.pipeline import Pipeline
from bot.telegram import app as app_module
from bot.telegram.app import run_bot
from tests.support.cli import CliRun, cli_config
from tests.support.constants import TOKEN
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.pipelines import tuned


class _HtmlPage(http.server.BaseHTTPRequestHandler):
    """What a web server or a captive portal answers at a wrong address: 200 and a web page."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def html_site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    server.shutdown()
    server.server_close()


@pytest.mark.subprocess
def test_cli_exits_1_when_the_api_address_answers_with_a_web_page(
    repo_root: Path, kb_copy: KbCopy, html_site: str, cli_runs: list[CliRun]
) -> None:
    cli = CliRun(repo_root, kb_copy.config_path, html_site)
    cli_runs.append(cli)
    assert cli.wait(timeout=20) == 1
    last = cli.lines[-1]
    assert last.startswith(f"Cannot start: the Bot API address {html_site} answers with something else")
    assert "TELEGRAM_API_URL" in last
    assert "Traceback" not in cli.stderr and TOKEN not in cli.stderr


@pytest.mark.subprocess
def test_cli_refuses_a_rate_of_zero_before_starting(repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun]) -> None:
    config = cli_config(kb_copy, overall_per_second=0)
    with FakeBotApi(token=TOKEN) as api:
        cli = CliRun(repo_root, config, api.base_url)
        cli_runs.append(cli)
        assert cli.wait(timeout=20) == 1
        assert api.calls() == []  # refused before any request
    where = kb_copy.where("config.yaml", "overall_per_second: 0")
    assert cli.lines[0] == f"{where}: 'overall_per_second' must be above 0 and at most 1000, got 0"


def test_run_bot_exits_1_and_closes_the_database_on_any_start_up_error(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Whatever fails after the database is open, its worker thread (not a daemon) must
    # be closed, or the process never exits.
    monkeypatch.setattr(app_module, "configure_logging", lambda token: None)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PILKADA_BOT_SALT", "reliability-tests-salt")

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(app_module, "build_application", broken)
    before = set(threading.enumerate())
    assert run_bot(tuned(pipeline, database=tmp_path / "bot.sqlite3")) == 1
    deadline = time.monotonic() + 5
    while (left := [t for t in threading.enumerate() if t not in before and not t.daemon]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert left == [], "a non-daemon thread outlives run_bot: the process would hang"
    assert "unexpected error" in caplog.text


@pytest.mark.subprocess
def test_cli_accepts_the_server_root_as_api_address(repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun]) -> None:
    with FakeBotApi(token=TOKEN) as api:
        root = api.base_url.removesuffix("/bot")
        cli = CliRun(repo_root, kb_copy.config_path, root)
        cli_runs.append(cli)
        api.wait_for("getUpdates", timeout=15)
        api.push_update(api.command("/start"))
        (sent,) = api.wait_for("sendMessage", timeout=10)
        assert sent.status == 200
        code, _ = cli.stop()
    assert code == 0
    assert "Traceback" not in cli.stderr and TOKEN not in cli.stderr


@pytest.mark.subprocess
def test_cli_explains_an_unusable_api_address_in_one_line(
    repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun]
) -> None:
    cli = CliRun(repo_root, kb_copy.config_path, "127.0.0.1:8081")
    cli_runs.append(cli)
    assert cli.wait(timeout=20) == 1
    assert cli.lines[0] == (
        "TELEGRAM_API_URL: the Bot API address must be http(s)://host[:port] or that with /bot at the end "
        "(e.g. https://api.telegram.org/bot), got '127.0.0.1:8081'"
    )
    assert "Traceback" not in cli.stderr and TOKEN not in cli.stderr


# --- the database deleted while running (issue #14 item 10) ------------------------------


@pytest.mark.subprocess
def test_cli_stops_with_exit_1_when_its_database_is_deleted(
    repo_root: Path, kb_copy: KbCopy, cli_runs: list[CliRun], tmp_path: Path
) -> None:
    database = tmp_path / "db" / "bot.sqlite3"
    config = cli_config(kb_copy, voting_date="2030-11-27", database=str(database), database_check=0.2)
    with FakeBotApi(token=TOKEN) as api:
        cli = CliRun(repo_root, config, api.base_url, PILKADA_BOT_SALT="reliability-tests-salt")
        cli_runs.append(cli)
        api.wait_for("getUpdates", timeout=15)
        api.push_update(api.command("/ingatkan", user_id=501))
        (first,) = api.wait_for("sendMessage", timeout=10)
        assert first.params["text"].startswith("Siap!")
        for suffix in ("", "-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        api.push_update(api.command("/ingatkan", user_id=502))
        assert cli.wait(timeout=15) == 1
        # Nobody was told "Siap!" after the file was gone; the second user got the apology.
        assert [c.params["text"].startswith("Siap!") for c in api.calls("sendMessage")].count(True) == 1
    (critical,) = cli.wait_for_line(r"CRITICAL .*deleted")
    assert str(database) in critical
    assert "Traceback" not in cli.stderr and TOKEN not in cli.stderr
