"""bot/nlu/text.py: informal Indonesian, Javanese and English into comparable tokens."""

from __future__ import annotations

import time

import pytest

from bot.kb.knowledge import KnowledgeBase, Lexicon
from bot.nlu.text import MAX_CHARS, Normalizer

QUESTION_WORDS = ("apa", "kapan", "kenapa", "siapa", "berapa", "bagaimana", "tidak", "belum", "bisa", "harus")


@pytest.fixture
def norm(kb: KnowledgeBase) -> Normalizer:
    return Normalizer(kb.lexicon)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Kapan PILKADA?!", ["kapan", "pilkada"]),
        ("kapan...pilkada,blora", ["kapan", "pilkada", "blora"]),
        ("golput 🙏😀", ["golput"]),
        ("golput🙏", ["golput"]),
        ("🗳️ kapan nyoblos ✅", ["kapan", "mencoblos"]),
        ("golputtt", ["golput"]),
        ("kapaaan", ["kapan"]),
        ("pîlkådâ", ["pilkada"]),
        ("bisa2", ["bisa"]),
        ("suara_tidak_sah", ["suara", "tidak", "sah"]),
    ],
)
def test_case_punctuation_emoji_and_noise(norm: Normalizer, text: str, tokens: list[str]) -> None:
    assert norm.tokens(text) == tokens


@pytest.mark.parametrize(
    ("word", "standard"),
    [
        # chat slang
        ("kpn", "kapan"),
        ("knp", "kenapa"),
        ("brp", "berapa"),
        ("gak", "tidak"),
        ("tgl", "tanggal"),
        ("nyoblos", "mencoblos"),
        # Javanese
        ("opo", "apa"),
        ("piye", "bagaimana"),
        ("ngopo", "kenapa"),
        ("sopo", "siapa"),
        ("ora", "tidak"),
        ("kudu", "harus"),
        # English
        ("when", "kapan"),
        ("why", "kenapa"),
        ("vote", "memilih"),
        ("Who", "siapa"),
    ],
)
def test_lexicon_words_become_standard(norm: Normalizer, word: str, standard: str) -> None:
    assert norm.tokens(word) == [standard]


def test_a_whole_slang_question(norm: Normalizer) -> None:
    assert norm.tokens("knp sih hrs nyoblos, gak bs golput aja??") == [
        "kenapa",
        "harus",
        "mencoblos",
        "tidak",
        "bisa",
        "golput",
        "saja",
    ]
    assert norm.tokens("ngopo kudu milih") == norm.tokens("kenapa harus memilih")
    assert norm.tokens("when is the election day") == ["kapan", "pilkada", "hari"]


def test_decimal_comma_and_point_give_the_same_token(norm: Normalizer) -> None:
    assert norm.tokens("83,5 persen") == norm.tokens("83.5 persen") == ["83,5", "persen"]
    assert norm.tokens("77,6") == ["77,6"]


def test_thousands_separator_is_dropped(norm: Normalizer) -> None:
    assert norm.tokens("26.238 suara") == ["26238", "suara"]
    assert norm.tokens("26238") == ["26238"]


def test_plain_numbers_and_ranges(norm: Normalizer) -> None:
    assert norm.tokens("pilkada 2024") == ["pilkada", "2024"]
    assert norm.tokens("periode 2018-2023") == ["periode", "2018", "2023"]
    assert norm.tokens("tgl 27 november") == ["tanggal", "27", "november"]


def test_particles_dropped_question_words_kept(norm: Normalizer) -> None:
    assert norm.tokens("golput dong ya sih kok") == ["golput"]
    text = " ".join(f"{w} sih" for w in QUESTION_WORDS)
    assert norm.tokens(text) == list(QUESTION_WORDS)


def test_no_question_word_is_a_particle(kb: KnowledgeBase) -> None:
    # The lexicon's own comment: dropping these would change what is being asked.
    assert set(QUESTION_WORDS).isdisjoint(kb.lexicon.particles)


def test_duplicates_and_order_are_kept(norm: Normalizer) -> None:
    assert norm.tokens("golput golput apa") == ["golput", "golput", "apa"]


def test_normalize_joins_tokens_with_single_spaces(norm: Normalizer) -> None:
    assert norm.normalize("  Kapan\t\tPILKADA  blora?? ") == "kapan pilkada blora"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "?!...", "🙏🙏🙏", "sih dong ya"])
def test_empty_or_meaningless_input(norm: Normalizer, text: str) -> None:
    assert norm.tokens(text) == []
    assert norm.normalize(text) == ""


def test_very_long_input_is_bounded(norm: Normalizer) -> None:
    started = time.perf_counter()
    many_words = norm.tokens("kapan pilkada " * 50_000)
    one_word = norm.tokens("a" + "b" * 1_000_000)
    zalgo = norm.tokens("g\u0301" * 100_000)
    assert time.perf_counter() - started < 2
    assert 0 < len(many_words) <= MAX_CHARS // 2
    assert set(many_words[:-1]) == {"kapan", "pilkada"}  # the cut may split the last word
    assert len(one_word) == 1 and len(one_word[0]) <= MAX_CHARS
    assert len("".join(zalgo)) <= MAX_CHARS


def test_custom_lexicon_drives_the_normalizer() -> None:
    norm = Normalizer(Lexicon({"gpp": "tidak apa apa", "gw": "aku"}, frozenset({"sih"})))
    assert norm.tokens("gw golput gpp sih") == ["aku", "golput", "tidak", "apa", "apa"]
    assert norm.tokens("kpn") == ["kpn"]  # not in this lexicon: kept as written
