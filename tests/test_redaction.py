"""bot/redaction.py: personal data is replaced before a question or comment is stored."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.redaction import ADDRESS, EMAIL, NIK, NUMBER, PHONE, USERNAME, redact, redact_question


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nik saya 3316012345670001 bisa nyoblos?", f"nik saya {NIK} bisa nyoblos?"),
        ("NIK 3316 0123 4567 0001", f"NIK {NIK}"),
        ("kk 3316.0123.4567.0001 hilang", f"kk {NIK} hilang"),
        ("wa aku 081234567890 ya", f"wa aku {PHONE} ya"),
        ("hubungi 0812-3456-7890", f"hubungi {PHONE}"),
        ("telp +62 812 3456 7890.", f"telp {PHONE}."),
        ("62 812 3456 7890", PHONE),
        ("kantor (024) 7654321", f"kantor {PHONE}"),
        ("rekening 1234567890123", f"rekening {NUMBER}"),
        ("email budi.santoso+kpu@gmail.co.id tolong", f"email {EMAIL} tolong"),
        ("tanya @budi_santoso99 aja", f"tanya {USERNAME} aja"),
        ("rumahku di Jl. Melati no 12 RT 3", f"rumahku di {ADDRESS} RT 3"),
        ("jalan raya blora nomor 5a dekat tps", f"{ADDRESS} dekat tps"),
    ],
)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "kapan pilkada 27 november 2024",
        "coblosan tanggal 27-11-2024 jam 07.00",
        "27/11/2024",
        "partisipasi 77,6 persen di 2020 dan 83,5 di 2024",
        "surat suara tidak sah 26.238 lembar",
        "tps 12 rt 03 rw 05",
        "ada 545 tps, dpt 700000 orang",
        "jalan jalan ke tps yuk",  # 'jalan' without a house number is a verb, not an address
        "golput itu apa",
    ],
)
def test_ordinary_questions_are_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("raw", "normalized", "expected"),
    [
        # What the normalizer makes of them: the address and username lose their punctuation.
        (
            "emailku budi.santoso@gmail.com, kapan nyoblos?",
            "email budi santoso gmail com kapan coblos",
            f"email {EMAIL} kapan coblos",
        ),
        ("tanya @budi_santoso aja", "tanya budi santoso aja", f"tanya {USERNAME} aja"),
        ("nik 3316012345670001", "nik 3316012345670001", f"nik {NIK}"),
        ("hp 0812-3456-7890", "hp 0812 3456 7890", f"hp {PHONE}"),
        ("di Jl. Melati No. 12", "di jl melati no 12", f"di {ADDRESS}"),
    ],
)
def test_redact_question_works_on_the_normalized_text(raw: str, normalized: str, expected: str) -> None:
    assert redact_question(raw, normalized) == expected


def test_redact_question_removes_the_words_when_normalizing_changed_the_address() -> None:
    # The lexicon may rewrite a word of the address ("gmail" -> "gmel" here): its words go anyway.
    assert redact_question("budi.santoso@gmail.com kapan?", "budi santoso gmel com kapan") == "gmel kapan"


@given(st.text(max_size=300))
def test_redact_never_raises_and_is_stable(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@given(st.from_regex(r"(08|\+62 ?8)[0-9]{2}[- ]?[0-9]{4}[- ]?[0-9]{3,4}", fullmatch=True))
def test_every_mobile_number_is_caught(number: str) -> None:
    assert redact(f"nomorku {number} ya") == f"nomorku {PHONE} ya"
