"""knowledge/messages.yaml: the user-facing messages, the topic menus and the feedback reasons."""

from __future__ import annotations

import string
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
        "bot",
        "link",
    }
)

# {bot} (the bot's Telegram username) is known only where the bot speaks in or about groups.
BOT_FIELD_MESSAGES = frozenset({"welcome_group", "help_group", "remind_stop_group", "remind_private_only"})

# {link} (the deep link that opens one answer) is known only under a shared answer or a card.
LINK_FIELD_MESSAGES = frozenset({"share_footer", "card_caption"})
FIELD_ONLY_IN = {"bot": BOT_FIELD_MESSAGES, "link": LINK_FIELD_MESSAGES}
REQUIRED_MESSAGES = frozenset(
    {
        "welcome",
        "help",
        "topics_intro",
        "fallback",
        "did_you_mean",
        "source_line",
        "source_item",
        "sources_intro",
        "sources_item_long",
        "countdown_before",
        "countdown_today",
        "countdown_after",
        "share_button",
        "feedback_up",
        "feedback_down",
        "feedback_thanks",
        "non_text",
        "too_long",
        "error",
        "unknown_command",
        "expired_button",
        "inline_empty_hint",
        "console_hint",
        "console_bye",
        "console_choice",
        "did_you_mean_one",
        "not_this_button",
        "claim_contradicted",
        "claim_confirmed",
        "claim_unverifiable",
        "claim_fact",
        "claim_quote",
    }
)

# Shown only before or on voting day (countdowns, reminders): a call to action is right there.
PRE_VOTE_MESSAGES = frozenset(
    {
        "countdown_before",
        "countdown_today",
        "reminder_text",
        "reminder_text_today",
        "remind_on",
        "remind_already",
        "remind_no_more",
    }
)
OPTIONAL_MESSAGES = frozenset(
    {
        "claim_rest",
        "privacy",
        "privacy_server",
        "remind_on",
        "remind_off",
        "remind_past",
        "remind_none",
        "remind_off_failed",
        "reminder_text",
        "slow_down",
        "not_admin",
        "inline_no_results",
        "command_start",
        "command_help",
        "command_topik",
        "command_hitungmundur",
        "command_sumber",
        "command_ingatkan",
        "command_berhenti",
        "command_privasi",
        "command_hapus",
        "forget_done",
        "forget_failed",
        "help_reminders",
        "remind_already",
        "remind_item",
        "remind_item_today",
        "remind_no_more",
        "remind_private_only",
        "reminder_text_today",
        "feedback_why",
        "feedback_write_button",
        "feedback_write_prompt",
        "feedback_noted",
        "welcome_group",
        "help_group",
        "remind_stop_group",
        "english_note",
        "more_topics_button",
        # Outreach kit (bot/outreach): share buttons, answer cards, posters.
        "share_whatsapp_button",
        "share_footer",
        "card_button",
        "card_caption",
        "card_heading",
        "card_footer",
        "card_help",
        "command_kartu",
        "poster_headline",
        "poster_intro",
        "poster_scan",
        "poster_footer",
    }
)

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
