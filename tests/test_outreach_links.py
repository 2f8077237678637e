"""bot/outreach/links.py and the `link:` key of entries: valid, unique, reported with file:line."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.kb.knowledge import DEEP_LINK_RE, RESERVED_LINKS, KnowledgeBase
from bot.outreach.kit import Outreach
from bot.outreach.links import LinkIndex, bot_link, deep_link
from bot.pipeline import Pipeline
from bot.telegram.inline import START_PARAMETER
from bot.yamlfile import InvalidFiles

ENTRIES = "knowledge/entries.yaml"
MESSAGES = "knowledge/messages.yaml"
CFG = "config.yaml"


def test_shipped_links_are_valid_unique_and_cover_the_topics(kb: KnowledgeBase) -> None:
    links = [e.link for e in kb.entries if e.link]
    assert len(links) == len(set(links)) >= 20
    assert all(DEEP_LINK_RE.fullmatch(link) for link in links)
    # "inline" is the start parameter of the inline-mode results button: it must stay the welcome.
    assert "inline" not in links
    by_id = {e.id: e.link for e in kb.entries}
    assert all(by_id[t.entry] for t in kb.messages.topics), "every topic button has a deep link"
    assert by_id["apa_itu_golput"] == "golput"


def test_index_both_ways(kb: KnowledgeBase) -> None:
    index = LinkIndex(kb.entries)
    assert index.entry_for("golput") == "apa_itu_golput"
    assert index.entry_for(" Golput ") == "apa_itu_golput"  # retyped by hand
    assert index.entry_for("apa_itu_golput") is None  # ids are not links: they may change
    assert index.entry_for("inline") is None
    assert index.link_for("jadwal_pencoblosan") == "jadwal"
    assert index.link_for("salam") is None
    rows = index.rows()
    unknowns = [e.id for e in kb.entries if e.kind == "unknown"]
    assert [r.entry_id for r in rows if r.link is None] == ["salam", "terima_kasih", *unknowns]
    assert len(rows) == len(kb.entries)


def test_deep_link_urls() -> None:
    assert bot_link("PilkadaBloraBot") == "https://t.me/PilkadaBloraBot"
    assert deep_link("PilkadaBloraBot", "golput") == "https://t.me/PilkadaBloraBot?start=golput"
    assert deep_link("PilkadaBloraBot", None) == "https://t.me/PilkadaBloraBot"


def test_kit_links(pipeline: Pipeline) -> None:
    kit = Outreach(pipeline.replies, "PilkadaBloraBot")
    assert kit.entry_for_link("jadwal") == "jadwal_pencoblosan"
    assert kit.link_for("apa_itu_golput") == "https://t.me/PilkadaBloraBot?start=golput"
    assert kit.link_for("salam") == "https://t.me/PilkadaBloraBot"


@pytest.mark.parametrize("bad", ["Golput", "golput!", "gol put", "a" * 65, "'"])
def test_link_must_be_a_telegram_start_parameter(kb_copy, bad: str) -> None:
    kb_copy.replace(ENTRIES, "    link: golput\n", f'    link: "{bad}"\n')
    where = kb_copy.where(ENTRIES, "    link: ", after="- id: apa_itu_golput")
    assert kb_copy.problems() == [
        f"{where}: 'link' must be 1-64 lower-case letters, digits, '-' or '_' (it goes into t.me/<bot>?start=...), "
        f"got '{bad}'"
    ]


def test_link_must_be_text(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    link: golput\n", "    link: 2020\n")
    where = kb_copy.where(ENTRIES, "    link: 2020")
    assert kb_copy.problems() == [f"{where}: 'link' must be text, got '2020'"]


def test_duplicate_link(kb_copy) -> None:
    first = kb_copy.where(ENTRIES, "    link: golput\n")
    kb_copy.replace(ENTRIES, "    link: jangan-golput\n", "    link: golput\n")
    second = kb_copy.where(ENTRIES, "    link: golput\n", after="- id: jangan_golput")
    assert kb_copy.problems() == [f"{second}: link 'golput' is already used by entry 'apa_itu_golput' ({first})"]


def test_link_cannot_be_a_word_the_bot_uses(kb_copy) -> None:
    # "/start inline" comes from the inline results' button (bot/telegram/inline.py): it means the welcome.
    assert START_PARAMETER in RESERVED_LINKS
    kb_copy.replace(ENTRIES, "    link: golput\n", "    link: inline\n")
    where = kb_copy.where(ENTRIES, "    link: inline")
    assert kb_copy.problems() == [f"{where}: 'link' cannot be 'inline': the bot uses that word itself"]


def test_only_share_footer_and_card_caption_know_the_link_placeholder(kb_copy) -> None:
    kb_copy.replace(MESSAGES, '  poster_headline: "', '  poster_headline: "{link} ')
    where = kb_copy.where(MESSAGES, "  poster_headline: ")
    assert kb_copy.problems() == [
        f"{where}: message 'poster_headline' cannot use {{link}}; only card_caption, share_footer can"
    ]


def test_link_is_optional(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    link: golput\n", "")
    assert kb_copy.load().entry("apa_itu_golput").link is None


def test_config_username(kb_copy) -> None:
    kb_copy.replace(CFG, 'username: ""', 'username: "@PilkadaBloraBot"')
    assert load_config(kb_copy.config_path, environ={}).bot.username == "PilkadaBloraBot"


@pytest.mark.parametrize("bad", ["Pilkada", "pilkada bot", "ab_bot1", "x" * 30 + "bot"])
def test_config_username_must_be_a_bot_username(kb_copy, bad: str) -> None:
    kb_copy.replace(CFG, 'username: ""', f'username: "{bad}"')
    with pytest.raises(InvalidFiles) as exc:
        load_config(kb_copy.config_path, environ={})
    where = kb_copy.where(CFG, "  username: ")
    assert [str(p) for p in exc.value.problems] == [
        f"{where}: 'username' must be the bot's username from BotFather (5-32 letters, digits or '_', "
        f"ending in 'bot'), got '{bad}'"
    ]


def test_shipped_config_has_no_username(config) -> None:
    # Shipping someone's username would print posters that open a stranger's bot.
    assert config.bot.username == ""
