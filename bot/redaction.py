"""Personal data out of the texts the bot keeps: NIK, phone numbers, e-mail addresses and the like.

The bot stores the text of questions it could not answer and of feedback comments, so
staff can learn from them; users sometimes paste their NIK, phone number or address
into a question. Before storing, `redact` replaces what looks like such data with a
placeholder in brackets ("[NIK]", "[telepon]", ...), which staff still understand.

Pure functions over strings, no I/O: shared by every storage back end. It errs on
the side of removing: a long number that was not personal (a 10-digit account of
votes, say) is lost, which costs staff little. Names and free-form addresses are
not recognised; the privacy note (/privasi) says what is.
"""

from __future__ import annotations

import re

NIK = "[NIK]"
PHONE = "[telepon]"
NUMBER = "[nomor]"
EMAIL = "[email]"
USERNAME = "[username]"
ADDRESS = "[alamat]"

# NIK and family-card (KK) numbers have exactly 16 digits.
_ID_DIGITS = 16
# Indonesian phone numbers: 0 or +62/62, then 8-13 more digits (mobile 08xx, landline 0xx).
_PHONE_DIGITS = range(9, 16)
# Any other number this long is no date, year, count or percentage: an account, a card, an id.
_LONG_DIGITS = 10

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Telegram usernames: 5-32 letters, digits and underscores, starting with a letter.
_USERNAME = re.compile(r"(?<![\w@.])@[A-Za-z]\w{4,31}")
# Digits with the separators people type inside numbers: "0812-3456 7890", "+62 (24) 123.456".
_DIGITS = re.compile(r"(?<![\w+(])[+(]?\d(?:[\s.\-/()]{0,2}\d)*")
# A street with a house number: "Jl. Melati no 12", "jalan raya blora nomor 5a", "gg mawar no.3".
_ADDRESS = re.compile(
    r"\b(?:jl|jln|jalan|gg|gang)\b\.?\s+(?:[\w.'-]+\s+){0,5}?(?:no|nomor|nmr)\b\.?\s*\d+[a-z]?\b", re.IGNORECASE
)
_WORD_SPLIT = re.compile(r"[^\w]+|_")


def redact(text: str) -> str:
    """`text` with NIK, phone and other long numbers, e-mail addresses, @usernames and street addresses replaced."""
    text = _EMAIL.sub(EMAIL, text)
    text = _USERNAME.sub(USERNAME, text)
    text = _ADDRESS.sub(ADDRESS, text)
    return _DIGITS.sub(_number, text)


def redact_question(raw: str, normalized: str) -> str:
    """The normalized question to store, without the personal data the raw question had.

    Normalizing splits an e-mail address or a @username into plain words ("budi gmail
    com") that no pattern can recognise any more, so those are found in the raw text
    and their words replaced in the normalized text; numbers and addresses survive
    normalizing and are found there.
    """
    tokens = normalized.split()
    for pattern, placeholder in ((_EMAIL, EMAIL), (_USERNAME, USERNAME)):
        for found in pattern.finditer(raw):
            words = [w for w in _WORD_SPLIT.split(found.group().lower()) if w]
            tokens = _replace_words(tokens, words, placeholder)
    return redact(" ".join(tokens))


def _replace_words(tokens: list[str], words: list[str], placeholder: str) -> list[str]:
    """`words` as a run in `tokens` become `placeholder`; if normalizing changed the run, each of its words goes."""
    n = len(words)
    for i in range(len(tokens) - n + 1):
        if n and tokens[i : i + n] == words:
            return [*tokens[:i], placeholder, *tokens[i + n :]]
    unwanted = set(words)
    return [t for t in tokens if t not in unwanted]


def _number(found: re.Match[str]) -> str:
    text = found.group()
    digits = re.sub(r"\D", "", text)
    if len(digits) == _ID_DIGITS:
        return NIK
    if len(digits) in _PHONE_DIGITS and (digits.startswith(("0", "62")) or text.startswith("+")):
        return PHONE
    if len(digits) >= _LONG_DIGITS:
        return NUMBER
    return text
