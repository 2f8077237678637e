"""Load and validate `config.yaml` into frozen dataclasses.

The Telegram token is never part of the config: it comes only from the
TELEGRAM_BOT_TOKEN environment variable (see bot/telegram/app.py).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.schema import BOOL, DATE, INT, LIST, MAPPING, NONEMPTY_TEXT, NUMBER, TEXT, Expect, check_mapping
from bot.yamlfile import InvalidFiles, Problem, YamlDoc, load_yaml

DEFAULT_API_URL = "https://api.telegram.org/bot"
API_URL_ENV = "TELEGRAM_API_URL"
# Deployment settings the environment may give instead of config.yaml (deploy/compose.yaml,
# deploy/systemd): the shipped config.yaml stays the one-process default. Key path in `bot:`.
BOT_ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "PILKADA_BOT_MODE": ("mode",),
    "PILKADA_BOT_DATABASE": ("database",),
    "PILKADA_BOT_WEBHOOK_URL": ("webhook", "url"),
    "PILKADA_BOT_WEBHOOK_LISTEN": ("webhook", "listen"),
    "PILKADA_BOT_WEBHOOK_PORT": ("webhook", "port"),
}
API_URL_WORDS = (
    "the Bot API address must be http(s)://host[:port] or that with /bot at the end (e.g. https://api.telegram.org/bot)"
)
# Updates handled at once when config.yaml does not say (bench/bench_capacity.py, docs/performance.md).
DEFAULT_CONCURRENCY = 32
# Telegram's ceiling for paid broadcasts (telegram.constants.FloodLimit.PAID_MESSAGES_PER_SECOND).
PAID_MAX_PER_SECOND = 1000
# A bot's username as BotFather accepts it: 5-32 letters, digits or '_', ending in "bot".
BOT_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
TIME_TEXT = Expect((str, int), 'a time written HH:MM, e.g. "19:00"')


@dataclass(frozen=True, slots=True)
class Range:
    """The numbers a setting may take; anything else `run` cannot use (a rate of 0 divides by zero,
    `days_before: 1000000` overflows a date)."""

    low: float
    above: bool = False  # True: strictly above `low`
    high: float | None = None

    def complaint(self, key: str, value: float) -> str | None:
        """Why `value` is refused, or None."""
        if not math.isfinite(value):
            return f"'{key}' must be a finite number"
        too_low = value <= self.low if self.above else value < self.low
        if not too_low and (self.high is None or value <= self.high):
            return None
        if self.high is None:
            wanted = f"above {self.low:g}" if self.above else f"{self.low:g} or more"
        elif self.above:
            wanted = f"above {self.low:g} and at most {self.high:g}"
        else:
            wanted = f"between {self.low:g} and {self.high:g}"
        return f"'{key}' must be {wanted}, got {value}"


SCORE = Range(0, high=100)
SECONDS = Range(0, above=True, high=300)  # a timeout
RETRIES = Range(0, high=10)


@dataclass(frozen=True, slots=True)
class SameAs:
    """A setting whose default is another setting's value (known_words_threshold: answer_threshold)."""

    name: str


REQUIRED: Any = MISSING  # a setting config.yaml must give


def setting(default: Any, expect: Expect, allowed: Range | None = None) -> Any:
    """A setting of config.yaml, declared once: its default (REQUIRED, a value, or SameAs another
    setting), the type the file must give, and the numbers `run` can use. The loader's type check,
    ranges, defaults and conversion all read it."""
    meta = {"expect": expect, "range": allowed}
    if default is REQUIRED or isinstance(default, SameAs):
        return field(metadata={**meta, "from": default})
    return field(default=default, metadata=meta)


def _declared(cls: type) -> list[Field[Any]]:
    return [f for f in fields(cls) if "expect" in f.metadata]


def _spec(cls: type, *, required: bool = False) -> dict[str, Expect]:
    """The keys config.yaml may (or, `required`, must) give for `cls`'s settings, and their types."""
    return {f.name: f.metadata["expect"] for f in _declared(cls) if (f.metadata.get("from") is REQUIRED) == required}


def _ranges(cls: type) -> dict[str, Range]:
    return {f.name: f.metadata["range"] for f in _declared(cls) if f.metadata["range"] is not None}


def _values(cls: type, raw: Mapping[str, Any]) -> dict[str, Any]:
    """`cls`'s settings from a checked section of config.yaml, each defaulted and converted once."""
    out: dict[str, Any] = {}
    for f in _declared(cls):
        source = f.metadata.get("from")
        default = raw.get(source.name) if isinstance(source, SameAs) else f.default
        value = raw.get(f.name, default)
        expect = f.metadata["expect"]
        out[f.name] = float(value) if expect is NUMBER else int(value) if expect is INT else value
    return out


# Telegram user ids have at most 52 significant bits (Bot API docs): positive, below 2^53.
MAX_USER_ID = 2**53 - 1


def _with_environment(b: Any, env: Any, problems: list[Problem]) -> Any:
    """`bot:` with the BOT_ENV_OVERRIDES that are set in the environment (each checked here)."""
    if not isinstance(b, dict):
        return b
    b = {**b, "webhook": dict(b.get("webhook") or {})}
    for name, keys in BOT_ENV_OVERRIDES.items():
        value: Any = env.get(name)
        if value is None or value == "":
            continue
        if keys == ("mode",) and value not in ("polling", "webhook"):
            problems.append(Problem(name, 0, f"must be 'polling' or 'webhook', got '{value}'"))
            continue
        if keys[-1] == "port":
            if not value.isdigit() or not 1 <= int(value) <= 65535:
                problems.append(Problem(name, 0, f"must be a port number (1-65535), got '{value}'"))
                continue
            value = int(value)
        target = b
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return b


def _database(base: Path, value: str) -> Path | str:
    """A `postgresql://` URL as it is; a file path relative to the config file's folder."""
    if value.startswith(("postgresql://", "postgres://")):
        return value
    return base / value


def normalize_api_url(raw: str) -> str | None:
    """The Bot API base URL PTB needs (ending in /bot) from the server root or that form; None if unusable.

    PTB appends the token to it: without /bot, "http://host:8081" became the port "8081<token>".
    """
    try:
        parts = urllib.parse.urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number up to 65535
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    path = parts.path.rstrip("/")
    if not path:
        path = "/bot"
    elif not path.endswith("/bot"):
        return None
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True, slots=True)
class ElectionConfig:
    name: str
    region: str
    voting_date: dt.date
    timezone: ZoneInfo


@dataclass(frozen=True, slots=True)
class MatchingConfig:
    answer_threshold: float = setting(REQUIRED, NUMBER, SCORE)
    suggest_threshold: float = setting(REQUIRED, NUMBER, SCORE)
    margin: float = setting(REQUIRED, NUMBER, SCORE)
    known_words_threshold: float = setting(SameAs("answer_threshold"), NUMBER, SCORE)
    max_suggestions: int = setting(3, INT, Range(1, high=10))
    typo_cutoff: float = setting(82.0, NUMBER, SCORE)
    # Extra lead a factual answer needs over a known unknown (docs/matching.md).
    unknown_margin: float = setting(0.0, NUMBER, SCORE)
    # A suggestion more than this far below the best is only weakly related: not shown.
    suggest_spread: float = setting(100.0, NUMBER, SCORE)
    # The decision model (bot/nlu/decision.py): a file `pilkada-bot train` wrote; None: the shipped one.
    model: Path | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """An official channel staff fill in: a name people recognise, and its address if any."""

    label: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class KnowledgeConfig:
    sources: Path
    entries: tuple[Path, ...]
    lexicon: Path
    messages: Path
    staff: Path  # staff.yaml; default: beside messages.yaml
    # {link:name} in answers and messages; config, so each election office fills in its own.
    links: Mapping[str, Link] = field(default_factory=dict)
    # Lists of real words (one per line) that typo correction must never rewrite.
    words: tuple[Path, ...] = ()
    # The election this knowledge base is for (config.yaml `election:`), so `check` can compare it with
    # what the sources and answers talk about; None where a test builds a KnowledgeConfig by hand.
    election: ElectionConfig | None = None
    # Where config.yaml writes each of `election:`'s keys ("region" -> Problem at its line), for file:line.
    election_lines: Mapping[str, Problem] = field(default_factory=dict)

    @property
    def yaml_files(self) -> list[Path]:
        """Every YAML file of the knowledge base (the word lists are plain text)."""
        return [self.sources, *self.entries, self.lexicon, self.messages, self.staff]


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    listen: str = setting("127.0.0.1", NONEMPTY_TEXT)
    port: int = setting(8443, INT, Range(1, high=65535))
    url: str = setting("", TEXT)
    path: str = setting("telegram", TEXT)
    max_connections: int = setting(40, INT, Range(1, high=100))  # told to Telegram (setWebhook)
    open_connections: int = setting(100, INT, Range(1, high=10_000))  # our server's bound; more are closed at once
    request_timeout: float = setting(10.0, NUMBER, SECONDS)  # for a request's headers, and again for its body
    max_body_kb: int = setting(256, INT, Range(1, high=10_240))  # Telegram's updates are a few kB


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    overall_per_second: float = setting(30.0, NUMBER, Range(0, above=True, high=PAID_MAX_PER_SECOND))
    group_per_minute: float = setting(20.0, NUMBER, Range(0, above=True, high=1200))
    max_retries: int = setting(3, INT, RETRIES)
    # Messages to one chat (Telegram: about one a second); 0: not spaced.
    chat_per_second: float = setting(1.0, NUMBER, Range(0, high=30))


@dataclass(frozen=True, slots=True)
class ReminderTime:
    days_before: int
    time: dt.time


@dataclass(frozen=True, slots=True)
class BotConfig:
    mode: Literal["polling", "webhook"]
    api_url: str
    admin_ids: frozenset[int]
    database: Path | str  # a SQLite file, or a postgresql:// URL (bot/storage)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)
    poll_interval: float = setting(0.0, NUMBER, Range(0, high=60))
    poll_timeout: int = setting(30, INT, Range(0, high=120))
    connect_timeout: float = setting(10.0, NUMBER, SECONDS)
    read_timeout: float = setting(10.0, NUMBER, SECONDS)
    flood_messages: int = setting(4, INT, Range(1, high=1000))
    flood_seconds: float = setting(5.0, NUMBER, Range(0, above=True, high=3600))
    max_message_length: int = setting(1000, INT, Range(1, high=4096))  # Telegram's own limit for a message
    # Reliability (docs/reliability.md).
    inline_interval: float = setting(0.3, NUMBER, Range(0, high=60))
    send_retries: int = setting(2, INT, RETRIES)
    startup_retries: int = setting(8, INT, Range(0, high=1000))
    startup_backoff: float = setting(1.0, NUMBER, Range(0, high=60))  # the wait doubles up to 60 s anyway
    shutdown_grace: float = setting(5.0, NUMBER, Range(0, high=300))
    database_check: float = setting(5.0, NUMBER, Range(0, above=True, high=3600))
    # Capacity (docs/performance.md): updates handled at once, across chats.
    concurrency: int = setting(DEFAULT_CONCURRENCY, INT, Range(1, high=1000))
    # For links made offline (posters, cards, `pilkada-bot links`); the running bot uses getMe's.
    username: str = ""


@dataclass(frozen=True, slots=True)
class RemindersConfig:
    times: tuple[ReminderTime, ...]
    grace_minutes: int = setting(30, INT, Range(0, high=1440))
    # Paid broadcasts (allow_paid_broadcast, Telegram Stars per message) for reminder rounds.
    paid_broadcast: bool = setting(False, BOOL)
    paid_per_second: float = setting(100.0, NUMBER, Range(1, high=PAID_MAX_PER_SECOND))


# Every number in config.yaml, by section: what `run` can use. Both ends are set for every
# setting (issue 25, item 8): the upper ones are far beyond any sensible value, and below
# what overflows a date, a timer or memory. tests/test_config.py checks that none is missing.
RANGES: dict[tuple[str, ...], dict[str, Range]] = {
    ("matching",): _ranges(MatchingConfig),
    ("bot",): _ranges(BotConfig),
    ("bot", "rate_limit"): _ranges(RateLimitConfig),
    ("bot", "webhook"): _ranges(WebhookConfig),
    ("reminders", "times"): {"days_before": Range(0, high=365)},  # each item of the list
    ("reminders",): _ranges(RemindersConfig),
}


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    election: ElectionConfig
    matching: MatchingConfig
    knowledge: KnowledgeConfig
    bot: BotConfig
    reminders: RemindersConfig


def load_config(path: Path, environ: dict[str, str] | None = None) -> Config:
    """Read `path`; raise InvalidFiles listing every mistake with its line."""
    env = os.environ if environ is None else environ
    doc = load_yaml(path)
    problems: list[Problem] = []
    cfg = _parse(doc, path.parent, problems, env)
    if problems or cfg is None:
        raise InvalidFiles(problems)
    return cfg


def _parse(doc: YamlDoc, base: Path, problems: list[Problem], env: Any) -> Config | None:
    root = doc.data
    sections = {"election": MAPPING, "matching": MAPPING, "knowledge": MAPPING, "bot": MAPPING}
    if not check_mapping(
        doc,
        root,
        (),
        problems,
        required=sections,
        optional={"reminders": MAPPING, "links": MAPPING},
        what="the config file",
    ):
        return None
    if problems:
        return None
    e, m, k, b = root["election"], root["matching"], root["knowledge"], root["bot"]
    b = _with_environment(b, env, problems)
    r = root.get("reminders", {"times": []})
    check_mapping(
        doc,
        e,
        ("election",),
        problems,
        required={"name": NONEMPTY_TEXT, "region": NONEMPTY_TEXT, "voting_date": DATE, "timezone": NONEMPTY_TEXT},
        what="'election'",
    )
    check_mapping(
        doc,
        m,
        ("matching",),
        problems,
        required=_spec(MatchingConfig, required=True),
        optional={**_spec(MatchingConfig), "model": NONEMPTY_TEXT},
        what="'matching'",
    )
    check_mapping(
        doc,
        k,
        ("knowledge",),
        problems,
        required={"sources": NONEMPTY_TEXT, "entries": LIST, "lexicon": NONEMPTY_TEXT, "messages": NONEMPTY_TEXT},
        optional={"staff": NONEMPTY_TEXT, "words": LIST},
        what="'knowledge'",
    )
    check_mapping(
        doc,
        b,
        ("bot",),
        problems,
        required={"mode": NONEMPTY_TEXT, "database": NONEMPTY_TEXT},
        optional={
            "api_url": NONEMPTY_TEXT,
            "admin_ids": LIST,
            "webhook": MAPPING,
            "rate_limit": MAPPING,
            **_spec(BotConfig),
            "username": TEXT,
        },
        what="'bot'",
    )
    check_mapping(
        doc,
        r,
        ("reminders",),
        problems,
        required={"times": LIST},
        optional=_spec(RemindersConfig),
        what="'reminders'",
    )
    if problems:
        return None

    tz: ZoneInfo | None = None
    try:
        tz = ZoneInfo(e["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            doc.problem(
                f"'timezone' must be a time zone name such as Asia/Jakarta, got '{e['timezone']}'",
                "election",
                "timezone",
            )
        )

    _check_ranges(doc, root, problems)
    if math.isfinite(m["suggest_threshold"]) and m["suggest_threshold"] > m["answer_threshold"]:
        problems.append(
            doc.problem("'suggest_threshold' must not be above 'answer_threshold'", "matching", "suggest_threshold")
        )

    if not all(isinstance(p, str) and p.strip() for p in k["entries"]) or not k["entries"]:
        problems.append(doc.problem("'entries' must be a non-empty list of file paths", "knowledge", "entries"))
    if not all(isinstance(p, str) and p.strip() for p in k.get("words") or []):
        problems.append(doc.problem("'words' must be a list of file paths", "knowledge", "words"))

    if b["mode"] not in ("polling", "webhook"):
        problems.append(doc.problem(f"'mode' must be 'polling' or 'webhook', got '{b['mode']}'", "bot", "mode"))
    admin_ids = b.get("admin_ids") or []
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in admin_ids):
        problems.append(doc.problem("'admin_ids' must be a list of numeric Telegram user ids", "bot", "admin_ids"))
    elif wrong := [i for i in admin_ids if not 1 <= i <= MAX_USER_ID]:
        problems.append(
            doc.problem(
                f"'admin_ids' must be Telegram user ids, whole numbers from 1 to {MAX_USER_ID}, got {wrong[0]}",
                "bot",
                "admin_ids",
            )
        )

    username = str(b.get("username") or "").strip().removeprefix("@")
    if username and not BOT_USERNAME_RE.match(username):
        problems.append(
            doc.problem(
                f"'username' must be the bot's username from BotFather (5-32 letters, digits or '_', "
                f"ending in 'bot'), got '{username}'",
                "bot",
                "username",
            )
        )

    webhook = b.get("webhook") or {}
    check_mapping(
        doc,
        webhook,
        ("bot", "webhook"),
        problems,
        required={},
        optional=_spec(WebhookConfig),
        what="'webhook'",
    )
    if b["mode"] == "webhook" and not str(webhook.get("url", "")).startswith("https://"):
        problems.append(
            doc.problem("webhook mode needs 'url': the public https:// address Telegram posts to", "bot", "webhook")
        )
    declared = WebhookConfig()
    opened = webhook.get("open_connections", declared.open_connections)
    telegram = webhook.get("max_connections", declared.max_connections)
    if isinstance(opened, int) and isinstance(telegram, int) and 0 < opened < telegram <= 100:
        problems.append(
            doc.problem(
                f"'open_connections' ({opened}) must be at least 'max_connections' ({telegram}): "
                "Telegram may open that many at once",
                "bot",
                "webhook",
                "open_connections",
            )
        )
    rate = b.get("rate_limit") or {}
    check_mapping(
        doc,
        rate,
        ("bot", "rate_limit"),
        problems,
        required={},
        optional=_spec(RateLimitConfig),
        what="'rate_limit'",
    )

    links = _parse_links(doc, root.get("links") or {}, problems)
    api_url = _api_url(doc, b, env, problems)

    times: list[ReminderTime] = []
    for i, item in enumerate(r["times"]):
        if not check_mapping(
            doc,
            item,
            ("reminders", "times", i),
            problems,
            required={"days_before": INT, "time": TIME_TEXT},
            what="a reminder time",
        ):
            continue
        if "days_before" not in item or "time" not in item:
            continue
        raw_time = item["time"]
        if isinstance(raw_time, int) and not isinstance(raw_time, bool):
            # YAML 1.1 reads an unquoted 19:00 as the base-60 number 1140.
            raw_time = f"{raw_time // 60:02d}:{raw_time % 60:02d}"
        try:
            at = dt.time.fromisoformat(raw_time)
        except ValueError:
            problems.append(
                doc.problem(f"'time' must be HH:MM (24-hour), got '{raw_time}'", "reminders", "times", i, "time")
            )
            continue
        times.append(ReminderTime(item["days_before"], at))
    if problems or tz is None:
        return None

    election = ElectionConfig(e["name"], e["region"], e["voting_date"], tz)
    return Config(
        path=base,
        election=election,
        matching=MatchingConfig(**_values(MatchingConfig, m), model=base / m["model"] if m.get("model") else None),
        knowledge=KnowledgeConfig(
            sources=base / k["sources"],
            entries=tuple(base / p for p in k["entries"]),
            lexicon=base / k["lexicon"],
            messages=base / k["messages"],
            staff=base / k["staff"] if "staff" in k else (base / k["messages"]).with_name("staff.yaml"),
            links=links,
            words=tuple(base / p for p in k.get("words") or []),
            election=election,
            election_lines={key: doc.problem("", "election", key) for key in e},
        ),
        bot=BotConfig(
            mode=b["mode"],
            api_url=api_url,
            admin_ids=frozenset(admin_ids),
            database=_database(base, str(b["database"])),
            webhook=WebhookConfig(**_values(WebhookConfig, webhook)),
            rate_limit=RateLimitConfig(**_values(RateLimitConfig, rate)),
            username=username,
            **_values(BotConfig, b),
        ),
        reminders=RemindersConfig(tuple(times), **_values(RemindersConfig, r)),
    )


def _parse_links(doc: YamlDoc, raw: Any, problems: list[Problem]) -> dict[str, Link]:
    """`links:` name -> {label, url}; a url must be http(s) or empty (never made up: staff fill it)."""
    links: dict[str, Link] = {}
    for name, item in raw.items():
        if not check_mapping(
            doc,
            item,
            ("links", str(name)),
            problems,
            required={"label": NONEMPTY_TEXT},
            optional={"url": TEXT},
            what=f"link '{name}'",
        ):
            continue
        if "label" not in item or not isinstance(item["label"], str):
            continue
        url = str(item.get("url") or "").strip()
        if url and not url.startswith(("https://", "http://")):
            problems.append(
                doc.problem(f"link '{name}': 'url' must start with https:// (or be empty)", "links", str(name), "url")
            )
            continue
        links[str(name)] = Link(item["label"].strip(), url)
    return links


def _check_ranges(doc: YamlDoc, root: dict[str, Any], problems: list[Problem]) -> None:
    """Refuse numbers `run` cannot use (RANGES); types were checked before. A section that
    is a list (reminders.times) has each of its items checked."""
    for path, ranges in RANGES.items():
        section: Any = root
        for name in path:
            section = section.get(name) if isinstance(section, dict) else None
        items = list(enumerate(section)) if isinstance(section, list) else [(None, section)]
        for index, item in items:
            if not isinstance(item, dict):
                continue
            where: tuple[str | int, ...] = path if index is None else (*path, index)
            for key, allowed in ranges.items():
                value = item.get(key)
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and (complaint := allowed.complaint(key, value))
                ):
                    problems.append(doc.problem(complaint, *where, key))


def _api_url(doc: YamlDoc, b: dict[str, Any], env: Any, problems: list[Problem]) -> str:
    """bot.api_url, overridden by TELEGRAM_API_URL, as PTB needs it; a problem for each unusable one."""
    url = DEFAULT_API_URL
    if "api_url" in b:
        if (normalized := normalize_api_url(b["api_url"])) is None:
            problems.append(doc.problem(f"'api_url': {API_URL_WORDS}, got '{b['api_url']}'", "bot", "api_url"))
        else:
            url = normalized
    if from_env := env.get(API_URL_ENV):
        if (normalized := normalize_api_url(from_env)) is None:
            problems.append(Problem(API_URL_ENV, 0, f"{API_URL_WORDS}, got '{from_env}'"))
        else:
            url = normalized
    return url
