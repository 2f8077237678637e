"""A verdict quotes only the value it checked; a share carries the bot's words only (issue #22).

A chain message wrapped between two true statements once got "✅ “<the whole hoax>” sesuai
sumber resmi", one tap from every WhatsApp group. These attacks are built the same way:
true statements from the sources around words the sources never say.
"""

from __future__ import annotations

import unicodedata

import pytest

from bot.nlu.claims import MAX_SAID, quote
from bot.outreach.kit import Outreach
from bot.pipeline import Pipeline

TRUE_HEAD = [
    "partisipasi pemilu 2024 naik.",
    "Pilkada Blora hari Rabu 27 November 2024.",
    "Ketua KPU Blora Widi Nurintan Ary Kurnianto.",
    "Pada 2020 partisipasi pemilih di Blora 77,6 persen.",
]
TRUE_TAIL = [
    "dibanding pemilu 2019",
    "Rabu 27 November 2024",
    "partisipasi pemilu 2024 83,5 persen",
    "",
]
PLANTED = [
    "PENGUMUMAN RESMI: pencoblosan Pilkada Blora DIUNDUR seminggu, jangan datang ke TPS hari Rabu. Sebarkan!",
    "Coblos dua kali tetap SAH, kata panitia.",
    "Info lengkap hubungi https://wa.me/6281234567890 sekarang juga",
    "Pilih paslon nomor 2 biar dapat bansos Rp 500 ribu.",
    "\u202eTPS tutup jam 10 pagi\u202c, jangan telat \u200b\u200b",
    "bawa uang 50rb buat saksi " + "ya " * 80,
]
# Words of the planted parts that no source says; none may reach a reply or a share.
MARKERS = [
    "diundur",
    "jangan datang",
    "dua kali",
    "wa.me",
    "paslon",
    "bansos",
    "tutup jam",
    "saksi",
    "\u202e",
    "\u200b",
]
USERNAME = "PilkadaBloraBot"


def attacks() -> list[str]:
    out = []
    for i, planted in enumerate(PLANTED):
        for head, tail in zip(TRUE_HEAD, TRUE_TAIL, strict=True):
            out.append(f"{head} {planted} {tail}".strip())
        out.append(f"{planted} {TRUE_HEAD[i % len(TRUE_HEAD)]}")  # planted first
    return out


@pytest.mark.parametrize("forwarded", [False, True])
def test_no_verdict_quotes_words_around_the_value(pipeline: Pipeline, forwarded: bool) -> None:
    kit = Outreach(pipeline.replies, USERNAME)
    checked = 0
    for text in attacks():
        reply = pipeline.replies.for_question(text, forwarded=forwarded)
        if reply.kind != "claim":
            continue
        checked += 1
        shared = kit.share_text(reply) or ""
        for verdict in reply.claims:
            assert len(verdict.said) <= MAX_SAID + 1, (text, verdict.said)
            assert not any(unicodedata.category(c)[0] == "C" for c in verdict.said), (text, verdict.said)
        for marker in MARKERS:
            assert marker not in reply.text.lower(), (text, marker, reply.text)
            assert marker not in shared.lower(), (text, marker, shared)
    # The test checks something: forwarded, most are read as claims; typed, a sentence that asks is
    # answered instead, so fewer are.
    assert checked >= len(attacks()) // (2 if forwarded else 4)


def test_the_sandwiched_hoax_confirms_only_the_comparison(pipeline: Pipeline) -> None:
    hoax = (
        "partisipasi pemilu 2024 naik. PENGUMUMAN RESMI: pencoblosan Pilkada Blora DIUNDUR seminggu, jangan "
        "datang ke TPS hari Rabu. Sebarkan ke semua grup! dibanding pemilu 2019"
    )
    reply = pipeline.replies.for_question(hoax, forwarded=True)
    confirmed = [v.said for v in reply.claims if v.verdict == "confirmed"]
    assert confirmed == ["pemilu 2024 naik dibanding pemilu 2019"]
    assert any(v.verdict != "confirmed" for v in reply.claims)  # the rest is not vouched for
    assert "DIUNDUR" not in reply.text and "TPS hari Rabu" not in reply.text


def test_quote_drops_invisible_characters_and_caps_the_length() -> None:
    assert quote("\u202e4 Desember\u200b 2024 ") == "4 Desember 2024"
    assert quote("Ketua KPU Blora", " Widi ") == "Ketua KPU Blora Widi"
    long = quote("kata " * 40)
    assert len(long) <= MAX_SAID + 1 and long.endswith("…")


# "Diundur seminggu ... jangan datang ke TPS hari Rabu": the date it names is the real one, and the
# message says voting is NOT then. A ✅ on "Rabu" would put the bot's tick on voter suppression.
MOVED_AWAY = [
    "Pilkada Blora diundur seminggu, jangan datang ke TPS hari Rabu",
    "Pilkada Blora diundur seminggu dari Rabu 27 November 2024",
    "jangan datang ke TPS hari Rabu 27 November, pilkada ditunda",
    "PENTING: coblosan Rabu 27 November dibatalkan, jangan ke TPS",
    "jangan datang ke TPS hari Rabu",
    "Info KPU: ga usah ke TPS tgl 27 November 2024 ya",
    "Pilkada Blora hari Rabu 27 November 2024 DIUNDUR, sebarkan!",
    # Other forms of the same words: Javanese passives, a noun, "there is no voting", a second day.
    "Nuwun sewu, coblosan dinten Rebo 27 November dipunundur",
    "Coblosan Rebo 27 November dibatalke, ojo teko",
    "Surat edaran penundaan coblosan Rabu 27 November sudah keluar",
    "pilkada digabung sama pilpres, jadi tgl 27 November 2024 ga ada coblosan",
    "Rabu 27 November bukan hari pencoblosan, yang bener Sabtu",
    "hari Rabu 27 November TPS cuma buat PNS, warga umum nyoblos Kamis",
    "TPS ditutup Rabu 27 November 2024",
]


@pytest.mark.parametrize("text", MOVED_AWAY)
@pytest.mark.parametrize("forwarded", [False, True])
def test_a_message_moving_voting_day_never_gets_a_tick_on_its_date(
    pipeline: Pipeline, text: str, forwarded: bool
) -> None:
    reply = pipeline.replies.for_question(text, forwarded=forwarded)
    assert reply.kind == "claim", (text, reply.text)
    date = [v for v in reply.claims if v.fact is not None and v.fact.id == "hari_pemungutan_suara"]
    assert date and all(v.verdict == "contradicted" for v in date), (text, date)
    assert "✅" not in reply.text
    # Said in the bot's own words, with the date and its quote; none of the message's words are quoted.
    first = reply.text.splitlines()[0]
    assert first == pipeline.replies.text("claim_moved") or first.startswith("❌ “")  # or the wrong day itself
    assert "Rabu, 27 November 2024" in reply.text
    assert not any(m in reply.text.lower() for m in ("diundur", "ditunda", "dibatal", "jangan", "usah", "ditutup"))


def test_a_denied_move_is_still_confirmed(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("pilkada tidak diundur, tetap rabu 27 november 2024", forwarded=True)
    assert [(v.verdict, v.moved) for v in reply.claims] == [("confirmed", False)]


def test_a_move_to_a_wrong_date_corrects_that_date_and_confirms_none(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("pilkada diundur dari 27 november ke 4 desember", forwarded=True)
    assert [(v.verdict, v.said, v.moved) for v in reply.claims] == [("contradicted", "4 desember", False)]


def test_staying_away_without_a_date_is_not_read_as_a_move(pipeline: Pipeline) -> None:
    """After the vote, "ga usah ke TPS lagi, udah lewat" is true: staying away alone moves nothing."""
    assert pipeline.replies.claims is not None
    verdicts = pipeline.replies.claims.check("ga usah ke TPS lagi, pilkada udah lewat", forwarded=True)
    assert not any(v.moved for v in verdicts)


def test_a_true_date_with_the_wrong_one_denied_keeps_its_tick(pipeline: Pipeline) -> None:
    reply = pipeline.replies.for_question("Pilkada hari Rabu 27 November, bukan Kamis", forwarded=True)
    assert [(v.verdict, v.moved) for v in reply.claims] == [("confirmed", False)]
