"""bot/nlu/matcher.py: answer, suggest or no match, by the thresholds in config.yaml."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import Config
from bot.kb.knowledge import KnowledgeBase
from bot.nlu.decision import DEFAULT_MODEL, DecisionModel
from bot.nlu.matcher import Matcher
from bot.pipeline import Pipeline


def matcher_with(kb: KnowledgeBase, config: Config, **changes: float) -> Matcher:
    """The hand-set thresholds' path (no decision model), kept for calibration and comparison."""
    return Matcher.for_knowledge(kb, dataclasses.replace(config.matching, **changes), model=None)


def matcher_at(kb: KnowledgeBase, config: Config, **changes: float) -> Matcher:
    """The shipped decision model with another operating point."""
    model = dataclasses.replace(DecisionModel.load(DEFAULT_MODEL), **changes)
    return Matcher.for_knowledge(kb, config.matching, model=model)


@pytest.fixture
def matcher(pipeline: Pipeline) -> Matcher:
    return pipeline.matcher


def test_clear_question_is_answered(matcher: Matcher) -> None:
    result = matcher.match("kapan pilkada?")
    assert (result.outcome, result.entry_id, result.suggestions) == ("answer", "jadwal_pencoblosan", ())
    assert result.score >= matcher.settings.answer_threshold
    assert result.normalized == "kapan pilkada"
    assert result.candidates[0].entry_id == "jadwal_pencoblosan"


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("kpn nyoblos pilkada blora", "jadwal_pencoblosan"),
        ("golput itu apa sih", "apa_itu_golput"),
        ("kenapa jangan golput", "jangan_golput"),
        ("siapa ketua kpu blora", "ketua_kpu_blora"),
        ("ngopo kudu milih", "kenapa_memilih"),
        ("why should i vote", "kenapa_memilih"),
    ],
)
def test_informal_questions_are_answered(matcher: Matcher, question: str, entry_id: str) -> None:
    result = matcher.match(question)
    assert (result.outcome, result.entry_id) == ("answer", entry_id)


def test_ambiguous_short_query_gets_suggestions(matcher: Matcher) -> None:
    result = matcher.match("partisipasi")
    assert result.outcome == "suggest"
    assert result.entry_id is None
    assert {"partisipasi_pemilu_2024", "partisipasi_pilkada_2020"} <= set(result.suggestions)
    assert len(result.suggestions) <= matcher.settings.max_suggestions
    assert len(set(result.suggestions)) == len(result.suggestions)


@pytest.mark.parametrize("question", ["resep nasi goreng", "", "   ", "🙏🙏", "?!"])
def test_no_match(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert (result.outcome, result.entry_id, result.suggestions) == ("none", None, ())


@pytest.mark.parametrize(
    "question",
    [
        "siapa pemenang pilkada blora",
        # The matcher's own docstring: an unseen word ("debat") must keep a near miss low.
        "kapan debat pilkada blora",
    ],
)
def test_near_miss_out_of_scope_is_not_answered(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert result.outcome != "answer", f"{question!r} answered with {result.entry_id} ({result.score})"
    # What the sources cannot say is at most a known unknown (an honest "I do not know").
    assert result.entry_id is None or result.outcome == "unknown"


def test_typo_is_corrected_to_a_kb_word(matcher: Matcher) -> None:
    assert matcher.correct("partisipsi") == "partisipasi"
    assert matcher.correct("partisipasi") == "partisipasi"
    assert matcher.correct("nasi") is None  # a word the KB never uses is not forced onto one
    result = matcher.match("partisipsi pemilu 2024")
    assert "partisipasi" in result.normalized.split()
    assert (result.outcome, result.entry_id) == ("answer", "partisipasi_pemilu_2024")


def test_suffixed_word_is_reduced_to_its_stem(matcher: Matcher) -> None:
    assert matcher.correct("golputnya") == "golput"


def test_candidates_are_ranked_best_first(matcher: Matcher) -> None:
    result = matcher.match("berapa partisipasi pemilih")
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert result.score == scores[0]


def test_answer_threshold_comes_from_config(kb: KnowledgeBase, config: Config) -> None:
    strict = matcher_with(kb, config, answer_threshold=101, known_words_threshold=101)
    for entry in kb.entries:
        for question in entry.questions:
            result = strict.match(question)
            assert result.outcome != "answer", (entry.id, question)
    result = strict.match("kapan pilkada?")
    assert (result.outcome, result.suggestions[0]) == ("suggest", "jadwal_pencoblosan")


def test_suggest_threshold_comes_from_config(kb: KnowledgeBase, config: Config) -> None:
    deaf = matcher_with(kb, config, answer_threshold=101, known_words_threshold=101, suggest_threshold=101)
    assert deaf.match("golput").outcome == "none"
    assert deaf.match("kapan pilkada?").outcome == "none"


def test_margin_comes_from_config(kb: KnowledgeBase, config: Config) -> None:
    # "golput" leads "jangan golput" by a few points: a margin above that turns it into a suggestion.
    assert matcher_with(kb, config, margin=0).match("golput").outcome == "answer"
    result = matcher_with(kb, config, margin=30).match("golput")
    assert result.outcome == "suggest"
    assert {"apa_itu_golput", "jangan_golput"} <= set(result.suggestions)


def test_the_model_answers_at_its_operating_point(kb: KnowledgeBase, config: Config) -> None:
    never = matcher_at(kb, config, answer_at=1.01)
    questions = [
        "kapan pilkada?",
        "pilkada tuh buat milih apa aja",
        "ketua kpu blora tuh sapa",
        "partisipasi taun 2020 brp ya",
    ]
    for question in questions:
        assert never.match(question).outcome not in ("answer", "unknown"), question
    # A question staff wrote for an entry, word for word, is answered by it whatever the model says; so is one
    # with the same words in another order ("pilkada tuh apaan" is "pilkada itu apa": "apa itu pilkada").
    assert never.match("pilkada tuh apaan").entry_id == "apa_itu_pilkada"
    # A term alone asks what it means: the entry that defines it answers ("golput?"), whatever the model says.
    assert (never.match("golput?").outcome, never.match("golput?").entry_id) == ("answer", "apa_itu_golput")
    for entry in kb.entries:
        result = never.match(entry.questions[0])
        assert (result.outcome in ("answer", "unknown") and result.entry_id == entry.id) or result.suggestions, entry.id
    result = never.match("kapan pilkada?")
    assert (result.outcome, result.suggestions[0]) == ("suggest", "jadwal_pencoblosan")
    assert matcher_at(kb, config, answer_at=0.0).match("kapan pilkada?").outcome == "answer"


def test_the_model_suggests_at_its_operating_point(kb: KnowledgeBase, config: Config) -> None:
    deaf = matcher_at(kb, config, answer_at=1.01, suggest_at=1.01)
    assert deaf.match("golput boleh?").outcome == "none"
    assert deaf.match("kapan pilkada?").outcome == "none"


def test_max_suggestions_comes_from_config(kb: KnowledgeBase, config: Config) -> None:
    assert len(matcher_with(kb, config, max_suggestions=1).match("partisipasi").suggestions) == 1


def test_every_question_variant_is_answered_by_its_own_entry(matcher: Matcher, kb: KnowledgeBase) -> None:
    failures = []
    for entry in kb.entries:
        for question in entry.questions:
            result = matcher.match(question)
            expected = "unknown" if entry.kind == "unknown" else "answer"
            if result.outcome != expected or result.entry_id != entry.id:
                top = ", ".join(f"{c.entry_id}={c.score}" for c in result.candidates[:3])
                got = result.entry_id if result.outcome == "answer" else f"{result.outcome} {list(result.suggestions)}"
                failures.append(f"  {entry.id}: {question!r} -> {got} (top: {top})")
    total = sum(len(e.questions) for e in kb.entries)
    assert not failures, f"{len(failures)} of {total} variants not answered by their own entry:\n" + "\n".join(failures)


def test_an_english_plural_of_a_lexicon_word_is_that_word(matcher: Matcher) -> None:
    # "chairs" is a real word, so it is never typo-corrected, but it is the plural of "chair" (ketua).
    assert "ketua" in matcher.query_tokens("Who chairs the election commission in Blora?")


def test_a_kb_word_with_a_letter_left_out_is_that_word(matcher: Matcher) -> None:
    # "tangal", "ketu", "rapt" are on the word lists (rare words), and common typos of KB words.
    assert [matcher.correct(w) for w in ("tangal", "ketu", "rapt")] == ["tanggal", "ketua", "rapat"]
    # Real words no deletion of a KB word spells stay as they are.
    assert matcher.correct("menang") == "menang"
    assert matcher.correct("siap") is None  # "siapa" or "sikap"? Two KB words drop a letter to it: neither
    # "dinas" is no English plural of Javanese "dina" (hari).
    assert matcher.correct("dinas") != "hari"
    assert matcher.match("pilkda blora tangal brapa ya").entry_id == "jadwal_pencoblosan"


def test_who_did_what_an_answer_names_nobody_doing_is_not_answered(matcher: Matcher) -> None:
    """The test copy's September-meeting answer names who attended, not who opened it."""
    attended = matcher.match("siapa saja yang hadir di raker ppk")
    assert (attended.outcome, attended.entry_id) == ("answer", "raker_september")
    opened = matcher.match("siapa yang membuka raker ppk tanggal 6 september")
    assert opened.outcome != "answer" and "raker_september" in opened.suggestions
    # The entry's own question is its question, whatever its words.
    assert matcher.match("kpu blora dipimpin siapa").entry_id == "ketua_kpu_blora"


def test_a_rival_election_word_only_moves_answers_that_state_facts(matcher: Matcher) -> None:
    # "golongan putih dalam pemilu" asks the golput definition, which states no election's facts...
    golput = matcher.rank("kak arti golongan putih dlm pemilu tuh apa?").candidates[0]
    assert golput.entry_id == "apa_itu_golput" and golput.score >= 40
    # ...while a Pemilu question is not answered with the Pilkada 2020 figure.
    assert matcher.match("partisipasi pilkada 2020 berapa").entry_id == "partisipasi_pilkada_2020"
    assert matcher.match("partisipasi pemilu 2020 berapa").entry_id != "partisipasi_pilkada_2020"


def test_the_askers_introduction_is_not_what_is_asked(matcher: Matcher) -> None:
    """ "Izin, saya anggota KPPS baru, ...": who the asker is never keeps their answer away (issue #21)."""
    ranking = matcher.rank("Izin, saya anggota KPPS baru, mau memastikan kapan hari pencoblosan pilkada blora?")
    assert {"kpps", "baru"} <= ranking.introduction
    result = matcher.match("Izin, saya anggota KPPS baru, mau memastikan kapan hari pencoblosan pilkada blora?")
    assert (result.outcome, result.entry_id) == ("answer", "jadwal_pencoblosan")
    # A word the question itself uses is what is asked, even when the introduction says it too.
    assert "kpps" not in matcher.rank("saya anggota kpps, honor kpps berapa?").introduction


def test_a_question_about_another_region_is_not_answered_with_this_ones_facts(pipeline: Pipeline) -> None:
    """ "kpu rembang targetnya brp persen": Blora's target is no answer; "se-Jateng" still is Blora among others."""
    assert pipeline.matcher.match("kpu rembang targetnya brp persen").outcome != "answer"
    assert pipeline.matcher.match("berapa persen partisipasi pemilu 2024 secara nasional").outcome != "answer"
    assert pipeline.matcher.match("target partisipasi kpu blora brp persen").outcome == "answer"


def test_a_figure_of_another_election_is_not_answered_with_this_ones(pipeline: Pipeline) -> None:
    """ "berapa surat suara tidak sah di PILKADA kemarin?": the only count is Pemilu 2019's (not answered);
    "how many invalid ballots in the 2019 election?" names no election by its own name (answered)."""
    assert pipeline.matcher.match("berapa surat suara tidak sah di pilkada blora kemarin?").outcome != "answer"
    assert pipeline.matcher.match("suara tidak sah pemilu 2019 di blora berapa").outcome == "answer"
    assert (
        pipeline.matcher.match("How many invalid ballots were there in Blora in the 2019 election?").outcome == "answer"
    )
