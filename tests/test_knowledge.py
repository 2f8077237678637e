"""bot/knowledge.py: the shipped knowledge base is valid; every validation rule fires with `file:line`.

Each rule test breaks one thing in a copy of the files (the `kb_copy` fixture) and
computes the expected line from the edited text.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.knowledge import KnowledgeBase, Source, ungrounded

ENTRIES = "knowledge/entries.yaml"
SOURCES = "knowledge/sources.yaml"
LEXICON = "knowledge/lexicon.yaml"
MESSAGES = "knowledge/messages.yaml"


def replace_answer(kb_copy, entry_id: str, new: str) -> None:
    """Replace the whole `answer: |-` block of one entry with `new` (YAML lines)."""
    text = kb_copy.read(ENTRIES)
    start = text.index("    answer: |-\n", text.index(f"  - id: {entry_id}\n"))
    end = text.index("\n", start) + 1
    while text.startswith("      ", end):  # the block's indented lines
        end = text.index("\n", end) + 1
    kb_copy.write(ENTRIES, text[:start] + new + text[end:])


def entry_number(kb_copy, entry_id: str) -> int:
    """1-based position of an entry in entries.yaml, as the messages count it."""
    text = kb_copy.read(ENTRIES)
    return text[: text.index(f"  - id: {entry_id}\n")].count("\n  - id: ") + 1


# --- the shipped knowledge base ---------------------------------------------------------


def test_shipped_knowledge_base_loads(kb: KnowledgeBase) -> None:
    assert set(kb.sources) == {"kpu-blora-2024-09-06", "tribunjateng-2024-07-27"}
    kpu = kb.sources["kpu-blora-2024-09-06"]
    assert (kpu.publisher, kpu.date) == ("KPU Kabupaten Blora", dt.date(2024, 9, 6))
    tribun = kb.sources["tribunjateng-2024-07-27"]
    assert (tribun.publisher, tribun.author, tribun.editor) == ("TribunJateng.com", "M Iqbal Shukri", "Deni Setiawan")
    ids = [e.id for e in kb.entries]
    assert len(ids) == len(set(ids))
    assert {"jadwal_pencoblosan", "apa_itu_golput", "jangan_golput", "partisipasi_pilkada_2020"} <= set(ids)
    assert kb.entry("jadwal_pencoblosan").show_countdown
    assert "27 November 2024" in kb.entry("jadwal_pencoblosan").answer
    assert kb.entry("partisipasi_pilkada_2020").sources == ("tribunjateng-2024-07-27",)
    assert all(e.questions for e in kb.entries)
    assert {t.entry for t in kb.messages.topics} <= set(ids)
    assert kb.lexicon.normalize["kpn"] == "kapan"


def test_every_shipped_answer_is_grounded_in_its_sources(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        assert ungrounded(entry.answer, [kb.sources[s] for s in entry.sources]) == [], entry.id


def test_summary_counts_what_was_loaded(kb: KnowledgeBase) -> None:
    variants = sum(len(e.questions) for e in kb.entries)
    assert kb.summary() == (
        f"OK: {len(kb.entries)} entries, {variants} question variants, 2 sources, "
        f"{len(kb.lexicon.normalize)} lexicon words, {len(kb.messages.texts)} messages"
    )


def test_a_copy_loads_like_the_original(kb_copy, kb: KnowledgeBase) -> None:
    copy = kb_copy.load()
    assert copy.entries == kb.entries
    assert copy.sources == kb.sources


# --- entries -----------------------------------------------------------------------------


def test_unknown_key_in_an_entry(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    title: Salam\n", "    title: Salam\n    colour: red\n")
    n = entry_number(kb_copy, "salam")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'colour: red')}: unknown key 'colour' in entry #{n} "
        "(known keys: answer, id, keywords, questions, related, show_countdown, sources, title, topic)"
    ]


def test_answer_as_a_list(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", "    answer: [Sama-sama, tulis saja]\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer: [Sama-sama')}: 'answer' must be non-empty text, got a list"
    ]


def test_empty_answer(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", '    answer: ""\n')
    assert kb_copy.problems() == [f"{kb_copy.where(ENTRIES, 'answer: ' + chr(34))}: 'answer' must not be empty"]


def test_blank_answer(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", "    answer:\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer:', after='- id: terima_kasih')}: "
        "'answer' must be non-empty text, got nothing (empty value)"
    ]


def test_missing_answer(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", "")
    n = entry_number(kb_copy, "terima_kasih")
    # Reported at the entry itself (its first line), since there is no 'answer' line to point to.
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, '- id: terima_kasih')}: entry #{n} is missing 'answer' (non-empty text)"
    ]


def test_duplicate_entry_id(kb_copy) -> None:
    first = kb_copy.where(ENTRIES, "- id: salam")
    kb_copy.replace(ENTRIES, "- id: terima_kasih", "- id: salam")
    second = kb_copy.where(ENTRIES, "- id: salam", after="title: Salam")
    assert first != second
    assert kb_copy.problems() == [f"{second}: duplicate entry id 'salam' (first used at {first})"]


def test_same_question_under_two_entries(kb_copy) -> None:
    original = kb_copy.where(ENTRIES, "      - halo\n", after="- id: salam")
    kb_copy.replace(ENTRIES, "      - makasih\n", "      - makasih\n      - Halo\n", after="- id: terima_kasih")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, '- Halo')}: question 'Halo' is listed also under entry 'salam' ({original})"
    ]


def test_same_question_twice_in_one_entry(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "      - makasih\n", "      - makasih\n      - makasih  \n", after="- id: terima_kasih")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, '- makasih  ')}: question 'makasih' is listed twice in this entry"
    ]


def test_dangling_source(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "sources: []", "sources: [kpu-blora]", after="- id: salam")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'sources: [kpu-blora]')}: 'sources' names unknown source 'kpu-blora'"
    ]


def test_dangling_source_is_not_reported_as_citing_none(kb_copy) -> None:
    # apa_itu_pilkada's answer says "2024"; with a misspelt source id the entry still cites
    # a source, so "(the entry cites none)" would send staff looking for the wrong mistake.
    anchor = "- id: apa_itu_pilkada"
    kb_copy.replace(ENTRIES, "sources: [kpu-blora-2024-09-06]", "sources: [kpu-blora-2024-09-60]", after=anchor)
    problems = kb_copy.problems()
    assert (
        f"{kb_copy.where(ENTRIES, 'kpu-blora-2024-09-60')}: 'sources' names unknown source 'kpu-blora-2024-09-60'"
        in problems
    )
    assert not any("cites none" in p for p in problems), problems


def test_dangling_related(kb_copy) -> None:
    kb_copy.replace(
        ENTRIES,
        "related: [jadwal_pencoblosan, kenapa_memilih]",
        "related: [jadwal_pencoblosan, kenapa_milih]",
        after="- id: salam",
    )
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'kenapa_milih]')}: 'related' names unknown entry 'kenapa_milih'"
    ]


def test_related_to_itself(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "related: [jadwal_pencoblosan, kenapa_memilih]", "related: [salam]", after="- id: salam")
    assert kb_copy.problems() == [f"{kb_copy.where(ENTRIES, 'related: [salam]')}: an entry cannot be related to itself"]


def test_number_not_in_the_cited_facts(kb_copy) -> None:
    anchor = "- id: partisipasi_pilkada_2020"
    kb_copy.replace(ENTRIES, "77,6 persen", "76,6 persen", after=anchor)
    # A block answer is reported at its 'answer: |-' line.
    expected = (
        f"{kb_copy.where(ENTRIES, 'answer: |-', after=anchor)}: "
        "answer says '76,6' but that number is not in the facts of its cited sources"
    )
    assert expected in kb_copy.problems()


def test_number_with_no_source_at_all(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "Sama-sama!", "Sama-sama! 100 persen.", after="- id: terima_kasih")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer: |-', after='- id: terima_kasih')}: "
        "answer says '100' but that number is not in any source (the entry cites none)"
    ]


def test_wrong_date(kb_copy) -> None:
    anchor = "- id: jadwal_pencoblosan"
    kb_copy.replace(ENTRIES, "27 November 2024", "28 November 2024", after=anchor)
    where = kb_copy.where(ENTRIES, "answer: |-", after=anchor)
    problems = kb_copy.problems()
    assert f"{where}: answer says '28' but that number is not in the facts of its cited sources" in problems
    assert (
        f"{where}: answer says 'Rabu, 28 November 2024' but that date is not in the facts of its cited sources"
        in problems
    )
    assert f"{where}: 28 november 2024 is a Kamis, not a Rabu" in problems


def test_weekday_that_does_not_match_its_date(kb_copy) -> None:
    anchor = "- id: jadwal_pencoblosan"
    kb_copy.replace(ENTRIES, "Rabu, 27 November 2024", "Kamis, 27 November 2024", after=anchor)
    where = kb_copy.where(ENTRIES, "answer: |-", after=anchor)
    problems = kb_copy.problems()
    assert f"{where}: 27 november 2024 is a Rabu, not a Kamis" in problems
    assert not any("not in the facts" in p for p in problems)


def test_month_and_year_must_be_in_the_facts(kb_copy) -> None:
    anchor = "- id: sosialisasi_sasaran"
    kb_copy.replace(ENTRIES, "September 2024", "Oktober 2024", after=anchor)
    where = kb_copy.where(ENTRIES, "answer: |-", after=anchor)
    assert (
        f"{where}: answer says 'Oktober 2024' but that date is not in the facts of its cited sources"
        in kb_copy.problems()
    )


def test_a_broken_entry_is_not_also_reported_as_unknown_where_it_is_referenced(kb_copy) -> None:
    # partisipasi_pilkada_2020 is named in other entries' 'related'; the one real mistake is
    # the number, and a staff member should not be told the entry does not exist.
    anchor = "- id: partisipasi_pilkada_2020"
    kb_copy.replace(ENTRIES, "77,6 persen", "76,6 persen", after=anchor)
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer: |-', after=anchor)}: "
        "answer says '76,6' but that number is not in the facts of its cited sources"
    ]


def test_ungrounded_checks_numbers_dates_and_weekdays() -> None:
    def source(*facts: str) -> Source:
        return Source("s", "t", "p", dt.date(2024, 9, 6), None, None, facts)

    cited = [source("Rabu, 27 November 2024", "naik 83,5 persen")]
    assert ungrounded("Rabu, 27 November 2024: 83,5 persen.", cited) == []
    assert ungrounded("naik 83 persen", cited) == [
        "answer says '83' but that number is not in the facts of its cited sources"
    ]
    impossible = [source("Jumat, 30 Februari 2024")]
    assert ungrounded("30 Februari 2024", impossible) == []  # without a weekday there is nothing to check
    assert ungrounded("Jumat, 30 Februari 2024", impossible) == ["'30 februari 2024' is not a real date"]


# --- sources -----------------------------------------------------------------------------


def test_duplicate_source_id(kb_copy) -> None:
    kb_copy.replace(SOURCES, "id: tribunjateng-2024-07-27", "id: kpu-blora-2024-09-06")
    problems = kb_copy.problems()
    text = kb_copy.read(SOURCES)
    line = text.count("\n", 0, text.rindex("id: kpu-blora-2024-09-06")) + 1
    assert f"{kb_copy.path(SOURCES)}:{line}: duplicate source id 'kpu-blora-2024-09-06'" in problems


def test_source_date_must_be_a_date(kb_copy) -> None:
    kb_copy.replace(SOURCES, "date: 2024-07-27", "date: 27 Juli 2024")
    assert (
        f"{kb_copy.where(SOURCES, 'date: 27 Juli')}: 'date' must be a date written YYYY-MM-DD, got text '27 Juli 2024'"
        in (kb_copy.problems())
    )


# --- messages and topics -----------------------------------------------------------------


def test_topic_pointing_to_an_unknown_entry(kb_copy) -> None:
    kb_copy.replace(MESSAGES, "{label: Hoaks, entry: hoaks}", "{label: Hoaks, entry: hoax}")
    assert kb_copy.problems() == [
        f"{kb_copy.where(MESSAGES, 'entry: hoax}')}: topic 'Hoaks' points to unknown entry 'hoax'"
    ]


def test_unknown_message_placeholder(kb_copy) -> None:
    kb_copy.replace(MESSAGES, 'console_bye: "Sampai jumpa!', 'console_bye: "Sampai jumpa, {nama}!')
    assert kb_copy.problems() == [
        f"{kb_copy.where(MESSAGES, '{nama}!')}: message 'console_bye' uses unknown placeholder {{nama}} "
        "(known: date, days, election_name, publisher, region, sources, title)"
    ]


def test_broken_placeholder(kb_copy) -> None:
    kb_copy.replace(MESSAGES, 'console_bye: "Sampai jumpa!', 'console_bye: "Sampai jumpa {region!')
    [problem] = kb_copy.problems()
    assert problem.startswith(
        f"{kb_copy.where(MESSAGES, '{region!')}: message 'console_bye' has a broken {{placeholder}}"
    )


def test_missing_required_message(kb_copy) -> None:
    kb_copy.replace(MESSAGES, '  console_choice: "Ketik nomornya untuk memilih."\n', "")
    # Reported at the 'messages' mapping, which starts at its first key.
    assert kb_copy.problems() == [f"{kb_copy.where(MESSAGES, 'welcome: |-')}: message 'console_choice' is missing"]


def test_unknown_message_key(kb_copy) -> None:
    kb_copy.replace(MESSAGES, "  console_choice:", '  farewell: "Dadah"\n  console_choice:')
    assert kb_copy.problems() == [f"{kb_copy.where(MESSAGES, 'farewell:')}: unknown message 'farewell'"]


# --- lexicon -----------------------------------------------------------------------------


def test_lexicon_key_must_be_one_lower_case_word(kb_copy) -> None:
    kb_copy.replace(LEXICON, "  kpn: kapan\n", "  Kpn: kapan\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(LEXICON, 'Kpn: kapan')}: lexicon key 'Kpn' must be one lower-case word"
    ]


def test_lexicon_value_must_be_text(kb_copy) -> None:
    kb_copy.replace(LEXICON, "  kpn: kapan\n", "  kpn: yes\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(LEXICON, 'kpn: yes')}: "
        "'kpn' must map to a non-empty word (quote it if it is a number or yes/no)"
    ]


# --- YAML-level mistakes -----------------------------------------------------------------


def test_tab_in_yaml(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    title: Salam\n", "\ttitle: Salam\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, chr(9) + 'title: Salam')}: a tab character is not allowed in YAML: indent with spaces"
    ]


def test_bad_indentation_too_deep(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    title: Salam\n", "     title: Salam\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, '     title: Salam')}: "
        "unexpected ':' here: check the indentation, or put the text in quotes"
    ]


def test_bad_indentation_too_shallow(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    title: Salam\n", "   title: Salam\n")
    [problem] = kb_copy.problems()
    prefix = f"{kb_copy.where(ENTRIES, '   title: Salam')}: "
    assert problem.startswith(prefix), problem
    message = problem.removeprefix(prefix)
    # Plain words, as for the other YAML mistakes, not PyYAML's "<block end>" token names.
    assert "indentation" in message and "<block" not in message, problem


def test_duplicate_key_inside_an_entry(kb_copy) -> None:
    kb_copy.replace(ENTRIES, "    title: Salam\n", "    title: Salam\n    title: Sapaan\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'title: Sapaan')}: duplicate key 'title' (it already appears above)"
    ]


def test_missing_file(kb_copy) -> None:
    kb_copy.path(LEXICON).unlink()
    assert kb_copy.problems() == [f"{kb_copy.path(LEXICON)}:1: file not found"]


def test_problems_in_several_files_are_reported_together(kb_copy) -> None:
    kb_copy.path(LEXICON).unlink()
    kb_copy.replace(ENTRIES, "    title: Salam\n", "\ttitle: Salam\n")
    assert [p.split(": ", 1)[0] for p in kb_copy.problems()] == [
        f"{kb_copy.path(LEXICON)}:1",
        kb_copy.where(ENTRIES, chr(9) + "title: Salam"),
    ]


def test_rule_problems_in_several_files_are_reported_together(kb_copy) -> None:
    kb_copy.replace(MESSAGES, "{label: Hoaks, entry: hoaks}", "{label: Hoaks, entry: hoax}")
    kb_copy.replace(ENTRIES, "sources: []", "sources: [nope]", after="- id: salam")
    kb_copy.replace(ENTRIES, "    title: Terima kasih\n", "    title: Terima kasih\n    colour: red\n")
    where = sorted(p.split(": ", 1)[0] for p in kb_copy.problems())
    assert where == sorted(
        [
            kb_copy.where(MESSAGES, "entry: hoax}"),
            kb_copy.where(ENTRIES, "sources: [nope]"),
            kb_copy.where(ENTRIES, "colour: red"),
        ]
    )


def test_knowledge_base_is_frozen(kb: KnowledgeBase) -> None:
    with pytest.raises(AttributeError):
        kb.entries = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        kb.entries[0].answer = "x"  # type: ignore[misc]
