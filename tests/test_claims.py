"""bot/nlu/claims.py: the claim check ("cek fakta") on forwarded hoaxes and on the claims table (issue #12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.nlu.claims import overall
from bot.nlu.evaluation import ClaimReport, evaluate_claims, load_claims_set
from bot.pipeline import Pipeline

CLAIMS = Path(__file__).resolve().parent / "data" / "claims.yaml"
HOAX = "PENTING!! Pencoblosan Pilkada Blora DIUNDUR ke 4 Desember 2024. Sebarkan"
FINE = "katanya kalo ga nyoblos didenda 1 juta, bener?"


@pytest.fixture
def claim_reports(pipeline: Pipeline) -> dict[str, ClaimReport]:
    checker = pipeline.replies.claims
    assert checker is not None
    return evaluate_claims(lambda text: overall(checker.check(text)), load_claims_set(CLAIMS))


def test_the_table_is_large_and_varied() -> None:
    items = load_claims_set(CLAIMS)
    verdicts = [i.verdict for i in items]
    assert len(items) >= 40
    assert verdicts.count("contradicted") >= 20 and verdicts.count("confirmed") >= 10
    assert verdicts.count("unverifiable") >= 10 and verdicts.count("none") >= 5
    # Written by people who never saw the code or the knowledge base: the heldout and fresh sets.
    assert sum(i.split.startswith(("heldout", "fresh")) for i in items) >= len(items) // 4


def test_no_wrong_verdict_and_false_claims_are_flagged(claim_reports: dict[str, ClaimReport]) -> None:
    for split in ("tune", "heldout", "heldout2", "heldout3", "heldout4", "fresh_a", "fresh_b", "fresh_c"):
        report = claim_reports[split]
        assert report.wrong == 0, (split, report.misses)  # never a true claim called false, or the reverse
    assert claim_reports["tune"].flagged_rate >= 90.0
    assert claim_reports["heldout"].flagged_rate >= 90.0
    # heldout2 (written after the rest, by a colleague who never saw the code) flags 14 of 19:
    # who opened which meeting and trends without two figures are not read yet.
    # docs/grounding.md lists them; this floor keeps it from getting worse.
    assert claim_reports["heldout2"].flagged_rate >= 84.0  # 16/19 since #22's statement-by-statement reading
    # heldout3 (109 claims, same way, 2026-11-30): first run 3 wrong and 35/56 flagged; after the
    # general fixes it drew (roles said of a name, round figures, the year a figure belongs to,
    # other regions, who opened/led which meeting) 0 wrong, 41/56. docs/grounding.md has the rest.
    assert claim_reports["heldout3"].flagged_rate >= 83.0  # 47/56 after #22
    # heldout4 (112 claims, 2026-11-30, same way): first run 2 wrong, 34/50 flagged; after the rules it
    # drew (a role bound to no name, outreach months, "below the target" is about the result) 0 wrong, 34/50.
    assert claim_reports["heldout4"].flagged_rate >= 72.0  # 36/50 after #22
    # fresh_a, fresh_b (#22, 260 claims): first run 1 and 4 wrong, 34/52 and 29/52 flagged; after the
    # general rules they drew (docs/grounding.md) 0 wrong, 42/52 and 38/52.
    assert claim_reports["fresh_a"].flagged_rate >= 80.0
    assert claim_reports["fresh_b"].flagged_rate >= 73.0


def test_a_forwarded_hoax_gets_the_fact_its_quote_and_source(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(HOAX)
    assert reply.kind == "claim"
    assert [(c.verdict, c.said, c.fact and c.fact.id) for c in reply.claims] == [
        ("contradicted", "4 Desember 2024", "hari_pemungutan_suara")
    ]
    assert "TIDAK sesuai sumber resmi" in reply.text
    assert "Rabu, 27 November 2024" in reply.text
    assert "Ayo, gunakan hak pilih anda di TPS pada Rabu (27 november 2024)" in reply.text
    assert reply.source_line is not None and "KPU Kabupaten Blora" in reply.source_line
    assert ("jadwal_pencoblosan",) in {tuple(b.value for b in row) for row in reply.buttons}


def test_a_claim_no_source_covers_is_not_called_true_or_false(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question(FINE)
    assert reply.kind == "claim"
    assert [c.verdict for c in reply.claims] == ["unverifiable"]
    assert all(c.fact is None for c in reply.claims)
    assert "tidak bisa memastikan" in reply.text and "cek fakta" in reply.text


def test_a_true_claim_is_confirmed_with_its_source(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("partisipasi pemilu 2024 di blora 83,5% kan?")
    assert overall(list(reply.claims)) == "confirmed"
    assert "83,5 persen" in reply.text and "TribunJateng.com" in reply.text


def test_the_wrong_person_in_a_role_is_corrected(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("ketua KPU Blora itu Ahmad Mustakim")
    assert [(c.verdict, c.fact and c.fact.id) for c in reply.claims] == [("contradicted", "ketua_kpu_blora")]
    assert "Widi Nurintan Ary Kurnianto (per September 2024)" in reply.text


@pytest.mark.parametrize("question", ["raker 6 september 2024 membahas apa", "kapan pilkada 2024", "99", "golput"])
def test_questions_are_not_claims(pipeline: Pipeline, question: str) -> None:
    assert pipeline.replies.claims is not None
    assert pipeline.replies.claims.check(question) == []
    assert pipeline.replies.for_question(question).kind != "claim"


@pytest.mark.parametrize(
    "question",
    [
        "hoax pilkada",
        "cara cek hoaks pilkada",
        "aku kan cuma anak sma, bapak ibu guru lebih ngerti politik. apa suaraku tetep dianggap sama kayak mereka?",
        "surat suara dicoblos 2 kali sah gak",
        "golput aj lah, toh calonnya gt2 aja",
    ],
)
def test_a_question_about_hoaxes_or_with_slang_digits_is_not_a_claim(pipeline: Pipeline, question: str) -> None:
    """Words that name the topic ("hoaks"), "kan" in a question, "2 kali" and "gt2" state nothing to check."""
    assert pipeline.replies.for_question(question).kind != "claim", question


def _verdicts(pipeline: Pipeline, text: str) -> list[tuple[str, str | None]]:
    assert pipeline.replies.claims is not None
    return [(c.verdict, c.fact and c.fact.id) for c in pipeline.replies.claims.check(text)]


def test_round_figures_are_compared_as_ranges(pipeline: Pipeline) -> None:
    assert _verdicts(pipeline, "katanya suara tidak sah pemilu 2019 di blora 26 ribuan") == [
        ("confirmed", "suara_tidak_sah_pemilu_2019")
    ]
    assert _verdicts(pipeline, "jaman pilkada 2020 yg nyoblos di blora cuma 50an persen") == [
        ("contradicted", "partisipasi_pilkada_2020")
    ]


def test_the_year_nearest_a_figure_says_which_election(pipeline: Pipeline) -> None:
    text = "Blora hit 83.5% turnout in the 2024 general election, up from 2020's 77.6%."
    assert ("confirmed", "partisipasi_pilkada_2020") in _verdicts(pipeline, text)
    assert ("confirmed", "partisipasi_pemilu_2024_tribun") in _verdicts(pipeline, text)
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, text)}
    assert _verdicts(pipeline, "In 2020, voter turnout in Blora reached 67.6%.") == [
        ("contradicted", "partisipasi_pilkada_2020")
    ]


def test_a_comparison_between_two_elections_is_checked_both_ways(pipeline: Pipeline) -> None:
    lower = "Tingkat partisipasi pemilih Blora pada Pemilu 2024 lebih rendah dibanding tahun 2020."
    assert _verdicts(pipeline, lower)[0] == ("contradicted", "partisipasi_pemilu_2024_kpu")
    assert _verdicts(pipeline, "partisipasi pemilu 2024 di blora naik dibanding pilkada 2020")[0][0] == "confirmed"
    # One side has no figure in the sources (the Pilkada 2024 result): neither true nor false.
    assert _verdicts(pipeline, "partisipasi pilkada blora 2024 malah turun di bawah 2020") == [("unverifiable", None)]
    # Not about a figure the facts hold, or asked rather than stated.
    assert _verdicts(pipeline, "harga cabai naik sejak 2020 sampai 2024") == []
    assert _verdicts(pipeline, "turnout pemilu 2024 naik gak dibanding 2019") == []


def test_a_role_is_only_said_of_the_name_next_to_it(pipeline: Pipeline) -> None:
    on_behalf = "raker sama PPK bulan september dibuka Noorman Pramono, mewakili ketua KPU"
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, on_behalf)}
    no_longer = "Widi Nurintan udah ga jadi ketua KPU Blora sejak 2025"
    assert "confirmed" not in {v for v, _ in _verdicts(pipeline, no_longer)}
    assert _verdicts(pipeline, "Widi Nurintan Ary Kurnianto adalah sekretaris KPU Blora") == [
        ("contradicted", "sekretaris_kpu_blora")
    ]


def test_round_and_other_region_figures_are_not_called_false(pipeline: Pipeline) -> None:
    assert _verdicts(pipeline, "suara ga sah pemilu 2019 di blora 26 rb lebih") == [
        ("confirmed", "suara_tidak_sah_pemilu_2019")
    ]
    assert _verdicts(pipeline, "Partisipasi Pilkada Rembang 2020 sekitar 80 persen") == [("unverifiable", None)]
    # A figure with no election named could be about any of them: no fact to call it false by.
    assert _verdicts(pipeline, "katanya partisipasi pemilih di blora 90 persen") == [("unverifiable", None)]
    text = "Blora's turnout went up from 77.6% in 2020 to 83.5% in the 2024 general election"
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, text)}


def test_who_opened_or_led_a_meeting(pipeline: Pipeline) -> None:
    assert ("contradicted", "raker_september_pembuka") in _verdicts(
        pipeline, "Raker KPU-PPK bulan September 2024 dibuka Ahmad Solikin"
    )
    # The chair is the chair, but did not open it: the act is what the message claims.
    chair = "Raker KPU Blora dengan PPK 6 September 2024 dibuka langsung oleh Ketua KPU Widi Nurintan Ary Kurnianto"
    assert ("contradicted", "raker_september_pembuka") in _verdicts(pipeline, chair)
    assert ("contradicted", "raker_juli_pembuka") in _verdicts(
        pipeline, "yg buka raker di garden resto juli kmrn itu pak mustakim"
    )
    assert _verdicts(pipeline, "rapat KPU sama PPK tgl 6/9 dipimpin Ahmad Mustakim") == [
        ("confirmed", "raker_september_tanggal"),
        ("confirmed", "raker_september_pemimpin"),
    ]
    # The act is said of the name nearest to it, not of the chair it was done on behalf of.
    behalf = "Noorman Pramono opened the 6 Sept 2024 PPK meeting on behalf of chair Widi Nurintan Ary Kurnianto."
    assert ("confirmed", "raker_september_pembuka") in _verdicts(pipeline, behalf)
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, behalf)}
    # Which meeting? Two were opened; without a date, place or topic word, no verdict on it.
    assert _verdicts(pipeline, "katanya raker dibuka Ahmad Solikin") == [("unverifiable", None)]
    # Two speakers are named; a third is not called false, only unverifiable.
    assert _verdicts(pipeline, "katanya Widi jadi narasumber raker stakeholder juli") == [("unverifiable", None)]


def test_a_trend_the_quote_states_without_the_other_figure(pipeline: Pipeline) -> None:
    """KPU Blora: 83 % in Pemilu 2024, "peningkatan dibandingkan dengan pemilu 2019" (no 2019 figure)."""
    assert _verdicts(pipeline, "Partisipasi Pemilu 2024 di Blora turun dibandingkan Pemilu 2019.") == [
        ("contradicted", "partisipasi_pemilu_2024_kpu")
    ]
    assert _verdicts(pipeline, "pemilu 2024 di blora partisipasinya naik dibanding pemilu 2019") == [
        ("confirmed", "partisipasi_pemilu_2024_kpu")
    ]


def test_what_cannot_be_checked_is_never_confirmed_or_called_false(pipeline: Pipeline) -> None:
    # A role after a relative clause ("X yg jd narasumber ITU Kabag Prokompim") is said of X (#22; heldout4
    # labels it false): never confirmed on the narasumber part alone.
    role = "Moh Syaiful Amri yg jd narasumber itu Kabag Prokompim Setda Blora kan? bener ga sih"
    assert pipeline.replies.claims is not None
    assert _verdicts(pipeline, role) == [("contradicted", "kabag_prokompim")]
    # A role said of no name we could bind is not confirmed either.
    assert (
        overall(pipeline.replies.claims.check("Moh Syaiful Amri jadi narasumber, kabag prokompim juga")) != "confirmed"
    )
    # Outreach "dijadwalkan September" does not rule out October.
    assert _verdicts(pipeline, "KPU Blora sosialisasi ke pondok pesantren se-Blora bulan Oktober 2024") == [
        ("unverifiable", None)
    ]
    # Turnout compared with the target is the result, which the sources do not hold.
    below = "Turnout in the Blora pilkada on 27 Nov 2024 was 71 percent, below the KPU target."
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, below)}
    # ... while a wrong target is still false, and the meeting a topic word names wins over "election".
    assert _verdicts(pipeline, "target partisipasi KPU 70 persen") == [
        ("contradicted", "target_partisipasi_pilkada_2024")
    ]
    ppk = "On Friday 6 Sept 2024 KPU Blora held a working meeting with the sub-district election committees (PPK)."
    assert ("confirmed", "raker_september_tanggal") in _verdicts(pipeline, ppk)


def test_a_date_names_the_meeting_it_is_about(pipeline: Pipeline) -> None:
    assert _verdicts(pipeline, "katanya raker KPU Blora tanggal 6 September 2024") == [
        ("confirmed", "raker_september_tanggal")
    ]
    reply = pipeline.replies.for_question("raker 6 sept kpu blora")  # names a topic: its answer says more
    assert (reply.kind, reply.entry_id) == ("answer", "raker_september")


def test_a_checked_aside_in_a_question_says_the_question_is_not_answered(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("suara tidak sah pemilu 2019 itu gara2 apa? kan 26 ribuan")
    assert reply.kind == "claim" and reply.says_unknown
    assert "26.238" in reply.text and "sumberku tidak memuat jawabannya" in reply.text
    # Invalid votes of Pilkada 2024 are a result: the known unknown says so instead of the generic line.
    reply = pipeline.replies.for_question("suara tidak sah pilkada blora 2024 brp? kalo pemilu 2019 kan 26 ribuan")
    assert reply.kind == "claim" and reply.says_unknown and reply.entry_id == "hasil_pilkada"
    assert "26.238" in reply.text
    assert pipeline.kb.entry("hasil_pilkada").answer.at(pipeline.replies.phase()) in reply.text


def test_forwarded_text_is_always_read_as_a_claim(pipeline: Pipeline) -> None:
    assert pipeline.replies.claims is not None
    assert pipeline.replies.claims.check("pilkada blora serentak, dengar kabar ada bagi bagi sembako") != []
    plain = "kpu blora sosialisasi ke sekolah"
    assert pipeline.replies.claims.check(plain) == []
    assert [c.verdict for c in pipeline.replies.claims.check(plain, forwarded=True)] == ["unverifiable"]


def test_ask_json_lists_the_claims(capsys: pytest.CaptureFixture[str], kb_root: Path) -> None:
    assert main(["--config", str(kb_root / "config.yaml"), "ask", "--json", HOAX]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "claim" and data["entry_id"] is None
    assert data["claims"] == [
        {"said": "4 Desember 2024", "verdict": "contradicted", "fact_id": "hari_pemungutan_suara"}
    ]
    assert main(["--config", str(kb_root / "config.yaml"), "ask", "--json", FINE]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["claims"] == [{"said": "1 juta", "verdict": "unverifiable", "fact_id": None}]


def test_a_question_the_check_cannot_settle_gets_the_answer(pipeline: Pipeline) -> None:
    # "kan?" asks for a check, but "27" alone settles nothing: the sure answer states the date with its source.
    reply = pipeline.replies.for_question("hr H nya tgl 27 kan?")
    assert (reply.kind, reply.entry_id) == ("answer", "jadwal_pencoblosan")
    assert "27 November 2024" in reply.text
    # Either-or asks which, and claims neither: no "cannot verify", no tick for one of them.
    assert pipeline.replies.claims is not None
    for text in ("pilkda 2024 hari rabu atu kamis", "pilkada rabu 27 november atau kamis 28 november"):
        assert pipeline.replies.claims.check(text) == [], text
        assert pipeline.replies.for_question(text).kind != "claim", text
    # ... while a statement that happens to hold "atau" is still checked.
    assert _verdicts(pipeline, "pencoblosan hari kamis, datang ke TPS atau golput terserah") == [
        ("contradicted", "hari_pemungutan_suara")
    ]
    # Words that only ask for the check ("mohon konfirmasi", "benar demikian") are not a second claim.
    text = "Izin mengonfirmasi, Bapak Widi Nurintan Ary Kurnianto adalah Ketua KPU Kabupaten Blora, betul demikian?"
    assert _verdicts(pipeline, text) == [("confirmed", "ketua_kpu_blora")]


def test_months_spelled_without_their_vowels_are_dates(pipeline: Pipeline) -> None:
    assert _verdicts(pipeline, "tps buka tanggal 27 novembr kan") == [("confirmed", "hari_pemungutan_suara")]
    assert _verdicts(pipeline, "pilkada blora 27 desmber 2024 kan") == [("contradicted", "hari_pemungutan_suara")]


def test_a_shut_polling_station_or_a_slang_passive_moves_voting_day(pipeline: Pipeline) -> None:
    # Once "27 novembr" reads as a date, these must not confirm it ("TPS GK BUKA", "dimundurIN").
    for text in (
        "tp tgl 27 novembr tps gk buka yaa, nyoblos dimundurin",
        "hari rabu 27 november tps gak buka",
        "coblosan rabu 27 november dibatalin",
    ):
        verdicts = pipeline.replies.claims.check(text) if pipeline.replies.claims else []
        assert [v.verdict for v in verdicts] == ["contradicted"] and verdicts[0].moved, text


def test_voting_day_called_off_in_any_wording_never_gets_a_tick(pipeline: Pipeline) -> None:
    # A root form, "ga jadi" said last, Javanese "ora sido", "ojo nyoblos" and "TPS-e tutup": each moves
    # voting day (❌ in the bot's own words), even beside a sentence about another election.
    for text in (
        "pilkada rabu 27 november batal",
        "nyoblos rabu 27/11 ga jadi bro",
        "coblosan rebo 27 november ora sido",
        "nyoblos rabu 27/11 ga jadi bro, liat sendiri t.me/infopilkada. partisipasi blora pemilu 2024 83,5 persen.",
        "ojo nyoblos dino rebo 27 nov, TPS-e tutup, pindah kemis. kpu blora target partisipasi minimal 83 persen",
    ):
        verdicts = pipeline.replies.claims.check(text) if pipeline.replies.claims else []
        moved = [v for v in verdicts if v.moved]
        assert moved and moved[0].fact is not None and moved[0].fact.id == "hari_pemungutan_suara", text
        assert not any(v.verdict == "confirmed" and v.fact == moved[0].fact for v in verdicts), text
    # Not a move: the asker's own plans, a denied cancellation.
    for text in ("aku ga jadi golput, nyoblos rabu 27 november", "pilkada rabu 27 november tidak batal"):
        assert _verdicts(pipeline, text) == [("confirmed", "hari_pemungutan_suara")], text
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, "aku mau nyoblos rabu tapi ga jadi")}


def test_a_date_is_read_with_its_own_sentence_election(pipeline: Pipeline) -> None:
    # "pemilu 2024" in the next sentence does not make the pilkada's wrong date someone else's.
    text = "Pilkada digelar Kamis 28 November 2024. Partisipasi pemilu 2024 83,5 persen."
    assert _verdicts(pipeline, text) == [
        ("contradicted", "hari_pemungutan_suara"),
        ("confirmed", "partisipasi_pemilu_2024_tribun"),
    ]
    # Calls and share requests are no second claim: "Ingat!", "saatnya", "hak pilihMU", "Teruskan!".
    text = "Ingat! 27-11-2024 hari Rabu, saatnya gunakan hak pilihmu di TPS untuk Pilkada Blora. Teruskan ke keluarga!"
    assert _verdicts(pipeline, text) == [("confirmed", "hari_pemungutan_suara")]


def test_a_verdict_that_gives_the_date_asked_for_does_not_say_the_question_is_unanswered(pipeline: Pipeline) -> None:
    # "Hari apa waktu itu?" asks a date, and voting day's fact (Rabu, 27 November 2024) gives it.
    reply = pipeline.replies.for_question("Pilkada Blora 2024 itu jadinya tanggal 27 November kan? Hari apa waktu itu?")
    assert reply.kind == "claim" and "Rabu, 27 November 2024" in reply.text
    assert "sumberku tidak memuat jawabannya" not in reply.text and not reply.says_unknown
    # A figure asked of another year, or results asked besides, are still said to be beyond the sources.
    for text in (
        "min, partisipasi pemilu 2019 blora itu brp persen sih? katanya 2024 naik dibanding 2019",
        "pilkada blora 2024 jadi digelar tanggal 27 november kan? trus hasilnya?",
    ):
        assert pipeline.replies.for_question(text).says_unknown, text


def test_a_count_only_one_fact_gives_is_that_facts_when_said_of_something_else(pipeline: Pipeline) -> None:
    # 26.238 is the number of invalid ballots in Pemilu 2019; no other count is that exact number by chance.
    for text in (
        "suara tidak sah pemilu 2024 di blora 26.238",
        "Tahun 2019 di Blora ada 26.238 pemilih yang golput",
        "Suara tidak sah 26.238 itu data Pemilu 2024 kemarin, bukan pemilu sebelumnya",
    ):
        assert _verdicts(pipeline, text) == [("contradicted", "suara_tidak_sah_pemilu_2019")], text
    reply = pipeline.replies.for_question("suara tidak sah pemilu 2024 di blora 26.238")
    assert reply.text.startswith("❌ “pemilu 2024 … 26.238”") and "Pemilu 2019 di Blora: 26.238" in reply.text
    # Said of its own election it is confirmed; a percent said of another election stays in doubt.
    assert _verdicts(pipeline, "suara tidak sah pemilu 2019 di blora 26.238") == [
        ("confirmed", "suara_tidak_sah_pemilu_2019")
    ]
    assert _verdicts(pipeline, "77,6 persen itu angka partisipasi pemilu 2019 di blora") == [("unverifiable", None)]


def test_each_detail_is_read_where_it_stands(pipeline: Pipeline) -> None:
    # fresh_d's first run drew these. A new clause after "trs"/"padahal": each figure with its own year.
    assert _verdicts(pipeline, "taun 2020 partisipasi blora 83,5 trs 2024 anjlok ke 77,6, parah sih") == [
        ("contradicted", "partisipasi_pemilu_2024_kpu"),
        ("contradicted", "partisipasi_pilkada_2020"),
        ("contradicted", "partisipasi_pemilu_2024_kpu"),
    ]
    # A year on its own line, not the next line's election; a role on its own line, not the next name.
    table = "DATA PARTISIPASI BLORA\n2020: 77,6%\nPemilu 2024: 83,5%\nSebarkan!"
    assert _verdicts(pipeline, table) == [
        ("confirmed", "partisipasi_pilkada_2020"),
        ("confirmed", "partisipasi_pemilu_2024_tribun"),
    ]
    roster = "- Noorman Pramono: Divisi Hukum dan Pengawasan\n- Ahmad Mustakim: Divisi Sosdiklih Parmas dan SDM"
    assert _verdicts(pipeline, roster) == [
        ("confirmed", "anggota_divisi_hukum"),
        ("confirmed", "ketua_divisi_sosdiklih"),
    ]
    # Who accompanies is not who opens; a place something goes TO is not a meeting's venue.
    accompanied = "Noorman Pramono didampingi Sekretaris KPU Kasworo saat membuka raker dengan PPK"
    assert ("confirmed", "sekretaris_kpu_blora") in _verdicts(pipeline, accompanied)
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, accompanied)}
    assert _verdicts(pipeline, "raker PPK dibuka Kasworo") == [("contradicted", "raker_september_pembuka")]
    went = "Raker KPU dengan PPK 6 September. Disdik nggak diundang padahal sosialisasinya ke sekolah"
    assert [f for v, f in _verdicts(pipeline, went) if v == "contradicted"] == [
        "raker_september_peserta_dinas_pendidikan"
    ]
    # The right office, but a speaker of another meeting: nothing about the speaking is confirmed.
    speaker = "Kabag Prokompim Budiman narasumber raker KPU–PPK di Gedung Pertemuan KPU Blora, 6/9/2024"
    assert ("unverifiable", None) in _verdicts(pipeline, speaker)
    # "maju" runs for office unless said with when; "mundur seminggu" moves voting day.
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, "katanya bupati maju lg di pilkada blora 2024")}
    assert [v.moved for v in pipeline.replies.claims.check("coblosan rabu 27 november mundur seminggu")] == [True]


def test_a_question_that_asks_only_for_the_check_or_the_true_value_is_answered_by_the_verdict(
    pipeline: Pipeline,
) -> None:
    for text in (
        'Diteruskan: "Suara tidak sah pemilu 2019 di Blora mencapai 260 ribu". Angka aslinya berapa?',
        'Fwd: "Pilkada Blora diundur ke Desember 2024" ini hoaks bukan?',
        # "yang mana" asks which, not where.
        "Kata tetangga partisipasi pemilu 2024 di Blora turun dari 2019, kata guruku naik. Yang bener mana?",
        # Nor is a known unknown the matcher ranks for the message's other words (the results) added.
        "Ada yang bilang suara tidak sah di Blora tahun 2019 itu 62 ribu. Bener segitu?",
    ):
        reply = pipeline.replies.for_question(text)
        assert reply.kind == "claim" and "❌" in reply.text, text
        assert not reply.says_unknown and "sumberku tidak memuat jawabannya" not in reply.text, text
        assert reply.entry_id is None and "Aku tidak tahu" not in reply.text, text
    # Asked of another topic, or why: the verdict does not answer it, and the reply says so.
    for text in (
        "pilkada 2020 blora golputnya berapa orang? kan partisipasinya 77,6%",
        "suara tidak sah pemilu 2019 itu gara2 apa? kan 26 ribuan",
    ):
        assert "sumberku tidak memuat jawabannya" in pipeline.replies.for_question(text).text, text


def test_the_external_participants_of_the_ppk_meeting(pipeline: Pipeline) -> None:
    """KPU Blora: "Sebagai peserta eksternal dari Kominfo Blora, Dinas Pendidikan Blora dan Bakesbangpol Blora"."""
    listed = _verdicts(pipeline, "Kominfo, Disdik sama Bakesbangpol ikut raker PPK")
    assert listed == [
        ("confirmed", "raker_september_peserta_kominfo"),
        ("confirmed", "raker_september_peserta_dinas_pendidikan"),
        ("confirmed", "raker_september_peserta_bakesbangpol"),
    ]
    # A body the source does not list is never confirmed; a body's head is an office, not the body.
    assert "confirmed" not in {v for v, _ in _verdicts(pipeline, "Bawaslu ikut raker PPK sebagai peserta eksternal")}
    office = _verdicts(pipeline, "Budiman yg jadi narasumber raker KPU itu Kepala Dinas Kominfo Blora")
    assert ("contradicted", "kabag_prokompim") in office and "confirmed" not in {v for v, _ in office}


def test_rules_the_fifth_fresh_claim_set_drew(pipeline: Pipeline) -> None:
    """fresh_e's first run (docs/grounding.md); the sentences here are our own."""
    # A role in brackets is the name's before it, never the next name's in a list.
    listed = "Narasumber raker Juli: Pak Budiman (Kabag Prokompim) & Pak Moh Syaiful Amri"
    assert "contradicted" not in {v for v, _ in _verdicts(pipeline, listed)}
    assert ("confirmed", "raker_juli_narasumber_amri") in _verdicts(pipeline, listed)
    # A bare "pilkada" is this election: a result for it is what the sources cannot know (83 % was the
    # target, and Pemilu 2024's turnout); 2020's figure still counts when it is the value said.
    reply = pipeline.replies.for_question("partisipasi pilkada blora wis tembus 83 persen")
    assert "✅" not in reply.text and "minimal 83 persen" in reply.text
    assert _verdicts(pipeline, "partisipasi pilkada 83 persen") == [("unverifiable", None)]
    assert _verdicts(pipeline, "partisipasi pilkada blora 77,6 persen") == [("confirmed", "partisipasi_pilkada_2020")]
    # A count of something no fact counts ("20 KOTAK suara") is not the invalid ballots' count.
    assert _verdicts(pipeline, "20 kotak suara di gudang KPU Blora rusak") == [("unverifiable", None)]
    assert _verdicts(pipeline, "suara tidak sah pemilu 2019 ada 16.238 lembar") == [
        ("contradicted", "suara_tidak_sah_pemilu_2019")
    ]
    # Another province's body and its figure are not ours to correct.
    assert {v for v, _ in _verdicts(pipeline, "KPU Jateng menargetkan partisipasi pilgub 2024 75 persen")} == {
        "unverifiable"
    }
    # The act is quoted with the name it is wrongly given to.
    verdicts = pipeline.replies.claims.check("Budiman yang membuka raker stakeholder di Garden Resto")
    assert [(v.verdict, v.said) for v in verdicts if v.verdict == "contradicted"] == [
        ("contradicted", "Budiman … membuka")
    ]


def test_news_of_another_region_is_not_ours_to_settle(pipeline: Pipeline) -> None:
    """A statement about another regency is 🤔 (the sources are Blora's); a question about it is no claim."""
    assert {v for v, _ in _verdicts(pipeline, "KPU Rembang juga gelar raker sosialisasi bareng PPK minggu lalu")} == {
        "unverifiable"
    }
    assert _verdicts(pipeline, "partisipasi pilkada rembang berapa?") == []
    # Ranking Blora across the province is Blora's figure ("terendah se-Jateng"), read as a claim as before.
    assert ("contradicted", "partisipasi_pemilu_2024_kpu") in _verdicts(
        pipeline, "partisipasi pemilu 2024 di Blora cuma 60%, paling rendah se-Jateng"
    )


def test_the_sources_own_voice_and_calls_are_no_second_claim(pipeline: Pipeline) -> None:
    """ "KPU Blora" beside a KPU fact is the source speaking; "hak pilihMU", "coblos yang benar" are calls."""
    banner = "[Foto] Banner KPU Blora: Ayo ke TPS Rabu 27 November 2024, gunakan hak pilihmu! Coblos yang benar ya"
    assert {v for v, _ in _verdicts(pipeline, banner)} == {"confirmed"}
    # Words the facts do not say are still a claim of their own.
    padded = "KPU Blora: pilkada digelar Rabu 27 November 2024, dan KPU Blora bagi-bagi sembako ke pemilih"
    assert "unverifiable" in {v for v, _ in _verdicts(pipeline, padded)}


def test_a_few_words_naming_a_topic_are_a_search_not_news(pipeline: Pipeline) -> None:
    """ "alamat kpu blora" (fresh17) got "🤔 Aku tidak bisa memastikan kabar itu ... jangan disebarkan dulu"."""
    reply = pipeline.replies.for_question("alamat kpu blora")
    assert reply.kind == "suggest" and not reply.claims
    assert pipeline.replies.claims is not None and pipeline.replies.claims.is_search("alamat kpu blora")
    # A word that reports news makes it a claim, however short.
    assert not pipeline.replies.claims.is_search("katanya alamat kpu pindah")


def test_rules_the_tenth_fresh_claim_set_drew(pipeline: Pipeline) -> None:
    """fresh_j's first run (docs/grounding.md); the sentences here are our own."""
    # "paling gak" is "at least": no denial of the figure.
    at_least = _verdicts(pipeline, "target kpu partisipasi pilkada blora paling gak 83 persen")
    assert ("confirmed", "target_partisipasi_pilkada_2024") in at_least and "contradicted" not in dict(at_least)
    # An arrow labels the figure after it, as a colon does.
    arrows = _verdicts(pipeline, "Partisipasi Blora: 2020 ➡️ 77,6% | Pemilu 2024 ➡️ 83,5%")
    assert [v for v, _ in arrows] == ["confirmed", "confirmed"]
    # The figure something rose FROM is not the election's named after the figure it rose to.
    rose = _verdicts(pipeline, "Partisipasi Blora naik dari 77,6 persen menjadi 90 persen pada Pemilu 2024")
    assert ("confirmed", "partisipasi_pilkada_2020") in rose
    assert [f for v, f in rose if v == "contradicted"] == ["partisipasi_pemilu_2024_kpu"]
    # Who holds office NOW is beyond the sources, also beside a deed they confirm.
    now = _verdicts(pipeline, "ketua kpu blora skrg ahmad solikin kan? kmrn dia yg buka raker juli")
    assert ("unverifiable", None) in now
