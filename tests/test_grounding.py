"""`pilkada-bot check` binds every date, figure, name and place to a quoted fact (issue #12).

Each false edit a staff member could make is a test that `check` fails with a
`file:line` message; the same facts written correctly in other formats must pass.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.facts.facts import Fact, check_grounded, render_refs, vocabulary
from bot.kb.knowledge import KnowledgeBase

ENTRIES = "knowledge/entries.yaml"
SOURCES = "knowledge/sources.yaml"
MESSAGES = "knowledge/messages.yaml"


def _answer_at(kb_copy, anchor: str) -> str:
    """`file:line` of the answer text of the entry at `anchor`, as `check` reports it (its
    `answer: |-` line, or `before: |-` for an answer written per phase)."""
    answer = kb_copy.line_of(ENTRIES, "answer:", after=anchor)
    phased = kb_copy.read(ENTRIES).splitlines()[answer].strip().startswith("before:")  # the line after answer:
    line = answer + 1 if phased else answer
    return f"{kb_copy.path(ENTRIES)}:{line}"


def _problems_at(kb_copy, anchor: str) -> list[str]:
    """The problems `check` reports at the answer of the entry at `anchor`, with their message."""
    where = _answer_at(kb_copy, anchor)
    return [p.removeprefix(where + ": ") for p in kb_copy.problems() if p.startswith(where + ": ")]


# ---------------------------------------------------------------- false edits are caught


def test_a_figure_moved_to_another_election(kb_copy) -> None:
    anchor = "- id: partisipasi_pilkada_2020"
    kb_copy.replace(ENTRIES, "tercatat {fakta:partisipasi_pilkada_2020}", "tercatat 83 persen", after=anchor)
    assert any(
        "'83 persen' comes from source kpu-blora-2024-09-06, which is not cited" in p
        for p in _problems_at(kb_copy, anchor)
    )
    # Citing the source that has 83 persen does not help: it is not the Pilkada 2020 figure.
    kb_copy.replace(
        ENTRIES,
        "sources: [tribunjateng-2024-07-27]",
        "sources: [tribunjateng-2024-07-27, kpu-blora-2024-09-06]",
        after=anchor,
    )
    problems = _problems_at(kb_copy, anchor)
    assert any("'83 persen' is written about Pilkada 2020" in p and "Pemilu 2024" in p for p in problems), problems


def test_a_referenced_figure_moved_to_another_election_is_caught_too(kb_copy) -> None:
    anchor = "- id: partisipasi_pilkada_2020"
    kb_copy.replace(
        ENTRIES,
        "sources: [tribunjateng-2024-07-27]",
        "sources: [tribunjateng-2024-07-27, kpu-blora-2024-09-06]",
        after=anchor,
    )
    kb_copy.replace(ENTRIES, "{fakta:partisipasi_pilkada_2020}", "{fakta:partisipasi_pemilu_2024_kpu}", after=anchor)
    assert any("written about Pilkada 2020" in p for p in _problems_at(kb_copy, anchor))


def test_invalid_ballots_given_to_the_wrong_year(kb_copy) -> None:
    anchor = "- id: suara_tidak_sah_2019"
    kb_copy.replace(ENTRIES, "pada Pemilu 2019 di Blora", "pada Pemilu 2024 di Blora", after=anchor)
    problems = _problems_at(kb_copy, anchor)
    assert any("'26.238' is written about Pemilu 2024" in p and "Pemilu 2019" in p for p in problems), problems


def test_a_number_written_in_words(kb_copy) -> None:
    anchor = "- id: target_partisipasi"
    kb_copy.replace(
        ENTRIES, "minimal {fakta:target_partisipasi_pilkada_2024}", "minimal delapan puluh lima persen", after=anchor
    )
    problems = _problems_at(kb_copy, anchor)
    assert any("'delapan puluh lima persen': that value is not in the facts" in p for p in problems), problems


@pytest.mark.parametrize("written", ["Kamis tanggal 27 November 2024", "Kamis (27 November 2024)", "Kamis, 27/11/2024"])
def test_a_wrong_weekday_in_any_style(kb_copy, written: str) -> None:
    anchor = "- id: jadwal_pencoblosan"
    kb_copy.replace(ENTRIES, "hari {fakta:hari_pemungutan_suara}", f"hari {written}", after=anchor)
    problems = _problems_at(kb_copy, anchor)
    assert any("that date is a Rabu, not a Kamis" in p for p in problems), problems


def test_a_weekday_alone_that_no_date_falls_on(kb_copy) -> None:
    anchor = "- id: jadwal_pencoblosan"
    kb_copy.replace(ENTRIES, "hari {fakta:hari_pemungutan_suara}", "hari Kamis", after=anchor)
    assert any(
        "'Kamis': no date of the cited sources falls on that weekday" in p for p in _problems_at(kb_copy, anchor)
    )


def test_a_date_written_with_slashes(kb_copy) -> None:
    anchor = "- id: jadwal_pencoblosan"
    kb_copy.replace(ENTRIES, "hari {fakta:hari_pemungutan_suara}", "tanggal 27/6/2024", after=anchor)
    assert any("'27/6/2024': that value is not in the facts" in p for p in _problems_at(kb_copy, anchor))


@pytest.mark.parametrize(
    "edit",
    [
        ("adalah {fakta:ketua_kpu_blora}.", "adalah Ahmad Mustakim."),
        ("adalah {fakta:ketua_kpu_blora}.", "adalah {fakta:ketua_divisi_sosdiklih}."),
    ],
)
def test_a_wrong_person_in_a_role(kb_copy, edit: tuple[str, str]) -> None:
    kb_copy.replace(ENTRIES, *edit, after="- id: ketua_kpu_blora")
    problems = _problems_at(kb_copy, "- id: ketua_kpu_blora")
    assert any("'Ahmad Mustakim' is called 'Ketua KPU' here" in p for p in problems), problems


def test_a_role_someone_acts_on_behalf_of_is_not_theirs(kb_copy) -> None:
    # "dibuka oleh Noorman Pramono mewakili Ketua KPU Blora": the chair's role is not said of Noorman.
    anchor = "- id: raker_september"
    kb_copy.replace(
        ENTRIES,
        "di {fakta:raker_september_tempat}.",
        "di {fakta:raker_september_tempat}. Rapat dibuka oleh Noorman Pramono mewakili Ketua KPU Blora.",
        after=anchor,
    )
    assert "Noorman Pramono mewakili Ketua KPU Blora" in kb_copy.load().entry("raker_september").answer.at("after")
    # Without "mewakili" the same words call him the chair.
    kb_copy.replace(
        ENTRIES, "Noorman Pramono mewakili Ketua KPU Blora", "Ketua KPU Blora Noorman Pramono", after=anchor
    )
    assert any("'Noorman Pramono' is called 'Ketua KPU" in p for p in _problems_at(kb_copy, anchor))


def test_the_meeting_moved_to_the_other_venue(kb_copy) -> None:
    anchor = "- id: raker_juli"
    kb_copy.replace(ENTRIES, "di {fakta:raker_juli_tempat}", "di Gedung Pertemuan KPU Blora", after=anchor)
    problems = _problems_at(kb_copy, anchor)
    assert any("comes from source kpu-blora-2024-09-06, which is not cited here" in p for p in problems), problems
    # Citing that source too does not make it right: one sentence, two different meetings.
    kb_copy.replace(
        ENTRIES,
        "sources: [tribunjateng-2024-07-27]",
        "sources: [tribunjateng-2024-07-27, kpu-blora-2024-09-06]",
        after=anchor,
    )
    assert any("one sentence mixes facts of different events" in p for p in _problems_at(kb_copy, anchor))


def test_a_wrong_date_in_messages(kb_copy) -> None:
    kb_copy.replace(
        MESSAGES,
        "sudah lewat ({date})",
        "sudah lewat (Rabu, 28 November 2024)",
    )
    problems = kb_copy.problems()
    where = kb_copy.where(MESSAGES, "remind_past:")
    assert any(p.startswith(f"{where}: ") and "that date is a Kamis, not a Rabu" in p for p in problems), problems
    assert any(p.startswith(f"{where}: ") and "that value is not in the facts" in p for p in problems), problems


def test_a_fabricated_fact_is_refused(kb_copy) -> None:
    kb_copy.replace(
        SOURCES,
        "      - id: partisipasi_pemilu_2024_kpu",
        "      - id: partisipasi_pilkada_2024\n"
        "        what: Partisipasi pemilih Pilkada 2024 di Blora\n"
        "        percent: 85\n"
        "        election: Pilkada 2024\n"
        '        quote: "partisipasi pada pilkada 2024 di Blora mencapai 85 persen"\n'
        "      - id: partisipasi_pemilu_2024_kpu",
    )
    problems = kb_copy.problems()
    where = kb_copy.where(SOURCES, 'quote: "partisipasi pada pilkada 2024')
    assert f"{where}: the quote of fact 'partisipasi_pilkada_2024' is not in the source text" in " ".join(problems)


def test_a_fact_whose_value_its_quote_does_not_say(kb_copy) -> None:
    kb_copy.replace(SOURCES, "percent: 77.6", "percent: 76.6")
    problems = kb_copy.problems()
    where = kb_copy.where(SOURCES, "quote:", after="- id: partisipasi_pilkada_2020")
    assert f"{where}: fact 'partisipasi_pilkada_2020': its quote does not say 76,6 persen" in problems, problems


def test_who_did_what_and_a_trend_must_be_in_the_quote(kb_copy) -> None:
    kb_copy.replace(SOURCES, 'quote: "Ahmad Mustakim memimpin jalannya rapat"', 'quote: "Ahmad Mustakim"')
    kb_copy.replace(SOURCES, "rose_from: Pemilu 2019", "rose_from: Pemilu 2014")
    problems = "\n".join(kb_copy.problems())
    who = kb_copy.where(SOURCES, 'quote: "Ahmad Mustakim"')
    assert f"{who}: fact 'raker_september_pemimpin': its quote does not say 'memimpin'" in problems
    trend = kb_copy.where(SOURCES, "quote:", after="- id: partisipasi_pemilu_2024_kpu")
    assert f"{trend}: fact 'partisipasi_pemilu_2024_kpu': its quote does not name Pemilu 2014" in problems


def test_an_act_needs_its_event(kb_copy) -> None:
    kb_copy.replace(
        SOURCES, "        event: rapat kerja dengan PPK, September 2024\n", "", after="id: raker_september_pemimpin"
    )
    problems = kb_copy.problems()
    where = kb_copy.where(SOURCES, "- id: raker_september_pemimpin")
    assert any(
        p.startswith(f"{where}: ") and "an 'act' (what a person did) needs" in p and "'event'" in p for p in problems
    ), problems


def test_a_reference_to_a_fact_that_does_not_exist(kb_copy) -> None:
    anchor = "- id: partisipasi_pilkada_2020"
    kb_copy.replace(ENTRIES, "{fakta:partisipasi_pilkada_2020}", "{fakta:partisipasi_pilkada_2021}", after=anchor)
    problems = _problems_at(kb_copy, anchor)
    assert any("{fakta:partisipasi_pilkada_2021} names no fact in sources.yaml" in p for p in problems), problems


def test_an_unknown_election(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "sosialisasi Pilkada 2024", "sosialisasi Pilkada 2029", after="- id: raker_juli")
    assert any("no source talks about Pilkada 2029" in p for p in _problems_at(kb_copy, "- id: raker_juli"))


# ---------------------------------------------------------------- correct facts in other formats pass


@pytest.mark.parametrize(
    ("anchor", "old", "new"),
    [
        ("- id: jadwal_pencoblosan", "hari {fakta:hari_pemungutan_suara}", "hari Rabu, 27/11/2024"),
        ("- id: jadwal_pencoblosan", "hari {fakta:hari_pemungutan_suara}", "hari Rabu (27 November 2024)"),
        ("- id: jadwal_pencoblosan", "hari {fakta:hari_pemungutan_suara}", "tanggal 27-11-2024"),
        ("- id: target_partisipasi", "minimal {fakta:target_partisipasi_pilkada_2024}", "minimal 83%"),
        (
            "- id: target_partisipasi",
            "minimal {fakta:target_partisipasi_pilkada_2024}",
            "minimal delapan puluh tiga persen",
        ),
        ("- id: partisipasi_pilkada_2020", "tercatat {fakta:partisipasi_pilkada_2020}", "tercatat 77.6%"),
        ("- id: suara_tidak_sah_2019", "ada {fakta:suara_tidak_sah_pemilu_2019} surat", "ada 26238 surat"),
        ("- id: ketua_kpu_blora", "adalah {fakta:ketua_kpu_blora}.", "adalah Widi Nurintan Ary Kurnianto."),
        ("- id: raker_juli", "di {fakta:raker_juli_tempat}", "di Garden Resto and Caffe Tunjungan Blora"),
    ],
)
def test_correct_facts_written_by_hand_in_other_formats_pass(kb_copy, anchor: str, old: str, new: str) -> None:
    kb_copy.replace(ENTRIES, old, new, after=anchor)
    kb = kb_copy.load()
    assert kb.entries


# ---------------------------------------------------------------- rendering and the shipped KB


def test_references_render_in_indonesian_style(kb: KnowledgeBase) -> None:
    answer = kb.entry("partisipasi_pemilu_2024").answer.before
    assert "KPU Blora menyebut 83 persen, TribunJateng menulis 83,5 persen" in answer
    assert "Rabu, 27 November 2024" in kb.entry("jadwal_pencoblosan").answer.before
    assert "26.238" in kb.entry("suara_tidak_sah_2019").answer.before
    assert "{fakta:" not in "".join(e.answer.before + e.answer.after for e in kb.entries)


def test_every_shipped_answer_names_the_facts_it_states(kb: KnowledgeBase) -> None:
    assert kb.entry("jadwal_pencoblosan").facts == ("hari_pemungutan_suara",)
    for entry in kb.entries:
        for fact_id in entry.facts:
            assert kb.facts[fact_id].source in entry.sources, (entry.id, fact_id)


def test_roles_say_when_the_source_said_them(kb: KnowledgeBase) -> None:
    assert "per September 2024" in kb.entry("ketua_kpu_blora").answer.before


def _fact(**kw: object) -> Fact:
    base: dict[str, object] = {
        "id": "x",
        "source": "s",
        "source_date": dt.date(2024, 9, 6),
        "kind": "percent",
        "value": Decimal(83),
        "what": "w",
        "quote": "q",
    }
    base.update(kw)
    return Fact(**base)  # type: ignore[arg-type]


def test_check_grounded_on_its_own() -> None:
    target = _fact(id="target", election="pilkada 2024")
    facts = [target]
    vocab = vocabulary(facts)
    elections = {"pilkada 2024", "pemilu 2024"}
    assert check_grounded("Target Pilkada 2024: 83 persen.", facts, facts, vocab, elections) == []
    assert check_grounded("Pilkada 2024: 83,0 persen.", facts, facts, vocab, elections) == []
    assert check_grounded("Pemilu 2024: 83 persen.", facts, facts, vocab, elections) != []
    assert check_grounded("Pilkada 2024: 84 persen.", facts, facts, vocab, elections) != []


def test_unknown_reference_format_is_reported() -> None:
    fact = _fact()
    _, problems, used = render_refs("{fakta:x|hari}", {"x": fact})
    assert problems == ["{fakta:x|hari}: a percent fact has no form 'hari' (forms: |angka)"] and not used
    assert render_refs("{fakta:x|angka}", {"x": fact})[0] == "83"
