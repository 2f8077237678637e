"""`check` knows which election it is: config.yaml's region and election against the knowledge base."""

from __future__ import annotations

import pytest

from bot.facts.facts import vocabulary
from bot.facts.statements import Vocabulary, find_items
from bot.kb.knowledge import KnowledgeBase
from bot.regions import load_atlas, region_words
from tests.support.kbcopy import KbCopy

CFG = "config.yaml"
SOURCES = "knowledge/sources.yaml"


def test_the_shipped_knowledge_base_fits_its_configuration(kb: KnowledgeBase) -> None:
    assert [str(w) for w in kb.warnings if "config.yaml" in w.file] == []


def test_blora_knowledge_under_another_regions_configuration_is_an_error_at_its_lines(kb_copy: KbCopy) -> None:
    kb_copy.replace(CFG, "region: Kabupaten Blora", "region: Kabupaten Rembang")
    problems = kb_copy.problems()
    line = kb_copy.line_of(SOURCES, "what: Hari pemungutan suara Pilkada Serentak 2024 di Blora")
    assert (
        f"{kb_copy.path(SOURCES)}:{line}: 'Blora' is Kabupaten Blora, not Kabupaten Rembang (config.yaml): "
        "another region's knowledge"
    ) in problems
    # Every file that talks about Blora is named, and the lexicon's list of other regions must not hold our own.
    files = {p.split(":")[0].rsplit("/", 1)[-1] for p in problems}
    assert {"sources.yaml", "entries.yaml", "lexicon.yaml"} <= files
    # The known unknowns and messages write {region_short} / {region}: they follow config.yaml.
    assert not files & {"unknowns.yaml", "messages.yaml"}
    assert any("'rembang' is the configured region" in p for p in problems)


def test_a_time_zone_outside_the_provinces_is_a_warning(kb_copy: KbCopy) -> None:
    kb_copy.replace(CFG, "timezone: Asia/Jakarta", "timezone: Asia/Makassar")
    warnings = [str(w) for w in kb_copy.load().warnings]
    assert warnings == [
        f"{kb_copy.where(CFG, 'timezone: Asia/Makassar')}: warning: the time zone Asia/Makassar is WITA (UTC+8), "
        "but Kabupaten Blora (Jawa Tengah) keeps WIB (UTC+7): use Asia/Jakarta, or reminders and the countdown "
        "are off by 1 hour(s)"
    ]


def test_an_election_no_fact_is_about_is_an_error(kb_copy: KbCopy) -> None:
    kb_copy.replace(CFG, "name: Pilkada Serentak 2024", "name: Pilkada Serentak 2029")
    kb_copy.replace(CFG, "voting_date: 2024-11-27", "voting_date: 2029-11-28")
    # Reported once, at config.yaml: the known unknowns that write {election_name} now name Pilkada 2029,
    # and that is the configured election, not a wrong one.
    assert kb_copy.problems() == [
        f"{kb_copy.where(CFG, 'name: Pilkada Serentak 2029')}: no fact in the sources is about Pilkada 2029, "
        "the election named here: add the facts of your articles to sources.yaml "
        "(`pilkada-bot import ARTICLE.txt` drafts them)"
    ]


def test_a_voting_date_no_fact_states_is_a_warning(kb_copy: KbCopy) -> None:
    kb_copy.replace(CFG, "voting_date: 2024-11-27", "voting_date: 2024-12-04")
    (warning,) = (str(w) for w in kb_copy.load().warnings)
    assert warning.startswith(f"{kb_copy.where(CFG, 'voting_date: 2024-12-04')}: warning: no date fact")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Pilkada Rembang dan Kabupaten Grobogan", ["Kabupaten Rembang", "Kabupaten Grobogan"]),
        ("pilkada blora, jawa tengah", []),  # our own region and province
        ("se-Kabupaten Blora dan Kota Semarang", ["Kota Semarang"]),
        ("batu dan kudus, tegal", []),  # everyday words in lower case are no region
        ("Kota Batu dan Kudus", ["Kota Batu", "Kabupaten Kudus"]),
        ("Pilkada di Jawa Timur", ["Provinsi Jawa Timur"]),
    ],
)
def test_other_regions_in_a_text(text: str, named: list[str]) -> None:
    assert [m.name for m in load_atlas().others_in(text, "Kabupaten Blora")] == named


def test_a_region_the_data_does_not_know() -> None:
    atlas = load_atlas()
    assert atlas.find("Kabupaten Contoh") is None and atlas.zone_of("Kabupaten Contoh") is None
    # Its province is unknown, so no province counts as another region; kabupaten still do.
    assert [m.name for m in atlas.others_in("Jawa Tengah, Blora", "Kabupaten Contoh")] == ["Kabupaten Blora"]
    assert region_words("Kota Tanjung Balai") == "tanjung balai"


def test_zones_of_the_three_time_zones() -> None:
    atlas = load_atlas()
    assert [atlas.zone_of(r)[0].name for r in ("Kabupaten Blora", "Kota Makassar", "Kabupaten Jayapura")] == [  # type: ignore[index]
        "WIB",
        "WITA",
        "WIT",
    ]


def test_the_election_pattern_reads_the_configured_region(kb: KnowledgeBase) -> None:
    vocab = vocabulary(kb.facts.values())
    assert vocab.regions == ("blora",)
    # "Pilkada Blora 2020" is an election; another region's is not (its year stays a bare year).
    items = find_items("Pilkada Blora 2020 dan pilkada rembang 2020", vocab)
    assert [(i.kind, i.value) for i in items] == [("election", "pilkada 2020"), ("year", 2020)]
    assert [i.value for i in find_items("pilkada rembang 2020", Vocabulary({}, {}, {}, ("rembang",)))] == [
        "pilkada 2020"
    ]
