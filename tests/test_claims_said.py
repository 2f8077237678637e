"""Who said or did what (`statement: true` facts in sources.yaml, `_said` in bot/nlu/claims.py).

A statement is confirmed only when the message names the one who said it (or the body they spoke
for) and no one else, and the quote covers every word of it, negations included. A hoax must never
get the ✅: a statement negated or turned around, or given to the wrong person, is never confirmed.
The example sentences are our own, not the claim sets'.
"""

from __future__ import annotations

import pytest

from bot.nlu.claims import ClaimVerdict, overall
from bot.pipeline import Pipeline

SOURCES = "knowledge/sources.yaml"


def _check(pipeline: Pipeline, text: str) -> list[ClaimVerdict]:
    assert pipeline.replies.claims is not None
    return pipeline.replies.claims.check(text)


def _confirmed(verdicts: list[ClaimVerdict]) -> set[str]:
    return {v.fact.id for v in verdicts if v.verdict == "confirmed" and v.fact is not None} | {
        f.id for v in verdicts if v.verdict == "confirmed" for f in v.others
    }


# ------------------------------------------------------------------ the right statements are confirmed


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("KPU Blora berpesan: jangan golput", "kpu_jangan_golput"),
        ("kata KPU Blora, suara pemilih pemula sama nilainya dengan suara guru", "kpu_suara_sama_nilainya"),
        ("KPU: menyalurkan hak pilih bukan cuma tugas guru dan pejabat", "kpu_bukan_sekedar_tugas"),
        ("KPU Blora bilang demokrasi butuh partisipasi warga negara", "kpu_demokrasi_partisipasi"),
        ("Sekretaris KPU Kasworo mendampingi pembukaan raker bersama PPK", "raker_september_pendamping"),
        ("Ahmad Mustakim memaparkan materi sosialisasi Pilkada Blora 2024", "raker_september_pemapar"),
        ("Budiman bilang tantangan kehumasan itu hoaks dan disinformasi", "budiman_tantangan_kehumasan"),
        ("Kabag Prokompim: tantangan kehumasan antara lain keterbatasan sumber daya", "budiman_tantangan_kehumasan"),
        ("Budiman: kolaborasi dengan KPU dan TNI Polri dibutuhkan", "budiman_kolaborasi"),
        (
            "Moh Syaiful Amri menjelaskan suara tidak sah Pemilu 2019 sebanyak 26.238",
            "amri_suara_tidak_sah_disampaikan",
        ),
        # The election the knowledge base is about is no value the quote must give.
        ("KPU Blora mengajak warga jangan golput di Pilkada 2024", "kpu_jangan_golput"),
        # Glue between the role and the name, "ikut" before the deed, the meeting's date.
        (
            "sekretaris KPU Blora namanya Pak Kasworo, ikut mendampingi pembukaan raker PPK 6/9",
            "raker_september_pendamping",
        ),
    ],
)
def test_a_statement_of_the_sources_is_confirmed(pipeline: Pipeline, text: str, fact: str) -> None:
    verdicts = _check(pipeline, text)
    assert fact in _confirmed(verdicts), verdicts
    assert overall(verdicts) == "confirmed", verdicts


def test_the_reply_cites_the_quote_of_what_was_said(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("KPU Blora bilang jangan golput")
    assert reply.kind == "claim" and "✅" in reply.text
    assert "golongan putih (golput)" in reply.text and "KPU Kabupaten Blora" in reply.text
    # In the bot's words who said it; the speaker's name is no claim to put in quotes.
    assert reply.text.startswith("✅ Sesuai sumber resmi: itu memang disampaikan Ahmad Mustakim.")
    assert "(kata Ahmad Mustakim)." in reply.text and "“KPU Blora”" not in reply.text


# ------------------------------------------------------------------ never a ✅ on a hoax


@pytest.mark.parametrize(
    "text",
    [
        # negated or turned around
        "Budiman bilang hoaks BUKAN tantangan kehumasan",
        "Budiman bilang hoaks bukan tantangan",
        "KPU Blora bilang golput boleh",
        "KPU Blora bilang golput aja",
        "KPU Blora bilang golput itu hak, boleh saja",
        "KPU Blora bilang jangan golput, golput boleh kok",
        "Menurut KPU, suara pemilih pemula TIDAK sama nilainya dengan suara orang tua",
        "Menurut KPU, suara pemilih pemula nilainya lebih kecil dari suara orang tua",
        "KPU bilang menyalurkan hak pilih itu tugas orang tua saja",
        "Mustakim TIDAK memimpin rapat PPK",
        "Mustakim tidak pernah bilang jangan golput",
        "Kasworo tidak mendampingi pembukaan raker PPK",
        # attributed to the wrong person, or to the wrong meeting
        "Budiman bilang jangan golput",
        "Ahmad Solikin bilang suara pemilih pemula sama nilainya dengan suara orang tua",
        "KPU bilang tantangan kehumasan itu hoaks dan disinformasi",
        "Noorman mendampingi pembukaan raker dengan PPK",
        "Mustakim bilang di raker Juli jangan golput",
        "Mustakim bilang partisipasi Pilkada 2020 77,6 persen",
        "Budiman dan Mustakim bilang jangan golput",
        # a word the quote does not say
        "Budiman bilang tantangan kehumasan itu hoaks dan disinformasi di Pilkada 2029",
        "KPU bilang jangan golput karena yang golput didenda",
        # in other words, or naming no one, and turned around (session 8's same-meaning rules)
        "sosialisasi pilkada BELUM dilaksanakan melalui sekolah SMA/SMK/MA di Blora",
        "sosialisasi pilkada cuma lewat sekolah SMA/SMK/MA, warga lain tidak",
        "pemkab blora bilang hoaks bukan tantangan kehumasan",
        "Mustakim ngarep pilkada berjalan ricuh",
        "salah, tantangan kehumasan itu bukan hoaks",
        "sosialisasi pilkada sudah mulai lewat sekolah SMA/SMK/MA dan pesantren di Blora",
    ],
)
def test_a_hoax_about_what_was_said_is_never_confirmed(pipeline: Pipeline, text: str) -> None:
    verdicts = _check(pipeline, text)
    said = {f.id for f in pipeline.kb.facts.values() if f.statement}
    assert not _confirmed(verdicts) & said, verdicts
    assert overall(verdicts) != "confirmed", verdicts
    for forwarded in (False, True):
        reply = pipeline.replies.for_question(text, forwarded=forwarded)
        assert overall(list(reply.claims)) != "confirmed" or reply.says_unknown, reply.text


def test_a_denied_act_is_false(pipeline: Pipeline) -> None:
    """ "Mustakim TIDAK memimpin rapat PPK": the source says he led it."""
    verdicts = _check(pipeline, "Mustakim TIDAK memimpin rapat PPK")
    assert [(v.verdict, v.fact.id if v.fact else None) for v in verdicts] == [
        ("contradicted", "raker_september_pemimpin")
    ]
    # Denying an act no source gives someone claims nothing false.
    assert overall(_check(pipeline, "Ahmad Solikin tidak membuka raker bersama PPK")) != "contradicted"


def test_the_wrong_speaker_is_told_who_said_it(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "Budiman bilang jangan golput")
    assert [v.verdict for v in verdicts] == ["unverifiable"]
    assert [f.id for f in verdicts[0].context] == ["kpu_jangan_golput"]


def test_another_statement_next_to_a_confirmed_one_is_not_covered_by_it(pipeline: Pipeline) -> None:
    """What someone said covers the statement that says they said it, not the message around it."""
    verdicts = _check(pipeline, "KPU Blora bilang jangan golput. Golput boleh kok.")
    assert "kpu_jangan_golput" in _confirmed(verdicts)
    assert any(v.verdict == "unverifiable" for v in verdicts), verdicts


def test_a_word_alone_is_no_claim_about_who_said_it(pipeline: Pipeline) -> None:
    """ "hoaks" is a topic word of Budiman's statement; naming no one, it claims nothing about him."""
    assert _check(pipeline, "Ini hoaks!") == []
    assert _check(pipeline, "Budiman bilang apa soal hoaks?") == []


# ------------------------------------------------------------------ said in other words, or by no one named


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        # a chat word the lexicon reads ("ngarep" is "harapan"), a word of the same meaning ("lewat" / "melalui")
        ("Mustakim ngarep pilkada berjalan aman lancar adil jujur", "mustakim_aman_lancar"),
        (
            "Budiman bilang informasi pilkada disebar lewat media sosial, cetak dan elektronik",
            "budiman_strategi_kehumasan",
        ),
        # "salah satu" is "one of", not "salah" (wrong); "pemkab" is the body Budiman spoke for
        ("pemkab blora bilang salah satu tantangan kehumasan itu hoaks", "budiman_tantangan_kehumasan"),
        # the role the source gives him ("Kabag Prokompim Setda ..."), a possessive ending ("sosialisasiNYA")
        ("Kabag Prokompim Setda Blora bilang tantangan kehumasan itu hoaks", "budiman_tantangan_kehumasan"),
        ("kata KPU sosialisasinya bukan sekedar sosialisasi tapi juga pendidikan pemilih", "kpu_pendidikan_pemilih"),
        # trend words of one direction say the same ("makin naik" / "lebih meningkat")
        (
            "Mustakim berharap dapat masukan stakeholder supaya partisipasi pemilih makin naik",
            "mustakim_masukan_stakeholder",
        ),
        # a chat word the lexicon reads as a phrase ("medsos"), Jakarta "-in" for "-kan", a count's unit
        (
            "kata Budiman strategi kehumasan: informasi pilkada lewat medsos, cetak dan elektronik",
            "budiman_strategi_kehumasan",
        ),
        ("KPU Blora: sosialisasi serupa dijadwalin September termasuk ke badan adhoc", "kpu_sosialisasi_badan_adhoc"),
        (
            "kata Moh Syaiful Amri suara tidak sah Pemilu 2019 sebanyak 26.238 lembar",
            "amri_suara_tidak_sah_disampaikan",
        ),
        # no one named: a statement of what the source reports, in full
        ("kpu blora sudah mulai laksanakan sosialisasi lewat sekolah SMA, SMK dan MA", "kpu_sosialisasi_sekolah"),
        ("sosialisasi pilkada sudah mulai dilaksanakan melalui sekolah SMA/SMK/MA di Blora", "kpu_sosialisasi_sekolah"),
    ],
)
def test_a_statement_in_other_words_is_confirmed(pipeline: Pipeline, text: str, fact: str) -> None:
    verdicts = _check(pipeline, text)
    assert fact in _confirmed(verdicts), verdicts
    assert overall(verdicts) == "confirmed", verdicts


def test_a_few_words_naming_a_topic_are_a_search_not_a_report(pipeline: Pipeline) -> None:
    """ "kpu blora sosialisasi ke sekolah" asks (it gets the answer); a full sentence reports."""
    assert _check(pipeline, "kpu blora sosialisasi ke sekolah") == []
    reply = pipeline.replies.for_question(
        "sosialisasi pilkada sudah mulai dilaksanakan melalui sekolah SMA/SMK/MA di Blora"
    )
    assert reply.kind == "claim" and reply.text.startswith(
        "✅ Sesuai sumber resmi: itu memang disampaikan Ahmad Mustakim."
    )
    assert "sekolah SMA/SMK/MA di Blora" in reply.text


def test_a_statement_that_denies_what_the_quote_says_is_false(pipeline: Pipeline) -> None:
    """ "Budiman bilang kerja sama dengan TNI Polri TIDAK DIPERLUKAN": he said it is needed. The ❌ quotes the
    denial only, and cites what he did say."""
    verdicts = _check(pipeline, "kata Budiman kerja sama dengan TNI Polri tidak diperlukan")
    assert [(v.verdict, v.said) for v in verdicts if v.verdict == "contradicted"] == [
        ("contradicted", "tidak diperlukan")
    ]
    cited = {f.id for v in verdicts for f in (v.fact, *v.others) if f is not None}
    assert "budiman_kolaborasi" in cited
    assert overall(_check(pipeline, "kata Mustakim sosialisasinya gak semua segmen")) == "contradicted"


@pytest.mark.parametrize(
    "text",
    [
        "KPU bilang ojo golput",
        "KPU Blora bilang jangan sia-siakan hak pilih",
        "Mustakim: kalau tidak bisa sama, paling tidak tidak terlalu jauh",
        "kata KPU sosialisasinya bukan cuma ngajak nyoblos, tapi juga pendidikan pemilih",
        "Mustakim tidak pernah bilang hoaks itu tantangan",
    ],
)
def test_a_negation_the_quote_makes_too_is_no_denial(pipeline: Pipeline, text: str) -> None:
    assert overall(_check(pipeline, text)) != "contradicted"


# ------------------------------------------------------------------ check: the speaker of a quote


def test_a_statement_quote_without_a_name_belongs_to_the_person_named_before_it(kb_copy) -> None:
    """ "“Kami akan gencarkan …,” terangnya": the source names Ahmad Mustakim last before the quote.
    Given to Budiman (whom the KPU article never names), `check` refuses it."""
    kb_copy.replace(
        SOURCES,
        "      - id: kpu_sosialisasi_sekolah\n"
        '        what: "Sosialisasi KPU Blora untuk semua segmen, dimulai lewat sekolah SMA/SMK/MA di Blora"\n'
        "        person: Ahmad Mustakim\n"
        "        aliases: [mustakim]\n",
        "      - id: kpu_sosialisasi_sekolah\n"
        '        what: "Sosialisasi KPU Blora untuk semua segmen, dimulai lewat sekolah SMA/SMK/MA di Blora"\n'
        "        person: Budiman\n",
    )
    problems = "\n".join(kb_copy.problems())
    assert "fact 'kpu_sosialisasi_sekolah': its quote does not name 'Budiman'" in problems, problems


def test_a_statement_needs_an_act_and_a_topic(kb_copy) -> None:
    kb_copy.replace(SOURCES, "        topic: [demokrasi]\n", "")
    problems = "\n".join(kb_copy.problems())
    assert "a 'statement' needs a 'topic'" in problems, problems


def test_a_quote_that_quotes_someone_nests_its_marks(pipeline: Pipeline) -> None:
    """The quote ends '…(golput),” tandas Mustakim': shown as “‘…(golput),’ tandas Mustakim”, balanced."""
    reply = pipeline.replies.for_question("KPU Blora bilang jangan golput")
    line = next(x for x in reply.text.splitlines() if x.startswith("Kata sumbernya:"))
    assert line.startswith("Kata sumbernya: “‘Karena itu") and "(golput),’ tandas Mustakim” (" in line
    assert line.count("“") == line.count("”") == 1 and line.count("‘") == line.count("’") == 1


# ------------------------------------------------------------------ session 9: words swapped, glue, own election


@pytest.mark.parametrize(
    ("text", "swapped"),
    [
        # The quote says the votes are worth the SAME; a half, or smaller, is the opposite.
        ("KPU bilang suara pemilih pemula nilainya separuh suara guru", "separuh"),
        ("menurut KPU Blora nilai suara pemilih pemula lebih kecil dari suara pejabat", "kecil"),
        # The quote says outreach began through SMA/SMK/MA; a campus or a primary school is another place.
        ("KPU Blora sosialisasi sekolah mulai dari SD dulu", "SD"),
        ("sosialisasi KPU Blora ke universitas dulu, belum ke SMA", "universitas dulu, belum ke SMA"),
    ],
)
def test_a_word_swapped_for_another_of_its_group_is_false(pipeline: Pipeline, text: str, swapped: str) -> None:
    verdicts = _check(pipeline, text)
    assert overall(verdicts) == "contradicted"
    assert [v.said for v in verdicts if v.verdict == "contradicted"] == [swapped]
    assert not _confirmed(verdicts) & {"kpu_suara_sama_nilainya", "kpu_sosialisasi_sekolah"}


@pytest.mark.parametrize(
    "text",
    [
        "kata KPU suara pemilih pemula nilainya sama dengan suara orang tua",  # the quote's own word
        "KPU Blora: sosialisasi sudah mulai lewat SMA, SMK dan MA",
        "KPU Blora wis mulai sosialisasi neng SMA SMK MA",  # "wis" is "sudah" (same_meaning), not a swap
    ],
)
def test_the_quotes_own_words_are_no_swap(pipeline: Pipeline, text: str) -> None:
    verdicts = _check(pipeline, text)
    assert "contradicted" not in [v.verdict for v in verdicts]


def test_a_word_added_to_the_quotes_list_is_not_confirmed(pipeline: Pipeline) -> None:
    """ "SMA, SMK, MA dan SD": SD is two letters, and still a word the quote does not say."""
    verdicts = _check(pipeline, "KPU Blora bilang sosialisasi sudah mulai lewat SMA, SMK, MA dan SD")
    assert "kpu_sosialisasi_sekolah" not in _confirmed(verdicts)


def test_another_election_is_still_a_value_the_quote_must_give(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "KPU Blora mengajak warga jangan golput di Pilkada 2020")
    assert "kpu_jangan_golput" not in _confirmed(verdicts)


@pytest.mark.parametrize(
    "text",
    [
        # A search for a figure of the Pilkada, not a report of the count Amri gave for Pemilu 2019.
        "suara tdk sah pilkada 2024 blora",
        "jumlah suara tidak sah Pilkada 2024 di Blora",
    ],
)
def test_the_home_election_named_against_a_statement_about_another_is_not_confirmed(
    pipeline: Pipeline, text: str
) -> None:
    """The election the sources are about passes unsaid, except where what was said is about another one."""
    assert "amri_suara_tidak_sah_disampaikan" not in _confirmed(_check(pipeline, text))
    reply = pipeline.replies.for_question(text)
    assert not reply.text.startswith("✅"), reply.text


def test_ikut_before_a_deed_is_not_attending(pipeline: Pipeline) -> None:
    """ "Kasworo IKUT mendampingi": not the participants' "ikut" (attend), which no fact says of him."""
    verdicts = _check(pipeline, "Kasworo ikut mendampingi pembukaan raker KPU dengan PPK")
    assert overall(verdicts) == "confirmed"
    assert _check(pipeline, "Kominfo Blora ikut raker PPK")[0].verdict == "confirmed"


def test_a_statement_of_who_is_what_gets_its_tick(pipeline: Pipeline) -> None:
    """ "Mustakim tu divisi sosdiklih": a statement, answered with the ✅ and the quote, not the member list."""
    reply = pipeline.replies.for_question("Ahmad Mustakim tu divisi sosdiklih parmas dan SDM")
    assert reply.kind == "claim" and "✅" in reply.text
    # A question about the same gets the answer.
    assert pipeline.replies.for_question("Ahmad Mustakim divisi apa?").kind in ("answer", "suggest")


@pytest.mark.parametrize(
    "text",
    [
        "yang menjelaskan suara tidak sah Pemilu 2019 sebanyak 26.238 itu Pak Budiman",
        "Ahmad Mustakim yg nyampein 26.238 surat suara tidak sah di Pemilu 2019",
        "26.238 suara tidak sah pemilu 2019, sing ngomong pak Budiman",
    ],
)
def test_the_one_who_said_a_figure_given_to_someone_else_is_false(pipeline: Pipeline, text: str) -> None:
    """ "YANG menjelaskan … itu Budiman": the figure is right, the one who said it is Moh Syaiful Amri."""
    verdicts = _check(pipeline, text)
    wrong = [v for v in verdicts if v.verdict == "contradicted"]
    assert [v.fact.id for v in wrong if v.fact] == ["amri_suara_tidak_sah_disampaikan"]
    assert "suara_tidak_sah_pemilu_2019" in _confirmed(verdicts)


@pytest.mark.parametrize(
    "text",
    [
        "Budiman bilang suara tidak sah Pemilu 2019 ada 26.238",  # he may have said it too: not "the one who"
        "Moh Syaiful Amri yang menjelaskan suara tidak sah Pemilu 2019 sebanyak 26.238",  # the right one
    ],
)
def test_a_figure_someone_else_also_said_is_not_false(pipeline: Pipeline, text: str) -> None:
    assert "contradicted" not in [v.verdict for v in _check(pipeline, text)]


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        # A word of the same meaning (lexicon same_meaning) denied: Budiman named hoaxes among the challenges.
        ("Budiman bilang hoaks itu bukan masalah", "bukan masalah"),
        # A word or two of becoming between the negation and the word.
        ("kata Budiman hoaks nggak akan jadi kendala buat pilkada", "nggak akan jadi kendala"),
        # A plain topic denied is still its topic: "BUKAN tantangan" is about the challenges.
        ("Budiman: hoaks bukan tantangan kehumasan", "bukan tantangan"),
    ],
)
def test_a_denial_in_other_words_is_false(pipeline: Pipeline, text: str, denied: str) -> None:
    verdicts = _check(pipeline, text)
    assert [(v.verdict, v.said, v.fact.id if v.fact else None) for v in verdicts if v.verdict != "unverifiable"] == [
        ("contradicted", denied, "budiman_tantangan_kehumasan")
    ]


def test_the_same_point_in_other_words_is_confirmed(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "Budiman bilang hoaks dan disinformasi jadi masalah kehumasan pilkada")
    assert overall(verdicts) == "confirmed" and "budiman_tantangan_kehumasan" in _confirmed(verdicts)


def test_a_role_between_commas_and_a_quoted_deed_are_confirmed(pipeline: Pipeline) -> None:
    """ "Budiman, Kabag Prokompim Setda Blora, memaparkan ... di hadapan peserta": his deed is the one
    he is quoted doing, not the audience's ("peserta" is everyone at a meeting, not one meeting's word)."""
    text = "Budiman, Kabag Prokompim Setda Blora, memaparkan strategi kehumasan di hadapan peserta raker KPU"
    verdicts = _check(pipeline, text)
    assert overall(verdicts) == "confirmed"
    assert {"kabag_prokompim", "budiman_strategi_kehumasan"} <= _confirmed(verdicts)


def test_a_role_in_brackets_with_its_office_belongs_to_the_name_before(pipeline: Pipeline) -> None:
    text = "Narasumber raker KPU: Pak Budiman (Kabag Prokompim Setda Blora) dan Moh Syaiful Amri"
    verdicts = _check(pipeline, text)
    assert "contradicted" not in [v.verdict for v in verdicts]
    assert "kabag_prokompim" in _confirmed(verdicts)


def test_a_police_headquarters_is_a_venue(pipeline: Pipeline) -> None:
    """The July meeting was at Garden Resto; "di Mapolres Blora" is another place, never ✅ beside the date."""
    verdicts = _check(
        pipeline, "Sabtu 27 Juli 2024 KPU Blora raker bareng stakeholder di Mapolres Blora, bahas sosialisasi"
    )
    assert overall(verdicts) == "contradicted"
    assert any(v.verdict == "contradicted" and "Mapolres" in v.said for v in verdicts)


def test_what_the_july_meeting_discussed_is_in_its_quote(pipeline: Pipeline) -> None:
    verdicts = _check(
        pipeline, "Raker KPU Blora 27 Juli 2024 dengan stakeholder membahas materi, bentuk dan strategi sosialisasi"
    )
    assert overall(verdicts) == "confirmed"


def test_the_deed_said_before_the_name_is_still_its_deed(pipeline: Pipeline) -> None:
    """ "yg mimpin rapat ... itu Ahmad Solikin, dia jg yg maparin": he led nothing; Mustakim did."""
    verdicts = _check(
        pipeline, "yang memimpin raker KPU dengan PPK 6 September itu Ahmad Solikin, dia juga yang memaparkan materi"
    )
    assert any(
        v.verdict == "contradicted" and v.fact is not None and v.fact.id == "raker_september_pemimpin" for v in verdicts
    )


def test_a_chain_messages_own_exhortation_is_no_claim(pipeline: Pipeline) -> None:
    """ "..., jadi jangan minder": the message's own encouragement is not a claim to doubt."""
    verdicts = _check(pipeline, "kata KPU suara pemilih pemula sama nilainya dengan suara guru. jadi jangan minder ya")
    assert overall(verdicts) == "confirmed"


def test_young_voters_in_other_words_and_a_doubled_word(pipeline: Pipeline) -> None:
    """ "suara kita yg MUDA2": the quote's first-time voters (lexicon same_meaning: pemula / muda)."""
    verdicts = _check(pipeline, "KPU Blora bilang suara pemilih muda2 nilainya sama dengan suara orang tua")
    assert "kpu_suara_sama_nilainya" in _confirmed(verdicts)


@pytest.mark.parametrize(
    ("text", "turned"),
    [
        # What the speaker forbade ("jangan golput"), said to be fine in their name (lexicon `approving`).
        ("Kata KPU Blora golput itu boleh kok", "golput itu boleh"),
        ("Ahmad Mustakim: golput ga papa, itu hak kita", "golput ga papa"),
        # A limit the quote denies ("bukan sekedar tugas orang tua"), said plainly.
        ("kata KPU, nyoblos itu hanya tugas orang tua dan pejabat", "hanya tugas orang tua dan pejabat"),
    ],
)
def test_a_speakers_words_turned_around_are_false(pipeline: Pipeline, text: str, turned: str) -> None:
    verdicts = _check(pipeline, text)
    assert [(v.verdict, v.said) for v in verdicts if v.verdict == "contradicted"] == [("contradicted", turned)]


@pytest.mark.parametrize(
    "text",
    [
        "KPU Blora bilang jangan golput, golput itu bukan pilihan",  # the forbidden word, forbidden again
        "Mustakim bilang golput itu merugikan",  # no approving word: nothing turned
        "Budiman bilang golput itu boleh",  # someone else: the sources never say what he thinks of it
        "kata KPU nyoblos bukan cuma tugas orang tua doang",  # the limit denied, as the quote does
    ],
)
def test_words_not_turned_around_are_not_false(pipeline: Pipeline, text: str) -> None:
    assert "contradicted" not in [v.verdict for v in _check(pipeline, text)]


def test_a_role_after_yang_is_the_names(pipeline: Pipeline) -> None:
    """ "Mustakim itu YG pegang divisi hukum": Noorman Pramono holds that division."""
    verdicts = _check(pipeline, "Mustakim itu yg pegang divisi hukum dan pengawasan")
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["anggota_divisi_hukum"]


def test_each_deed_said_of_a_name_is_judged(pipeline: Pipeline) -> None:
    """ "yang membuka ... itu Ahmad Mustakim, dia juga yang memimpin": he led it, he did not open it."""
    verdicts = _check(pipeline, "yang membuka raker KPU dengan PPK itu Ahmad Mustakim, dia juga yang memimpin rapat")
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["raker_september_pembuka"]


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        # A time of day is no figure: "pukul 07.00 WIB" is not the 83 % target, it is something no source says.
        ("Coblosan Rabu 27 November 2024, TPS dibuka pukul 07.00 WIB", "hari_pemungutan_suara"),
        # "TPS dipindah KE BALAI DESA": a place moved, not voting day.
        ("TPS di Blora dipindah ke balai desa pas Pilkada 27 November", "hari_pemungutan_suara"),
    ],
)
def test_a_time_of_day_or_a_moved_place_is_no_wrong_date(pipeline: Pipeline, text: str, fact: str) -> None:
    verdicts = _check(pipeline, text)
    assert "contradicted" not in [v.verdict for v in verdicts]
    assert fact in _confirmed(verdicts) and "unverifiable" in [v.verdict for v in verdicts]


def test_a_national_target_is_another_scope(pipeline: Pipeline) -> None:
    """KPU RI's national target is not Blora's 83 %: the sources do not say it (🤔, never ❌)."""
    verdicts = _check(pipeline, "KPU RI menargetkan partisipasi nasional pilkada 2024 sebesar 80 persen")
    assert overall(verdicts) == "unverifiable"


def test_a_role_held_at_a_time_is_still_the_names(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "Ketua KPU Blora waktu Pilkada 2024 itu Ahmad Solikin")
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["ketua_kpu_blora"]


def test_english_thousands_are_a_count(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "there were 26,238 invalid ballots in Blora in the 2019 general election")
    assert "suara_tidak_sah_pemilu_2019" in _confirmed(verdicts)


@pytest.mark.parametrize(
    "text",
    [
        "golput itu boleh gak sih menurut KPU?",  # asks what KPU said
        "kata kpu golput gpp?",
        "Menurut KPU, siapa saja yang punya tugas menyalurkan hak pilih?",  # "siapa saja": whoever
        "Pak RT bilang nyoblos itu urusan orang tua saja. Menurut KPU gimana?",  # someone else's limit
    ],
)
def test_a_question_about_what_was_said_is_not_turned_around(pipeline: Pipeline, text: str) -> None:
    assert "contradicted" not in [v.verdict for v in _check(pipeline, text)]


@pytest.mark.parametrize(
    "text",
    [
        "Kampanye akbar Pilkada Blora digelar hari Minggu di alun-alun",  # the campaign's day, not voting day's
        "debat pilkada blora tgl 20 november 2024",
        "Sosialisasi Pilkada di Car Free Day alun-alun, Minggu pagi",  # "Car Free DAY" is no voting day
    ],
)
def test_a_date_said_with_another_activity_is_that_activitys(pipeline: Pipeline, text: str) -> None:
    verdicts = _check(pipeline, text)
    assert verdicts and overall(verdicts) == "unverifiable"


def test_voting_day_on_the_wrong_weekday_is_still_false(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "Pilkada Blora digelar hari Minggu 1 Desember 2024")
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["hari_pemungutan_suara"]


def test_a_date_belongs_to_the_meeting_of_its_own_clause(pipeline: Pipeline) -> None:
    """A later clause's election ("in the 2019 election") is not the date's: the meeting before it is."""
    verdicts = _check(
        pipeline,
        "At the 27 July meeting at Garden Resto, a speaker said there were 26.238 invalid ballots in the 2019 election",
    )
    assert "contradicted" not in [v.verdict for v in verdicts]
    assert {"raker_juli_tanggal", "suara_tidak_sah_pemilu_2019"} <= _confirmed(verdicts)


def test_each_opening_is_read_with_the_meeting_its_clause_names(pipeline: Pipeline) -> None:
    """Two meetings, each opened by someone: the July one by Solikin (✅), the September one not by Mustakim."""
    verdicts = _check(
        pipeline, "Raker tgl 27 Juli dibuka Ahmad Solikin, sedangkan raker PPK tgl 6 September dibuka Ahmad Mustakim"
    )
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["raker_september_pembuka"]
    assert {"raker_juli_pembuka", "raker_juli_tanggal", "raker_september_tanggal"} <= _confirmed(verdicts)


def test_a_lists_numbering_is_no_count(pipeline: Pipeline) -> None:
    verdicts = _check(pipeline, "1) Coblosan Rabu 27/11/2024\n2) Suara tidak sah Pemilu 2019 ada 2.000")
    assert [v.said for v in verdicts if v.verdict == "contradicted"] == ["2.000"]


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # A label and its colon name the figure after them.
        (
            "Partisipasi Blora naik! 2020: 77,6% ➡️ Pemilu 2024: 83,5%",
            {"partisipasi_pilkada_2020", "partisipasi_pemilu_2024_tribun"},
        ),
        # Two dates in brackets each name their own meeting.
        (
            "Raker stakeholder digelar sebelum raker dengan PPK (27 Juli vs 6 September 2024)",
            {"raker_juli_tanggal", "raker_september_tanggal"},
        ),
    ],
)
def test_each_value_goes_with_what_names_it(pipeline: Pipeline, text: str, facts: set[str]) -> None:
    verdicts = _check(pipeline, text)
    assert "contradicted" not in [v.verdict for v in verdicts]
    assert facts <= _confirmed(verdicts)


def test_an_election_a_figure_is_likened_to_is_not_its_own(pipeline: Pipeline) -> None:
    """ "partisipasi pilkada ... 83% karena sama dgn pemilu": said of the Pilkada, never ✅ with Pemilu 2024's 83 %."""
    verdicts = _check(pipeline, "partisipasi pilkada blora nanti pasti 83% karena sama dgn pemilu")
    assert "partisipasi_pemilu_2024_kpu" not in _confirmed(verdicts)


def test_a_quote_working_against_a_word_is_not_denied_by_its_negation(pipeline: Pipeline) -> None:
    """Mustakim's quote "mengikis apatis pemilih": "pemilih pemula jangan apatis" in his name is no denial."""
    verdicts = _check(pipeline, "Mustakim bilang pemilih pemula jangan apatis")
    assert "contradicted" not in [v.verdict for v in verdicts]


def test_who_heads_a_body_is_not_who_led_the_meeting(pipeline: Pipeline) -> None:
    """ "Sing mimpin Kominfo Blora jenenge Pak Slamet": Kominfo is what is led, not who led the meeting."""
    verdicts = _check(pipeline, "Sing mimpin Kominfo Blora jenenge Pak Slamet, wingi melu rapat KPU")
    assert "contradicted" not in [v.verdict for v in verdicts]


def test_a_month_after_a_meetings_name_says_which_meeting(pipeline: Pipeline) -> None:
    """ "narasumber raker Juli 2024" asks about the July meeting; "raker digelar Juli 2024" says when it was."""
    assert pipeline.replies.for_question("narasumber raker Juli 2024").kind == "answer"
    assert _check(pipeline, "narasumber raker Juli 2024") == []
    verdicts = _check(pipeline, "raker PPK dijadwalkan Juli 2024")
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["raker_september_tanggal"]


def test_the_agent_of_a_passive_did_it(pipeline: Pipeline) -> None:
    """ "dibuka Noorman Pramono, dan dipimpin OLEH Budiman": Budiman is said to have led it (Mustakim did)."""
    verdicts = _check(pipeline, "Raker PPK dibuka Noorman Pramono, dan dipimpin oleh Budiman")
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == ["raker_september_pemimpin"]
    assert "raker_september_pembuka" in _confirmed(verdicts)


def test_in_front_of_someone_is_no_next_election(pipeline: Pipeline) -> None:
    """ "di DEPAN jajaran PPK" is a place; "pilkada depan" (the next one) is what the sources cannot say."""
    verdicts = _check(pipeline, "Mustakim memaparkan target partisipasi 90 persen di depan jajaran PPK")
    assert "target_partisipasi_pilkada_2024" in [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact]
    assert pipeline.replies.for_question("pilkada depan kapan").kind == "unknown"


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # Each detail goes with the meeting date nearest to it: the venue beside 6/9 is the PPK meeting's.
        (
            "Raker KPU Blora dua kali: Sabtu 27/7 di Garden Resto dan Jumat 6/9 di Pendopo Bupati",
            "raker_september_tempat",
        ),
        (
            "Raker 27 Juli di Garden Resto dibuka Ahmad Solikin; raker 6 September dibuka Ahmad Mustakim",
            "raker_september_pembuka",
        ),
        # Overlapping role names, the longest first: "Ketua DIVISI TEKNIS" is the technical division's role.
        ("Ketua Divisi Teknis KPU Blora, Ahmad Mustakim, memimpin raker", "komisioner_divisi_teknis"),
        # A list's numbering inside a line is no count: only the wrong role is false.
        (
            "Rangkuman: 1) coblosan Rabu 27/11/2024 2) Ahmad Solikin itu komisioner Divisi Sosdiklih",
            "komisioner_divisi_sosdiklih",
        ),
        # Both sides of a comparison said before its trend word; a later clause's election is that clause's.
        (
            "Pilkada 2020 di Blora 77,6%, Pemilu 2024 naik jadi 83,5%, dan suara tidak sah Pemilu 2019 ada 2.000",
            "suara_tidak_sah_pemilu_2019",
        ),
    ],
)
def test_only_the_wrong_detail_is_false(pipeline: Pipeline, text: str, wrong: str) -> None:
    verdicts = _check(pipeline, text)
    assert [v.fact.id for v in verdicts if v.verdict == "contradicted" and v.fact] == [wrong]
