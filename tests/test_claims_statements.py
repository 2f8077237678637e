"""Issue #22, round 2: every checkable statement gets its verdict, right about which part is wrong.

Each example of the issue goes through the reply path (`pipeline.replies.for_question`, the
fixed clock of conftest: a week before voting day) and through `ask --json`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.nlu.claims import ClaimVerdict, overall
from bot.pipeline import Pipeline
from bot.replies.reply import Reply

KTP = "PENTING!! Pilkada Blora digelar Minggu 1 Desember 2024, jangan lupa bawa KTP ya"
PENDOPO = "katanya raker kpu blora bulan juli itu di pendopo bupati"
SEVENTY = "partisipasi pemilu 2024 blora akhirnya cuma 70 persen"
HIGHER = "kpu blora bilang partisipasi 2024 lebih tinggi dari 2019, bener?"
MIXED = "Info: raker KPU Blora bersama PPK tgl 6 September 2024 di Garden Resto"
TARGET = "katanya pilkada blora 2024 partisipasinya mencapai 83 persen"
POSTPONED = (
    "Fwd: PENTING! Pencoblosan pilkada blora diundur ke desember karena anggaran belum cair. Sebarkan! "
    "-- min, KPU nanggepinnya gimana?"
)


def _claims(reply: Reply) -> list[tuple[str, str | None]]:
    return [(c.verdict, c.fact.id if c.fact else None) for c in reply.claims]


def _verdicts(pipeline: Pipeline, text: str) -> list[tuple[str, str | None]]:
    assert pipeline.replies.claims is not None
    return [(c.verdict, c.fact.id if c.fact else None) for c in pipeline.replies.claims.check(text)]


def _ask(kb_root: Path, capsys: pytest.CaptureFixture[str], text: str) -> dict[str, object]:
    assert main(["--config", str(kb_root / "config.yaml"), "ask", "--json", text]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    return data


# ------------------------------------------------------------------ 1. statement by statement


def test_a_wrong_date_is_corrected_and_the_rest_said_to_be_uncovered(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(KTP)
    assert reply.kind == "claim"
    assert _claims(reply) == [("contradicted", "hari_pemungutan_suara"), ("unverifiable", None)]
    assert reply.claims[0].said == "Minggu 1 Desember 2024"
    # What is false leads, with the fact and its quote; what the sources do not cover comes after it.
    false, uncovered = reply.text.index("TIDAK sesuai"), reply.text.index("tidak bisa memastikan")
    assert false < reply.text.index("Rabu, 27 November 2024") < uncovered
    assert "Ayo, gunakan hak pilih anda di TPS pada Rabu (27 november 2024)" in reply.text
    assert "bawa KTP" not in reply.text  # the user's own words are never quoted back


def test_a_known_unknown_word_blocks_only_the_statement_it_ties(pipeline: Pipeline) -> None:
    # The KTP clause is its own statement; a PSU's date is not voting day's, so it stays unverifiable.
    assert _verdicts(pipeline, "Pilkada Blora 27 November 2024. Jangan lupa bawa KTP") == [
        ("confirmed", "hari_pemungutan_suara"),
        ("unverifiable", None),
    ]
    assert _verdicts(pipeline, "PSU pilkada blora, Rabu 4 Desember 2024") == [("unverifiable", None)]
    assert _verdicts(pipeline, "katanya PSU pilkada blora digelar 4 Desember 2024") == [("unverifiable", None)]
    # A figure next to the words of another topic is read on its own clause only.
    below = "Turnout in the Blora pilkada on 27 Nov 2024 was 71 percent, below the KPU target."
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, below)}


def test_the_reply_orders_false_then_confirmed_then_uncovered(pipeline: Pipeline) -> None:
    text = "Pilkada Blora hari Rabu 27 November 2024. Raker PPK tanggal 7 September 2024. Bawa KTP ya"
    reply = pipeline.replies.for_question(text)
    assert [v for v, _ in _claims(reply)] == ["confirmed", "contradicted", "unverifiable"]
    positions = [reply.text.index(s) for s in ("❌", "✅", "🤔")]
    assert positions == sorted(positions), reply.text


# ------------------------------------------------------------------ 2. free wording, comparisons, events


def test_a_venue_in_free_wording_is_compared_with_that_meeting(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(PENDOPO)
    assert _claims(reply) == [("contradicted", "raker_juli_tempat")]
    assert "Garden Resto and Caffe Tunjungan Blora" in reply.text
    # A venue that may be the same place, or a meeting not pinned down, is never called false.
    assert _verdicts(pipeline, "katanya raker kpu sama ppk bulan september di kantor KPU Blora") == [
        ("unverifiable", None)
    ]
    assert _verdicts(pipeline, "katanya raker kpu di pendopo bupati") == [("unverifiable", None)]
    assert _verdicts(pipeline, "raker KPU Blora sama stakeholder bulan Juli 2024 di Pendopo Kabupaten Blora")[-1] == (
        "contradicted",
        "raker_juli_tempat",
    )
    # "ke sekolah" is no claim about a meeting's venue.
    assert _verdicts(pipeline, "kpu blora sosialisasi ke sekolah") == []


def test_a_result_figure_is_corrected(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(SEVENTY)
    assert _claims(reply)[0] == ("contradicted", "partisipasi_pemilu_2024_kpu")
    assert "83 persen" in reply.text


def test_a_comparison_asked_to_be_confirmed(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(HIGHER)
    assert reply.kind == "claim"
    assert _claims(reply) == [("confirmed", "partisipasi_pemilu_2024_kpu")]
    assert "peningkatan dibandingkan dengan pemilu 2019" in reply.text
    # "bener?" asks only for the check: no "sumberku tidak memuat jawabannya" for it.
    assert not reply.says_unknown and "tidak memuat jawabannya" not in reply.text


def test_which_detail_belongs_to_which_meeting(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(MIXED)
    assert _claims(reply) == [("confirmed", "raker_september_tanggal"), ("contradicted", "raker_september_tempat")]
    wrong = next(c for c in reply.claims if c.verdict == "contradicted")
    assert wrong.said == "Garden Resto"
    assert [f.id for f in wrong.others] == ["raker_juli_tempat"]  # whose venue it was
    text = reply.text
    assert text.index("❌ “Garden Resto”") < text.index("Gedung Pertemuan KPU Blora") < text.index("✅")
    assert "pemangku kepentingan: Garden Resto and Caffe Tunjungan Blora" in text
    # Details naming two meetings equally: no one of them is the wrong one, the pairing is, and the
    # verdict says whose each detail is.
    both = pipeline.replies.claims.check("raker KPU Blora tgl 6 September 2024 di Garden Resto")  # type: ignore[union-attr]
    assert [(c.verdict, c.said, c.fact.id if c.fact else None, [f.id for f in c.others]) for c in both] == [
        ("contradicted", "6 September 2024 … Garden Resto", "raker_september_tanggal", ["raker_juli_tempat"])
    ]
    # Two details against one: the one is wrong ("PPK" with the July meeting's venue and date).
    odd = "raker KPU Blora bersama PPK se-Kabupaten Blora di Garden Resto and Caffe Tunjungan, Sabtu (27/7/2024)"
    assert [(c.verdict, c.said, c.fact.id if c.fact else None) for c in pipeline.replies.claims.check(odd)] == [  # type: ignore[union-attr]
        ("confirmed", "Garden Resto and Caffe", "raker_juli_tempat"),
        ("confirmed", "Sabtu (27/7/2024", "raker_juli_tanggal"),
        ("contradicted", "PPK", "raker_juli_tanggal"),
    ]
    # "BUKAN PPK" of the meeting held with PPK.
    assert _verdicts(pipeline, "Raker di Gedung Pertemuan KPU Blora itu bareng wartawan, bukan PPK")[-1] == (
        "contradicted",
        "raker_september_tanggal",
    )
    # The date names the meeting: a date right for the PPK meeting is confirmed.
    assert _verdicts(pipeline, "raker KPU dengan PPK 27 Juli 2024")[0] == ("contradicted", "raker_september_tanggal")


# ------------------------------------------------------------------ 3. targets are not results


def test_a_target_stated_as_a_result_is_not_confirmed(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(TARGET)
    assert [v for v, _ in _claims(reply)] == ["unverifiable"]
    assert "minimal 83 persen" in reply.text  # the reply says 83 % was the target
    # Read without the matcher's known unknown, the verdict itself names the target.
    checker = pipeline.replies.claims
    assert checker is not None
    verdicts = checker.check(TARGET)
    assert [f.id for v in verdicts for f in v.context] == ["target_partisipasi_pilkada_2024"]
    alone = pipeline.replies.for_claims(verdicts)
    assert "Target partisipasi pemilih Pilkada 2024" in alone.text and "KPU menargetkan" in alone.text
    # The target said as a target is still checked; an outcome word on the target is never confirmed.
    assert _verdicts(pipeline, "target partisipasi KPU Blora untuk pilkada 2024 83 persen") == [
        ("confirmed", "target_partisipasi_pilkada_2024")
    ]
    assert "confirmed" not in {v for v, _ in _verdicts(pipeline, "target partisipasi pilkada 2024 83 persen tercapai")}


def test_check_refuses_a_target_written_as_a_result(kb_copy) -> None:  # type: ignore[no-untyped-def]
    anchor = "- id: target_partisipasi"
    kb_copy.replace(
        "knowledge/entries.yaml",
        "KPU Blora menargetkan partisipasi pemilih di Pilkada 2024 minimal {fakta:target_partisipasi_pilkada_2024}, "
        "sama seperti Pemilu 2024.",
        "Partisipasi Pilkada 2024 di Blora akhirnya mencapai 83 persen.",
        after=anchor,
    )
    problems = [p for p in kb_copy.problems() if "'83 persen' is a target" in p and "as a result" in p]
    assert len(problems) == 1, problems
    # file:line of the answer (its phase's line) that says it, within the entry
    path, line, _ = problems[0].split(":", 2)
    assert path == str(kb_copy.path("knowledge/entries.yaml"))
    entry = kb_copy.line_of("knowledge/entries.yaml", anchor)
    assert entry < int(line) <= kb_copy.line_of("knowledge/entries.yaml", "akhirnya mencapai 83 persen")


def test_check_refuses_a_target_written_as_a_result_in_messages(kb_copy) -> None:  # type: ignore[no-untyped-def]
    kb_copy.replace(
        "knowledge/messages.yaml",
        '  claim_rest: "Untuk yang kamu tanyakan',
        '  claim_rest: "Partisipasi Pilkada 2024 di Blora akhirnya mencapai 83 persen. Untuk yang kamu tanyakan',
    )
    where = kb_copy.where("knowledge/messages.yaml", "claim_rest:")
    assert any(p.startswith(f"{where}: ") and "as a result" in p for p in kb_copy.problems())


# ------------------------------------------------------------------ 4. polarity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("katanya suara tidak sah pemilu 2019 di blora 26.238", "confirmed"),
        ("suara ga sah pemilu 2019 di blora 26.238", "confirmed"),
        # 26.238 is the count of invalid ballots: said of valid ones, it is false.
        ("katanya suara sah pemilu 2019 di blora 26.238", "contradicted"),
        ("katanya suara sah pemilu 2019 di blora 500 ribu", "unverifiable"),
        ("partisipasi pemilu 2024 di blora naik dibanding pemilu 2019", "confirmed"),
        ("partisipasi pemilu 2024 di blora turun dibanding pemilu 2019", "contradicted"),
        ("partisipasi pemilu 2024 di blora tidak naik dibanding pemilu 2019", "contradicted"),
        ("partisipasi pemilu 2024 di blora ga lebih rendah dari pemilu 2019", "confirmed"),
        ("partisipasi pemilu 2024 lebih tinggi dari pilkada 2020", "confirmed"),
        ("partisipasi pemilu 2024 lebih rendah dari pilkada 2020", "contradicted"),
        ("katanya target partisipasi pilkada 2024 tercapai", "unverifiable"),
        ("katanya target partisipasi pilkada 2024 meleset", "unverifiable"),
        ("katanya target partisipasi pilkada 2024 tidak tercapai", "unverifiable"),
    ],
)
def test_opposites_never_match_each_other(pipeline: Pipeline, text: str, expected: str) -> None:
    assert pipeline.replies.claims is not None
    assert overall(pipeline.replies.claims.check(text)) == expected


def test_a_denied_value_and_a_direction_the_sources_do_not_give(pipeline: Pipeline) -> None:
    # "GA JADI tanggal 27 november" denies the date the sources give: false, quoted with its negation.
    reply = pipeline.replies.for_question("pilkada 2024 ga jadi tanggal 27 november")
    assert [(c.verdict, c.said) for c in reply.claims] == [("contradicted", "ga jadi tanggal 27 november")]
    # A negation that belongs to a topic word, or asks, denies nothing.
    assert _verdicts(pipeline, "suara tidak sah pemilu 2019 di blora ada 26.238") == [
        ("confirmed", "suara_tidak_sah_pemilu_2019")
    ]
    assert _verdicts(pipeline, "pilkada bener ga 27 november") == [("confirmed", "hari_pemungutan_suara")]
    # Denying a value the sources do not give is not called false.
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, "pilkada blora bukan tanggal 4 desember")}
    # Invalid ballots are given for 2019 only: "more than 2020" is not confirmed with the 2019 figure.
    text = "suara tidak sah pemilu 2019 di blora ada 26.238, lebih banyak dari pilkada 2020"
    assert pipeline.replies.claims is not None
    assert overall(pipeline.replies.claims.check(text)) == "unverifiable"


# ------------------------------------------------------------------ 5. impossible dates


@pytest.mark.parametrize(
    "text", ["Pilkada Blora 0 November 2024", "pencoblosan pilkada blora tanggal 31 Februari 2024"]
)
def test_an_impossible_date_is_contradicted_whole(pipeline: Pipeline, text: str) -> None:
    reply = pipeline.replies.for_question(text)
    assert _claims(reply) == [("contradicted", "hari_pemungutan_suara")]
    said = reply.claims[0].said
    assert said in text and any(d in said for d in ("0 November", "31 Februari"))
    assert "✅" not in reply.text


# ------------------------------------------------------------------ 6. the examples through ask --json


EXAMPLES: list[tuple[str, list[tuple[str, str | None]], str]] = [
    (KTP, [("contradicted", "hari_pemungutan_suara"), ("unverifiable", None)], "Minggu 1 Desember 2024"),
    (PENDOPO, [("contradicted", "raker_juli_tempat")], "pendopo bupati"),
    (SEVENTY, [("contradicted", "partisipasi_pemilu_2024_kpu")], "70 persen"),
    (HIGHER, [("confirmed", "partisipasi_pemilu_2024_kpu")], "2024 lebih tinggi dibanding 2019"),
    (MIXED, [("confirmed", "raker_september_tanggal"), ("contradicted", "raker_september_tempat")], "Garden Resto"),
    (TARGET, [("unverifiable", None)], "83 persen"),
    ("Pilkada Blora 0 November 2024", [("contradicted", "hari_pemungutan_suara")], "0 November 2024"),
    # The reason ("karena anggaran …") is a claim of its own: it never makes the date uncheckable.
    (POSTPONED, [("contradicted", "hari_pemungutan_suara"), ("unverifiable", None)], "desember"),
]


@pytest.mark.parametrize(("text", "claims", "said"), EXAMPLES)
def test_the_examples_through_ask_json(
    capsys: pytest.CaptureFixture[str], kb_root: Path, text: str, claims: list[tuple[str, str | None]], said: str
) -> None:
    data = _ask(kb_root, capsys, text)
    assert data["outcome"] == "claim"
    got = data["claims"]
    assert isinstance(got, list)
    assert [(c["verdict"], c["fact_id"]) for c in got] == claims
    assert said in [c["said"] for c in got]
    if any(v == "contradicted" for v, _ in claims):  # the share leads with what is false, too
        assert str(data["share_text"]).startswith("❌"), data["share_text"]


def test_an_unverifiable_verdict_carries_no_fact(pipeline: Pipeline) -> None:
    assert pipeline.replies.claims is not None
    for text, _, _ in EXAMPLES:
        for verdict in pipeline.replies.claims.check(text):
            assert isinstance(verdict, ClaimVerdict)
            assert (verdict.fact is None) == (verdict.verdict == "unverifiable"), (text, verdict)


@pytest.mark.parametrize("text", ["masih bisa nyoblos ga sekarang?", "udah berapa lama sejak pilkada blora"])
def test_after_the_vote_still_voting_is_answered_with_the_date(
    capsys: pytest.CaptureFixture[str], kb_root: Path, text: str
) -> None:
    # ask uses today's date (December 2026): the answer is the date in its after-vote wording.
    data = _ask(kb_root, capsys, text)
    assert (data["outcome"], data["entry_id"]) == ("answer", "jadwal_pencoblosan")
    assert "sudah berlangsung" in str(data["answer"]) and "27 November 2024" in str(data["answer"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An office the sources never use, before the name: he was Kabag Prokompim.
        ("Bupati Blora Budiman jadi narasumber raker KPU! Sebarkan!", [("contradicted", "kabag_prokompim")]),
        # Their own role words before a name are not read as a wrong office ("mantan komisioner"), and
        # are no words his quote must say: what he said is confirmed with the figure.
        (
            "Kata mantan komisioner KPU Moh Syaiful Amri, suara tidak sah Pemilu 2019 sebanyak 26.238 surat suara",
            [("confirmed", "suara_tidak_sah_pemilu_2019"), ("confirmed", "amri_suara_tidak_sah_disampaikan")],
        ),
        # Someone opened it on his behalf, as the message itself says: Widi is not claimed to have opened it.
        (
            "ketua KPU Blora waktu itu Widi Nurintan Ary Kurnianto, yg buka raker PPK cuma perwakilannya",
            [("confirmed", "ketua_kpu_blora"), ("unverifiable", None)],  # "waktu itu" between role and name
        ),
        # A condition supposes; it does not deny the 83 %.
        (
            "mustakim bilang kalo gak bisa 83% ya minimal jangan jauh-jauh dari angka itu",
            [("confirmed", "target_partisipasi_pilkada_2024"), ("unverifiable", None)],
        ),
    ],
)
def test_rules_drawn_from_the_third_fresh_claim_set(
    pipeline: Pipeline, text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _verdicts(pipeline, text) == expected


def test_each_clause_pins_its_own_meeting(pipeline: Pipeline) -> None:
    text = "Ada 2 raker KPU Blora: 27 Juli 2024 dgn stakeholder di Garden Resto, dan 6 Sept 2024 dgn PPK di gedung KPU"
    verdicts = _verdicts(pipeline, text)
    assert ("contradicted" not in [v for v, _ in verdicts]) and ("confirmed", "raker_september_tempat") in verdicts
    assert ("confirmed", "raker_juli_tempat") in verdicts


def test_what_the_asker_says_of_themselves_is_not_doubted(pipeline: Pipeline) -> None:
    """In a message that asks, "saya anggota KPPS baru" is context: no 🤔 about KPPS beside the ✅."""
    text = (
        "Izin, saya anggota KPPS baru di desa kami. Mau memastikan, coblosan Pilkada Blora hari Rabu, "
        "27 November 2024, kan?"
    )
    reply = pipeline.replies.for_question(text)
    assert _claims(reply) == [("confirmed", "hari_pemungutan_suara")]
    assert "🤔" not in reply.text


def test_a_claim_the_asker_heard_is_still_doubted(pipeline: Pipeline) -> None:
    text = "Saya dengar coblos dua kali tetap sah, Pilkada Blora hari Rabu 27 November 2024 kan?"
    reply = pipeline.replies.for_question(text)
    assert ("confirmed", "hari_pemungutan_suara") in _claims(reply)
    assert ("unverifiable", None) in _claims(reply) and "🤔" in reply.text


def test_a_question_with_nothing_to_check_gets_the_sure_answer(pipeline: Pipeline) -> None:
    """ "... beneran dihitung?" reads like a request for a check, but holds no value to check."""
    reply = pipeline.replies.for_question("eh suaraku beneran dihitung? 😅")
    assert (reply.kind, reply.entry_id) == ("answer", "suara_sama_nilai")


def test_a_topic_word_with_its_clitic_ties_the_value(pipeline: Pipeline) -> None:
    """ "coblosanNYA hari rabu kan?" is about voting day, as "coblosan hari rabu" is."""
    reply = pipeline.replies.for_question("coblosannya hari rabu kan?")
    assert _claims(reply) == [("confirmed", "hari_pemungutan_suara")]


def test_an_emoji_after_the_question_mark_still_asks(pipeline: Pipeline) -> None:
    assert pipeline.replies.claims is not None
    assert pipeline.replies.claims.is_question("kpu blora pake medsos ga sih buat sebarin info? 📲")
    reply = pipeline.replies.for_question("kpu blora pake medsos ga sih buat sebarin info? 📲")
    assert reply.kind == "suggest" and reply.suggestions[0] == "sosialisasi_media"
