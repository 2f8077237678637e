"""bot/config.py: the shipped config loads; every mistake is reported as `file:line: message`."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import DEFAULT_API_URL, Config, load_config
from bot.yamlfile import InvalidFiles

CFG = "config.yaml"


def config_problems(kb_copy) -> list[str]:
    with pytest.raises(InvalidFiles) as exc:
        load_config(kb_copy.config_path, environ={})
    return [str(p) for p in exc.value.problems]


def test_shipped_config_loads(config: Config, kb_root) -> None:
    assert config.path == kb_root
    assert config.election.name == "Pilkada Serentak 2024"
    assert config.election.region == "Kabupaten Blora"
    assert config.election.voting_date == dt.date(2024, 11, 27)
    assert config.election.timezone.key == "Asia/Jakarta"
    m = config.matching
    assert 0 <= m.suggest_threshold <= m.answer_threshold <= 100
    assert m.max_suggestions >= 2  # "partisipasi" must be able to offer the partisipasi entries
    # Paths are resolved relative to the config file, whatever the working directory.
    assert config.knowledge.sources == kb_root / "knowledge" / "sources.yaml"
    assert all(p.is_file() for p in (*config.knowledge.entries, config.knowledge.lexicon, config.knowledge.messages))
    assert config.bot.mode == "polling"
    assert config.bot.api_url == DEFAULT_API_URL
    assert config.bot.database == kb_root / "data" / "pilkada-bot.sqlite3"
    assert [(t.days_before, t.time) for t in config.reminders.times] == [
        (7, dt.time(19, 0)),
        (1, dt.time(19, 0)),
        (0, dt.time(6, 0)),
    ]


def test_config_is_frozen(config: Config) -> None:
    with pytest.raises(AttributeError):
        config.matching.answer_threshold = 0  # type: ignore[misc]


def test_missing_section(kb_copy) -> None:
    text = kb_copy.read(CFG)
    start, end = text.index("matching:\n"), text.index("knowledge:\n")
    kb_copy.write(CFG, text[:start] + text[end:])
    # Reported at the start of the top-level mapping: its first key.
    assert config_problems(kb_copy) == [
        f"{kb_copy.where(CFG, 'election:')}: the config file is missing 'matching' (a mapping of key: value)"
    ]


def test_unknown_key(kb_copy) -> None:
    kb_copy.replace(CFG, "  max_suggestions: 3\n", "  max_suggestions: 3\n  colour: blue\n")
    assert config_problems(kb_copy) == [
        f"{kb_copy.where(CFG, 'colour: blue')}: unknown key 'colour' in 'matching' "
        "(known keys: answer_threshold, known_words_threshold, margin, max_suggestions, model, suggest_spread, "
        "suggest_threshold, typo_cutoff, unknown_margin)"
    ]


def test_misspelt_key_is_unknown_and_the_real_one_missing(kb_copy) -> None:
    kb_copy.replace(CFG, "answer_threshold: 68", "answer_treshold: 68")
    # Both at the misspelt line: it is also the first line of the 'matching' mapping.
    where = kb_copy.where(CFG, "answer_treshold")
    problems = config_problems(kb_copy)
    assert problems[0].startswith(f"{where}: unknown key 'answer_treshold' in 'matching' ")
    assert problems[1:] == [f"{where}: 'matching' is missing 'answer_threshold' (a number)"]


def test_token_is_never_a_config_key(kb_copy) -> None:
    kb_copy.replace(CFG, "  mode: polling", "  token: 123:abc\n  mode: polling")
    [problem] = config_problems(kb_copy)
    assert problem.startswith(f"{kb_copy.where(CFG, 'token: 123')}: unknown key 'token' in 'bot'")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("answer_threshold: 68", "answer_threshold: sixty", "'answer_threshold' must be a number, got text 'sixty'"),
        ("margin: 6", "margin: yes", "'margin' must be a number, got 'true'"),
        ("poll_timeout: 30", "poll_timeout: 1.5", "'poll_timeout' must be a whole number, got '1.5'"),
        (
            "voting_date: 2024-11-27",
            "voting_date: 27-11-2024",
            "'voting_date' must be a date written YYYY-MM-DD, got text '27-11-2024'",
        ),
        ("  name: Pilkada Serentak 2024", '  name: ""', "'name' must not be empty"),
        (
            "entries:\n    - knowledge/entries.yaml\n    - knowledge/unknowns.yaml",
            "entries: knowledge/entries.yaml\n    # knowledge/unknowns.yaml",
            "'entries' must be a list, got text 'knowledge/entries.yaml'",
        ),
    ],
)
def test_wrong_type(kb_copy, old: str, new: str, message: str) -> None:
    kb_copy.replace(CFG, old, new)
    assert config_problems(kb_copy) == [f"{kb_copy.where(CFG, new.strip())}: {message}"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("answer_threshold: 68", "answer_threshold: 150", "'answer_threshold' must be between 0 and 100, got 150"),
        ("margin: 6", "margin: -1", "'margin' must be between 0 and 100, got -1"),
        ("suggest_threshold: 40", "suggest_threshold: 70", "'suggest_threshold' must not be above 'answer_threshold'"),
        ("mode: polling", "mode: push", "'mode' must be 'polling' or 'webhook', got 'push'"),
        (
            "timezone: Asia/Jakarta",
            "timezone: Asia/Jakarte",
            "'timezone' must be a time zone name such as Asia/Jakarta, got 'Asia/Jakarte'",
        ),
        (
            "timezone: Asia/Jakarta",
            "timezone: ../etc",
            "'timezone' must be a time zone name such as Asia/Jakarta, got '../etc'",
        ),
        (
            '{days_before: 7, time: "19:00"}',
            '{days_before: 7, time: "25:00"}',
            "'time' must be HH:MM (24-hour), got '25:00'",
        ),
        (
            '{days_before: 1, time: "19:00"}',
            '{days_before: -1, time: "19:00"}',
            "'days_before' must be between 0 and 365, got -1",
        ),
        ("admin_ids: []", "admin_ids: [alice]", "'admin_ids' must be a list of numeric Telegram user ids"),
    ],
)
def test_invalid_value(kb_copy, old: str, new: str, message: str) -> None:
    kb_copy.replace(CFG, old, new)
    assert config_problems(kb_copy) == [f"{kb_copy.where(CFG, new)}: {message}"]


def test_unquoted_reminder_time_is_understood_or_explained(kb_copy) -> None:
    # YAML 1.1 reads an unquoted 19:00 as the base-60 number 1140; staff will write it that way.
    kb_copy.replace(CFG, '{days_before: 7, time: "19:00"}', "{days_before: 7, time: 19:00}")
    try:
        config = load_config(kb_copy.config_path, environ={})
    except InvalidFiles as exc:
        [problem] = [str(p) for p in exc.problems]
        assert problem.startswith(f"{kb_copy.where(CFG, 'time: 19:00}')}: ")
        assert "HH:MM" in problem and "1140" not in problem, problem
    else:
        assert config.reminders.times[0].time == dt.time(19, 0)


def test_webhook_mode_needs_an_https_url(kb_copy) -> None:
    kb_copy.replace(CFG, "mode: polling", "mode: webhook")
    # The 'webhook' mapping's line is the line of its first key.
    assert config_problems(kb_copy) == [
        f"{kb_copy.where(CFG, 'listen: 0.0.0.0')}: webhook mode needs 'url': "
        "the public https:// address Telegram posts to"
    ]


def test_every_problem_is_reported_at_once(kb_copy) -> None:
    kb_copy.replace(CFG, "timezone: Asia/Jakarta", "timezone: WIB")
    kb_copy.replace(CFG, "answer_threshold: 68", "answer_threshold: 101")
    kb_copy.replace(CFG, "mode: polling", "mode: push")
    kb_copy.replace(CFG, '{days_before: 0, time: "06:00"}', '{days_before: 0, time: "6 pagi"}')
    problems = config_problems(kb_copy)
    assert [p.split(": ", 1)[0] for p in problems] == [
        kb_copy.where(CFG, "timezone: WIB"),
        kb_copy.where(CFG, "answer_threshold: 101"),
        kb_copy.where(CFG, "mode: push"),
        kb_copy.where(CFG, "6 pagi"),
    ]


def test_missing_config_file(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    with pytest.raises(InvalidFiles) as exc:
        load_config(path, environ={})
    assert [str(p) for p in exc.value.problems] == [f"{path}:1: file not found"]


def test_api_url_comes_from_the_environment_first(repo_root) -> None:
    local = "http://127.0.0.1:8081/bot"
    path = repo_root / "config.yaml"
    assert load_config(path, environ={"TELEGRAM_API_URL": local}).bot.api_url == local
    assert load_config(path, environ={}).bot.api_url == "https://api.telegram.org/bot"
    assert load_config(path, environ={"TELEGRAM_API_URL": ""}).bot.api_url == "https://api.telegram.org/bot"


def test_api_url_from_config_and_default(kb_copy) -> None:
    kb_copy.replace(CFG, "api_url: https://api.telegram.org/bot", "api_url: http://localhost:8081/bot")
    assert load_config(kb_copy.config_path, environ={}).bot.api_url == "http://localhost:8081/bot"
    text = kb_copy.read(CFG)
    kb_copy.write(CFG, "".join(line for line in text.splitlines(keepends=True) if "api_url:" not in line))
    assert load_config(kb_copy.config_path, environ={}).bot.api_url == DEFAULT_API_URL


def test_optional_parts_get_defaults(kb_copy) -> None:
    text = kb_copy.read(CFG)
    kb_copy.write(CFG, text[: text.index("reminders:")])
    kb_copy.replace(CFG, "  max_suggestions: 3\n", "")
    config = load_config(kb_copy.config_path, environ={})
    assert config.reminders.times == ()
    assert config.matching.max_suggestions == 3
    assert config.path == kb_copy.root


def test_matching_defaults_come_from_their_declaration(kb_copy) -> None:
    """known_words_threshold defaults to answer_threshold; the others to their declared values."""
    text = kb_copy.read(CFG)
    start, end = text.index("matching:\n"), text.index("knowledge:\n")
    kb_copy.write(
        CFG, text[:start] + "matching:\n  answer_threshold: 71\n  suggest_threshold: 40\n  margin: 6\n" + text[end:]
    )
    m = load_config(kb_copy.config_path, environ={}).matching
    assert (m.answer_threshold, m.known_words_threshold) == (71.0, 71.0)
    assert (m.max_suggestions, m.typo_cutoff, m.unknown_margin, m.suggest_spread, m.model) == (
        3,
        82.0,
        0.0,
        100.0,
        None,
    )
    kb_copy.write(CFG, text[:start] + "matching:\n  answer_threshold: 71\n  margin: 6\n" + text[end:])
    assert any("suggest_threshold" in p for p in config_problems(kb_copy))


# Values `pilkada-bot run` cannot use: before issue #14 `check` accepted them and `run`
# hung (overall_per_second: 0 divided by zero, then waited forever on the database thread).
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "overall_per_second: 29",
            "overall_per_second: 0",
            "'overall_per_second' must be above 0 and at most 1000, got 0",
        ),
        (
            "overall_per_second: 29",
            "overall_per_second: -5",
            "'overall_per_second' must be above 0 and at most 1000, got -5",
        ),
        ("overall_per_second: 29", "overall_per_second: .nan", "'overall_per_second' must be a finite number"),
        ("overall_per_second: 29", "overall_per_second: .inf", "'overall_per_second' must be a finite number"),
        ("group_per_minute: 20", "group_per_minute: 0", "'group_per_minute' must be above 0 and at most 1200, got 0"),
        ("max_retries: 3", "max_retries: -1", "'max_retries' must be between 0 and 10, got -1"),
        ("connect_timeout: 10", "connect_timeout: 0", "'connect_timeout' must be above 0 and at most 300, got 0"),
        ("read_timeout: 10", "read_timeout: -1", "'read_timeout' must be above 0 and at most 300, got -1"),
        ("poll_timeout: 30", "poll_timeout: -1", "'poll_timeout' must be between 0 and 120, got -1"),
        ("poll_interval: 0.0", "poll_interval: -0.5", "'poll_interval' must be between 0 and 60, got -0.5"),
        ("flood_seconds: 5 ", "flood_seconds: .inf", "'flood_seconds' must be a finite number"),
        ("shutdown_grace: 5", "shutdown_grace: .nan", "'shutdown_grace' must be a finite number"),
        ("port: 8443", "port: 0", "'port' must be between 1 and 65535, got 0"),
        ("port: 8443", "port: 70000", "'port' must be between 1 and 65535, got 70000"),
        ("max_connections: 40", "max_connections: 101", "'max_connections' must be between 1 and 100, got 101"),
        ("request_timeout: 10", "request_timeout: 0", "'request_timeout' must be above 0 and at most 300, got 0"),
        ("max_body_kb: 256", "max_body_kb: -1", "'max_body_kb' must be between 1 and 10240, got -1"),
        (
            "open_connections: 100",
            "open_connections: 10",
            "'open_connections' (10) must be at least 'max_connections' (40): Telegram may open that many at once",
        ),
        ("max_suggestions: 3", "max_suggestions: 0", "'max_suggestions' must be between 1 and 10, got 0"),
        ("typo_cutoff: 82", "typo_cutoff: 120", "'typo_cutoff' must be between 0 and 100, got 120"),
        ("margin: 6", "margin: .nan", "'margin' must be a finite number"),
        ("grace_minutes: 30", "grace_minutes: -1", "'grace_minutes' must be between 0 and 1440, got -1"),
        ("concurrency: 32", "concurrency: 0", "'concurrency' must be between 1 and 1000, got 0"),
        ("chat_per_second: 1", "chat_per_second: -1", "'chat_per_second' must be between 0 and 30, got -1"),
        ("paid_per_second: 100", "paid_per_second: 0", "'paid_per_second' must be between 1 and 1000, got 0"),
        ("paid_per_second: 100", "paid_per_second: 5000", "'paid_per_second' must be between 1 and 1000, got 5000"),
    ],
)
def test_values_run_cannot_use_are_refused(kb_copy, old: str, new: str, message: str) -> None:
    kb_copy.replace(CFG, old, new)
    assert config_problems(kb_copy) == [f"{kb_copy.where(CFG, new)}: {message}"]


# Issue 25, item 8: numbers too large for `run` passed `check`, and `run` then died with
# "OverflowError: date value out of range". Every numeric setting now has an upper end too.
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{days_before: 7,", "{days_before: 1000000,", "'days_before' must be between 0 and 365, got 1000000"),
        ("{days_before: 7,", "{days_before: -1,", "'days_before' must be between 0 and 365, got -1"),
        (
            "grace_minutes: 30",
            "grace_minutes: 1000000000000",
            "'grace_minutes' must be between 0 and 1440, got 1000000000000",
        ),
        ("max_suggestions: 3", "max_suggestions: 1000", "'max_suggestions' must be between 1 and 10, got 1000"),
        ("poll_interval: 0.0", "poll_interval: 1000000000", "'poll_interval' must be between 0 and 60, got 1000000000"),
        ("poll_timeout: 30", "poll_timeout: 100000", "'poll_timeout' must be between 0 and 120, got 100000"),
        (
            "connect_timeout: 10",
            "connect_timeout: 1.0e+30",
            "'connect_timeout' must be above 0 and at most 300, got 1e+30",
        ),
        ("read_timeout: 10", "read_timeout: 100000", "'read_timeout' must be above 0 and at most 300, got 100000"),
        ("flood_messages: 4", "flood_messages: 0", "'flood_messages' must be between 1 and 1000, got 0"),
        ("flood_messages: 4", "flood_messages: 99999999", "'flood_messages' must be between 1 and 1000, got 99999999"),
        (
            "flood_seconds: 5 ",
            "flood_seconds: 1000000000000",
            "'flood_seconds' must be above 0 and at most 3600, got 1000000000000",
        ),
        (
            "max_message_length: 1000",
            "max_message_length: 5000",
            "'max_message_length' must be between 1 and 4096, got 5000",
        ),
        ("inline_interval: 0.3", "inline_interval: 3600", "'inline_interval' must be between 0 and 60, got 3600"),
        ("send_retries: 2", "send_retries: 1000", "'send_retries' must be between 0 and 10, got 1000"),
        ("startup_retries: 8", "startup_retries: 10000", "'startup_retries' must be between 0 and 1000, got 10000"),
        ("startup_backoff: 1", "startup_backoff: 1.0e+300", "'startup_backoff' must be between 0 and 60, got 1e+300"),
        ("shutdown_grace: 5", "shutdown_grace: 100000", "'shutdown_grace' must be between 0 and 300, got 100000"),
        (
            "database_check: 5",
            "database_check: 10000000000",
            "'database_check' must be above 0 and at most 3600, got 10000000000",
        ),
        ("concurrency: 32", "concurrency: 1000000", "'concurrency' must be between 1 and 1000, got 1000000"),
        (
            "overall_per_second: 29",
            "overall_per_second: 5000",
            "'overall_per_second' must be above 0 and at most 1000, got 5000",
        ),
        (
            "group_per_minute: 20",
            "group_per_minute: 1000000.5",
            "'group_per_minute' must be above 0 and at most 1200, got 1000000.5",
        ),
        ("max_retries: 3", "max_retries: 100", "'max_retries' must be between 0 and 10, got 100"),
        ("chat_per_second: 1", "chat_per_second: 1000", "'chat_per_second' must be between 0 and 30, got 1000"),
        (
            "open_connections: 100",
            "open_connections: 10000000",
            "'open_connections' must be between 1 and 10000, got 10000000",
        ),
        (
            "request_timeout: 10",
            "request_timeout: 1000000000",
            "'request_timeout' must be above 0 and at most 300, got 1000000000",
        ),
        ("max_body_kb: 256", "max_body_kb: 100000000", "'max_body_kb' must be between 1 and 10240, got 100000000"),
        (
            "admin_ids: []",
            "admin_ids: [-1001234567890]",
            "'admin_ids' must be Telegram user ids, whole numbers from 1 to 9007199254740991, got -1001234567890",
        ),
    ],
)
def test_values_too_large_or_too_small_for_run_are_refused(kb_copy, old: str, new: str, message: str) -> None:
    kb_copy.replace(CFG, old, new)
    assert config_problems(kb_copy) == [f"{kb_copy.where(CFG, new)}: {message}"]


def test_every_numeric_setting_has_a_range_with_both_ends() -> None:
    # A setting added later without a range would pass `check` with any number again.
    import dataclasses
    import typing

    from bot import config as cfg

    sections = {
        cfg.MatchingConfig: ("matching",),
        cfg.BotConfig: ("bot",),
        cfg.WebhookConfig: ("bot", "webhook"),
        cfg.RateLimitConfig: ("bot", "rate_limit"),
        cfg.RemindersConfig: ("reminders",),
        cfg.ReminderTime: ("reminders", "times"),
    }
    missing = []
    for section, path in sections.items():
        hints = typing.get_type_hints(section)
        for f in dataclasses.fields(section):
            if hints[f.name] in (int, float):
                allowed = cfg.RANGES.get(path, {}).get(f.name)
                if allowed is None or allowed.high is None:
                    missing.append(".".join((*path, f.name)))
    assert missing == []


@pytest.mark.parametrize("command", ["check", "run"])
def test_check_and_run_refuse_the_numbers_that_made_run_overflow(
    kb_copy, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    from bot.cli import main

    kb_copy.replace(CFG, "{days_before: 7,", "{days_before: 1000000,")
    kb_copy.replace(CFG, "grace_minutes: 30", "grace_minutes: 1000000000000")
    assert main(["--config", str(kb_copy.config_path), command]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        f"{kb_copy.where(CFG, 'days_before: 1000000')}: 'days_before' must be between 0 and 365, got 1000000",
        f"{kb_copy.where(CFG, 'grace_minutes: 1000000000000')}: "
        "'grace_minutes' must be between 0 and 1440, got 1000000000000",
    ]


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/bot"),
        ("https://api.telegram.org", "https://api.telegram.org/bot"),
        ("https://api.telegram.org/", "https://api.telegram.org/bot"),
        ("http://127.0.0.1:50749", "http://127.0.0.1:50749/bot"),
        ("http://127.0.0.1:50749/bot/", "http://127.0.0.1:50749/bot"),
        ("https://proxy.example.org/telegram/bot", "https://proxy.example.org/telegram/bot"),
    ],
)
def test_api_url_may_be_the_server_root_or_end_in_bot(kb_copy, given: str, used: str) -> None:
    # Issue #15: without /bot, PTB glued the token to the port ("Invalid port: '50749<token>'")
    # and retried forever.
    assert load_config(kb_copy.config_path, environ={"TELEGRAM_API_URL": given}).bot.api_url == used
    kb_copy.replace(CFG, "api_url: https://api.telegram.org/bot", f"api_url: {given}")
    assert load_config(kb_copy.config_path, environ={}).bot.api_url == used


@pytest.mark.parametrize(
    "given",
    ["127.0.0.1:8081", "ftp://example.org/bot", "https:///bot", "https://example.org/botapi", "http://x:99999/bot"],
)
def test_an_unusable_api_url_is_explained_in_one_line(kb_copy, given: str) -> None:
    expected = (
        "the Bot API address must be http(s)://host[:port] or that with /bot at the end "
        f"(e.g. https://api.telegram.org/bot), got '{given}'"
    )
    with pytest.raises(InvalidFiles) as exc:
        load_config(kb_copy.config_path, environ={"TELEGRAM_API_URL": given})
    assert [str(p) for p in exc.value.problems] == [f"TELEGRAM_API_URL: {expected}"]
    kb_copy.replace(CFG, "api_url: https://api.telegram.org/bot", f"api_url: {given}")
    assert config_problems(kb_copy) == [f"{kb_copy.where(CFG, 'api_url:')}: 'api_url': {expected}"]


def test_deployment_settings_come_from_the_environment(repo_root) -> None:
    # deploy/compose.yaml and deploy/systemd run the shipped config.yaml as webhook replicas on PostgreSQL.
    environ = {
        "PILKADA_BOT_MODE": "webhook",
        "PILKADA_BOT_DATABASE": "postgresql://pilkada@db:5432/pilkada",
        "PILKADA_BOT_WEBHOOK_URL": "https://bot.example.org/telegram",
        "PILKADA_BOT_WEBHOOK_LISTEN": "127.0.0.1",
        "PILKADA_BOT_WEBHOOK_PORT": "8442",
    }
    bot = load_config(repo_root / "config.yaml", environ=environ).bot
    assert bot.mode == "webhook"
    assert bot.database == "postgresql://pilkada@db:5432/pilkada"  # a URL stays a URL, not a path
    assert (bot.webhook.url, bot.webhook.listen, bot.webhook.port) == (
        "https://bot.example.org/telegram",
        "127.0.0.1",
        8442,
    )
    shipped = load_config(repo_root / "config.yaml", environ={}).bot
    assert shipped.mode == "polling" and shipped.database == repo_root / "data" / "pilkada-bot.sqlite3"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PILKADA_BOT_MODE", "websocket", "'polling' or 'webhook'"),
        ("PILKADA_BOT_WEBHOOK_PORT", "84430", "port number"),
        ("PILKADA_BOT_WEBHOOK_PORT", "http", "port number"),
    ],
)
def test_bad_deployment_settings_in_the_environment_are_named(repo_root, name: str, value: str, says: str) -> None:
    with pytest.raises(InvalidFiles) as exc:
        load_config(repo_root / "config.yaml", environ={name: value})
    assert any(p.file == name and says in p.message for p in exc.value.problems), exc.value.problems


def test_webhook_mode_from_the_environment_still_needs_a_url(repo_root) -> None:
    with pytest.raises(InvalidFiles) as exc:
        load_config(repo_root / "config.yaml", environ={"PILKADA_BOT_MODE": "webhook"})
    assert any("webhook mode needs 'url'" in p.message for p in exc.value.problems)
