"""bot/kb/knowledge.py: the shipped knowledge base is valid; every validation rule fires with `file:line`.

Each rule test breaks one thing in a copy of the files (the `kb_copy` fixture) and
computes the expected line from the edited text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.kb.knowledge import KnowledgeBase

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
    assert set(kb.sources) == {"perpu-1-2014-hak-memilih", "kpu-blora-2024-09-06", "tribunjateng-2024-07-27"}
    kpu = kb.sources["kpu-blora-2024-09-06"]
    assert (kpu.publisher, kpu.date) == ("KPU Kabupaten Blora", dt.date(2024, 9, 6))
    tribun = kb.sources["tribunjateng-2024-07-27"]
    assert (tribun.publisher, tribun.author, tribun.editor) == ("TribunJateng.com", "M Iqbal Shukri", "Deni Setiawan")
    ids = [e.id for e in kb.entries]
    assert len(ids) == len(set(ids))
    assert {"jadwal_pencoblosan", "apa_itu_golput", "jangan_golput", "partisipasi_pilkada_2020"} <= set(ids)
    assert kb.entry("jadwal_pencoblosan").show_countdown
    assert "27 November 2024" in kb.entry("jadwal_pencoblosan").answer.before
    assert kb.entry("partisipasi_pilkada_2020").sources == ("tribunjateng-2024-07-27",)
    assert all(e.questions for e in kb.entries)
    assert {t.entry for t in kb.messages.topics} <= set(ids)
    assert kb.lexicon.normalize["kpn"] == "kapan"


def test_summary_counts_what_was_loaded(kb: KnowledgeBase) -> None:
    variants = sum(len(e.questions) for e in kb.entries)
    unknown = sum(e.kind == "unknown" for e in kb.entries)
    assert unknown >= 10
    assert kb.summary() == (
        f"OK: {len(kb.entries)} entries ({unknown} known unknowns), {variants} question variants, "
        f"3 sources with {len(kb.facts)} facts, "
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
        "(known keys: answer, id, keywords, kind, link, questions, related, show_countdown, sources, title, topic)"
    ]


def test_answer_as_a_list(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", "    answer: [Sama-sama, tulis saja]\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer: [Sama-sama')}: "
        "'answer' must be text, or a mapping with 'before' and optionally 'today' and 'after', got a list"
    ]


def test_empty_answer(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", '    answer: ""\n')
    assert kb_copy.problems() == [f"{kb_copy.where(ENTRIES, 'answer: ' + chr(34))}: 'answer' must not be empty"]


def test_blank_answer(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", "    answer:\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer:', after='- id: terima_kasih')}: "
        "'answer' must be text, or a mapping with 'before' and optionally 'today' and 'after', "
        "got nothing (empty value)"
    ]


def test_missing_answer(kb_copy) -> None:
    replace_answer(kb_copy, "terima_kasih", "")
    n = entry_number(kb_copy, "terima_kasih")
    # Reported at the entry itself (its first line), since there is no 'answer' line to point to.
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, '- id: terima_kasih')}: entry #{n} is missing 'answer' "
        "(text, or a mapping with 'before' and optionally 'today' and 'after')"
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


def test_a_broken_entry_is_not_also_reported_as_unknown_where_it_is_referenced(kb_copy) -> None:
    # partisipasi_pilkada_2020 is named in other entries' 'related'; the one real mistake is
    # the number, and a staff member should not be told the entry does not exist.
    anchor = "- id: partisipasi_pilkada_2020"
    kb_copy.replace(ENTRIES, "{fakta:partisipasi_pilkada_2020}", "76,6 persen", after=anchor)
    assert kb_copy.problems() == [
        f"{kb_copy.where(ENTRIES, 'answer: |-', after=anchor)}: "
        "'76,6 persen': that value is not in the facts of the cited sources (use a {fakta:...} reference "
        "from sources.yaml)"
    ]


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
    kb_copy.replace(MESSAGES, 'console_hint: "Ketik', 'console_hint: "{nama}, ketik')
    assert kb_copy.problems() == [
        f"{kb_copy.where(MESSAGES, '{nama}, ketik')}: message 'console_hint' uses unknown placeholder {{nama}} "
        "(known: date, days, election_name, person, publisher, quote, region, region_short, said, source, sources, "
        "title, value, what)"
    ]


def test_broken_placeholder(kb_copy) -> None:
    kb_copy.replace(MESSAGES, 'console_hint: "Ketik', 'console_hint: "{region! Ketik')
    [problem] = kb_copy.problems()
    assert problem.startswith(
        f"{kb_copy.where(MESSAGES, '{region!')}: message 'console_hint' has a broken {{placeholder}}"
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


@pytest.mark.parametrize("key", ["same_meaning", "exclusive", "other_meaning"])
def test_a_word_group_needs_two_words(kb_copy, key: str) -> None:
    first = {
        "same_meaning": "  - [lewat, melalui, via, through]\n",
        "exclusive": "  - [pilkada, pemilu]\n",
        "other_meaning": "  - [sama, setengah, separuh, beda, berbeda, kecil, padha, podo, half]\n",
    }[key]
    kb_copy.replace(LEXICON, first, "  - [lewat]\n")
    assert kb_copy.problems() == [
        f"{kb_copy.where(LEXICON, '- [lewat]')}: each item of '{key}' must be a list of two or more words"
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


# --- feedback reasons (messages.yaml) ---------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - Sulit dipahami\n", "  - \n", "each feedback reason must be non-empty text"),
        ("  - Sulit dipahami\n", "  - " + "x" * 61 + "\n", "at most 60 characters (it is a button label)"),
        ("  - Sulit dipahami\n", "  - [Sulit, dipahami]\n", "each feedback reason must be non-empty text"),
        # Checked like every message: a date must be one of the sources' facts.
        ("  - Sulit dipahami\n", "  - Tanggalnya 4 Desember 2024\n", "4 Desember 2024"),
    ],
)
def test_feedback_reason_mistakes_are_reported_with_their_line(kb_copy, old: str, new: str, message: str) -> None:
    line = kb_copy.line_of(MESSAGES, old)
    kb_copy.replace(MESSAGES, old, new)
    (problem,) = kb_copy.problems()
    assert problem.startswith(f"{kb_copy.path(MESSAGES)}:{line}: ") and message in problem


def test_too_many_feedback_reasons(kb_copy) -> None:
    kb_copy.replace(MESSAGES, "  - Sulit dipahami\n", "".join(f"  - alasan {c}\n" for c in "abcdefghi"))
    (problem,) = kb_copy.problems()
    assert problem == f"{kb_copy.where(MESSAGES, '  - Jawabannya salah')}: at most 10 feedback reasons"


def test_without_feedback_reasons_thumbs_down_asks_nothing(kb_copy) -> None:
    text = kb_copy.read(MESSAGES)
    start = text.index("feedback_reasons:")
    kb_copy.write(MESSAGES, text[:start] + text[text.index("\n\n", start) + 2 :])
    assert kb_copy.load().messages.feedback_reasons == ()


def test_bot_placeholder_only_where_the_bot_knows_its_name(kb_copy) -> None:
    kb_copy.replace(MESSAGES, '  did_you_mean: "Maksud kamu salah satu ini?"', '  did_you_mean: "Maksud @{bot}?"')
    (problem,) = kb_copy.problems()
    assert problem.startswith(f"{kb_copy.where(MESSAGES, 'did_you_mean:')}: message 'did_you_mean' cannot use {{bot}}")


def test_start_topic_pointing_nowhere(kb_copy) -> None:
    kb_copy.replace(MESSAGES, "entry: kenapa_memilih}", "entry: kenapa_milih}", after="start_topics:")
    where = kb_copy.where(MESSAGES, "entry: kenapa_milih}")
    assert kb_copy.problems() == [f"{where}: topic '🗳️ Kenapa harus memilih?' points to unknown entry 'kenapa_milih'"]


@pytest.mark.parametrize("kb", ["blora2024", "kb2"])
def test_the_knowledge_bases_made_for_the_tests_pass_check(kb: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Both YAML parsers included: kb2's messages once read with libyaml only (an unquoted "?" in a label).
    config = Path(__file__).resolve().parent / "data" / kb / "config.yaml"
    assert main(["--config", str(config), "check"]) == 0, capsys.readouterr().err
