"""Two `check` messages that used to mislead staff (issue #23), fixed by general rules.

1. A figure belongs to the election of its own clause, or to one named before it:
   "di bawah target 85 persen, tetapi lebih tinggi dari Pilkada 2020" does not say
   that 85 is Pilkada 2020's.
2. A house number inside a place fact's own value ("Jl. Merdeka No. 1") is part of
   that place, not a figure of its own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.facts.facts import Fact, check_grounded, election_context, sentences_keeping_names, vocabulary
from bot.facts.statements import find_items


def _fact(**kw: object) -> Fact:
    base: dict[str, object] = {
        "id": "x",
        "source": "s",
        "source_date": dt.date(2024, 9, 6),
        "kind": "percent",
        "value": Decimal(85),
        "what": "w",
        "quote": "q",
    }
    base.update(kw)
    return Fact(**base)  # type: ignore[arg-type]


TARGET = _fact(id="target", election="pilkada 2024", qualifier="target")
TURNOUT_2020 = _fact(id="p2020", value=Decimal("77.6"), election="pilkada 2020")
ELECTIONS = {"pilkada 2024", "pilkada 2020"}


def _problems(text: str, facts: list[Fact]) -> list[str]:
    return check_grounded(text, facts, facts, vocabulary(facts), ELECTIONS)


def test_a_figure_is_not_bound_to_an_election_named_after_it_in_another_clause() -> None:
    facts = [TARGET, TURNOUT_2020]
    text = "Partisipasinya di bawah target 85 persen, tetapi lebih tinggi dari Pilkada 2020 (77,6 persen)."
    assert _problems(text, facts) == []
    # The rule is the clause, not the comma alone: a figure after its election in the same clause binds.
    assert _problems("Target Pilkada 2024 adalah 85 persen, lebih tinggi dari Pilkada 2020.", facts) == []
    # And an election named before the figure still binds it, across a comma: this one is wrong.
    wrong = _problems("Pada Pilkada 2020, partisipasinya 85 persen.", facts)
    assert wrong == ["'85 persen' is written about Pilkada 2020, but the sources give that value for Pilkada 2024"]


def test_the_election_context_rule_on_its_own() -> None:
    sentence = "Pada 2020 partisipasi pemilih mencapai 77,6 persen dan naik di angka 83,5 persen pada Pemilu 2024"
    items = find_items(sentence)
    figures = [i for i in items if i.kind == "percent"]
    contexts = [election_context(f, items, sentence) for f in figures]
    assert [c.text if c else None for c in contexts] == ["2020", "Pemilu 2024"]
    sentence = "di bawah target 85 persen, tetapi lebih tinggi dari Pilkada 2020"
    items = find_items(sentence)
    (figure,) = [i for i in items if i.kind == "percent"]
    assert election_context(figure, items, sentence) is None


def test_a_house_number_inside_a_place_fact_is_part_of_the_place() -> None:
    place = _fact(id="tempat", kind="place", value="Aula KPU, Jl. Merdeka No. 1", event="rapat")
    day = _fact(id="tanggal", kind="date", value=dt.date(2024, 9, 6), event="rapat")
    facts = [place, day]
    text = "Rapat digelar pada 6 September 2024 di Aula KPU, Jl. Merdeka No. 1. Semua PPK hadir."
    assert _problems(text, facts) == []
    # The sentence is not cut at "Jl." or "No.": the place is read whole.
    assert [s for _, s in sentences_keeping_names(text, vocabulary(facts))] == [
        "Rapat digelar pada 6 September 2024 di Aula KPU, Jl. Merdeka No. 1",
        " Semua PPK hadir",
    ]
    # A number of its own is still checked.
    assert _problems("Rapat di Aula KPU, Jl. Merdeka No. 1 dihadiri 40 orang.", facts) == [
        "'40': that value is not in the facts of the cited sources (use a {fakta:...} reference from sources.yaml)"
    ]
