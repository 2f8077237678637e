"""knowledge/messages.yaml: the user-facing messages, the topic menus and the feedback reasons."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from bot.kb.english import EnglishDetector, parse_english_words
from bot.kb.grounding import Grounding
from bot.kb.model import Messages, Topic
from bot.kb.phases import PhasedText
from bot.kb.smalltalk import SmallTalk, parse_small_talk
from bot.schema import LIST, MAPPING, NONEMPTY_TEXT, check_mapping
from bot.yamlfile import Problem, YamlDoc

# Placeholders each message may use; anything else is a typo by staff.
MESSAGE_FIELDS = frozenset(
    {
        "election_name",
        "region",
        "region_short",
        "date",
        "days",
        "sources",
        "publisher",
        "title",
        "what",
        "value",
        "quote",
        "source",
        "said",
        "person",
        "bot",
        "link",
    }
)


@dataclass(frozen=True, slots=True)
class Msg:
    """What the bot knows about one message key of messages.yaml."""

    required: bool = False  # check refuses a messages.yaml without it
    pre_vote: bool = False  # shown only before or on voting day: a call to action is right there
    fields: frozenset[str] = frozenset()  # placeholders only it may use ({bot}, {link}), besides the common ones


# Every message key, once. {bot} (the bot's Telegram username) is known only where the bot speaks in
# or about groups; {link} (the deep link that opens one answer) only under a shared answer or a card.
MESSAGES: dict[str, Msg] = {
    # Required: check refuses a messages.yaml without them.
    "welcome": Msg(required=True),
    "help": Msg(required=True),
    "topics_intro": Msg(required=True),
    "fallback": Msg(required=True),
    "did_you_mean": Msg(required=True),
    "source_line": Msg(required=True),
    "source_item": Msg(required=True),
    "sources_intro": Msg(required=True),
    "sources_item_long": Msg(required=True),
    "countdown_before": Msg(required=True, pre_vote=True),
    "countdown_today": Msg(required=True, pre_vote=True),
    "countdown_after": Msg(required=True),
    "share_button": Msg(required=True),
    "feedback_up": Msg(required=True),
    "feedback_down": Msg(required=True),
    "feedback_thanks": Msg(required=True),
    "non_text": Msg(required=True),
    "too_long": Msg(required=True),
    "error": Msg(required=True),
    "unknown_command": Msg(required=True),
    "expired_button": Msg(required=True),
    "inline_empty_hint": Msg(required=True),
    "console_hint": Msg(required=True),
    "console_bye": Msg(required=True),
    "console_choice": Msg(required=True),
    "did_you_mean_one": Msg(required=True),
    "not_this_button": Msg(required=True),
    "claim_contradicted": Msg(required=True),
    "claim_confirmed": Msg(required=True),
    "claim_moved": Msg(required=True),
    "claim_said_confirmed": Msg(required=True),
    "claim_said_fact": Msg(required=True),
    "claim_unverifiable": Msg(required=True),
    "claim_fact": Msg(required=True),
    "claim_quote": Msg(required=True),
    # Optional: staff may leave them out.
    "claim_rest": Msg(),
    "privacy": Msg(),
    "privacy_server": Msg(),
    "remind_on": Msg(pre_vote=True),
    "remind_off": Msg(),
    "remind_past": Msg(),
    "remind_none": Msg(),
    "remind_off_failed": Msg(),
    "reminder_text": Msg(pre_vote=True),
    "slow_down": Msg(),
    "not_admin": Msg(),
    "inline_no_results": Msg(),
    "command_start": Msg(),
    "command_help": Msg(),
    "command_topik": Msg(),
    "command_hitungmundur": Msg(),
    "command_sumber": Msg(),
    "command_ingatkan": Msg(),
    "command_berhenti": Msg(),
    "command_privasi": Msg(),
    "command_hapus": Msg(),
    "forget_done": Msg(),
    "forget_failed": Msg(),
    "help_reminders": Msg(),
    "remind_already": Msg(pre_vote=True),
    "remind_item": Msg(),
    "remind_item_today": Msg(),
    "remind_no_more": Msg(pre_vote=True),
    "remind_private_only": Msg(fields=frozenset({"bot"})),
    "reminder_text_today": Msg(pre_vote=True),
    "feedback_why": Msg(),
    "feedback_write_button": Msg(),
    "feedback_write_prompt": Msg(),
    "feedback_noted": Msg(),
    "welcome_group": Msg(fields=frozenset({"bot"})),
    "help_group": Msg(fields=frozenset({"bot"})),
    "remind_stop_group": Msg(fields=frozenset({"bot"})),
    "english_note": Msg(),
    "more_topics_button": Msg(),
    # Outreach kit (bot/outreach): share buttons, answer cards, posters.
    "share_whatsapp_button": Msg(),
    "share_footer": Msg(fields=frozenset({"link"})),
    "card_button": Msg(),
    "card_caption": Msg(fields=frozenset({"link"})),
    "card_heading": Msg(),
    "card_footer": Msg(),
    "card_help": Msg(),
    "command_kartu": Msg(),
    "poster_headline": Msg(),
    "poster_intro": Msg(),
    "poster_scan": Msg(),
    "poster_footer": Msg(),
}

REQUIRED_MESSAGES = frozenset(k for k, m in MESSAGES.items() if m.required)
OPTIONAL_MESSAGES = frozenset(k for k, m in MESSAGES.items() if not m.required)
PRE_VOTE_MESSAGES = frozenset(k for k, m in MESSAGES.items() if m.pre_vote)
FIELD_ONLY_IN = {field: frozenset(k for k, m in MESSAGES.items() if field in m.fields) for field in ("bot", "link")}
BOT_FIELD_MESSAGES = FIELD_ONLY_IN["bot"]
LINK_FIELD_MESSAGES = FIELD_ONLY_IN["link"]

# Why an answer got 👎: one button each, numbered 0-9 in the callback data.
MAX_FEEDBACK_REASONS = 10
MAX_REASON_LENGTH = 60


def _parse_messages(doc: YamlDoc, entry_ids: set[str], grounding: Grounding, problems: list[Problem]) -> Messages:
    if not check_mapping(
        doc,
        doc.data,
        (),
        problems,
        required={"messages": MAPPING, "topics": LIST},
        optional={"small_talk": MAPPING, "feedback_reasons": LIST, "english_words": LIST, "start_topics": LIST},
        what="the messages file",
    ):
        return Messages({}, ())
    texts: dict[str, PhasedText] = {}
    raw = doc.data.get("messages") or {}
    for key, value in raw.items():
        if key not in REQUIRED_MESSAGES | OPTIONAL_MESSAGES:
            problems.append(doc.problem(f"unknown message '{key}'", "messages", str(key)))
            continue
        before = len(problems)
        parsed = grounding.text(doc, value, ("messages", key), None, problems, pre_vote_only=key in PRE_VOTE_MESSAGES)
        if parsed is None or len(problems) > before:
            continue
        text, _ = parsed
        restricted = {name for name, keys in FIELD_ONLY_IN.items() if key not in keys}
        known = MESSAGE_FIELDS - restricted
        for phase, wording in text.texts().items():
            where = ("messages", key, phase) if isinstance(value, dict) and phase in value else ("messages", key)
            try:
                fields = {name for _, name, _, _ in string.Formatter().parse(wording) if name}
            except ValueError as exc:
                problems.append(doc.problem(f"message '{key}' has a broken {{placeholder}}: {exc}", *where))
                continue
            for name in sorted(fields & restricted):
                problems.append(
                    doc.problem(
                        f"message '{key}' cannot use {{{name}}}; only {', '.join(sorted(FIELD_ONLY_IN[name]))} can",
                        *where,
                    )
                )
            for name in sorted(fields - known - restricted):
                problems.append(
                    doc.problem(
                        f"message '{key}' uses unknown placeholder {{{name}}} (known: {', '.join(sorted(known))})",
                        *where,
                    )
                )
        if len(problems) == before:
            texts[key] = text
    for key in sorted(REQUIRED_MESSAGES - raw.keys()):
        problems.append(doc.problem(f"message '{key}' is missing", "messages"))
    topics = _parse_topics(doc, "topics", entry_ids, problems, grounding)
    start_topics = _parse_topics(doc, "start_topics", entry_ids, problems, grounding)
    raw_talk = doc.data.get("small_talk")
    small_talk = SmallTalk()
    if isinstance(raw_talk, dict):

        def render(value: Any, path: tuple[str | int, ...]) -> PhasedText | None:
            parsed = grounding.text(doc, value, path, None, problems)
            return parsed[0] if parsed is not None else None

        small_talk = parse_small_talk(doc, raw_talk, problems, render)
    reasons = _parse_feedback_reasons(doc, doc.data.get("feedback_reasons"), grounding, problems)
    raw_english = doc.data.get("english_words")
    english = parse_english_words(doc, raw_english, problems) if isinstance(raw_english, list) else EnglishDetector()
    return Messages(texts, topics, small_talk, reasons, english, start_topics)


def _parse_topics(
    doc: YamlDoc, key: str, entry_ids: set[str], problems: list[Problem], grounding: Grounding
) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    raw = doc.data.get(key)
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not check_mapping(
            doc,
            item,
            (key, i),
            problems,
            required={"label": NONEMPTY_TEXT, "entry": NONEMPTY_TEXT},
            what="a topic",
        ):
            continue
        if {"label", "entry"} <= item.keys():
            if item["entry"] not in entry_ids:
                problems.append(
                    doc.problem(f"topic '{item['label']}' points to unknown entry '{item['entry']}'", key, i, "entry")
                )
            topics.append(Topic(grounding.fill(str(item["label"])), str(item["entry"])))
    return tuple(topics)


def _parse_feedback_reasons(doc: YamlDoc, raw: Any, grounding: Grounding, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()  # missing (no reasons are offered), or not a list (reported by check_mapping)
    if len(raw) > MAX_FEEDBACK_REASONS:
        problems.append(doc.problem(f"at most {MAX_FEEDBACK_REASONS} feedback reasons", "feedback_reasons"))
    reasons: list[str] = []
    for i, reason in enumerate(raw[:MAX_FEEDBACK_REASONS]):
        if not isinstance(reason, str) or not reason.strip():
            problems.append(doc.problem("each feedback reason must be non-empty text", "feedback_reasons", i))
        elif len(reason.strip()) > MAX_REASON_LENGTH:
            problems.append(
                doc.problem(
                    f"a feedback reason must be at most {MAX_REASON_LENGTH} characters (it is a button label)",
                    "feedback_reasons",
                    i,
                )
            )
        elif grounding.text(doc, reason, ("feedback_reasons", i), None, problems) is not None:
            # Checked like a message (a reason naming a date or figure must be a fact).
            reasons.append(reason.strip())
    return tuple(reasons)
