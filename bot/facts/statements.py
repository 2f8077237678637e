"""Find the checkable items in a text: dates, weekdays, figures, names, places, elections.

One reader serves two jobs. `pilkada-bot check` reads every answer and message and
binds each item to a fact of its sources (bot/facts/facts.py); the claim check reads what
users forward ("pencoblosan DIUNDUR ke 4 Desember 2024") and compares it with the same
facts (bot/nlu/claims.py). Items are found in any common format: "Rabu, 27 November 2024",
"Kamis (27 November 2024)", "27/11/2024", "27 nov", "83,5%", "83.5 persen",
"delapan puluh tiga persen", "26.238", "1 juta". Pure: no I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

ItemKind = Literal[
    "date",
    "weekday",
    "month",
    "percent",
    "count",
    "year",
    "period",
    "person",
    "place",
    "election",
    "role",
    "month_name",
]

MONTH_NAMES = [
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
]
WEEKDAY_NAMES = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"]

# Every spelling of a month or weekday people write, Indonesian, Javanese and English.
_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "januari january jan",
        "februari pebruari february feb peb",
        "maret march mar",
        "april apr",
        "mei may",
        "juni june jun",
        "juli july jul",
        "agustus august agu agt agus aug",
        "september sept sep",
        "oktober october okt oct",
        "november nopember nov nop",
        "desember december des dec",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _i
        # Chat drops vowels past the first syllable: "novembr", "desmber", "oktbr", "agusts".
        _late = [k for k, c in enumerate(_name) if k >= 3 and c in "aeiou"]
        for _drop in range(1, 2 ** len(_late)) if len(_name) >= 6 else ():
            _gone = {k for b, k in enumerate(_late) if _drop >> b & 1}
            _MONTHS.setdefault("".join(c for k, c in enumerate(_name) if k not in _gone), _i)
_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "senin senen monday",
        "selasa seloso tuesday",
        "rabu rebo wednesday",
        "kamis kemis thursday",
        "jumat jum'at jumaat jemuah friday",
        "sabtu setu saturday",
        "minggu ahad sunday",
    ]
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _i

_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(re.escape(w) for w in sorted(_WEEKDAYS, key=len, reverse=True))
# "Rabu, 27 November 2024", "Kamis (27 November 2024)", "rabu tgl 27 nov", "27-nov-2024".
_WEEKDAY_LEAD = rf"(?:\b(?P<wd>{_WEEKDAY_RE})\b[\s,(]*(?:(?:tanggal|tgl|tg)\b\.?\s*)?)?"
_DATE_WORDS = re.compile(
    _WEEKDAY_LEAD + rf"\b(?P<d>\d{{1,2}})\s*[-\s]?\s*(?P<m>{_MONTH_RE})\b\.?(?:[\s,-]*(?P<y>(?:19|20)\d{{2}})\b)?\)?"
)
# "27/11/2024", "27-11-2024", "27.11.2024", "27/11" (a year with dots only, so 83.5 is no date).
_DATE_NUMBERS = re.compile(
    _WEEKDAY_LEAD
    + r"(?<![\d.,])\b(?P<d>\d{1,2})(?:(?P<s>[/-])(?P<m>\d{1,2})(?:(?P=s)(?P<y>(?:19|20)?\d{2}))?"
    + r"|\.(?P<m2>\d{1,2})\.(?P<y2>(?:19|20)\d{2}))\b(?![.,/-]?\d)\)?"
)
# "November 27, 2024", "nov 27".
_DATE_ENGLISH = re.compile(
    _WEEKDAY_LEAD + rf"\b(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>(?:19|20)\d{{2}})\b)?"
)
# "raker bulan Juli", "juli kemarin": a month named without a year says which event a message is
# about (not a claim of its own). Full names only, or any spelling after "bulan"; "may" is a verb.
_MONTH_ALONE = re.compile(
    r"\b(?:(?:bulan|bln|wulan|sasi|month\s+of)\s+(?P<m>"
    + _MONTH_RE
    + r")\b|(?P<full>"
    + "|".join(n for n in _MONTHS if len(n) > 3 and n != "may")
    + r")\b)"
)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTH_RE})\b\.?\s*(?P<y>(?:19|20)\d{{2}})\b")
_WEEKDAY_ALONE = re.compile(rf"\b(?P<wd>{_WEEKDAY_RE})\b")

# "{region}": the configured region's name ("Pilkada Blora 2024"), see _election_patterns.
_ELECTION_TEMPLATE = (
    r"\b(?P<kind>pilkada|pilbup|pilgub|pilwalkot|pilkades|pemilu|pileg|pilpres|"
    r"pemilihan\s+kepala\s+daerah|pemilihan\s+umum|pemilihan(?=\s+serentak))"
    r"(?:\s+serentak)?{region}(?:\s+(?:tahun|th|thn)\.?)?\s*(?P<y>(?:19|20)\d{{2}}|'\d{{2}})\b"
)
ELECTION_KIND = {
    "pilkada": "pilkada",
    "pilbup": "pilkada",
    "pilgub": "pilkada",
    "pilwalkot": "pilkada",
    "pilkades": "pilkades",
    "pemilihan kepala daerah": "pilkada",
    "pemilihan": "pilkada",  # "pemilihan serentak tahun 2024" is the Pilkada in our sources
    "pemilu": "pemilu",
    "pileg": "pemilu",
    "pilpres": "pemilu",
    "pemilihan umum": "pemilu",
    "general election": "pemilu",
    "legislative election": "pemilu",
    "presidential election": "pemilu",
    "regional election": "pilkada",
    "local election": "pilkada",
    "regent election": "pilkada",
}
# Elections' own names, said alone ("pilkada", "pileg"); not "pemilihan", which is also any choosing.
ELECTION_NAMES = frozenset(k for k in ELECTION_KIND if " " not in k and k != "pemilihan")
# "the 2024 general election", "the 2024 Blora regional election": English puts the year first.
_ELECTION_EN_TEMPLATE = (
    r"\b(?P<y>(?:19|20)\d{{2}}){region}\s+(?P<kind>(?:general|legislative|presidential|regional|local|regent)"
    r"\s+election)s?\b"
)


@functools.lru_cache(maxsize=8)
def _election_patterns(regions: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The election patterns for the configured region's names (Vocabulary.regions; none: no region word)."""
    names = "|".join(r"\s+".join(re.escape(w) for w in name.split()) for name in regions)
    return (
        re.compile(
            _ELECTION_TEMPLATE.format(
                region=rf"(?:\s+(?:kabupaten\s+|kab\.?\s+|kota\s+)?(?:{names}))?" if names else ""
            )
        ),
        re.compile(_ELECTION_EN_TEMPLATE.format(region=rf"(?:\s+(?:{names}))?" if names else "")),
    )


_PERIOD = re.compile(r"\b(?P<a>(?:19|20)\d{2})\s*[-–/]\s*(?P<b>(?:19|20)\d{2})\b")
# "83 persenan", "50an persen": a round figure ("about 83"), compared as a range.
_PERCENT = re.compile(
    r"(?<![\w.,])(?P<n>\d+(?:[.,]\d+)?)(?P<an>an)?\s*(?:%|(?:persen|prosen|percent|pct)(?P<an2>an)?\b)"
)
# A digit glued to letters ("gt2", "2x", "h-1") is slang or a code, not a figure; "26 ribuan"
# and "26rb-an" are round figures; "2 kali", "17 thn" count something no fact counts.
_NUMBER = re.compile(
    r"(?<![\w.,-])(?P<n>\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+(?![.,]?\d)|\d+(?:,\d+)?)(?![\d])"
    r"(?:\s*(?P<mult>ribu|rebu|rb|juta|jt|miliar|milyar|triliun)(?:-?(?P<an>an)|\s+(?P<more>lebih)\b)?\b)?"
    r"(?!\s*(?:kali|x|thn|tahun|th|jam|hari|menit|detik|bulan|minggu|km|meter|m|kg|poin|point|points|pp)\b)(?![a-z])"
)
_YEAR = re.compile(r"(?<![\d.,/-])\b(?P<y>(?:19|20)\d{2})\b(?![.,/-]?\d)")

_UNITS = {
    "nol": 0,
    "satu": 1,
    "se": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_TEENS = {"sepuluh": 10, "sebelas": 11}
_MULTIPLIERS = {"puluh": 10, "belas": None, "ratus": 100, "ribu": 1000, "juta": 1_000_000, "miliar": 10**9}
_NUMBER_WORD = re.compile(
    r"\b(?:(?:nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu|sejuta|"
    r"puluh|belas|ratus|ribu|juta|miliar|koma)\b\s*)+"
)
_NUMBER_WORD_PERCENT = re.compile(_NUMBER_WORD.pattern + r"(?:persen|prosen|percent)\b")
_SENTENCE_END = re.compile(r"(?<!\d)[.!?;](?!\d)|\n|•|(?<=\d)[.!?;](?=\s|$)")
_MULTIPLIER_VALUE = {"ribu": 1000, "rebu": 1000, "rb": 1000, "juta": 10**6, "jt": 10**6}
_MULTIPLIER_VALUE |= {"miliar": 10**9, "milyar": 10**9, "triliun": 10**12}


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as written: the year and weekday may be missing ("27 nov", "Kamis")."""

    day: int
    month: int
    year: int | None
    weekday: int | None  # 0 = Senin, as written (may disagree with the calendar)

    def real_weekday(self) -> int | None:
        """The calendar's weekday, or None if the year is missing or the date does not exist."""
        if self.year is None:
            return None
        try:
            return calendar.weekday(self.year, self.month, self.day)
        except ValueError:
            return None

    def exists(self) -> bool:
        try:
            dt.date(self.year or 2024, self.month, self.day)  # 2024 is a leap year: 29 Feb may exist
        except ValueError:
            return False
        return True

    def matches(self, day: dt.date) -> bool:
        """Same day and month (and year, when written)."""
        return self.day == day.day and self.month == day.month and (self.year is None or self.year == day.year)


@dataclass(frozen=True, slots=True)
class Approx:
    """A round figure as written ("26 ribuan", "83 persenan"): any value in [low, low + step)."""

    low: Decimal
    step: Decimal

    def covers(self, value: Decimal) -> bool:
        return self.low <= value < self.low + self.step


ItemValue = DateValue | Decimal | Approx | int | str | tuple[int, int]


@dataclass(frozen=True, slots=True)
class Item:
    """One checkable thing in a text and where it stands (character offsets)."""

    kind: ItemKind
    start: int
    end: int
    text: str
    value: ItemValue


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The names the reader knows: people, places and role phrases, each mapped to a canonical key.

    Built from the facts (bot/facts/facts.py): a person fact's name and aliases, a place's
    name and aliases, the role phrases of every role ("ketua kpu", "sekretaris").
    """

    persons: Mapping[str, str]
    places: Mapping[str, str]
    roles: Mapping[str, str]
    # The configured region's names, lower case ("blora"): "Pilkada Blora 2024" names an election.
    regions: tuple[str, ...] = ()
    # Read venues no fact names too ("di pendopo bupati"): the claim check compares them with a
    # meeting's place. `check` leaves them off: an answer may name a place that is no claim.
    venues: bool = False
    # Built once: the reader runs on every message.
    _compiled: list[tuple[ItemKind, re.Pattern[str], Mapping[str, str]]] = field(
        init=False, repr=False, compare=False, default_factory=list
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _patterns(self.persons, self.places, self.roles))

    def patterns(self) -> list[tuple[ItemKind, re.Pattern[str], Mapping[str, str]]]:
        return self._compiled


def _patterns(
    persons: Mapping[str, str], places: Mapping[str, str], roles: Mapping[str, str]
) -> list[tuple[ItemKind, re.Pattern[str], Mapping[str, str]]]:
    out: list[tuple[ItemKind, re.Pattern[str], Mapping[str, str]]] = []
    for kind, names in (("person", persons), ("place", places), ("role", roles)):
        if names:
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            # A role may carry "-nya"/"-e"/"-ne": "sekretarisNYA", Javanese "sekretarisE".
            suffix = "(?:nya|ne|e)?" if kind == "role" else ""
            out.append((kind, re.compile(rf"\b(?P<name>{alternatives}){suffix}\b"), names))  # type: ignore[arg-type]
    return out


EMPTY_VOCABULARY = Vocabulary({}, {}, {})

# Someone acting on another's behalf: "mewakili Ketua KPU", "perwakilannya", "diwakili", "atas nama".
# The role after it is the one represented, not the speaker's own.
ON_BEHALF = re.compile(r"\b(?:perwakilan\w*|wakilnya|diwakili\w*|mewakili|atas nama|on behalf)\b")
VENUE_PREFIX = "venue:"  # the value of a venue no fact names: never a fact's key
# A venue in free wording: a place word after "di"/"ke"/"nang"/"tempatnya", and up to three
# words naming it ("di pendopo bupati", "nang pendopo kabupaten", "at the Hotel Kencana").
VENUE_WORDS = (
    "pendopo",
    "pendapa",
    "gedung",
    "gedong",
    "aula",
    "hotel",
    "resto",
    "restoran",
    "restaurant",
    "rumah makan",
    "warung",
    "cafe",
    "kafe",
    "caffe",
    "kantor",
    "balai",
    "ruang",
    "ruangan",
    "hall",
    "auditorium",
    "wisma",
    "graha",
    "rumah dinas",
    "rumdin",
    "alun-alun",
    "alun alun",
    "lapangan",
    "masjid",
    "sekolah",
    "kampus",
    "omah",
    "mapolres",  # "di Mapolres Blora": police headquarters, as a place (not "Polres", a body that attends)
    "mapolda",
    "makodim",
    "markas",
    "stadion",
    "gor",
)
# Words that end a venue's name: time, company, and chat words ("di pendopo KEMARIN sama PPK").
_VENUE_STOP = [
    "kemarin",
    "kemaren",
    "kmrn",
    "kmaren",
    "wingi",
    "tanggal",
    "tgl",
    "tg",
    "pada",
    "pd",
    "yang",
    "yg",
    "dan",
    "itu",
    "iku",
    "kae",
    "kui",
    "kuwi",
    "sama",
    "bareng",
    "bersama",
    "dengan",
    "dgn",
    "karo",
    "untuk",
    "buat",
    "jam",
    "pukul",
    "hari",
    "on",
    "with",
    "and",
    "lho",
    "loh",
    "ya",
    "kan",
    "sih",
    "deh",
    "dong",
    "lur",
    "bukan",
    "tapi",
    "not",
    "tahun",
    "thn",
    "bulan",
    "bln",
    "wulan",
    "acara",
    "acaranya",
    "rapat",
    "raker",
    "kegiatan",
    "kegiatannya",
    "dibuka",
    "dipimpin",
    "oleh",
    "dihadiri",
    "diikuti",
    "katanya",
    "lo",
    "lah",
    "to",
    "toh",
    "tho",
    "rek",
    "cah",
    "min",
    "gan",
    "bro",
    "sis",
    "pas",
    "saat",
    "waktu",
    "mulai",
    "dari",
    "sampai",
    "hingga",
    "atau",
    "terus",
    "trus",
]
_VENUE = re.compile(
    r"\b(?:di|ke|at|in|nang|neng|ning|ing|bertempat(?:\s+di)?|(?:tempat|lokasi|venue|panggon)(?:nya|e|ne)?"
    r"(?:\s+(?:di|nang|neng|ing|at|in))?)\s+(?:(?:the|sebuah|salah\s+satu)\s+)?(?P<v>(?:"
    + "|".join(re.escape(w) for w in VENUE_WORDS)
    + r")\b(?:\s+(?!(?:"
    + "|".join(_VENUE_STOP)
    + r")\b)[a-z][\w'-]*){0,3})"
)


def fold(text: str) -> str:
    """Lower-case with single spaces kept in place: offsets stay those of `text`."""
    return text.lower().replace("’", "'")


def parse_decimal(text: str) -> Decimal | None:
    """83,5 / 83.5 / 83 -> Decimal; 26.238 (a thousands dot) and 26,238 (English thousands) -> 26238."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text) or re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def words_to_number(words: str) -> Decimal | None:
    """'delapan puluh tiga' -> 83, 'dua ribu' -> 2000, 'delapan puluh tiga koma lima' -> 83.5."""
    whole, _, fraction = words.partition(" koma ")
    value = _words_to_int(whole.split())
    if value is None:
        return None
    if fraction.strip():
        digits = [_UNITS.get(w) for w in fraction.split() if w not in ("persen", "prosen", "percent")]
        if not digits or any(d is None for d in digits):
            return None
        return Decimal(f"{value}.{''.join(str(d) for d in digits)}")
    return Decimal(value)


def _words_to_int(words: list[str]) -> int | None:
    total, current = 0, 0
    seen = False
    for word in words:
        if word in ("persen", "prosen", "percent", "koma"):
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TEENS:
            current += _TEENS[word]
        elif word == "belas":
            current += 10
        elif word == "puluh":
            current = (current or 1) * 10
        elif word in ("ratus", "seratus"):
            current = (current or 1) * 100
        elif word in ("ribu", "seribu"):
            total += (current or 1) * 1000
            current = 0
        elif word in ("juta", "sejuta"):
            total += (current or 1) * 1_000_000
            current = 0
        elif word == "miliar":
            total += (current or 1) * 10**9
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def find_items(text: str, vocabulary: Vocabulary = EMPTY_VOCABULARY) -> list[Item]:
    """Every item in `text`, in order; overlapping readings resolved longest first."""
    low = fold(text)
    found: list[Item] = []
    taken = [False] * len(low)

    def add(kind: ItemKind, start: int, end: int, value: ItemValue) -> None:
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        found.append(Item(kind, start, end, text[start:end], value))

    election, election_en = _election_patterns(vocabulary.regions)
    for match in election.finditer(low):
        kind = ELECTION_KIND[" ".join(match["kind"].split())]
        year = match["y"]
        year = f"20{year[1:]}" if year.startswith("'") else year
        add("election", match.start(), match.end(), f"{kind} {year}")
    for match in election_en.finditer(low):
        add("election", match.start(), match.end(), f"{ELECTION_KIND[' '.join(match['kind'].split())]} {match['y']}")
    for kind, pattern, names in vocabulary.patterns():
        # Overlapping names of one kind, the longest first: "Ketua DIVISI TEKNIS" is the technical division's
        # role, not "KETUA DIVISI" (another's), whichever starts first.
        matches: list[re.Match[str]] = []
        at = 0
        while (hit := pattern.search(low, at)) is not None:
            matches.append(hit)
            at = hit.start() + 1
        for hit in sorted(matches, key=lambda m: (m.start() - m.end(), m.start())):
            add(kind, hit.start(), hit.end(), names[hit["name"]])
    for pattern in (_DATE_WORDS, _DATE_ENGLISH, _DATE_NUMBERS):
        for match in pattern.finditer(low):
            value = _date_value(match)
            if value is not None:
                add("date", match.start(), match.end(), value)
    for match in _MONTH_YEAR.finditer(low):
        add("month", match.start(), match.end(), (int(match["y"]), _MONTHS[match["m"]]))
    for match in _PERIOD.finditer(low):
        add("period", match.start(), match.end(), (int(match["a"]), int(match["b"])))
    for match in _PERCENT.finditer(low):
        number = parse_decimal(match["n"])
        if number is not None:
            # "50an persen" is the fifties; "83 persenan" is 83 and a bit.
            step = Decimal(10) if match["an"] and number % 10 == 0 else Decimal(1)
            rough = match["an"] or match["an2"]
            add("percent", match.start(), match.end(), Approx(number, step) if rough else number)
    for match in _NUMBER_WORD_PERCENT.finditer(low):
        number = words_to_number(" ".join(match[0].split()))
        if number is not None:
            add("percent", match.start(), match.end(), number)
    for match in _YEAR.finditer(low):
        add("year", match.start(), match.end(), int(match["y"]))
    for match in _NUMBER.finditer(low):
        number = parse_decimal(match["n"])
        if number is None:
            continue
        if match["mult"]:
            step = Decimal(_MULTIPLIER_VALUE[match["mult"]])
            if match["an"] or match["more"]:  # "26 ribuan", "26 rb lebih": 26.000 to 26.999
                rough = Approx(number * step, step)
            elif number == number.to_integral_value():  # "26 ribu" rounds 26.238 (or 25.800)
                rough = Approx(number * step - step / 2, step * Decimal("1.5"))
            else:  # "26,2 ribu": as precise as written
                rough = Approx(number * step - step / 20, step / 10)
            add("count", match.start(), match.end(), rough)
            continue
        add("count", match.start(), match.end(), number)
    for match in _NUMBER_WORD.finditer(low):
        words = match[0].split()
        # "salah satu", "dua narasumber": small counting words are prose, not figures.
        if not any(w in _MULTIPLIERS or w in ("seratus", "seribu", "sejuta", "sepuluh", "sebelas") for w in words):
            continue
        number = words_to_number(" ".join(words))
        if number is not None:
            start = match.start()
            add("count", start, start + len(match[0].rstrip()), number)
    for match in _WEEKDAY_ALONE.finditer(low):
        # "minggu" is also "week": only a capitalised Minggu (or one next to a date) is a day.
        if match["wd"] in ("minggu",) and not text[match.start()].isupper():
            continue
        add("weekday", match.start(), match.end(), _WEEKDAYS[match["wd"]])
    for match in _MONTH_ALONE.finditer(low):
        add("month_name", match.start(), match.end(), _MONTHS[match["m"] or match["full"]])
    if vocabulary.venues:
        for match in _VENUE.finditer(low):
            start, end = match.span("v")
            # The name ends where another item (a date, a known name) begins.
            end = next((i for i in range(start, end) if taken[i]), end)
            name = " ".join(low[start:end].split())
            if name and name not in vocabulary.places:
                add("place", start, start + len(low[start:end].rstrip()), VENUE_PREFIX + name)
    found.sort(key=lambda item: item.start)
    return found


def _date_value(match: re.Match[str]) -> DateValue | None:
    groups = match.groupdict()
    month_text = groups.get("m") or groups.get("m2")
    if month_text is None:
        return None
    month = _MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else 0)
    day = int(match["d"])
    year_text = groups.get("y") or groups.get("y2")
    year = int(year_text) if year_text else None
    if year is not None and year < 100:
        year += 2000
    if not 1 <= month <= 12:
        return None
    # "0 November 2024", "31 Februari": a date that does not exist is still the date written,
    # read whole (DateValue.exists is False), never as its month with the day dropped.
    # Written with digits only ("0/11", "45/12") it is more likely some other figure.
    if not 1 <= day <= 31 and (month_text.isdigit() or day > 39):
        return None
    weekday = _WEEKDAYS[match["wd"]] if match["wd"] else None
    return DateValue(day, month, year, weekday)


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences (and list lines) of `text` with their offsets; decimals stay whole."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            out.append((start, text[start : match.start()]))
        start = match.end()
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


def nearest(item: Item, others: Iterable[Item]) -> Item | None:
    """The item closest to `item` (by characters between them), or None."""
    best: tuple[int, Item] | None = None
    for other in others:
        if other is item:
            continue
        gap = other.start - item.end if other.start >= item.end else item.start - other.end
        if best is None or gap < best[0]:
            best = (max(gap, 0), other)
    return best[1] if best else None


def format_number(value: Decimal | int) -> str:
    """Indonesian style: 83,5 and 26.238."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", ".")
    whole, _, frac = f"{number.normalize():f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


def format_date(day: dt.date, with_weekday: bool = False) -> str:
    """27 November 2024, or Rabu, 27 November 2024."""
    text = f"{day.day} {MONTH_NAMES[day.month - 1].capitalize()} {day.year}"
    return f"{WEEKDAY_NAMES[day.weekday()].capitalize()}, {text}" if with_weekday else text


def format_month(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1].capitalize()} {year}"


def weekday_name(weekday: int) -> str:
    return WEEKDAY_NAMES[weekday].capitalize()
