"""Personal data out of the texts the bot keeps: NIK, phone numbers, e-mail addresses and the like.

The bot stores the text of questions it could not answer and of feedback comments, so
staff can learn from them; users sometimes paste their NIK, phone number or address
into a question. Before storing, `redact` replaces what looks like such data with a
placeholder in brackets ("[NIK]", "[telepon]", ...), which staff still understand.

Pure functions over strings, no I/O: shared by every storage back end. It errs on
the side of removing: a long number that was not personal (a 10-digit account of
votes, say) is lost, which costs staff little. Names and free-form addresses are
not recognised; the privacy note (/privasi) says what is.

People do not type data the way a form would (issue 25, item 3): "nik3316..." glued to
the word, "0812 - 3456 - 7890", the letter O for a zero ("o812 3456 789o"), full-width
digits, zero-width spaces between the groups, "budi at gmail com", "budi [at] gmail
[dot] com", "t.me/budi_santoso". So the patterns do not run on the text itself but on a
*view* of it of the same length, where every character stands for what it looks like:
full-width and other Unicode digits and letters as their ASCII form, dashes as '-',
invisible characters as a space, and O as 0 (I and l as 1) inside a number. Whatever a pattern finds
in the view is replaced in the text; the rest of the text is kept as it was typed.

Every pattern runs in time linear in the text (a long comment once cost the bot seconds
of CPU: the old e-mail pattern was quadratic). Each can only start where a run of its
first characters starts (a lookbehind), and every repetition inside it is either
bounded or separated by a character it cannot contain: see bench/bench_redaction.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

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
# The normalizer reads the first 500 characters of a question (bot/nlu/text.py, MAX_CHARS): what
# starts after them in the raw text is not in the normalized text.
_NORMALIZED_CHARS = 500

# --- what a database refuses: cleaned out before anything is stored (issue 25, item 4)

# C0 and C1 control characters other than tab, newline and carriage return (PostgreSQL
# refuses U+0000 in text), and lone surrogates (not UTF-8: SQLite and psycopg refuse them).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

# --- the patterns, run on the view (see the module docstring)

_LOCAL = r"(?<![\w.+-])[\w.+-]+"  # an address's local part, only from the start of its run
_EMAIL = re.compile(_LOCAL + r"@[\w-]+(?:\.[\w-]+)+")
# "budi at gmail com", "budi [at] gmail [dot] com", "budi(at)gmail.com", "budi @ gmail.com".
# A space before '@' alone is a mention ("tanya @budi"), not an address.
_AT = r"(?:@[ \t]*|[ \t]+@[ \t]+|[ \t]*[\[({<][ \t]*at[ \t]*[\])}>][ \t]*|[ \t]+at[ \t]+)"
_DOT = r"(?:[ \t]*\.[ \t]*|[ \t]*[\[({<][ \t]*(?:dot|titik)[ \t]*[\])}>][ \t]*|[ \t]+(?:dot|titik)[ \t]+|[ \t]+)"
_TLD = r"(?:com|net|org|id|co|ac|go|sch|or|my|web|biz|info|io|edu|gov|me)\b"
_MAIL_HOST = r"(?:gmail|googlemail|yahoo|ymail|rocketmail|hotmail|outlook|icloud|protonmail|proton)\b"
_SPELLED_EMAIL = re.compile(rf"{_LOCAL}{_AT}(?:{_MAIL_HOST}(?:{_DOT}{_TLD})*|[\w-]+(?:{_DOT}{_TLD})+)", re.IGNORECASE)
# A profile link is a username too: t.me/budi_santoso, instagram.com/budi (wa.me/62... is a number).
_PROFILE = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.)?"
    r"(?:t\.me|telegram\.me|telegram\.dog|instagram\.com|facebook\.com|fb\.com|fb\.me|tiktok\.com|twitter\.com|x\.com"
    r"|threads\.net)/@?[\w.+-]+(?:[/?#]\S*)?",
    re.IGNORECASE,
)
# Telegram usernames: 5-32 letters, digits and underscores, starting with a letter.
_USERNAME = re.compile(r"(?<![\w@.])@[A-Za-z]\w{4,31}")
# A street with a house number: "Jl. Melati no 12", "jalan raya blora nomor 5a", "gg mawar no.3".
_ADDRESS = re.compile(
    r"\b(?:jl|jln|jalan|gg|gang)\b\.?\s+(?:[\w.'-]+\s+){0,5}?(?:no|nomor|nmr)\b\.?\s*\d+[a-z]?\b", re.IGNORECASE
)
# Digits with the separators people type inside numbers (up to four): "0812-3456 7890", "0812 -- 3456 -- 7890",
# "+62 (24) 123.456"; glued to a word before it ("nik3316...") too, but never starting inside a number.
_DIGITS = re.compile(r"(?<![\d+(])[+(]?\d(?:[\s.\-/()]{0,4}\d)*")
# One or more dates are not a number to hide: "27-11-2024 - 28-11-2024", "2024/11/27".
_DATE = r"(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
_DATES = re.compile(rf"{_DATE}(?:[\s\-/.,]{{1,3}}{_DATE})*")
# In the view: a run of digits and the letters O, I and l, which stand for 0 and 1 if the run has a digit
# (lower case too: normalizing lowers "O8I2").
_DIGITS_AND_LOOKALIKES = re.compile(r"[0-9oOiIl]+")
_LOOKALIKES = str.maketrans("oOiIl", "00111")
_WORD_SPLIT = re.compile(r"[^\w]+|_")
# Marks a span already replaced, in the view: no pattern contains it (the text has no U+0000 left).
_TAKEN = "\x00"
# What replaces a find: a fixed text, or a function of the find (None: leave it).
Placeholder = str | Callable[[re.Match[str]], str | None]


def storable(text: str) -> str:
    """`text` without the characters a database refuses: controls (as a space) and lone surrogates (dropped)."""
    if text.isascii() and text.isprintable():
        return text
    return _SURROGATES.sub("", _CONTROLS.sub(" ", text))


def redact(text: str) -> str:
    """`text` with NIK, phone and other long numbers, e-mail addresses, @usernames and street addresses replaced.

    Also cleaned for storage (`storable`).
    """
    text = storable(text)
    view = _view(text)
    spans: list[tuple[int, int, str]] = []
    view = _take(view, _EMAIL, spans, EMAIL)
    view = _take(view, _SPELLED_EMAIL, spans, EMAIL)
    view = _take(view, _PROFILE, spans, USERNAME)
    view = _take(view, _USERNAME, spans, USERNAME)
    view = _take(view, _ADDRESS, spans, ADDRESS)
    _take(view, _DIGITS, spans, _number)
    if not spans:
        return text
    spans.sort()
    out: list[str] = []
    end = 0
    for start, stop, placeholder in spans:
        out.append(text[end:start])
        out.append(placeholder)
        end = stop
    out.append(text[end:])
    return "".join(out)


def redact_question(raw: str, normalized: str) -> str:
    """The normalized question to store, without the personal data the raw question had.

    Normalizing splits an e-mail address, a @username or a profile link into plain words
    ("budi gmail com") that no pattern can recognise any more, so those are found in the
    raw text and their words replaced in the normalized text; numbers and addresses
    survive normalizing and are found there.
    """
    tokens = normalized.split()
    raw = storable(raw[: 2 * _NORMALIZED_CHARS])  # an address across the cut still ends in here
    view = seen = _view(raw)
    for pattern, placeholder in ((_EMAIL, EMAIL), (_SPELLED_EMAIL, EMAIL), (_PROFILE, USERNAME), (_USERNAME, USERNAME)):
        found: list[tuple[int, int, str]] = []
        view = _take(view, pattern, found, placeholder)
        for start, stop, _ in found:
            if start >= _NORMALIZED_CHARS:
                break
            words = [w for w in _WORD_SPLIT.split(_fold(seen[start:stop])) if w]
            tokens = _replace_words(tokens, words, placeholder, cut=stop > _NORMALIZED_CHARS)
    return redact(" ".join(tokens))


def _fold(text: str) -> str:
    """Lower case without accents, as the normalizer folds words (bot/nlu/text.py)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _replace_words(tokens: list[str], words: list[str], placeholder: str, *, cut: bool = False) -> list[str]:
    """`words` as a run in `tokens` become `placeholder`; if normalizing changed the run, each of its words goes.

    `cut`: the normalizer stopped reading inside the run (bot/nlu/text.py reads the first 500
    characters), so `tokens` may end with the run's first words, the last one cut short.
    """
    n = len(words)
    for i in range(len(tokens) - n + 1):
        if n and tokens[i : i + n] == words:
            return [*tokens[:i], placeholder, *tokens[i + n :]]
    for k in range(min(n, len(tokens)) if cut else 0, 0, -1):
        tail = tokens[-k:]
        if tail[:-1] == words[: k - 1] and words[k - 1].startswith(tail[-1]):
            return [*tokens[:-k], placeholder]
    unwanted = set(words)
    return [t for t in tokens if t not in unwanted]


def _take(view: str, pattern: re.Pattern[str], spans: list[tuple[int, int, str]], placeholder: Placeholder) -> str:
    """Add what `pattern` finds in `view` to `spans`; the view with those spans marked taken.

    `placeholder` is the text that replaces a find, or a function of the find that
    returns it (None: leave that find alone).
    """
    pieces: list[str] = []
    end = 0
    for found in pattern.finditer(view):
        replacement = placeholder if isinstance(placeholder, str) else placeholder(found)
        if replacement is None:
            continue
        start, stop = found.span()
        spans.append((start, stop, replacement))
        pieces.append(view[end:start])
        pieces.append(_TAKEN * (stop - start))
        end = stop
    if not pieces:
        return view
    pieces.append(view[end:])
    return "".join(pieces)


def _number(found: re.Match[str]) -> str | None:
    """The placeholder for a run of digits found in the view; None to keep it (too short, or dates)."""
    text = found.group()
    digits = re.sub(r"\D", "", text)
    if len(digits) < _LONG_DIGITS or _DATES.fullmatch(text):
        return None
    if len(digits) == _ID_DIGITS:
        return NIK
    if len(digits) in _PHONE_DIGITS and (digits.startswith(("0", "62")) or text.startswith("+")):
        return PHONE
    return NUMBER


class _ViewTable(dict[int, int]):
    """str.translate table for the view: each character as the ASCII one it looks like, worked out once."""

    _LIMIT = 20_000  # distinct characters remembered (an attacker could send every code point)

    def __missing__(self, code: int) -> int:
        if len(self) >= self._LIMIT:
            self.clear()
        self[code] = value = _looks_like(chr(code))
        return value


def _looks_like(ch: str) -> int:
    """The code point `ch` stands for in the view (one character for one: the view keeps the text's length)."""
    if ch.isdecimal():
        return ord(str(unicodedata.decimal(ch)))
    category = unicodedata.category(ch)
    if category == "Cf":  # zero-width spaces and joiners, direction marks: a gap
        return ord(" ")
    if category == "Pd":  # en and em dashes, the minus sign's cousins
        return ord("-")
    folded = unicodedata.normalize("NFKC", ch)
    return ord(folded) if len(folded) == 1 and folded.isascii() else ord(ch)


_VIEW_TABLE = _ViewTable()


def _view(text: str) -> str:
    """What the patterns read: `text` character for character as it looks (module docstring)."""
    if not text.isascii():
        text = text.translate(_VIEW_TABLE)
    if not any(d in text for d in "0123456789") or not any(c in text for c in "oOiIl"):
        return text
    return _DIGITS_AND_LOOKALIKES.sub(_digits, text)


def _digits(found: re.Match[str]) -> str:
    run = found.group()
    return run.translate(_LOOKALIKES) if any(c.isdigit() for c in run) else run
