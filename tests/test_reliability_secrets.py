"""Secrets and privacy: the token never reaches logs or error messages; logs carry hashed user ids only.

Failing runs of the real CLI (API unreachable, token rejected, errors quoting the
token, an exception in a handler) are grepped for the token, the user's id and the
text they sent. The pieces are tested on their own too: the redacting log format
and `scrub` (bot/telegram/logs.py).
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Update

from bot.telegram.app import RedactingFormatter
from bot.telegram.logs import scrub, user_tag
from tests.support.cli import CliRun, cli_config
from tests.support.constants import TOKEN
from tests.support.fakebotapi import FakeBotApi
from tests.support.kbcopy import KbCopy
from tests.support.nginxserver import free_port

REAL_LOOKING_ID = 987654321  # Telegram ids are long: a short one could occur in a log by chance
PRIVATE_TEXT = "nomor KTP-ku 3301234567890001 golput itu apa"
SALT = "reliability-tests-salt-0123456789"


@pytest.fixture
def runs() -> Iterator[list[CliRun]]:
    started: list[CliRun] = []
    yield started
    for run in started:
        run.kill()


def assert_clean(stderr: str) -> None:
    # In any case: PTB lowercases a URL quoted in an API error's description.
    assert TOKEN.split(":")[1].lower() not in stderr.lower()  # not even the secret half
    assert str(REAL_LOOKING_ID) not in stderr
    assert "KTP" not in stderr and "3301234567890001" not in stderr


@pytest.mark.subprocess
def test_unreachable_api(repo_root: Path, kb_copy: KbCopy, runs: list[CliRun]) -> None:
    cli = CliRun(
        repo_root, cli_config(kb_copy, startup_retries=2, startup_backoff=0.05), f"http://127.0.0.1:{free_port()}/bot"
    )
    runs.append(cli)
    assert cli.wait() == 1
    assert "Cannot reach the Bot API" in cli.stderr
    assert_clean(cli.stderr)


@pytest.mark.subprocess
def test_token_rejected_with_401(repo_root: Path, kb_copy: KbCopy, runs: list[CliRun]) -> None:
    with FakeBotApi(token="123456789:AAotherTOKENotherTOKENotherTOKEN0") as other:  # knows another token
        cli = CliRun(repo_root, kb_copy.config_path, other.base_url)
        runs.append(cli)
        assert cli.wait() == 1
        assert other.calls("getMe")[0].status == 401
    assert cli.lines[-1] == "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token)."
    assert_clean(cli.stderr)


@pytest.mark.subprocess
def test_errors_that_quote_the_token_and_a_failing_handler(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, runs: list[CliRun]
) -> None:
    url = f"{api.base_url}{TOKEN}/sendMessage"
    # A Bot API (or proxy) error that quotes the request URL, on polling and on a reply.
    api.fail_next("getUpdates", 502, description=f"Bad Gateway: upstream {url} failed")
    api.fail_next("sendMessage", 400, description=f"Bad Request: can't parse entities in {url}")
    cli = CliRun(repo_root, kb_copy.config_path, api.base_url, PILKADA_BOT_SALT=SALT)
    runs.append(cli)
    api.push_update(api.text_message(PRIVATE_TEXT, user_id=REAL_LOOKING_ID))
    api.wait_for("sendMessage", lambda c: c.status == 200, timeout=15)  # the apology
    cli.wait_for_line(r"Error while handling update \d+ from user u[0-9a-f]{10}:$")  # a tag, not the id
    (raised,) = cli.wait_for_line(r"^telegram\.error\.BadRequest: ")
    code, _ = cli.stop(signal.SIGINT)
    assert code == 0
    assert "/bot<token>/sendmessage" in raised  # lowercased by PTB, redacted all the same
    cli.wait_for_line(r"Polling the Bot API failed \(NetworkError: Bad Gateway: upstream .*/bot<token>/")
    assert_clean(cli.stderr)


@pytest.mark.slow
@pytest.mark.subprocess
def test_flood_control_logs_a_tag_not_the_id(
    repo_root: Path, api: FakeBotApi, kb_copy: KbCopy, runs: list[CliRun]
) -> None:
    cli = CliRun(repo_root, cli_config(kb_copy, flood_messages=3), api.base_url, PILKADA_BOT_SALT=SALT)
    runs.append(cli)
    for _ in range(5):
        api.push_update(api.text_message(PRIVATE_TEXT, user_id=REAL_LOOKING_ID))
    cli.wait_for_line(r"flood control: user u[0-9a-f]{10} sent over 3 messages")
    code, _ = cli.stop(signal.SIGINT)
    assert code == 0
    assert_clean(cli.stderr)


# --- the pieces -----------------------------------------------------------------------------


def test_redacting_formatter_covers_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s", TOKEN)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling %s", (TOKEN,), sys.exc_info())
    text = formatter.format(record)
    assert TOKEN not in text and text.count("<token>") == 2 and "Traceback" in text


def test_user_tags_are_stable_within_a_run_and_reveal_nothing() -> None:
    tag = user_tag(REAL_LOOKING_ID)
    assert tag == user_tag(REAL_LOOKING_ID) and tag != user_tag(REAL_LOOKING_ID + 1)
    assert len(tag) == 11 and str(REAL_LOOKING_ID) not in tag


def test_scrub_removes_token_ids_and_text(api: FakeBotApi) -> None:
    data = api.text_message(PRIVATE_TEXT, chat_id=-1001987654321, user_id=REAL_LOOKING_ID) | {"update_id": 1}
    update = Update.de_json(data, None)
    trace = (
        f"File x.py, line 42\nKeyError: {REAL_LOOKING_ID} in chat -1001987654321 "
        f"(not 19876543210 or {REAL_LOOKING_ID}5), text {PRIVATE_TEXT!r}, url /bot{TOKEN}/x"
    )
    clean = scrub(trace, update, TOKEN)
    assert str(REAL_LOOKING_ID) + " " not in clean and "-1001987654321" not in clean
    assert user_tag(REAL_LOOKING_ID) in clean and user_tag(-1001987654321) in clean
    assert "19876543210" in clean and f"{REAL_LOOKING_ID}5" in clean  # other numbers are left alone
    assert "KTP" not in clean and "<message text>" in clean and TOKEN not in clean
    assert "line 42" in clean
