"""Claim check ("cek fakta"): compare what a message states with the quoted facts.

Users forward chain messages ("PENTING!! Pencoblosan DIUNDUR ke 4 Desember 2024.
Sebarkan"). Each date, weekday, figure, name or place in the message is read
(bot/facts/statements.py), tied to the fact it talks about by its topic words, the
election it names and the role next to a name, and compared:

- contradicted: the fact says otherwise (the reply gives the fact, quote, source);
- confirmed: the fact says the same;
- unverifiable: the message claims something no fact is about (fines, bansos,
  results): the bot cannot confirm it and points to official channels.

A message is read as a reader sees it (`clean`: padding once, invisible characters gone),
then statement by statement (its sentences, and their clauses for the words that only
known unknowns use): "Pilkada digelar 1 Desember 2024, jangan lupa bawa KTP" corrects the
date and says the sources do not cover the KTP part, rather than declining the whole
message. Which meeting a detail belongs to is decided by what most details of the message
name; polarity ("tidak sah", "tidak naik", "bukan target") turns a word around; a target
is never confirmed as a result. docs/grounding.md lists the rules with their examples.
A verdict always rests on a fact to cite, or says there is none. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from bot.facts.facts import Fact, vocabulary
from bot.facts.statements import (
    ELECTION_KIND,
    ELECTION_NAMES,
    ON_BEHALF,
    VENUE_PREFIX,
    VENUE_WORDS,
    DateValue,
    Item,
    find_items,
    fold,
    nearest,
    sentences,
)
from bot.kb.knowledge import Lexicon
from bot.nlu.text import Normalizer, crude_stem

Verdict = Literal["contradicted", "confirmed", "unverifiable"]
_DAY_KINDS = frozenset({"date", "weekday", "month", "month_name"})
_VALUE_KINDS = ("date", "weekday", "month", "percent", "count", "year", "person", "place", "month_name")
# Which facts an item can be compared with.
_COMPARABLE: dict[str, tuple[str, ...]] = {
    "date": ("date",),
    "weekday": ("date",),
    "month": ("date", "month"),
    "month_name": ("date", "month"),
    "year": ("date",),
    "percent": ("percent",),
    "count": ("count",),
    "person": ("person",),
    "place": ("place",),
}
_QUESTION_END = re.compile(r"\?[^\w]*$")  # "... info? 📱": emoji after the question mark
# "naik GAK dibanding 2019", "... sama nilainya GA": a yes/no question without a question mark.
_NEGATION = r"(?:ga|gak|gk|nggak|ngga|enggak|engga|tidak|tdk|ndak|nda|ora|mboten)"
# Words that turn the next word around: "TIDAK sah", "GA naik", "not higher". Normalizing
# already maps most spellings to "tidak"; the raw words are read too.
NEGATIONS = frozenset(
    [
        "ga",
        "gak",
        "gk",
        "nggak",
        "ngga",
        "enggak",
        "engga",
        "tidak",
        "tdk",
        "tak",
        "ndak",
        "nda",
        "ora",
        "mboten",
        "dak",
        "kagak",
        "bukan",
        "belum",
        "blm",
        "not",
        "never",
        "no",
    ]
)
# All of them as one regex alternation, for the patterns below.
_ANY_NEGATION = "|".join(sorted(NEGATIONS))
# "tidak NAIK", "ga ADA peningkatan", "tidak MENGALAMI kenaikan": a trend word said not to hold.
_NEGATED_TREND = re.compile(
    rf"\b(?:{_ANY_NEGATION})\s+(?:(?:ada|mengalami|terjadi|jadi|pernah|akan|bakal|begitu|terlalu)\s+)?$"
)
# A negation up to two words before a value: "BUKAN 83 persen", "GA JADI tanggal 27 november".
_NEGATED_VALUE = re.compile(rf"\b(?:{_ANY_NEGATION})\b(?:\s+(?P<next>\w+))?(?:\s+\w+)?\s*[,(]?\s*$")
_AT_LEAST_PALING = re.compile(r"\b(?:paling|palingan|pling)\s+$")  # "paling tidak" / "paling gak": at least
_NEGATED_WORD = re.compile(rf"\b(?:{_ANY_NEGATION})\s+$")  # "BUKAN PPK"
_ASKING_TAG = re.compile(r"\b(?:bener|benar|betul|iya|apa|apakah|atau|or)\s+$")  # "bener GA 27 nov?"
_ASKED_AFTER = re.compile(rf"\s+{_NEGATION}\b")  # "naik GAK": asked, not claimed
_TAG_QUESTION = re.compile(rf"\b{_NEGATION}(?:\s+(?:sih|ya|yah|to|toh|kah|si|nih))?\W*$")
# A list's numbering: "1) ...", "2. ..." at the start of a line, "Rangkuman: 1) ... 2) ..." within one.
_ENUMERATOR = re.compile(r"(?<![^\n])[ \t]*\d{1,2}[).](?=[ \t])|(?<![^\s:])\d{1,2}\)(?=[ \t])", re.M)
_AGENT = re.compile(r"\s*(?:oleh|by|dening|dhening)\s*")
_NAMED_AFTER = re.compile(r"\s*,?\s*(?:namanya|namane|jenenge|jenengipun|asmane|asmanipun|bernama|named|called)\b")
_LABEL = re.compile(r"\s*(?::|=>?|->|→|➡\ufe0f?)\s*")  # "2020: 77,6%", "2020 ➡️ 77,6%"
_ATTACH = re.compile(r"\s*(?:(?:in|on|at|pada|di|tahun|thn|th|the|saat|waktu|pas)\s+)+")
# Words that join the two sides of a comparison ("lebih rendah DIBANDING 2020").
_CONNECTORS = frozenset({"dibanding", "dibandingkan", "ketimbang", "daripada", "tinimbang", "than", "compared", "dari"})


# A figure said as an outcome ("AKHIRNYA cuma 70 persen", "partisipasinya MENCAPAI 83 persen"):
# a target is never confirmed by it. The claim check reads these words itself, so they do
# not make a statement unverifiable the way other known-unknown words do.
RESULT_WORDS = (
    "akhirnya",
    "akhire",
    "hasilnya",
    "hasile",
    "realisasi",
    "realisasinya",
    "mencapai",
    "capai",
    "nyampe",
    "tembus",
    "menembus",
    "tercatat",
    "terealisasi",
    "reached",
    "finally",
    "ended",
)
# Whether a target was met is an outcome the sources cannot know (they predate the vote):
# "target TERCAPAI", "MELESET dari target", "TIDAK tercapai" are each unverifiable, never
# confirmed, whatever their polarity.
TARGET_OUTCOMES = (
    "tercapai",
    "terpenuhi",
    "meleset",
    "melampaui target",
    "melebihi target",
    "lampaui target",
    "gagal capai",
    "gagal mencapai",
    "target gagal",
    "gagal target",
    "sesuai target",
    "di bawah target",
    "di atas target",
    "kurang dari target",
    "missed",
    "exceeded",
    "met the target",
    "hit the target",
    "below the target",
    "above the target",
    "below target",
    "above target",
)
FLAT_WORDS = (
    "stagnan",
    "sama aja",
    "sama saja",
    "tetap sama",
    "sama persis",
    "tidak berubah",
    "ga berubah",
    "gak berubah",
    "nggak berubah",
    "podho wae",
    "padha wae",
    "unchanged",
    "the same as",
    "flat",
)
# Chat, connective and sharing words that carry no claim of their own (claim markers and filler
# are in lexicon.yaml): "Raker dgn stakeholder (27 Juli) DULUAN, BARU raker dgn PPK", "COPAS dari grup".
CHAT_WORDS = (
    "bareng bersama duluan baru trus habis abis setelah sebelum copas gaes guys bro sis lur gan min kak "
    "wkwk wkwkwk catat catet foto dok warga grup keluarga semua biar tau kabar info informasi ayo yuk mari "
    "share sebar disebar sebarkan bagikan viralkan diviralkan forwarded fwd times many monggo tolong "
    "sekitar kurang lebih hampir cuma hanya sudah udah udh masih lho loh kok dong sih yo yah nih tuh deh "
    "ngomong bilang kata menurut sebut nyebut disebut resmi official sumber hai halo says said according "
    "least matching match same teruskan diteruskan forward ingat ingatlah saatnya sendiri "
    # A chain message's own exhortations: "WASPADA hoaks!", "CEK DULU sebelum share", "jgn MINDER", "yuk DUKUNG".
    "waspada hati cek dulu minder semangat dukung wujudkan terbuang"
)
# Words that name the election itself: a date tied to voting day by these alone may be another
# event's ("MASA TENANG pilkada 24-26 November", "KOTAK SUARA pilkada tiba ... Senin").
ELECTION_WORDS = frozenset({"pilkada", "pilbup", "pilgub", "pemilu", "pemilihan", "election", "elections"})
# Words that only say when something happens: "Pilkada Blora DIGELAR Minggu 1 Desember".
SCHEDULE_WORDS = (
    "digelar dilaksanakan diadakan diselenggarakan berlangsung jatuh dijadwalkan jadwal jadwalnya "
    "dianakke dipunwontenaken dinten dina kaping tanggal tgl hari harinya held scheduled takes place "
    "day date"
)
# A reason is a claim of its own: in "diundur ke Desember karena anggaran belum cair" the date is
# checked, and what the sources do not cover (the budget) is said apart.
_CLAUSE_END = re.compile(
    r"(?<!\d)[,;:](?!\d)|[,;:](?=\s)|\s[-–—]+\s"
    r"|\s(?=(?:karena|karna|krn|krna|sebab|soalnya|gara-gara|gara2|lantaran|amargi|because)\b)"
    # "taun 2020 partisipasi 83,5 TRS 2024 anjlok ke 77,6", "... NGGAK DIUNDANG PADAHAL sosialisasinya ke sekolah"
    r"|\s(?=(?:trs|terus|trus|lalu|kemudian|then|padahal|tapi|tp|namun)\s)"
)


# A verdict quotes the checked value and nothing more: a date, figure, name or election is
# a few words at most; anything longer is not a value the reader found.
MAX_SAID = 60


def quote(*parts: str) -> str:
    """The words a verdict may quote: items the reader found, never the message around them.

    Only invisible and control characters (a right-to-left override, zero-width spaces) are
    dropped and spacing collapsed; the length is capped so no verdict can carry a sentence.
    """
    text = " ".join(parts)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split()).strip(" ,.;:()")
    return text if len(text) <= MAX_SAID else text[:MAX_SAID].rsplit(" ", 1)[0] + "…"


# Characters a reader does not see: zero-width spaces and joiners, direction marks and overrides.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"
_SPELLED_OUT = re.compile(rf"(?:\w[{_INVISIBLE}]+){{2,}}\w\b")  # "j\u200ba\u200bn\u200bg\u200ba\u200bn"
_HIDDEN = re.compile(rf"[{_INVISIBLE}\u202a-\u202e\u2066-\u2069]+")
# The same one to four characters, or a short phrase, said over and over: "......", "🙏🙏🙏", "ya ya ya".
_PADDING = re.compile(r"((?:[^\w\s]|_){1,4}?|\s)\1{3,}|(\b[^\n]{2,40}?[\s!.,]+)\2{3,}")


def clean(text: str) -> str:
    """`text` as a reader sees it: padding said once, letters split by invisible characters joined.

    "Pilkada Blora 27 November 2024. ........(1 500 dots) PILKADA DIUNDUR" and
    "j\u200ba\u200bn\u200bg\u200ba\u200bn nyoblos" hide words from a reader that reads only so far,
    or word by word; both are read as a person reads them.
    """
    text = _SPELLED_OUT.sub(lambda m: _HIDDEN.sub("", m[0]), text)
    text = _HIDDEN.sub(" ", text)
    return _PADDING.sub(lambda m: m[1] or m[2], text)


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    verdict: Verdict
    # The checked value as written ("4 Desember 2024"), built only from the items read (see `quote`),
    # never a span of the user's text: a ✅ must not carry words the sources do not say.
    # "" for a claim with no readable value.
    said: str
    fact: Fact | None  # the fact it was compared with (None: unverifiable)
    others: tuple[Fact, ...] = ()  # further facts on the same topic (83 and 83,5 persen), or where the value belongs
    # Unverifiable only: facts that bear on the claim without settling it. "Pilkada 2024
    # partisipasinya mencapai 83 persen": 83 % was the target, not a result.
    context: tuple[Fact, ...] = ()
    # Contradicted only: the message moves, cancels or stays away from voting day ("DIUNDUR, jangan ke
    # TPS"); the reply says so in its own words, so `said` is "".
    moved: bool = False


@dataclass(slots=True)
class _Scope:
    """A stretch of the message (a statement, a clause, or all of it) and its words."""

    start: int
    end: int
    tokens: set[str]  # normalized and raw words
    topics: set[str]  # the same with a negated word marked ("tidak sah" -> "¬sah"), for topic words
    unknown: str | None  # a known unknown's keyword phrase it uses
    clauses: list[_Scope] | None = None  # a statement's clauses, once read

    def holds(self, item: Item) -> bool:
        return self.start <= item.start < self.end


@dataclass(frozen=True, slots=True)
class _Detail:
    """A detail that names one meeting: a topic word only it has, or an item with its date or place."""

    event: str
    text: str
    start: int
    negated: bool  # "BUKAN PPK"
    item: Item | None


def _any_of(phrases: Iterable[str]) -> re.Pattern[str]:
    """One pattern for whole-word phrases, longest first; one that never matches for none."""
    if not phrases:
        return re.compile(r"(?!x)x")
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True)) + r")\b")


# The asker speaking of themselves; unless they report what they heard or read ("saya DENGAR ...").
_FIRST_PERSON = frozenset(
    {"saya", "aku", "aq", "gue", "gw", "gua", "kami", "kula", "kulo", "i", "we", "my", "our", "me"}
)
_REPORTED = frozenset(
    {
        "dengar",
        "denger",
        "mendengar",
        "baca",
        "membaca",
        "lihat",
        "liat",
        "melihat",
        "kata",
        "katanya",
        "bilang",
        "dapat",
        "dapet",
        "terima",
        "menerima",
        "info",
        "kabar",
        "pesan",
        "broadcast",
        "heard",
        "read",
        "saw",
        "told",
    }
)


def _indonesian_passive(text: str) -> str:
    """Javanese and Jakarta passives in their Indonesian form: "dipunundur" -> "diundur", "dibatalke",
    "dibatalin" -> "dibatalkan", "dimundurin" -> "dimundurkan"."""
    text = re.sub(r"\bdipun(?=\w{3})", "di", text)
    return re.sub(r"\b(di\w{3,}?)(?:aken|ake|ke|in)\b", r"\1kan", text)


# Words that move a date, or say someone runs for office or withdraws: a move only said with when.
_RUNS = frozenset({"maju", "mundur"})
_WHEN = re.compile(
    r"\b(?:hari|minggu|seminggu|sepekan|pekan|bulan|sebulan|tanggal|tgl|jam|sehari|besok|senin|selasa|rabu|kamis|"
    r"jumat|sabtu)\b|\b\d{1,2}\s*(?:[/-]\s*\d{1,2}\b|(?:jan|feb|mar|apr|mei|jun|jul|agu|sep|okt|nov|des))"
)
# A name said to come with someone: "didampingi (Sekretaris KPU) Kasworo", "bersama Budiman".
_COMPANION = re.compile(r"\b(?:didampingi|ditemani|bersama|beserta|accompanied\s+by)\s+(?:[\w-]+\s+){0,4}$")
# "TPS GK BUKA", "tps mboten dibuka", "TPS-e tutup": polling stations said to be shut.
_TPS_SHUT = re.compile(
    rf"\btps(?:\W?(?:nya|ne|e)\b)?\s+(?:(?:{_ANY_NEGATION})\s+(?:di)?bukak?a?|(?:di)?tutup|libur|prei)\b"
)
# "nyoblos rabu 27/11 GA JADI bro", "ora sido": called off, said last (before a particle at most);
# "ga jadi golput" says something else.
_CALLED_OFF = re.compile(
    rf"\b(?:{_ANY_NEGATION})\s+(?:jadi|jd|sido|sida|sios)\b"
    r"(?=\s*(?:$|[^\w\s]|(?:bro|sis|gan|min|kak|lho|loh|ya|yah|kok|deh|sih|cuy|guys|gaes|ges|lur|rek|yo|to|ki)\b))"
)
# "GA ADA coblosan", "BUKAN HARI nyoblos", "mboten wonten coblosan": a negation, then a word that
# says there is (or is the day of) something, then voting day's own topic word.
_DENIED = rf"\b(?:{_ANY_NEGATION})\s+(?:ada|wonten|ono|ana|hari|dinten|dina)\s+(?:\w+\s+)?"


def _unsuffixed(word: str) -> str:
    """A word without its possessive ending: "tempatNYA", "pilihMU", "tanggalE" say the word itself."""
    for suffix in ("nya", "ne", "mu", "ku"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _same_span(text: str, spans: list[tuple[int, int]], a: Item, b: Item) -> bool:
    """Whether two items stand in the same statement."""
    return any(x <= a.start < y and x <= b.start < y for x, y in spans)


def _clock_time(low: str, item: Item) -> bool:
    """Whether a number is a time of day: "pukul 07.00", "jam 7", "13.00 WIB"."""
    return bool(
        re.search(r"\b(?:pukul|pkl|jam|jm)\s*$", low[max(0, item.start - 8) : item.start])
        or re.match(r"\s*(?:wib|wita|wit|am|pm)\b", low[item.end : item.end + 6])
    )


def _plain(words: Iterable[str]) -> bool:
    """Whether no word of a marked phrase is negated."""
    return not any(w[0] == "¬" for w in words)


def _marked(words: Iterable[str], negations: frozenset[str] = NEGATIONS) -> set[str]:
    """Words with each one a negation turns around marked: ["suara", "tidak", "sah"] -> {"suara", "¬sah"}."""
    out: set[str] = set()
    negated = False
    for word in words:
        if word in negations:
            negated = True
            continue
        out.add(f"¬{word}" if negated else word)
        negated = False
    return out


# Words that forbid, as well as deny, in what someone is said to have said: "JANGAN golput", "ojo golput",
# "ga usah ke TPS". Only the statement reader (`_said`) reads them so; elsewhere "jangan lupa" is a call.
_SAID_NEGATIONS = NEGATIONS | {"jangan", "jgn", "jgan", "ojo", "usah", "gausah", "dont", "don"}
# In a quote, verbs that work against what follows: "mengIKIS apatis" says what "jangan apatis" says, so a
# message's "biar GA apatis" denies nothing of it.
_AGAINST = frozenset(
    {
        "mengikis",
        "kikis",
        "mengurangi",
        "kurangi",
        "menekan",
        "mencegah",
        "cegah",
        "menangkal",
        "tangkal",
        "memberantas",
        "berantas",
        "melawan",
        "lawan",
        "menghindari",
        "hindari",
        "memerangi",
        "mengatasi",
        "atasi",
    }
)
# Filler, marker and chat words that still say something in a statement of what someone said.
_MEANING = frozenset(
    {
        "boleh",
        "harus",
        "wajib",
        "bisa",
        "sama",
        "semua",
        "setiap",
        "benar",
        "bener",
        "betul",
        "bnr",
        "leres",
        "saja",
        "aja",
        "hanya",
        "cuma",
        "doang",
        "sudah",
        "udah",
        "udh",
        "akan",
        "ingin",
        "mau",
        "pengen",
        "ada",
        "penting",
        "lebih",
        "kurang",
        "hampir",
        "masih",
        "baru",
        "duluan",
        "pindah",
        "ganti",
        "diundur",
        "ditunda",
        "dimajukan",
        "waspada",
        "awas",
        "viral",
        "least",
        "same",
        "many",
        "sebelum",
        "setelah",
        "habis",
        "abis",
        "trus",
        "terus",
        "tidak",
        "ga",
        "gak",
        "nggak",
        "not",
        "bukan",
        "dulu",
        "nanti",
        "besok",
        "kemarin",
        "tadi",
    }
)
# "bukan CUMA tugas ortu" says what "bukan SEKEDAR tugas orang tua" says.
# Words a statement that names no speaker needs to be read as a report of what a source says.
_REPORT_WORDS = 6
_ONE_OF = re.compile(r"\bsalah\s+(?:satu|satunya|siji|sijine|setunggal|setunggalipun)\b", re.IGNORECASE)
_LIMITERS = frozenset(
    {"hanya", "cuma", "cuman", "sekedar", "sekadar", "saja", "doang", "mung", "only", "just", "merely"}
)


def _squashed(text: str) -> str:
    """Text compared regardless of case, spacing and typographic quotes (as `check` compares quotes)."""
    return " ".join(fold(text).translate(str.maketrans("“”‘’", "\"\"''")).split())


def _sentence_cuts(text: str) -> list[tuple[int, int]]:
    """Where the sentences of `text` end (the separators' spans)."""
    found = sentences(text)
    return [(a + len(sentence), b) for (a, sentence), (b, _) in pairwise(found)]


def _clause_cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Commas, semicolons, colons, dashes and reason words ("karena") in text[start:end]; never a decimal comma."""
    return [m.span() for m in _CLAUSE_END.finditer(text, start, end)]


def _spans(
    text: str, items: list[Item], cuts: list[tuple[int, int]], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """The parts of text[start:end] between `cuts`, never cutting through an item ("Rabu, 27 November")."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    at = start
    for a, b in cuts:
        if any(i.start < b and a < i.end for i in items):
            continue
        if text[at:a].strip():
            out.append((at, a))
        at = b
    if text[at:end].strip() or not out:
        out.append((at, end))
    return out


class ClaimChecker:
    """Reads claims in messages and compares them with every fact of the knowledge base."""

    def __init__(
        self,
        facts: Iterable[Fact],
        normalizer: Normalizer,
        lexicon: Lexicon,
        unknown_words: frozenset[tuple[str, ...]] = frozenset(),
    ) -> None:
        every = tuple(facts)
        # Statements (what a person said or did, `statement: true`) are read by `_said` alone: their
        # topic words are the point of what was said, not words that tie a date or figure to a fact.
        self._facts = tuple(f for f in every if not f.statement)
        self._said_facts = tuple(f for f in every if f.statement)
        # What each source speaks of as a whole: the elections its facts are about ("sosialisasi PILKADA"),
        # and the bodies its speakers speak for ("KPU Blora"), its own voice.
        sources = {f.source for f in every}
        self._source_elections = {
            s: {w for f in every if f.source == s and f.election for w in fold(f.election).split()} for s in sources
        }
        # The election the knowledge base is about: the latest pilkada its facts speak of ("pilkada 2024").
        pilkadas = [
            fold(f.election)
            for f in every
            if f.election and ELECTION_KIND.get(fold(f.election).split()[0]) == "pilkada"
        ]
        self._home_election = max(pilkadas, key=lambda e: e.split()[-1], default=None)
        self._source_voices = {
            s: {w for f in self._said_facts if f.source == s for t in f.speaks_for for w in t.split()} for s in sources
        }
        self._vocab = replace(vocabulary(every), venues=True)
        self._normalizer = normalizer
        # Normalizing can make two topic phrases one ("hari pemilihan", "pemilihan" -> {pilkada}): count it once.
        # A negated word is its own word ("tidak sah" -> {"¬sah"}): "suara sah" is not about invalid ballots.
        self._topics = {
            f.id: [set(t) for t in dict.fromkeys(frozenset(_marked(normalizer.tokens(t))) for t in f.topic)]
            for f in self._facts
        }
        # A topic word few facts share says more ("target") than one many share ("partisipasi").
        holders: dict[frozenset[str], int] = {}
        for f in self._facts:
            for t in self._topics[f.id]:
                holders[frozenset(t)] = holders.get(frozenset(t), 0) + 1
        self._specific = {t: 1.0 / n for t, n in holders.items()}
        # Markers are matched as written: normalizing "benar tidak" would change it.
        self._markers = [set(re.findall(r"\w+", fold(m))) for m in lexicon.claim_markers]
        # Words only known unknowns use ("menang", "berikutnya", "psu"): a claim about
        # those topics cannot be confirmed or denied, whatever figures it carries.
        # "buka" is a known unknown's word (TPS hours) and a fact's act ("raker dibuka"): the fact wins.
        # Outcome words ("akhirnya", "mencapai") are read by the claim check itself (a target is not a result);
        # whether a target was met ("tercapai", "meleset") is always something the sources cannot say.
        fact_words = {w for f in self._facts for t in (*f.act_terms, *f.topic) for w in t.split()}
        fact_words |= {w for r in RESULT_WORDS for w in r.split()}
        # One pattern for all of them, words in order with up to two words between ("below the KPU target").
        gap = r"(?:\s+\w+){0,2}\s+"
        # Unless a source says how a target came out ("78 persen, di bawah target 85 persen"): then
        # "meleset" is checked like any other word, not taken for what the sources cannot know.
        told = any(re.search(rf"\b{re.escape(o)}\b", fold(f.quote)) for f in self._facts for o in TARGET_OUTCOMES)
        outcomes = set() if told else {tuple(o.split()) for o in TARGET_OUTCOMES}
        keys = {k for k in unknown_words if not set(k) <= fact_words} | outcomes
        phrases = sorted(gap.join(re.escape(w) for w in k) for k in keys)
        self._unknown_phrases = re.compile(rf"\b(?:{'|'.join(phrases)})\b") if phrases else None
        self._result_words = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in RESULT_WORDS) + r")\b")
        # Each act's words ("dibuka", "opened") as one pattern per fact.
        self._acts = {
            f.id: re.compile(r"\b(?:" + "|".join(re.escape(t) for t in f.act_terms) + r")\b")
            for f in self._facts
            if f.act and f.act_terms
        }
        # "IKUT mendampingi": a word of doing along, before another deed, is not the deed "ikut" (attend).
        deeds = {w for f in every for t in f.act_terms for w in t.split()} - _ALONG
        self._along = re.compile(
            r"\b(?:" + "|".join(_ALONG) + r")\s+(?:" + "|".join(map(re.escape, sorted(deeds))) + r")\b"
        )

        # Each statement's speaker as text names them: their name, the body they spoke for ("KPU Blora"),
        # the role the sources give them ("Kabag Prokompim"); its topics with polarity ("jangan golput").
        self._speakers = {
            f.id: _any_of(
                {
                    fold(t)
                    for g in every
                    if g.kind == "person" and g.key == f.key and not g.statement
                    for t in g.role_terms
                }
                | set(f.speaks_for)
            )
            for f in self._said_facts
        }
        self._said_topics = {
            f.id: [set(normalizer.tokens(t)) | set(re.findall(r"\w+", t)) for t in f.topic] for f in self._said_facts
        }
        self._said_ties = {
            f.id: [
                _marked(normalizer.tokens(t), _SAID_NEGATIONS) | _marked(re.findall(r"\w+", t), _SAID_NEGATIONS)
                for t in f.topic
            ]
            for f in self._said_facts
        }
        self._said_polar = {
            f.id: {
                w
                for text in (*f.topic, f.quote)
                for w in _marked(normalizer.tokens(text), _SAID_NEGATIONS)
                | _marked(re.findall(r"\w+", fold(text)), _SAID_NEGATIONS)
                if w[0] == "¬"
            }
            for f in self._said_facts
        }
        self._said_acts = {f.id: _any_of(f.act_terms) for f in self._said_facts}
        self._said_quotes = {f.id: _squashed(f.quote) for f in self._said_facts}
        self._saying = {crude_stem(t) for f in self._said_facts for t in f.act_terms if " " not in t}

        self._schedule = {w for word in SCHEDULE_WORDS.split() for w in (word, *normalizer.tokens(word))}
        self._negated_topic_words = {w for topics in self._topics.values() for t in topics for w in t if w[0] == "¬"}
        self._quoted_elections = {
            f.id: {str(i.value) for i in find_items(f.quote) if i.kind == "election"} for f in self._facts
        }
        self._by_kind = {
            kind: [f for f in self._facts if f.kind in comparable] for kind, comparable in _COMPARABLE.items()
        }
        self._question_words = [set(normalizer.tokens(w)) or {fold(w)} for w in lexicon.question_words]
        self._at_most = [fold(w) for w in lexicon.at_most]
        # The only words that may stand between a name and its role for the role to be said of it:
        # "Ketua KPU Blora adalah Widi", "Widi, Ketua KPU", "Widi is the secretary of KPU Blora".
        self._role_glue = {fold(w) for w in lexicon.role_glue}
        # Each role phrase's holders' other role words: "Ketua Divisi Sosdiklih PARMAS DAN SDM".
        self._role_words: dict[str, set[str]] = {}
        for fact in self._facts:
            role_words = {w for t in fact.role_terms for w in re.findall(r"\w+", fold(t))}
            for term in fact.role_terms:
                self._role_words.setdefault(fold(term), set()).update(role_words)
        # Every word the sources use in a role ("komisioner", "sekretaris", "kabag", "prokompim").
        self._role_vocabulary = {
            w for f in self._facts for t in (*f.role_terms, f.role or "") for w in re.findall(r"\w+", fold(t))
        }
        # "Pilkada Rembang 2020 sekitar 80 persen": the facts are about one region only.
        self._elsewhere = {fold(w) for w in lexicon.other_regions}
        self._date_change = {fold(w) for w in lexicon.date_change}
        # "PENUNDAAN coblosan", "DIPUNUNDUR", "dibatalKE": the same words in other forms (see _moving_word).
        self._date_change_stems = {crude_stem(w) for w in self._date_change}
        # "jangan datang ke TPS hari Rabu": telling voters to stay away on voting day moves it too.
        self._stay_away_at = _any_of({fold(w) for w in lexicon.stay_away})
        # The dates a date-change word is a topic of (voting day): the ones a message can move.
        self._movable = [
            f for f in self._by_kind["date"] if any(w in self._date_change for t in f.topic for w in t.split())
        ]
        movable_topics = {fold(t) for f in self._movable for t in f.topic if not set(t.split()) & self._date_change}
        self._denied_voting = re.compile(_DENIED + _any_of(movable_topics).pattern.removeprefix(r"\b"))
        # Each event's topic words that no other event has ("ppk" vs "stakeholder"), as one pattern.
        words: dict[str, set[str]] = {}
        for fact in self._facts:
            if fact.event:
                words.setdefault(fact.event, set()).update(fact.topic)
        shared = set.intersection(*words.values()) if words else set()
        # Any meeting's own words, shared ones too ("raker", "rapat"), as the normalizer reads them.
        self._meeting_words = frozenset(w for topic in words.values() for t in topic for w in normalizer.tokens(t))
        self._event_words = {
            event: re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(topic - shared)) + r")\b")
            for event, topic in words.items()
            if topic - shared
        }
        # One pattern per direction (0: no change, "stagnan", "sama aja kayak 2019"): the earliest is claimed.
        self._trends = [(0, re.compile(r"\b(?:" + "|".join(FLAT_WORDS) + r")\b"))] + [
            (
                direction,
                re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"),
            )
            for direction, words in ((1, lexicon.trend_up), (-1, lexicon.trend_down))
            if words
        ]
        # Words that carry no claim of their own: filler, particles, markers, question words.
        self._plain = (
            set(lexicon.filler)
            | set(lexicon.particles)
            | {t for m in (*self._markers, *self._question_words) for t in m}
            | {t for w in (*lexicon.trend_up, *lexicon.trend_down) for t in w.split()}
            | _CONNECTORS
        )
        self._plain |= {
            w
            for word in (*CHAT_WORDS.split(), *SCHEDULE_WORDS.split(), *" ".join(FLAT_WORDS).split())
            for w in (word, *normalizer.tokens(word))
        }
        # The words that carry nothing in what someone is said to have said: not those that may turn it
        # around ("golput BOLEH", "SEMUA", "HARUS", "lebih", "sama"), which the quote must say itself.
        self._said_plain = {
            w
            for w in (
                set(lexicon.filler)
                | set(lexicon.particles)
                | {t for m in (*self._markers, *self._question_words) for t in m}
                | set(CHAT_WORDS.split())
            )
            if w not in _MEANING
        }
        self._trend_words = {t for w in (*lexicon.trend_up, *lexicon.trend_down) for t in w.split()} | _CONNECTORS
        self._other = lexicon.other_meaning
        self._approving = _any_of({fold(w) for w in lexicon.approving})
        self._activities = _any_of({fold(w) for w in lexicon.other_activities})
        self._other_words = frozenset(w for g in self._other for w in g)
        self._same: dict[str, list[frozenset[str]]] = {}
        # Words of one direction say the same: "makin naik" is what "lebih meningkat" says.
        for group in (*lexicon.same_meaning, frozenset(lexicon.trend_up), frozenset(lexicon.trend_down)):
            for word in group:
                self._same.setdefault(word, []).append(group)
        # Calls to vote the sources make too ("jangan lupa", "datang ke TPS", "jangan golput"): no claim,
        # unless turned around ("JANGAN datang ke TPS"), which is a claim no source makes.
        self._calls = [
            (
                re.compile(
                    rf"(?P<neg>\b(?:{_NEGATION}|jangan|ojo|gausah|ga usah|nggak usah|tidak usah|don't|do not)\s+)?"
                    rf"\b{re.escape(fold(c))}(?:mu|nya|ku)?\b"  # "gunakan hak pilihMU"
                ),
                set(normalizer.tokens(c)) | set(fold(c).split()),
            )
            for c in lexicon.call_to_action
        ]

    def check(self, text: str, *, forwarded: bool = False) -> list[ClaimVerdict]:
        """The verdict on each claim in `text`; [] when it states nothing checkable.

        Each sentence is a statement of its own: its words tie a value to a fact, and a known
        unknown's keyword in one statement ("jangan lupa bawa KTP") leaves the others checkable.
        """
        text = clean(text)
        whole = self._scope(text, 0, len(text))
        items = self._bare_percents(text, find_items(text, self._vocab), whole)
        if any(i.kind == "person" for i in items):
            items = sorted(items + self._offices(text, items), key=lambda i: i.start)
        low = fold(text)
        raw = set(re.findall(r"\w+", low))
        tokens = whole.tokens
        # "mulai PUKUL 07.00 WIB": a time of day is no date, figure or count any fact gives; "3) Suara tidak
        # sah ...": a list's number is no count.
        values = [
            i
            for i in items
            if i.kind in _VALUE_KINDS and not _clock_time(low, i) and not _ENUMERATOR.match(text, i.start)
        ]
        spans = _spans(text, items, _sentence_cuts(text))
        statements = [whole] if len(spans) == 1 else [self._scope(text, a, b) for a, b in spans]
        # A bare year is context ("partisipasi 2020 83 persen", "turun di bawah 2020"); it is a
        # claim of its own only when its statement moves the date ("Pilkada DIUNDUR ke 2025").
        moved = [
            (a, b)
            for a, b in spans
            if set(re.findall(r"\w+", fold(text[a:b]))) & self._date_change
            and not any(i.kind != "year" and a <= i.start < b for i in values)
        ]
        values = [i for i in values if i.kind != "year" or any(a <= i.start < b for a, b in moved)]
        # A month named alone is a claim only where nothing else is ("dijadwalkan bulan Desember, bukan
        # November"); next to a venue or a date it says which meeting ("raker bulan Juli di pendopo").
        # And only said as when something is: "DIJADWALKAN bulan Desember", not "dibanding pemilu Februari"
        # nor "rapat kerja kpu blora bulan juli" (which names a meeting).
        values = [
            i
            for i in values
            if i.kind != "month_name"
            or (
                not any(v.kind != "month_name" and _same_span(text, spans, v, i) for v in values)
                and self._scheduled(text, spans, i)
            )
        ]
        # "narasumber raker Juli 2024": a month and year right after a meeting's name say which meeting.
        values = [i for i in values if i.kind != "month" or not self._names_meeting(text, i, values, spans)]
        # A venue no fact names is a claim only about a meeting ("raker … di pendopo"), not "ke sekolah".
        # "... padahal sosialisasinya KE sekolah": a place something goes to is read with its own sentence only.
        values = [
            i
            for i in values
            if not _is_venue(i) or self._ties(i, items, text, self._going_to(text, items, i, spans) or whole)
        ]
        # A figure in a statement is a claim ("TPS buka jam 7"); a bare "99" or a question is not.
        question = self._is_question(text, tokens)
        stated = bool(values) and len(self._normalizer.tokens(text)) >= 3 and not question
        unknown_topic = whole.unknown is not None
        comparisons = [c for a, b in spans if (c := self._compare(text, items, a, b)) is not None]
        if not comparisons and len(spans) > 1:
            # "partisipasi pemilu 2024 naik. <anything> dibanding pemilu 2019": the comparison is
            # only the two sides and the trend word (see `quote`), never what stands between them.
            comparisons = [c for c in (self._compare(text, items, 0, len(text), whole),) if c is not None]
        # A forwarded question ("kapan pilkada blora?") is someone's question, not a claim to check.
        # A marker in a question with nothing to check ("aku KAN cuma anak SMA, apa suaraku ...?")
        # does not make it a claim: the question deserves its answer.
        marked = self._has_marker(raw) and (bool(values) or unknown_topic or not question)
        marked = marked or (bool(comparisons) and self._has_marker(raw))
        compared = bool(comparisons) and not question
        # "KPU Rembang juga gelar raker ...": news of another region, which no source here covers.
        elsewhere = not question and len(self._normalizer.tokens(text)) >= 4 and self._elsewhere_in(text, whole)
        # "kpu bilang golput itu sah2 aja, gpp kok ga nyoblos": a speaker's words turned around, however it ends.
        turns = [self._turned(text, st, items) for st in statements]
        claimish = (
            any(t is not None for t in turns)
            or (forwarded and not question)
            or marked
            or stated
            or compared
            or (unknown_topic and not question)
            or elsewhere
        )
        if not claimish and question:
            return []  # "raker 6 september membahas apa" asks; it does not claim
        # "KPU Blora bilang jangan golput": what someone said is a claim too, with no value in it.
        # "sosialisasi pilkada sudah dimulai lewat SMA/SMK/MA": a report of what a source says, in full; a
        # sentence only near one ("sekolah mana aja yg udh dikunjungi kpu") asks, and gets its answer.
        if not claimish and not any(
            self._says(text, st) or self._reported(text, items, st) or self._swaps(text, st) for st in statements
        ):
            return []
        verdicts: list[ClaimVerdict] = list(comparisons)
        unjudged: list[Item] = []
        doubted: list[Item] = []
        judged: list[tuple[Item, ClaimVerdict]] = []
        for item in values:
            verdict = self._verdict(item, items, text, whole, statements)
            if verdict is not None:
                verdicts.append(verdict)
                judged.append((item, verdict))
            else:
                unjudged.append(item)
            if verdict is None or verdict.verdict == "unverifiable":
                doubted.append(item)
        # "Budiman: tantangan kehumasan … hoaks dan disinformasi": what was said, and who said it.
        spoken_verdicts, speakers, spoken = self._said(
            text, items, statements, turns, judged, verdicts, any(c.verdict == "confirmed" for c in comparisons)
        )
        verdicts += spoken_verdicts
        # "The meeting on 6 September was opened by Ahmad Solikin": the date is right, but who
        # opened it is a claim no fact covers. Say so, rather than confirm the whole message.
        verdicts += [
            self._moved_count(
                i, items, text, ClaimVerdict("unverifiable", quote(i.text), None, context=self._targets(i, items, text))
            )
            for i in unjudged
            if i.kind in ("person", "place", "count", "percent") and i not in speakers
        ]
        # "Amri yg jd narasumber itu Kabag Prokompim": a role said of no name we could bind is a claim
        # we did not check; the message is not confirmed as a whole.
        persons = [i for i in values if i.kind == "person"]
        bound = " ".join(v.said for v in verdicts)
        # A role phrase a confirmed quote says as it stands ("... mewakili Ketua KPU Blora") is no claim of its own.
        quoted = " ".join(fold(f.quote) for v in verdicts if v.verdict == "confirmed" for f in (v.fact, *v.others) if f)
        verdicts += [
            ClaimVerdict("unverifiable", quote(r.text), None)
            for r in items
            if r.kind == "role" and persons and quote(r.text) not in bound and fold(r.text) not in quoted
        ]
        for statement in statements:
            verdicts += self._odd_details(items, text, statement)
            verdicts = self._moved(text, items, statement, judged, verdicts)
        # "Izin, saya anggota KPPS baru, ... hari Rabu 27 November, kan?": in a message that asks,
        # what the asker says of themselves is context, not a claim to doubt.
        asking = bool(_QUESTION_END.search(text) or _CHECK_TAG.search(fold(text)))
        told = [
            c
            for st in statements
            for c in self._clauses(text, items, st)
            if not (asking and self._about_the_asker(text, c) and not any(c.holds(i) for i in values))
        ]
        # "..., jangan lupa bawa KTP": a statement about what only a known unknown covers, with
        # no value of its own, is said separately to be beyond the sources.
        for statement in statements:
            if any(statement.holds(i) for i in doubted) or statement in spoken:
                continue  # "PSU pilkada, Rabu 4 Desember": the date's doubt already says it
            for clause in self._clauses(text, items, statement):
                if clause.unknown is not None and not any(clause.holds(i) for i in values) and clause in told:
                    verdicts.append(ClaimVerdict("unverifiable", quote(clause.unknown), None))
        confirmed = [f for v in verdicts if v.verdict == "confirmed" for f in (v.fact, *v.others) if f is not None]
        if confirmed and not any(v.verdict != "confirmed" for v in verdicts):
            # What someone said covers only the statement that says they said it (`_said` checks each word
            # there): "KPU bilang jangan golput. Golput boleh kok" leaves "golput boleh" unexplained.
            rest = self._unexplained(
                text,
                items,
                [f for f in confirmed if not f.statement],
                [c for c in told if not any(sp.start <= c.start < sp.end for sp in spoken)],
                strict=bool(spoken),
            )

            if len(rest) >= 2:
                # "Kominfo ... skipped the 6 September meeting": the date is right, the point of the
                # message is something else. Confirm only what the facts cover.
                verdicts.append(ClaimVerdict("unverifiable", quote(*rest[:3]), None))
        if not verdicts:
            said = quote(values[0].text) if values else ""
            verdicts.append(ClaimVerdict("unverifiable", said, None))
        return _dedupe(verdicts)

    def _bare_percents(self, text: str, items: list[Item], whole: _Scope) -> list[Item]:
        """Bare figures in a message about turnout are percents: "dari 77,6 jd 73 persen", "2024 83,5".

        Not a whole number that counts something ("16 kecamatan"), nor in a message about counts.
        """
        if not any(self._topic_score(f, whole.topics, None) for f in self._by_kind["percent"]) or any(
            self._topic_score(f, whole.topics, None) for f in self._by_kind["count"]
        ):
            return items
        out = []
        for item in items:
            value = item.value
            if item.kind == "count" and isinstance(value, Decimal) and 0 < value <= 100:
                counted = _COUNTED.match(fold(text), item.end)
                if value != value.to_integral_value() or not counted:
                    item = replace(item, kind="percent")
            out.append(item)
        return out

    def _going_to(self, text: str, items: list[Item], item: Item, spans: list[tuple[int, int]]) -> _Scope | None:
        """The clause of a venue said after "ke" (where something goes, not where it is), else None."""
        if not re.search(r"\bke\s+$", fold(text[max(0, item.start - 4) : item.start])):
            return None
        a, b = next(((a, b) for a, b in spans if a <= item.start < b), (0, len(text)))
        statement = self._scope(text, a, b)
        return next((c for c in self._clauses(text, items, statement) if c.holds(item)), statement)

    def _names_meeting(self, text: str, item: Item, values: list[Item], spans: list[tuple[int, int]]) -> bool:
        """A month right after a meeting's word ("raker JULI 2024"), alone in a statement that says no when."""
        before = self._normalizer.tokens(text[max(0, item.start - 30) : item.start])
        return (
            bool(before)
            and before[-1] in self._meeting_words
            and not any(v is not item and _same_span(text, spans, v, item) for v in values)
            and not self._scheduled(text, spans, item)
        )

    def _scheduled(self, text: str, spans: list[tuple[int, int]], item: Item) -> bool:
        """Whether the statement of `item` says when something is ("dijadwalkan", "digelar", "diundur")."""
        for a, b in spans:
            if a <= item.start < b:
                words = set(re.findall(r"\w+", fold(text[a:b])))
                return bool(words & (self._schedule | self._date_change))
        return False

    def _scope(self, text: str, start: int, end: int) -> _Scope:
        part = text[start:end]
        normal = self._normalizer.tokens(part)
        raw = re.findall(r"\w+", fold(part))
        unknown = self._unknown_in(normal, raw)
        # "targetNYA 85 persen" says the topic word "target" (for topics only: "calonnya" does not
        # make a message about the candidates a claim).
        bare = [w[:-3] for w in raw if w.endswith("nya") and len(w) >= 6]
        normal += [w[:-3] for w in normal if w.endswith("nya") and len(w) >= 6]
        normal += self._normalizer.tokens(" ".join(bare)) if bare else []  # "coblosanNYA": "pencoblosan"
        raw += bare
        return _Scope(start, end, set(normal) | set(raw), _marked(normal) | _marked(raw), unknown)

    def _clauses(self, text: str, items: list[Item], statement: _Scope) -> list[_Scope]:
        if statement.clauses is None:  # read once per statement
            spans = _spans(
                text, items, _clause_cuts(text, statement.start, statement.end), statement.start, statement.end
            )
            statement.clauses = [statement] if len(spans) == 1 else [self._scope(text, a, b) for a, b in spans]
        return statement.clauses

    def _verdict(
        self, item: Item, items: list[Item], text: str, whole: _Scope, statements: list[_Scope]
    ) -> ClaimVerdict | None:
        verdict = self._read(item, items, text, whole, statements)
        return verdict if verdict is None else self._moved_count(item, items, text, verdict)

    def _moved_count(self, item: Item, items: list[Item], text: str, verdict: ClaimVerdict) -> ClaimVerdict:
        """A count only one fact gives, said of something else, is that fact's: "suara tidak sah pemilu
        2024 di blora 26.238", "26.238 pemilih yang golput" (26.238 is the number of invalid ballots in
        Pemilu 2019, and no other count is that exact number by chance). A percent is left in doubt:
        another election's turnout may well be 83,5 % too. Quoted with the election it was given to.
        """
        context = verdict.context
        if not (
            verdict.verdict == "unverifiable"
            and item.kind == "count"
            and isinstance(item.value, Decimal)
            and item.value >= 1000
            and len({f.id for f in context}) == 1
            and all(f.shows(item) and not f.target for f in context)
        ):
            return verdict
        given = self._context(item, items, text)
        said = verdict.said
        if given is not None and given.kind == "election":
            first, last = sorted((given, item), key=lambda i: i.start)
            said = quote(first.text, "…", last.text)
        return ClaimVerdict("contradicted", said, context[0])

    def _read(
        self, item: Item, items: list[Item], text: str, whole: _Scope, statements: list[_Scope]
    ) -> ClaimVerdict | None:
        """One value's verdict, read within its statement (or the whole message if that says what it is about).

        A known unknown's keyword ("PSU", "menang") makes the value unverifiable when it stands in
        the words that tie the value to a fact: its own clause, or the wider statement its clause
        needs ("PSU pilkada blora, Rabu 4 Desember 2024": the date is the PSU's, not voting day's).
        """
        statement = next((s for s in statements if s.holds(item)), whole)
        widened = not self._ties(item, items, text, statement)
        scope = whole if widened else statement
        clause = next((c for c in self._clauses(text, items, statement) if c.holds(item)), statement)
        if scope.unknown is not None:
            if clause.unknown is not None or widened or not self._ties(item, items, text, clause):
                return ClaimVerdict("unverifiable", quote(item.text), None, context=self._targets(item, items, text))
            scope = clause  # read on its own words only: "… 71 percent, below the KPU target"
        elif item.kind in _DAY_KINDS and clause is not statement and self._ties(item, items, text, clause):
            scope = clause  # "At the 27 July MEETING at Garden Resto, Amri said ... the 2019 ELECTION": the meeting's
        verdict = self._judge(item, items, scope, text, clause, statement)
        negation = self._negation_before(item, text, clause)
        if verdict is None or negation is None or verdict.verdict == "unverifiable":
            return verdict
        if verdict.verdict == "contradicted":
            return None  # "bukan tanggal 4 Desember": denying a value the sources do not give claims nothing false
        # "pilkada GA JADI tanggal 27 November": the value the sources give, denied.
        return replace(verdict, verdict="contradicted", said=quote(fold(text[negation : item.start]), item.text))

    def _negation_before(self, item: Item, text: str, clause: _Scope) -> int | None:
        """Where a negation of `item` starts in its clause ("BUKAN 83 persen", "GA JADI tanggal 27"), or None.

        Not a negation that belongs to a topic word ("suara TIDAK SAH 26.238") or asks ("bener GA 27 nov").
        """
        low = fold(text)
        match = _NEGATED_VALUE.search(low, clause.start, item.start)
        if match is None or f"¬{match['next'] or ''}" in self._negated_topic_words:
            return None
        if _ASKING_TAG.search(low, max(clause.start, match.start() - 12), match.start()):
            return None
        # "kalo GAK BISA 83% ya minimal …": a condition supposes, it does not deny.
        if _CONDITION.search(low, max(clause.start, match.start() - 12), match.start()):
            return None
        # "PALING GAK 83%" is "at least 83 %", no denial.
        if _AT_LEAST_PALING.search(low, max(clause.start, match.start() - 8), match.start()):
            return None
        return match.start()

    def _ties(self, item: Item, items: list[Item], text: str, scope: _Scope) -> bool:
        """Whether `scope`'s words tie `item` to some fact: a topic word, or for a name its role or act."""
        if item.kind == "person":
            low = fold(text[scope.start : scope.end])
            return any(i.kind == "role" and scope.holds(i) for i in items) or any(
                p.search(low) for p in self._acts.values()
            )
        return any(self._topic_score(f, scope.topics, None) for f in self._by_kind[item.kind])

    def _targets(self, item: Item, items: list[Item], text: str) -> tuple[Fact, ...]:
        """What the sources say this figure is, when the claim cannot be checked: "Pilkada 2024
        partisipasinya 83 persen" (83 % is the target, not a result), "26.238 suara tidak sah pilkada
        2020" (26.238 is the Pemilu 2019 count). A target of the figure's election comes first."""
        if item.kind not in ("percent", "count"):
            return ()
        context = self._context(item, items, text)
        shown = [f for f in self._facts if f.kind in _COMPARABLE[item.kind] and f.shows(item)]
        targets = [
            f
            for f in shown
            if f.target and (context is None or context.kind != "election" or f.election in (None, context.value))
        ]
        return tuple(targets or shown[:2])

    def _context(
        self, item: Item, items: list[Item], text: str, clause: _Scope | None = None, statement: _Scope | None = None
    ) -> Item | None:
        """The election or bare year a figure is about: the one after "in"/"pada" next to it, else the
        nearest in its clause ("Pemilu 2024 di Blora 83,5 persen, 2019 lebih rendah"), else the nearest."""
        low = fold(text)
        # "... sama KYK pilkada 2020, 77,6 persen": an election something is likened to is not the figure's.
        contexts = [
            i
            for i in items
            if i.kind in ("election", "year") and not _LIKENED.search(low, max(0, i.start - 16), i.start)
        ]
        # "2020: 77,6% ➡️ Pemilu 2024: 83,5%": a label and its colon name the figure after them.
        labelled = [c for c in contexts if c.end <= item.start and _LABEL.fullmatch(text[c.end : item.start])]
        if labelled:
            return labelled[0]
        if self._rose_from(item, contexts, low):
            return None
        if clause is not None and any(clause.holds(c) for c in contexts):
            contexts = [c for c in contexts if clause.holds(c)]
        elif statement is not None:
            # "pemilu 2024 anjlok dr 2020, dari 77,6 JD 73 persen": the figure it moved to is the subject's.
            move = _MOVE_BEFORE.search(low, max(statement.start, item.start - 12), item.start)
            refs = [c for c in contexts if statement.holds(c)]
            trends = [m for _, p in self._trends if (m := p.search(low, statement.start, statement.end))]
            if move and trends and len(refs) >= 2:
                subject, baseline = _sides(low, refs, min(trends, key=lambda m: m.start()))
                return baseline if move["w"] in ("dari", "dr", "from") else subject
            # "2020: 77,6%\nPemilu 2024: 83,5%": the year on its own line, not the next line's election.
            contexts = refs or contexts
        # "Pilkada digelar Kamis 28/11. Partisipasi pemilu 2024 …", "nyoblos rabu 27/11. …": a statement
        # that names its election without a year, or ties the value to a topic itself, does not borrow
        # the next sentence's election.
        if (
            statement is not None
            and not any(statement.holds(c) for c in contexts)
            and (statement.tokens & ELECTION_WORDS or self._ties(item, items, text, statement))
        ):
            return None
        # "77.6% in 2020 to 83.5% in the 2024 general election": what follows "in" belongs to the figure.
        attached = [c for c in contexts if c.start >= item.end and _ATTACH.fullmatch(fold(text[item.end : c.start]))]
        return attached[0] if attached else nearest(item, contexts)

    @staticmethod
    def _rose_from(item: Item, contexts: list[Item], low: str) -> bool:
        """Whether `item` is the figure something moved from, with no election of its own: "naik DARI 77,6 persen
        menjadi 88,5 persen pada Pemilu 2024" (77,6 is not the election's named after the figure it rose to)."""
        since = _MOVE_BEFORE.search(low, max(0, item.start - 12), item.start)
        later = [c for c in contexts if c.start >= item.end]
        return bool(
            since
            and since["w"] in ("dari", "dr", "from")
            and later
            and not any(c.end <= item.start for c in contexts)
            and _MOVED_TO.search(low, item.end, later[0].start)
        )

    def _unknown_in(self, normal: list[str], raw: list[str]) -> str | None:
        """The known unknown's keyword phrase a text uses (its normalized and its raw words), its words
        in order ("below the KPU target"), or None."""
        if self._unknown_phrases is None:
            return None
        match = self._unknown_phrases.search(f"{' '.join(normal)} | {' '.join(raw)}")
        return match[0] if match else None

    def asks(self, text: str, *, forwarded: bool = False) -> bool:
        """Whether the sender asks for a check: forwarded, or a marker ("katanya", "bener ga")."""
        return forwarded or self._has_marker(set(re.findall(r"\w+", fold(text))))

    def _compare(
        self, text: str, items: list[Item], start: int, end: int, scope: _Scope | None = None
    ) -> ClaimVerdict | None:
        """A claimed direction between two elections' figures ("Pemilu 2024 lebih rendah dibanding 2020").

        Compared only where both sides have a figure on the same topic (never a target);
        a side the facts do not cover ("Pilkada 2024 turun") makes it unverifiable. A negated
        trend ("TIDAK naik", "ga lebih tinggi") claims the other direction.
        """
        low = fold(text)
        found = [
            (m.start(), direction, m) for direction, pattern in self._trends if (m := pattern.search(low, start, end))
        ]
        refs = [i for i in items if i.kind in ("election", "year") and start <= i.start < end]
        if not found or len(refs) < 2:
            return None
        scope = scope or self._scope(text, start, end)
        _, direction, trend = min(found, key=lambda f: f[0])
        negation = _NEGATED_TREND.search(low, max(scope.start, trend.start() - 30), trend.start())
        if negation is not None and direction == 0:
            return None  # "tidak stagnan": changed, but which way?
        if negation is not None:
            direction = -direction
        said_trend = low[negation.start() if negation else trend.start() : trend.end()]
        subject, baseline = _sides(low, refs, trend)

        def figures(ref: Item) -> list[Fact]:
            return [
                f
                for f in self._facts
                if f.kind == "percent"
                and not f.target
                and f.election is not None
                and (f.election == ref.value if ref.kind == "election" else ref.value in f.years())
            ]

        topical = {f.id for f in self._facts if f.kind == "percent" and self._topic_score(f, scope.topics, None)}
        ours, theirs = ([f for f in figures(r) if f.id in topical] for r in (subject, baseline))
        # Only the comparison itself, never what the message wraps between its parts.
        joiner = "" if said_trend.split()[-1] in ("as", "than", "dari", "kayak", "seperti") else "dibanding"
        said = quote(subject.text, said_trend, joiner, baseline.text)
        if not topical:
            if any(self._topic_score(f, scope.topics, None) for f in self._facts):
                # "suara tidak sah 2019 lebih banyak dari 2020": about facts we hold, a direction they do not give.
                return ClaimVerdict("unverifiable", said, None)
            return None  # not about a figure the facts hold ("harga naik sejak 2020")
        if scope.unknown is not None:
            return ClaimVerdict("unverifiable", said, None)  # "pemenangnya naik dibanding 2019"
        # "Pemilu 2024 turun dibanding 2019": no 2019 figure, but the quote says it rose from it;
        # "Pemilu 2024 83,5 persen, 2019 lebih rendah" says the same the other way round.
        for mine, other, sign in ((ours, baseline, 1), (theirs, subject, -1)):
            said_of = [f for f in mine if f.trend is not None and _same_election(f.trend[1], other)]
            if said_of and not (ours and theirs) and said_of[0].trend is not None:
                verdict: Verdict = "confirmed" if said_of[0].trend[0] == sign * direction else "contradicted"
                return ClaimVerdict(verdict, said, said_of[0])
        if not ours or not theirs:
            return ClaimVerdict("unverifiable", said, None)
        agree = [
            a.value == b.value if direction == 0 else (a.value > b.value) == (direction > 0)  # type: ignore[operator]
            for a in ours
            for b in theirs
        ]
        if all(agree):
            return ClaimVerdict("confirmed", said, ours[0], tuple(ours[1:] + theirs))
        if not any(agree):
            return ClaimVerdict("contradicted", said, ours[0], tuple(ours[1:] + theirs))
        return ClaimVerdict("unverifiable", said, None)

    def _unexplained(
        self, text: str, items: list[Item], facts: list[Fact], statements: list[_Scope], *, strict: bool = False
    ) -> list[str]:
        """Content words of `text` that neither the confirmed facts nor the items account for.

        Read statement by statement: the normalizer reads the first 500 characters of what it is given.
        `strict`: next to what someone said, a word that may turn it around ("golput BOLEH") is a content word.
        """
        covered = set(self._plain) - (_MEANING if strict else set())
        covered |= {w for f in facts for w in self._source_voices[f.source]}  # "KPU Blora" beside its facts
        for fact in facts:
            what = "" if fact.statement else fact.what  # a statement's `what` is our wording, not the source's
            covered |= set(self._normalizer.tokens(f"{what} {fact.role or ''} {fact.quote} {fact.event or ''}"))
            covered |= set(fact.speaks_for) | {w for t in fact.speaks_for for w in t.split()}
            if fact.statement:  # the meeting's own words ("raker", "PPK"), as its date and place facts give them
                covered |= {w for f in self._facts if f.event == fact.event for t in f.topic for w in t.split()}
            covered |= {w for t in fact.act_terms for w in t.split()}
            covered |= {t.lstrip("¬") for topic in self._topics.get(fact.id, ()) for t in topic}
            covered |= {w for topic in self._said_topics.get(fact.id, ()) for w in topic}
        for item in items:
            covered |= set(self._normalizer.tokens(item.text))
        low = fold(text)
        turned: list[str] = []
        for pattern, call in self._calls:
            for st in statements:
                for match in pattern.finditer(low, st.start, st.end):
                    if match["neg"]:
                        turned += [w for w in call if w.isalpha() and len(w) > 2]  # "jangan datang ke TPS"
                    else:
                        covered |= call
        words = [t for st in statements for t in self._normalizer.tokens(text[st.start : st.end])]
        # What someone said in other forms of the quote's words: "DIMULAI" for "mulai", "perlu" for "diperlukan".
        stems = {crude_stem(w) for f in facts if f.statement for w in re.findall(r"\w+", fold(f.quote))}
        # A word with letters ("rp100rb", "hati2") says something; a bare number is an item or nothing.
        rest = [
            t
            for t in dict.fromkeys(words)
            if len(t) > 2
            and not t.isdigit()
            and t not in covered
            and _unsuffixed(t) not in covered
            and crude_stem(t) not in stems
        ]
        return list(dict.fromkeys(turned + rest))

    # ------------------------------------------------------------------ what someone said or did

    def _says(self, text: str, statement: _Scope) -> bool:
        """Whether a statement says someone said or did something ("KPU bilang …", "Budiman: …",
        "Kasworo mendampingi …"), not only names its topic ("kpu blora sosialisasi ke sekolah")."""
        tied = self._said_tied(text, statement)
        part = fold(text[statement.start : statement.end])
        return bool(tied) and (
            any(self._said_acts[f.id].search(part) for f in tied) or bool(re.search(r"\w\s*:\s", part))
        )

    def _reported(
        self,
        text: str,
        items: list[Item],
        statement: _Scope,
        judged: list[tuple[Item, ClaimVerdict]] | None = None,
        confirmed: list[Fact] | None = None,
    ) -> bool:
        """Whether a statement, naming no speaker, says all that something a source reports says
        ("sosialisasi pilkada udah dimulai lewat SMA, SMK, MA"): its topic, every word, and no question."""
        part = text[statement.start : statement.end]
        words = self._normalizer.tokens(part)
        # A few words ("kpu blora sosialisasi ke sekolah") are a search, typed as people search: it asks.
        if len(words) < _REPORT_WORDS or self._is_question(part, set(words) | set(re.findall(r"\w+", fold(part)))):
            return False
        tied = self._said_tied(text, statement)
        named = self._events_named(items, fold(text))
        return bool(tied) and self._said_holds(text, items, statement, tied, judged or [], confirmed or [], named)

    def _said_tied(self, text: str, statement: _Scope) -> list[Fact]:
        """The statements (`statement: true` facts) whose point a statement of the message names: one of
        their topic phrases, word for word ("jangan golput", "tantangan kehumasan"), best first."""
        # With their polarity: "golput aja" does not name "jangan golput", nor "tidak sama nilainya" "nilainya sama".
        part = text[statement.start : statement.end]
        words = _marked(self._normalizer.tokens(part), _SAID_NEGATIONS) | _marked(
            re.findall(r"\w+", fold(part)), _SAID_NEGATIONS
        )
        words |= {w[:-3] for w in words if w.endswith("nya") and len(w) >= 6}
        # A word of the same meaning names the same point: "hoaks bukan MASALAH" is about the "tantangan".
        words |= {
            m + w for word in words for m in ("¬",) if word[0] == m for g in self._same.get(word[1:], ()) for w in g
        }
        words |= {w for word in words if word[0] != "¬" for g in self._same.get(word, ()) for w in g}
        # A plain topic is named when denied too ("hoaks BUKAN tantangan" is about the challenges: `_denies`
        # reads the denial); a topic with its own polarity ("jangan golput") only as it stands.
        bare = words | {w[1:] for w in words if w[0] == "¬"}
        scored = [
            (sum(len(t) for t in self._said_ties[f.id] if t and (t <= words or (t <= bare and _plain(t)))), f)
            for f in self._said_facts
        ]
        return [f for n, f in sorted(scored, key=lambda p: -p[0]) if n]

    def _said(
        self,
        text: str,
        items: list[Item],
        statements: list[_Scope],
        turns: list[tuple[Fact, str] | None],
        judged: list[tuple[Item, ClaimVerdict]],
        verdicts: list[ClaimVerdict],
        compared: bool = False,
    ) -> tuple[list[ClaimVerdict], set[Item], list[_Scope]]:
        """What someone said or did, statement by statement: "KPU Blora bilang jangan golput",
        "Budiman: tantangan kehumasan … hoaks dan disinformasi", "Kasworo mendampingi pembukaan raker".

        Confirmed only when the message names the one who said it (their name, their role, or the body
        they spoke for: "KPU Blora"), and no one else; names no other meeting; every value in the
        statement is one the quote gives; and the quote covers every word of the statement, negations
        included ("golput BOLEH", "hoaks BUKAN tantangan", "Mustakim TIDAK bilang" are not covered).
        Otherwise unverifiable, with what the source does say (and who said it), when a speaker is named.
        Returns the verdicts, the names judged as speakers, and the statements confirmed.
        """
        out: list[ClaimVerdict] = []
        speakers: set[Item] = set()
        spoken: list[_Scope] = []
        low = fold(text)
        named = self._events_named(items, low)
        confirmed = [f for v in verdicts if v.verdict == "confirmed" for f in (v.fact, *v.others) if f is not None]
        for statement, turned in zip(statements, turns, strict=True):
            if turned is not None:
                # "KPU Blora: golput itu sah-sah saja": what the speaker forbade, said to be fine.
                fact, words = turned
                out.append(ClaimVerdict("contradicted", quote(words), fact))
                speakers |= {i for i in items if i.kind == "person" and statement.holds(i)}
                spoken.append(statement)
                continue
            tied = self._said_tied(text, statement)
            if not tied:
                continue
            persons = [i for i in items if i.kind == "person" and statement.holds(i)]
            part = low[statement.start : statement.end]
            mine: list[Fact] = []
            wrong: list[Fact] = []
            said_as = ""
            for fact in tied:
                own = [p for p in persons if fact.shows(p)]
                term = self._speakers[fact.id].search(part)
                if own and len(own) == len(persons):
                    mine.append(fact)
                    said_as = said_as or own[0].text
                elif not persons and term is not None:
                    mine.append(fact)
                    said_as = said_as or text[statement.start + term.start() : statement.start + term.end()]
                elif persons or any(self._speakers[f.id].search(part) for f in self._said_facts):
                    wrong.append(fact)  # "Budiman bilang jangan golput": someone else said it
            if not mine and not wrong:
                # Nobody is named: "sosialisasi sudah masuk ke SMA/SMK/MA" states what the source reports.
                # Its values have verdicts of their own ("suara tidak sah 2019 26.238" is the count's fact).
                valued = any(statement.holds(i) for i in items if not self._home(i))
                if not valued and not compared and self._reported(text, items, statement, judged, confirmed):
                    out.append(ClaimVerdict("confirmed", "", tied[0], tuple(tied[1:])))
                    spoken.append(statement)
                continue  # "hoaks" alone is not a claim about Budiman
            if mine and self._said_holds(text, items, statement, mine, judged, confirmed, named, compared):
                out.append(ClaimVerdict("confirmed", quote(said_as), mine[0], tuple(mine[1:])))
                spoken.append(statement)
                speakers |= set(persons)
                continue
            if mine and (denied := self._denies(text, statement, mine)) is not None:
                # "Budiman bilang hoaks BUKAN tantangan": he said it is one. The denial, and what he did say.
                out.append(ClaimVerdict("contradicted", quote(denied), mine[0], tuple(mine[1:])))
                speakers |= set(persons)
                continue
            if mine and (swapped := self._swapped(text, statement, mine)) is not None:
                # "Kata KPU suara pemula nilainya SETENGAH": the quote says "sama". The word, and what was said.
                out.append(ClaimVerdict("contradicted", quote(swapped), mine[0], tuple(mine[1:])))
                speakers |= set(persons)
                continue
            if any(v.verdict == "contradicted" and statement.holds(i) for i, v in judged):
                continue  # "Mustakim bilang partisipasi 2024 73 persen": the ❌ on the figure says it
            if not mine and persons and (given := self._given_to(text, statement, persons, wrong, judged)) is not None:
                # "Yang nyebut 26.238 itu Pak Budiman": the figure is right, who said it is not.
                out.append(given)
                speakers |= set(persons)
                continue
            if confirmed and len(self._unexplained(text, items, confirmed, [statement])) < 2:
                continue  # "Target KPU: partisipasi … minimal 83 persen": the target fact says it all, as before
            said_as = said_as or (persons[0].text if persons else "")
            speakers |= set(persons)  # this verdict is theirs: "Budiman bilang jangan golput" -> who did say it
            out.append(ClaimVerdict("unverifiable", quote(said_as), None, context=tuple((mine or wrong)[:2])))
        return out, speakers, spoken

    def _given_to(
        self,
        text: str,
        statement: _Scope,
        persons: list[Item],
        said_by_others: list[Fact],
        judged: list[tuple[Item, ClaimVerdict]],
    ) -> ClaimVerdict | None:
        """ "Pak Budiman YANG paparin suara tidak sah 26.238": the message says who it was that said a
        value; the one statement that says it is someone else's. None unless the value is confirmed, the
        message names the sayer with "yang ... " (the one who), and one statement alone gives the value."""
        low = fold(text[statement.start : statement.end])
        # "yang PAPARIN", "yg JELASIN": any verb of saying the sources use, in any form ("menjelaskan",
        # "jelasnya"), Jakarta "-in" for "-kan".
        nexts = [w[0] for m in _WHO_DID.finditer(low) if (w := re.match(r"\w+", low[m.end() :])) is not None]
        if not any(
            crude_stem(w) in self._saying or (w.endswith("in") and crude_stem(w[:-2] + "kan") in self._saying)
            for w in nexts
        ):
            return None
        for item, verdict in judged:
            if not statement.holds(item) or verdict.verdict != "confirmed" or verdict.fact is None:
                continue
            value = _squashed(verdict.fact.quote)
            sayers = [f for f in said_by_others if value in self._said_quotes[f.id] or item.text in f.quote]
            if len(sayers) == 1:
                parts = sorted(((persons[0].start, persons[0].text), (item.start, item.text)))
                return ClaimVerdict("contradicted", quote(parts[0][1], "…", parts[1][1]), sayers[0])
        return None

    def _turned(self, text: str, statement: _Scope, items: list[Item]) -> tuple[Fact, str] | None:
        """A statement that names a speaker and turns their words around: what they forbade said to be
        fine ("kpu bilang golput itu SAH2 AJA" of "jangan golput"), or a limit they denied said plainly
        ("nyoblos itu CUMA tugas orang tua" of "bukan hanya sekedar tugas orang tua"). The statement and
        the words that turn it; None if it does not."""
        part = text[statement.start : statement.end]
        low = fold(part)
        if _QUESTION_END.search(low):
            return None  # "Menurut KPU, siapa saja yang punya tugas ...?" asks
        raw = re.findall(r"\w+", low)
        plain = _marked(raw, _SAID_NEGATIONS) | _marked(self._normalizer.tokens(part), _SAID_NEGATIONS)
        # "SIAPA SAJA", "apa aja": whoever, whatever; no limit.
        limits = {w for w in plain if w in _LIMITERS and not re.search(rf"\b(?:siapa|apa|mana|kapan)\s+{w}\b", low)}
        # Said to be fine, not "BUKAN pilihan": an approving word with no negation right before it.
        approving = next(
            (
                m
                for m in self._approving.finditer(low)
                if not re.search(rf"\b(?:{_ANY_NEGATION})\s+$", low[: m.start()])
                # Not asked either: "golput BOLEH GK sih?", "golput gpp?" ask what the speaker said.
                and not re.match(rf"\s+(?:{_ANY_NEGATION})\b", low[m.end() :])
                and "?" not in low[m.end() : _clause_end(low, m.end()) + 1]
            ),
            None,
        )
        persons = [i for i in items if i.kind == "person" and statement.holds(i)]
        for fact in self._said_facts:
            if not (any(fact.shows(p) for p in persons) or (not persons and self._speakers[fact.id].search(low))):
                continue
            polar = {w[1:] for w in self._said_polar[fact.id]}
            said_plainly = set(re.findall(r"\w+", fold(fact.quote))) - polar
            # Said plainly and never forbidden here too ("jangan golput, golput itu bukan pilihan" restates it).
            forbidden = {w for w in polar & plain if w not in _LIMITERS and len(w) > 3 and f"¬{w}" not in plain}
            forbidden -= said_plainly
            word = min(forbidden, key=lambda w: low.find(w), default="")
            if word and approving is not None and approving.start() > low.find(word):  # "golput ... gpp"
                return fact, part[low.find(word) : approving.end()]
            # "CUMA tugas orang tua": the quote says "bukan hanya" and the statement names what it is about.
            named = any(
                (rest := {w for w in tie if w.lstrip("¬") not in _LIMITERS}) and rest <= plain
                for tie in self._said_ties[fact.id]
            )
            # Not "bukan cuma ngajak nyoblos DOANG": a limit denied in the statement too restates the quote.
            restated = any(f"¬{w}" in plain for w in _LIMITERS)
            if limits and polar & _LIMITERS and named and not restated:
                word = min(limits, key=lambda w: low.find(w))
                start = re.search(rf"\b{re.escape(word)}\b", low)
                return fact, part[start.start() if start else 0 :].strip(" ,.;!?\n")
        return None

    def _swaps(self, text: str, statement: _Scope) -> bool:
        """Whether a statement naming who speaks ("KPU Blora sosialisasi ke KAMPUS dulu") swaps a word of
        what they said for another of its group: a claim, though it has no "bilang"."""
        part = fold(text[statement.start : statement.end])
        tied = [f for f in self._said_tied(text, statement) if self._speakers[f.id].search(part)]
        return bool(tied) and self._swapped(text, statement, tied[:1]) is not None

    def _swapped(self, text: str, statement: _Scope, facts: list[Fact]) -> str | None:
        """A word of `statement` that stands where the quotes of `facts` say another of its lexicon group
        (`other_meaning`): "nilainya SETENGAH" of "nilainya sama", "mulai dari KAMPUS" of "melalui sekolah
        SMA/SMK/MA"; None if there is none. Only a word said plainly counts, and only when the statement
        says none of the quote's own words of that group plainly ("SMA dan SD" adds, it does not swap)."""
        quoted: set[str] = set()
        for fact in facts:
            quoted |= {w for w in _marked(re.findall(r"\w+", fold(fact.quote)), _SAID_NEGATIONS) if w[0] != "¬"}
        part = text[statement.start : statement.end]
        raw = [w for w in re.findall(r"\w+", fold(part)) if w not in _PREPOSITIONS]  # "belum KE sma"
        said = _marked(raw, _SAID_NEGATIONS)  # as typed: the lexicon reads "sm" as "sama" ("ortu sm guru")
        low = fold(part)
        for group in self._other:
            theirs = group & quoted
            alike = theirs | {w for t in theirs for g in self._same.get(t, ()) for w in g}  # "wis" is "sudah"
            if not theirs or alike & said:
                continue
            for word in sorted(group & said - alike, key=low.find):
                if (m := re.search(rf"\b{re.escape(word)}\b", low)) is None:
                    continue
                # "ke KAMPUS dulu, BELUM ke SMA": the swap runs to the quote's word it denies.
                denied = (re.compile(rf"\b{re.escape(t)}\b").search(low, m.end()) for t in theirs)
                end = max((d.end() for d in denied if d is not None), default=m.end())
                return part[m.start() : end]
        return None

    def _home(self, item: Item) -> bool:
        """Whether `item` only names the election the knowledge base is about ("jgn golput di Pilkada 2024")."""
        return item.kind == "election" and self._home_election is not None and _same_election(self._home_election, item)

    def _denies(self, text: str, statement: _Scope, facts: list[Fact]) -> str | None:
        """The words of `statement` that deny what the quotes of `facts` state: a negation before a word a
        quote says and never negates ("hoaks BUKAN TANTANGAN" of "tantangan kehumasan seperti hoaks",
        "GAK SEMUA segmen" of "untuk semua segmen"); None if nothing is denied so.

        Limiters ("bukan cuma") and filler are not read; a quote word with a negation up to three words
        before it ("paling tidak tidak terlalu JAUH") or that a topic forbids ("jangan golput") is no
        word the quote states.
        """
        polar = {w[1:] for f in facts for w in self._said_polar[f.id]}
        stated: set[str] = set()
        for fact in facts:
            for seq in (re.findall(r"\w+", fold(fact.quote)), self._normalizer.tokens(fact.quote)):
                for i, word in enumerate(seq):
                    if not any(w in _SAID_NEGATIONS or w in _AGAINST for w in seq[max(0, i - 3) : i]):
                        stated.add(word)
        stated -= polar
        stated |= {w for word in stated for group in self._same.get(word, ()) for w in group} - polar  # "masalah"
        stems = {crude_stem(w) for w in stated}
        part = text[statement.start : statement.end]
        low = fold(part)
        for seq in (re.findall(r"\w+", low), self._normalizer.tokens(part)):
            for i, word in enumerate(seq[1:], 1):
                # "hoaks GA BAKAL JD masalah": a word or two of becoming between the negation and the word.
                before = i - 1
                while before > 0 and i - before <= 2 and seq[before] in _BECOMING:
                    before -= 1
                if seq[before] not in _SAID_NEGATIONS or word in _SAID_NEGATIONS or word in _BECOMING:
                    continue
                if word in _LIMITERS or word in self._said_plain or len(word) <= 3 or word in polar:
                    continue
                if word in stated or crude_stem(word) in stems:
                    negation = re.search(rf"\b{re.escape(seq[before])}\b", low)
                    start = negation.start() if negation is not None else 0
                    end = low.find(word, start)
                    return part[start : end + len(word)] if end >= 0 else f"{seq[i - 1]} {word}"
        return None

    def _said_holds(
        self,
        text: str,
        items: list[Item],
        statement: _Scope,
        facts: list[Fact],
        judged: list[tuple[Item, ClaimVerdict]],
        confirmed: list[Fact],
        named: set[str],
        compared: bool = False,
    ) -> bool:
        """Whether `facts` (statements of the one the message names) say all that `statement` says."""
        if named and not any(f.event in named for f in facts):
            return False  # "Mustakim bilang di raker JULI jangan golput"
        quotes = " ".join(self._said_quotes[f.id] for f in facts)
        # Each value is one the quote gives: "83 persen" confirmed with the figure its quote states.
        for item in items:
            if not statement.holds(item) or item.kind in ("person", "role"):
                continue
            verdict = next((v for i, v in judged if i is item), None)
            if verdict is not None:
                if verdict.verdict != "confirmed" or verdict.fact is None:
                    return False
                same_event = verdict.fact.event is not None and any(f.event == verdict.fact.event for f in facts)
                if _squashed(verdict.fact.quote) not in quotes and not same_event:
                    return False  # "Mustakim bilang 2020 77,6 persen": Ahmad Solikin said that
            elif self._home(item):
                # "jgn golput di pilkada 2024": the election the source is about; unless what was said is about
                # another one ("suara tidak sah PILKADA 2024" of the count Amri gave for Pemilu 2019).
                about = " ".join(f.what for f in facts)
                elections = [i for i in find_items(about, self._vocab) if i.kind == "election"]
                if elections and not any(_same_election(str(i.value), item) for i in elections):
                    return False
            elif not any(i.kind == item.kind and i.value == item.value for i in find_items(quotes, self._vocab)):
                return False  # "Budiman bilang tantangan Pilkada 2029"
        own = [set(re.findall(r"\w+", quotes))]
        own += [set(self._normalizer.tokens(quotes))]
        quoted = set().union(*own)
        quoted |= {w[:-3] for w in quoted if w.endswith("nya") and len(w) >= 6}
        if statement.unknown is not None and not set(statement.unknown.split()) <= quoted:
            return False  # a known unknown's word the quote does not say
        covered = set(self._said_plain) | quoted | _UNITS | _SAID_TIME | _ALONG
        if any(i.kind == "person" and statement.holds(i) for i in items):
            covered |= self._role_glue  # "sekretaris kpu blora NAMANYA PAK kasworo ..."
        if compared:  # "lebih tinggi dibanding Pemilu 2019": the comparison, confirmed on its own
            covered |= self._trend_words
        if quoted & _LIMITERS:
            covered |= _LIMITERS  # "bukan CUMA" for "bukan hanya sekedar"
        for fact in (*facts, *confirmed):
            covered |= {w for t in fact.topic for w in (*t.split(), *self._normalizer.tokens(t))}
            covered |= {w for t in (*fact.act_terms, *fact.speaks_for, *fact.aliases) for w in t.split()}
            covered |= {w for w in re.findall(r"\w+", fold(f"{fact.value} {fact.role or ''} {fact.event or ''}"))}
            if not fact.statement:
                covered |= set(self._normalizer.tokens(f"{fact.what} {fact.quote}"))
        for fact in self._facts:
            if fact.kind == "person" and any(fact.key == f.key for f in facts):
                covered |= {w for t in (*fact.role_terms, fold(fact.role or "")) for w in t.split()}
            if fact.event is not None and any(fact.event == f.event for f in facts):
                covered |= {w for t in fact.topic for w in t.split()}  # the meeting's own words: "raker", "PPK"
        for item in items:
            if statement.holds(item):
                covered |= set(self._normalizer.tokens(item.text)) | set(re.findall(r"\w+", fold(item.text)))
        covered |= {w for f in facts for w in self._source_elections[f.source]}  # "sosialisasi PILKADA"
        covered |= {w for word in covered for group in self._same.get(word, ()) for w in group}
        stems = {crude_stem(w) for w in covered}
        part = _ONE_OF.sub(" ", text[statement.start : statement.end])  # "salah satu tantangan": not "salah"
        # "muda2" is "muda-muda": a doubled word written with a 2 is the word.
        raw = [w[:-1] if w.endswith("2") and w[:-1].isalpha() else w for w in re.findall(r"\w+", fold(part))]
        normal = self._normalizer.tokens(part)
        for word in dict.fromkeys([*normal, *raw]):
            # The lexicon's own reading of a chat word: "ngarep" is "harapan".
            mapped = self._normalizer.mapping.get(word)
            if word.endswith("in") and (word[:-2] + "kan" in covered or crude_stem(word[:-2] + "kan") in stems):
                continue  # Jakarta "-in" for "-kan": "dijadwalin" is "dijadwalkan"
            if (
                (len(word) > 2 or word in self._other_words)  # "SD" and "MA" are words too
                and not word.isdigit()
                and word not in covered
                and crude_stem(word) not in stems
                and _unsuffixed(word) not in covered
                and word not in _SAID_NEGATIONS
                and not (mapped is not None and all(m in covered or crude_stem(m) in stems for m in mapped.split()))
            ):
                return False
        # Polarity: a word said not to hold, or forbidden, must be so in the quote ("bukan CUMA" is "bukan sekedar").
        polar = set().union(*(self._said_polar[f.id] for f in facts))
        limited = any(w[1:] in _LIMITERS for w in polar)
        for word in _marked(normal, _SAID_NEGATIONS) | _marked(raw, _SAID_NEGATIONS):
            if word[0] != "¬" or word in polar or (word[1:] in _LIMITERS and limited):
                continue
            if crude_stem(word[1:]) in {crude_stem(w[1:]) for w in polar}:
                continue
            return False
        return True

    # ------------------------------------------------------------------ one item

    def _judge(
        self, item: Item, items: list[Item], scope: _Scope, text: str, clause: _Scope, statement: _Scope
    ) -> ClaimVerdict | None:
        candidates = [f for f in self._facts if f.kind in _COMPARABLE[item.kind]]
        tokens = scope.topics
        if item.kind in ("percent", "count") and self._elsewhere_in(text, scope):
            return ClaimVerdict("unverifiable", quote(item.text), None)  # a figure for another region
        if item.kind == "person":
            return self._judge_person(item, items, candidates, text)
        if item.kind == "count" and (counted := _COUNTED.match(fold(text), item.end)) is not None:
            # "20 KOTAK suara rusak": a count of something no count fact counts is no claim about them.
            noun = counted[0].strip()
            told = {w for f in candidates for w in re.findall(r"\w+", fold(f"{f.what} {f.quote} {' '.join(f.topic)}"))}
            if (
                noun not in _UNITS | self._plain
                and noun not in told
                and crude_stem(noun) not in {crude_stem(w) for w in told}
            ):
                return ClaimVerdict("unverifiable", quote(item.text), None)
        # The election or bare year nearest the figure says which election it is about:
        # "83.5% in the 2024 general election, up from 2020's 77.6%".
        context = self._context(item, items, text, clause, statement)
        said_of = context  # the election the message gives the figure to
        mode = None
        if item.kind in ("percent", "count"):
            opposed = self._opposed(item, context, text, clause, scope)
            if opposed is not None:
                return opposed  # "26.238 itu jumlah suara SAH", "83 persen, itu hasil resmi BUKAN target"
            # "partisipasinya AKHIRNYA 70 persen": an outcome, which a target never confirms;
            # "target KPU ... sama kyk pilkada 2020, 77,6 persen": said of the target, whatever else it names.
            mode = self._figure_mode(text, clause, statement)
            candidates = [f for f in candidates if f.target == (mode == "target")] if mode else candidates
        if (
            context is None
            and item.kind in ("percent", "count")
            and not self._rose_from(item, [i for i in items if i.kind in ("election", "year")], fold(text))
        ):
            # "pilkada blora partisipasine tembus 83 persen": an election named without its year is of its kind
            # only, and a bare "pilkada" is this one (the latest the facts speak of), not 2020's unless its value.
            said = fold(text[statement.start : statement.end])
            kinds = {
                ELECTION_KIND[m[0]]
                for m in _BARE_ELECTION.finditer(said)
                if not _LIKENED.search(said, max(0, m.start() - 16), m.start())  # "sama dgn PEMILU": likened to it
            }
            if len(kinds) == 1:
                kind = kinds.pop()
                candidates = [f for f in candidates if f.election is None or f.election.split()[0] == kind]
                years = [y for f in self._facts if f.election and f.election.split()[0] == kind for y in f.years()]
                latest = max(years, default=None)
                if kind == "pilkada" and not any(f.shows(item) and not f.target for f in candidates):
                    candidates = [f for f in candidates if f.election is None or latest in f.years()]
        if context is not None and context.kind == "year":
            dated = [f for f in candidates if f.election is not None and context.value in f.years()]
            candidates = dated or candidates
            context = None
        elif context is not None:
            candidates = [
                f
                for f in candidates
                if f.election is None
                or f.election == context.value
                or (mode == "target" and context.value in self._quoted_elections[f.id])
            ]
        # A topic word must tie the item to the fact; the election only ranks those that have one.
        scored = [(self._topic_score(f, tokens, context), f) for f in candidates if self._topic_score(f, tokens, None)]
        if mode == "target" and not scored:
            scored = [(1.0, f) for f in candidates]  # "target ..., 77,6 persen": the clause names no topic itself
        if not scored:
            return None
        best = max(s for s, _ in scored)
        about = [f for s, f in scored if s == best]
        if item.kind in ("date", "weekday", "month", "month_name") and self._another_subject(
            item, items, text, clause if self._ties(item, items, text, clause) else scope, about, tokens
        ):
            return ClaimVerdict("unverifiable", quote(item.text), None)
        if item.kind in ("date", "place", "weekday", "month") and any(f.event for f in about):
            about, mixed = self._by_event(item, items, text, clause, statement, about)
            if mixed is not None:
                return mixed
            if _is_venue(item):
                return self._judge_venue(item, about if self._pinned(item, items, text, clause, statement) else [])
        elif _is_venue(item):
            return None
        if len({f.election for f in about}) > 1 and not any(f.shows(item) for f in about):
            # "partisipasi Blora 85 %" with no election named: no fact is about that claim.
            return ClaimVerdict("unverifiable", quote(item.text), None)
        if len({frozenset(f.topic) for f in about}) > 1 and any(f.shows(item) for f in about):
            # Two different facts fit equally well and one has this value: "target 77,6 %"
            # could be the 2020 turnout said wrongly or a wrong target. Do not guess. Facts of one
            # topic for two elections are told apart by the value: "targetnya 85 persen" is the one
            # target of 85 % (the verdict names its election).
            return ClaimVerdict("unverifiable", quote(item.text), None)
        agreeing = [f for f in about if f.shows(item) and not self._wrong_weekday(item, f)]
        if agreeing and not (agreeing[0].qualifier == "minimal" and any(w in fold(text) for w in self._at_most)):
            return ClaimVerdict(
                "confirmed", quote(item.text), agreeing[0], tuple(f for f in about if f is not agreeing[0])
            )
        if all(f.kind == "month" for f in about):
            # "sosialisasi serupa dijadwalkan September": outreach in October is not ruled out.
            return ClaimVerdict("unverifiable", quote(item.text), None)
        # Say where the value does belong: "… di Garden Resto" (the July meeting's venue),
        # "77,6 persen … Pemilu 2024" (the Pilkada 2020 figure).
        belongs = tuple(
            f
            for f in self._facts
            if f not in about
            and f.kind == about[0].kind
            and f.shows(item)
            and ((f.event is not None and f.event != about[0].event) or f.election != about[0].election)
        )
        said = quote(item.text)
        if said_of is not None and any(f.election != about[0].election for f in belongs):
            # "Angka 77,6 persen itu partisipasi Pemilu 2024": the figure and the election it is given to.
            said = quote(" … ".join(i.text for i in sorted((item, said_of), key=lambda i: i.start)))
        return ClaimVerdict("contradicted", said, about[0], tuple(about[1:]) + belongs)

    def _another_subject(
        self, item: Item, items: list[Item], text: str, scope: _Scope, about: list[Fact], tokens: set[str]
    ) -> bool:
        """Whether a date tied to a fact by the election's name alone is said of something else.

        "Masa tenang pilkada 24-26 November 2024": the date is the quiet period's; "Pilkada Blora
        digelar Minggu 1 Desember 2024" is about voting day (its other words only say when).
        """
        # "Car Free DAY": a schedule word ("hari") beside the election's name ties no more than the name does.
        when = ELECTION_WORDS | self._schedule
        if not all(all(t <= when for t in self._topics[f.id] if t <= tokens) for f in about):
            return False
        words = self._unexplained(text, items, about, [scope])
        activity = self._activities.search(fold(text), scope.start, scope.end)
        if activity is not None and set(self._normalizer.tokens(activity[0])) & set(words):
            return True  # "SOSIALISASI Pilkada ..., Minggu pagi": the outreach's day
        return len([w for w in words if w not in self._schedule and w not in ELECTION_WORDS]) >= 2

    def _opposed(
        self, item: Item, context: Item | None, text: str, clause: _Scope, scope: _Scope
    ) -> ClaimVerdict | None:
        """A figure a fact gives, said with that fact's topic turned around: "26.238 suara SAH" (the
        sources give 26.238 invalid ballots), "83 persen ... BUKAN target" (83 % is the target).

        Its clause decides if it says the topic either way ("26.238 suara sah, sisanya rusak").
        """
        for fact in self._facts:
            if fact.kind not in _COMPARABLE[item.kind] or not fact.shows(item):
                continue
            if context is not None and context.kind == "election" and fact.election not in (None, context.value):
                continue
            for words in (clause, scope):
                turned = self._opposes(fact, words.topics)
                if turned is None:
                    continue
                if not turned:
                    break
                # Quote the turned word with the figure: "26.238 … SAH", "83 persen … bukan target".
                low = fold(text)
                spot = [
                    m
                    for w in turned
                    if (
                        m := re.search(
                            rf"(?:\b{_NEGATION}\s+|\bbukan\s+)?\b{re.escape(w)}\w*", low[words.start : words.end]
                        )
                    )
                ]
                extra = text[words.start + spot[0].start() : words.start + spot[0].end()] if spot else ""
                parts = sorted([(item.start, item.text), (words.start + (spot[0].start() if spot else 0), extra)])
                return ClaimVerdict("contradicted", quote(" … ".join(p for _, p in parts if p)), fact)
        return None

    def _opposes(self, fact: Fact, words: set[str]) -> set[str] | None:
        """The words of one of the fact's topics that `words` say with their polarity turned ("sah" for
        "tidak sah"); an empty set if `words` say a topic as it is; None if they say neither."""
        if any(t <= words for t in self._topics[fact.id]):
            return set()
        for topic in self._topics[fact.id]:
            polar = {w for w in topic if w[0] == "¬"}
            flips = [((topic - polar) | {w[1:] for w in polar}, {w[1:] for w in polar})] if polar else []
            flips += [((topic - {w}) | {f"¬{w}"}, {w}) for w in topic if not polar]
            for flipped, turned in flips:
                if flipped <= words:
                    return turned
        return None

    def _figure_mode(self, text: str, clause: _Scope, statement: _Scope) -> Literal["target", "result"] | None:
        """Whether a figure is said as a target or as an outcome, by the nearest words that say what it is.

        Its clause decides if it names a figure's topic ("partisipasi", "target", "akhirnya"),
        else the statement: "Target partisipasi ... sama kyk pilkada 2020, 77,6 persen" states a target.
        """
        for scope in (clause, statement):
            target = any(f.target and self._topic_score(f, scope.topics, None) for f in self._facts)
            result = bool(self._result_words.search(fold(text[scope.start : scope.end])))
            if target or result or any(self._topic_score(f, scope.topics, None) for f in self._by_kind["percent"]):
                return "target" if target and not result else "result" if result and not target else None
        return None

    def _judge_venue(self, item: Item, places: list[Fact]) -> ClaimVerdict | None:
        """A venue no fact names ("di pendopo bupati"), said of a meeting the message pins down.

        Contradicted only when it shares no name word with the meeting's place ("kantor KPU"
        may well be where the Gedung Pertemuan KPU is): the claim is then unverifiable.
        """
        places = [f for f in places if f.kind == "place"]
        if not places:
            return None  # which meeting? Do not guess.
        name = str(item.value).removeprefix(VENUE_PREFIX)
        said, kind = _name_words(name), _venue_kinds(name)
        for fact in places:
            names = " ".join((str(fact.value), *fact.aliases))
            if said and said <= _name_words(names) and kind & _venue_kinds(names):
                # "di Gedung Pertemuan KPU": the place's own words, only fewer.
                return ClaimVerdict("confirmed", quote(item.text), fact)
        for fact in places:
            names = " ".join((str(fact.value), *fact.aliases))
            # "resto Tunjungan" may be the Garden Resto and Caffe Tunjungan; a bare "gedung" may be its Gedung.
            if said & _name_words(names) or (not said and kind & _venue_kinds(names)):
                return ClaimVerdict("unverifiable", quote(item.text), None)
        return ClaimVerdict("contradicted", quote(item.text), places[0], tuple(places[1:]))

    def _judge_person(self, item: Item, items: list[Item], persons: list[Fact], text: str) -> ClaimVerdict | None:
        period = self._period_of(item, items, text, persons)
        if period is not None:
            return period
        role = self._role_of(item, items, text)
        act = self._judge_act(item, items, text)  # "raker … dibuka oleh Ahmad Solikin"
        doubted = act is not None and act.verdict == "unverifiable"
        if role is None or (act is not None and act.verdict == "contradicted"):
            # "dibuka oleh Ketua KPU Widi": Widi is the chair, but did not open it.
            return act
        if str(role.value).startswith(_OFFICE):
            return self._judge_office(item, role, persons)
        holders = [f for f in persons if str(role.value) in f.role_terms]
        if not holders:
            return None
        agreeing = [f for f in holders if f.shows(item)]
        # "Budiman jabatannya Kabag Prokompim Setda Kabupaten REMBANG": the role, but of another region.
        after = re.findall(r"\w+", fold(text[role.end : role.end + 40]))[:4]
        elsewhere = [w for w in after if w in self._elsewhere]
        if agreeing and elsewhere:
            return ClaimVerdict(
                "contradicted", quote(role.text, "…", elsewhere[0].capitalize(), item.text), agreeing[0]
            )
        if agreeing and doubted:
            # "Kabag Prokompim Budiman narasumber raker PPK": the role is his, the act is another meeting's,
            # so nothing is confirmed. A wrong role is false whatever the act ("Kasworo, Ketua KPU, hadir").
            return act
        if agreeing:
            # "Yang mimpin rapat ... itu Ahmad Mustakim, Ketua Divisi Sosdiklih": the act is confirmed too.
            done = (act.fact,) if act is not None and act.verdict == "confirmed" and act.fact is not None else ()
            return ClaimVerdict("confirmed", quote(role.text, item.text), agreeing[0], done)
        # "Ahmad Mustakim itu Komisioner Divisi Teknis": who holds that role, and what his role is.
        own = tuple(f for f in persons if f.shows(item) and f.role is not None and f.act is None and f not in holders)
        return ClaimVerdict("contradicted", quote(role.text, item.text), holders[0], tuple(holders[1:]) + own[:1])

    def _judge_office(self, item: Item, office: Item, persons: list[Fact]) -> ClaimVerdict | None:
        """An office no fact names, said of a name whose role the sources give.

        "Budiman ... itu Kepala Dinas Kominfo Blora": the sources give him another office (per their
        date), so the claim is false; "Noorman anggota KPU Blora" is part of his ("Anggota KPU Blora
        Divisi Hukum dan Pengawasan") and is not called false.
        """
        own = [f for f in persons if f.shows(item) and f.role is not None and f.act is None]
        if not own:
            return None
        said = set(re.findall(r"\w+", fold(str(office.value).removeprefix(_OFFICE)))) - _OFFICE_GENERIC
        if any(said <= set(re.findall(r"\w+", fold(f"{f.role} {' '.join(f.role_terms)}"))) for f in own):
            return ClaimVerdict("unverifiable", quote(office.text, item.text), None, context=tuple(own[:1]))
        return ClaimVerdict("contradicted", quote(office.text, item.text), own[0])

    def _offices(self, text: str, items: list[Item]) -> list[Item]:
        """Offices in free wording no fact names: "Kepala Dinas Kominfo Blora", "Ketua Bawaslu Blora"."""
        low = fold(text)
        out = []
        for match in _OFFICE_WORDS.finditer(low):
            start, end = match.span()
            # "Bupati Blora BUDIMAN jadi narasumber": the office ends where the name begins.
            # "Kepala DINAS KOMINFO Blora": a body no role is given for (an office's own name) is part of it.
            inside = [i.start for i in items if i.start < end and start < i.end and not self._office_of(low, start, i)]
            if inside:
                end = min(inside)
                if end <= start or not low[start:end].strip() or re.search(r"[^\w\s-]", low[start:end]):
                    continue
                end = start + len(low[start:end].rstrip())
                # Only an office the sources never use ("Bupati"): "mantan komisioner KPU Moh Syaiful Amri"
                # uses their words for another role, which the name's own role may well be.
                words = set(re.findall(r"\w+", low[start:end])) - _OFFICE_GENERIC
                if words <= self._role_vocabulary:
                    continue
            # "anggota KPU Blora (periode) 2018-2023": a role or term the facts name follows; it says the office.
            after = [i for i in items if i.start >= end and i.kind in ("role", "period")]
            if after and set(re.findall(r"\w+", low[end : after[0].start])) <= self._role_glue:
                continue
            out.append(Item("role", start, end, text[start:end], _OFFICE + low[start:end]))
        return out

    def _elsewhere_in(self, text: str, scope: _Scope) -> bool:
        """Whether `scope` names another region, not as a ranking across it ("terendah SE-JATENG" is Blora's)."""
        low = fold(text[scope.start : scope.end])
        return any(
            m[0] in self._elsewhere and not re.search(r"\bse\W?$", low[: m.start()]) for m in re.finditer(r"\w+", low)
        )

    def _office_of(self, low: str, start: int, item: Item) -> bool:
        """Whether `item`, right after an office's head, names the body the office heads: a name the
        sources give no role ("Kepala DINAS KOMINFO Blora"), not a person ("Sekretaris Kasworo")."""
        if item.kind != "person" or not re.fullmatch(rf"(?:{_OFFICE_HEADS})\s+", low[start : item.start]):
            return False
        return not any(f.kind == "person" and f.key == item.value and f.role for f in self._facts)

    def _period_of(self, item: Item, items: list[Item], text: str, persons: list[Fact]) -> ClaimVerdict | None:
        """A term of office said of a name: "Moh Syaiful Amri anggota KPU Blora periode 2013-2018"."""
        terms = [f for f in persons if f.shows(item) and f.role and re.search(r"(?:19|20)\d{2}-(?:19|20)\d{2}", f.role)]
        for period in (i for i in items if i.kind == "period" and i.start > item.end):
            gap = set(re.findall(r"\w+", fold(text[item.end : period.start])))
            if terms and gap <= self._role_glue | {"periode", "period", "masa", "jabatan", "tahun", "thn"}:
                agreeing = [f for f in terms if f.shows(period)]
                verdict: Verdict = "confirmed" if agreeing else "contradicted"
                return ClaimVerdict(verdict, quote(item.text, period.text), (agreeing or terms)[0])
        return None

    def _role_of(self, item: Item, items: list[Item], text: str) -> Item | None:
        """The role phrase said of the name `item`, if any.

        A role belongs to the name it introduces ("Ketua KPU Blora iku Pak Widi ..., sekretarise Pak
        Kasworo"), else to the name it follows ("Kasworo, Sekretaris KPU"); only glue words may stand
        between ("adalah", "selaku", the role's own longer wording: "Ketua Divisi SOSDIKLIH PARMAS DAN
        SDM KPU Blora adalah Ahmad Solikin"). "Noorman, MEWAKILI ketua KPU": the role is no one's here.
        """
        persons = [i for i in items if i.kind == "person"]

        def joined(role: Item, person: Item) -> bool:
            gap = fold(text[min(role.end, person.end) : max(role.start, person.start)])
            if "\n" in gap:
                return False  # "- Noorman Pramono: Divisi Hukum\n- Ahmad Mustakim: …": each line its own
            glue = self._role_glue | self._role_words.get(str(role.value), set())
            # "Ketua KPU Blora WEKTU PILKADA 2024 kuwi Pak Noorman": when the role was held stands between too.
            words = {w for w in re.findall(r"\w+", gap) if not _YEAR_WORD.fullmatch(w)} - _HELD_WHEN
            # "Budiman YG JADI NARASUMBER RAKER KPU ITU Kepala Dinas Kominfo": a relative clause between.
            return words <= glue or bool(_RELATIVE.fullmatch(gap) and "," not in gap)

        owned = []
        for role in (i for i in items if i.kind == "role"):
            after = [p for p in persons if p.start >= role.end and joined(role, p)]
            before = [p for p in persons if p.end <= role.start and joined(role, p)]
            owner = after[0] if after else before[-1] if before else None
            closing = re.match(r"([^()]*)\)", text[role.end :])  # "(Kabag Prokompim Setda Blora)"
            glued = closing is not None and set(re.findall(r"\w+", fold(closing[1]))) <= self._role_glue
            if re.search(r"\(\s*$", text[: role.start]) and glued:
                owner = before[-1] if before else None  # "Pak Budiman (Prokompim) & Pak Amri": Budiman's
            if owner is item:
                owned.append(role)
        return nearest(item, owned)

    def _judge_act(self, item: Item, items: list[Item], text: str) -> ClaimVerdict | None:
        """Who did what at a meeting, each deed said of the name in its sentence: "yg BUKA raker ppk itu
        Ahmad Mustakim, dia jg yg MIMPIN": he led it (✅), he did not open it (❌, which is the verdict)."""
        verdict = self._judge_one_act(item, items, text)
        if verdict is not None and verdict.verdict == "contradicted":
            return verdict
        low = fold(text)
        cuts = _sentence_cuts(text)  # the name's sentence ("26.238", "07.00" end none)
        start = max((b for a, b in cuts if b <= item.start), default=0)
        end = min((a for a, b in cuts if a >= item.end), default=len(low))
        deeds = sorted(
            {f.act for f in self._facts if f.id in self._acts and f.act and self._acts[f.id].search(low, start, end)}
        )
        for deed in deeds:
            other = self._judge_one_act(item, items, text, only=deed)
            if other is not None and other.verdict == "contradicted":
                return other
        return verdict

    def _judge_one_act(self, item: Item, items: list[Item], text: str, only: str | None = None) -> ClaimVerdict | None:
        """Who did what at a meeting: "raker PPK 6 September dibuka Ahmad Solikin".

        The act ("dibuka") must be in the message and the meeting must be clear (only one
        meeting had that act, or a date, place or topic word names it). One person opened
        it: someone else is contradicted. Several speakers: someone else is only unverifiable.
        """
        low = fold(text)
        acts = [f for f in self._facts if f.id in self._acts and self._acts[f.id].search(low)]
        if not acts:
            return None

        def gap(person: Item, spans: list[tuple[int, int]]) -> int:
            # Across a sentence or clause end ("...meeting; Budiman") an act is said of another name.
            return min(
                max(a - person.end, person.start - b, 0)
                + 1000 * bool(re.search(r"[;.!?\n]", text[min(b, person.end) : max(a, person.start)]))
                for a, b in spans
            )

        # "Ahmad Solikin opened the stakeholder meeting; Budiman and Amri were the speakers": each name
        # gets the act said nearest to it.
        along = [m.span() for m in self._along.finditer(low)]
        spans_of = {
            f.act: [m.span() for m in self._acts[f.id].finditer(low) if not any(a <= m.start() < b for a, b in along)]
            for f in acts
        }
        spans_of = {a: spans for a, spans in spans_of.items() if spans}
        acts = [f for f in acts if f.act in spans_of]
        if not acts:
            return None

        # "Noorman Pramono DIDAMPINGI Kasworo": a passive right after a name is done to it, not by it.
        done_to = {
            a
            for a, spans in spans_of.items()
            if all(x >= item.end and low[x:y].startswith("di") and not low[item.end : x].strip() for x, y in spans)
        }
        act = min((a for a in spans_of if a not in done_to), key=lambda a: gap(item, spans_of[a]), default=None)
        if only is not None:
            act = only if only in spans_of and only not in done_to else None
        if act is None:
            return None
        # "Budiman, Kabag Prokompim, MEMAPARKAN strategi ... di hadapan PESERTA raker": a deed someone is quoted
        # doing (a statement's verb) said nearer the name is its deed, not the one further on.
        saying = [m.start() for f in self._said_facts for m in self._said_acts[f.id].finditer(low)]
        first = min((x for x in saying if x >= item.end), default=None)
        if first is not None and all(first < x for x, _ in spans_of[act]):
            return None
        # "Sing mimpin Kominfo Blora JENENGE Pak Slamet": a name followed by what someone is called is what was
        # led or opened, not who did it.
        if _NAMED_AFTER.match(low, item.end):
            return None
        # "Noorman DIDAMPINGI Sekretaris KPU Kasworo saat membuka raker": the one who accompanies is
        # not the one who does what follows.
        if _COMPANION.search(low, max(0, item.start - 50), item.start) and all(a >= item.end for a, _ in spans_of[act]):
            return None
        acts = [f for f in acts if f.act == act]
        # "Noorman opened it on behalf of chair Widi": the act is said of the name nearest to it.
        spans = spans_of[act]

        # "Raker 27/7 dibuka Solikin, sedangkan raker PPK dibuka langsung Kasworo": each name is measured to
        # the act said nearest to it, so another name nearer another "dibuka" does not take this one.
        mine = [min(spans, key=lambda span: gap(item, [span]))]

        def distance(person: Item) -> int:
            return gap(person, mine)

        persons = [i for i in items if i.kind == "person"]
        # "Budiman and Moh Syaiful Amri were the speakers": names listed together share the act.
        listed = {item}
        for person in sorted(persons, key=lambda p: abs(p.start - item.start)):
            # "Pak Budiman (Prokompim) & Pak Amri": a name's own words in brackets, and a title, stand between.
            if any(
                _LISTED.fullmatch(
                    _TITLES.sub(
                        " ", _BRACKETED.sub(" ", fold(text[min(p.end, person.end) : max(p.start, person.start)]))
                    )
                )
                for p in listed
            ):
                listed.add(person)
        # "... dibuka Noorman, dan dipimpin OLEH Budiman": the agent of a passive is who did it, however near another.
        agent = _AGENT.fullmatch(low, mine[0][1], item.start) is not None
        if not agent and any(distance(p) <= distance(item) for p in persons if p not in listed):
            return None
        events = {f.event for f in acts}
        named = self._events_named(items, low)
        if named and not events & named:
            # "Narasumber raker bareng PPK ... 6 September: Budiman": he spoke at the July meeting; the
            # article on the September one names no speakers. Say where he did, not that it is false.
            done = tuple(f for f in acts if f.shows(item))
            return ClaimVerdict("unverifiable", quote(item.text), None, context=done)
        if len(events) > 1:
            # "Raker 27/7 dibuka Solikin, sedangkan raker PPK 6/9 dibuka Kasworo": the meeting the act's own
            # clause names, else the one the message names.
            clauses = _spans(text, items, _clause_cuts(text, 0, len(text)))
            start, end = next((x, y) for x, y in clauses if mine[0][0] < y)
            local = events & self._events_named([i for i in items if start <= i.start < end], low[start:end])
            events = local if len(local) == 1 else events & named
            if len(events) != 1:
                return None  # which meeting? Do not guess.
        event = events.pop()
        holders = [f for f in acts if f.event == event]
        said = quote(item.text)
        agreeing = [f for f in holders if f.shows(item)]
        # "Mustakim TIDAK memimpin rapat": the act said not to have been done by that name.
        a, b = min(spans, key=lambda span: gap(item, [span]))
        denied = _DENIED_ACT.search(low, max(0, a - 30), a)
        if denied is not None:
            if agreeing:
                return ClaimVerdict("contradicted", quote(item.text, "…", low[denied.start() : b]), agreeing[0])
            return None  # "Solikin tidak membuka raker PPK": denying what no source says claims nothing false
        if agreeing:
            return ClaimVerdict("confirmed", said, agreeing[0])
        if len(holders) == 1:
            # "Widi …, yg buka raker PPK cuma PERWAKILANNYA": someone on his behalf did it, which the
            # message says itself; the name is not claimed to have done it.
            if any(ON_BEHALF.search(low, a, _clause_end(low, b)) for a, b in spans):
                return None
            # The name and the act it is said to have done: "Budiman … buka", not the name alone.
            parts = sorted(((item.start, item.text), (a, text[a:b])))
            return ClaimVerdict("contradicted", quote(parts[0][1], "…", parts[1][1]), holders[0])
        return ClaimVerdict("unverifiable", said, None)

    def _events_named(self, items: list[Item], low: str) -> set[str]:
        """Events a message names by a date, place or month of theirs, else by a topic word only they have."""
        named: set[str] = set()
        for other in items:
            if other.kind in ("date", "place", "month", "month_name"):
                named |= {f.event for f in self._facts if f.event and f.shows(other)}
        if named:
            return named
        return {event for event, pattern in self._event_words.items() if pattern.search(low)}

    def _topic_score(self, fact: Fact, tokens: set[str], context: Item | None) -> float:
        score = sum(
            (2 if len(t) > 1 else 1) * (1 + self._specific[frozenset(t)])
            for t in self._topics[fact.id]
            if t and t <= tokens
        )
        if context is not None and fact.election == context.value:
            score += 2
        if fact.qualifier and fact.qualifier in tokens:
            score += 2  # "minimal 83 persen" is the target
        return score

    def _details(
        self, item: Item, items: list[Item], text: str, clause: _Scope, statement: _Scope, *, widen: bool = True
    ) -> list[_Detail]:
        """What else names a meeting, besides `item`: a topic word only one meeting has ("bersama PPK"),
        in the clause if it has one, else in the statement; and a date, place, weekday or month that
        only one meeting has, in the clause, else the statement, else the whole message.

        `widen=False`: the clause's own details only ("Raker 27/7/2024 dibuka Solikin, sedangkan raker PPK
        6/9/2024 ...": a date that names its meeting itself does not take the next clause's).
        """
        words: list[_Detail] = []
        for scope in (clause, statement) if widen else (clause,):
            words = [d for d in self._event_details(text, scope.start, scope.end) if not d.negated]
            if words:
                break
        others = [i for i in items if i is not item and i.kind in ("date", "place", "weekday", "month", "month_name")]
        # "27 Juli di Garden Resto, dan 6 Sept dgn PPK di gedung KPU": each clause pins its own meeting.
        near = [i for i in others if clause.holds(i)]
        if widen:
            near = near or [i for i in others if statement.holds(i)] or others
        pins = [_Detail(e, i.text, i.start, False, i) for i in near if (e := self._event_shown(i)) is not None]
        details = words + pins
        # "Sabtu 27/7 di Garden Resto dan Jumat 6/9 di Pendopo": with the dates of two meetings in the message,
        # each detail goes with the date nearest to it, so another meeting's date and what is said beside it
        # do not speak for this one.
        # A weekday is no date of its own: "27 Juli 2024 itu jatuh hari JUMAT" says that date's weekday.
        anchors = [(i, e) for i in items if i.kind in _DAY_KINDS - {"weekday"} and (e := self._event_shown(i))]
        if len({e for _, e in anchors}) > 1:

            def dated(start: int, end: int) -> str:
                return min(anchors, key=lambda a: max(a[0].start - end, start - a[0].end, 0))[1]

            mine = dated(item.start, item.end)
            details = [d for d in details if dated(d.start, d.start + len(d.text)) == mine]
        return details

    def _event_details(self, text: str, start: int, end: int) -> list[_Detail]:
        low = fold(text)
        out = []
        for event, pattern in self._event_words.items():
            for match in pattern.finditer(low, start, end):
                negation = _NEGATED_WORD.search(low, max(start, match.start() - 12), match.start())
                at = negation.start() if negation else match.start()  # "BUKAN PPK" is said whole
                out.append(_Detail(event, text[at : match.end()], at, negation is not None, None))
        return out

    def _event_shown(self, item: Item) -> str | None:
        """The one meeting whose date, place or month `item` states, if exactly one."""
        kind = "date" if item.kind in ("weekday", "month_name", "month") else item.kind
        events = {f.event for f in self._facts if f.event and f.kind == kind and f.shows(item)}
        return events.pop() if len(events) == 1 else None

    def _pinned(self, item: Item, items: list[Item], text: str, clause: _Scope, statement: _Scope) -> bool:
        return bool(self._details(item, items, text, clause, statement))

    def _by_event(
        self, item: Item, items: list[Item], text: str, clause: _Scope, statement: _Scope, about: list[Fact]
    ) -> tuple[list[Fact], ClaimVerdict | None]:
        """Which meeting a date, weekday or place is said of: the one most details of the message name.

        "raker bersama PPK tgl 6 September 2024 di Garden Resto": PPK and the date name the
        September meeting, so the venue is the wrong detail (and was the July meeting's). When
        the details name two meetings equally ("raker 6 September di Garden Resto"), no one of
        them is the wrong one: the pairing is, and the verdict says whose each detail is.
        """
        kind = "date" if item.kind in ("weekday", "month") else item.kind
        own = self._event_shown(item)
        # "Raker 27/7/2024 dibuka Solikin, sedangkan raker PPK 6/9/2024 ...": another clause dated for another
        # meeting speaks of that one; a date that names its own meeting reads its own clause only.
        rival = item.kind in _DAY_KINDS and any(
            i.kind in _DAY_KINDS
            and not clause.holds(i)
            and statement.holds(i)
            and self._event_shown(i) not in (None, own)
            for i in items
        )
        details = self._details(item, items, text, clause, statement, widen=own is None or not rival)
        if not details:
            shown = [f for f in about if f.shows(item)]
            # "raker 6 sept": of two meetings, the date names the one it is about; "raker stakeholder ... sebelum
            # raker dengan PPK (27 Juli vs 6 September)": each date beside its own words names its own.
            own_facts = [f for f in self._facts if f.event == own and f.kind == kind] if own is not None else []
            return shown or own_facts or about, None
        totals: dict[str, int] = {}
        for detail in details:
            totals[detail.event] = totals.get(detail.event, 0) + 1
        if own is not None:
            totals[own] = totals.get(own, 0) + 1
        top = max(totals.values())
        leaders = [e for e, n in totals.items() if n == top]
        if len(leaders) == 1:
            return [f for f in self._facts if f.event == leaders[0] and f.kind == kind] or about, None
        # A tie: say the pairing is wrong, and whose each detail is.
        mine = _Detail(own or leaders[0], item.text, item.start, False, item)
        tied = sorted([mine, *(d for d in details if d.event in leaders)], key=lambda d: d.start)
        facts = list(dict.fromkeys(self._fact_of(d, kind) for d in tied))
        said = quote(" … ".join(dict.fromkeys(d.text for d in tied)))
        return about, ClaimVerdict("contradicted", said, facts[0], tuple(facts[1:]))

    def _fact_of(self, detail: _Detail, kind: str) -> Fact:
        """The fact that gives a detail: the date or place an item states, else its meeting's fact of `kind`."""
        if detail.item is not None:
            item_kind = "date" if detail.item.kind in ("weekday", "month_name", "month") else detail.item.kind
            shown = [f for f in self._facts if f.event == detail.event and f.kind == item_kind and f.shows(detail.item)]
            if shown:
                return shown[0]
        return next(f for f in self._facts if f.event == detail.event and f.kind in (kind, "date"))

    def _moved(
        self,
        text: str,
        items: list[Item],
        statement: _Scope,
        judged: list[tuple[Item, ClaimVerdict]],
        verdicts: list[ClaimVerdict],
    ) -> list[ClaimVerdict]:
        """ "PILKADA DIUNDUR, JANGAN KE TPS": moving voting day is a claim about its date, new date or not.

        Only for a date fact a date-change word is a topic of (voting day), said of it, not denied
        ("tidak diundur") and not about a known unknown ("PSU diundur"). "Diundur seminggu dari Rabu
        27 November" and "jangan datang ke TPS hari Rabu" say voting day is NOT that date: the date
        they name is never confirmed, and the move is contradicted in the bot's own reply.
        """
        dated = [i for i, v in judged if statement.holds(i) and v.fact is not None and v.fact.kind == "date"]
        # "hari Rabu 27 November TPS cuma buat PNS, warga umum nyoblos Kamis": a statement giving a
        # date two days never gets the tick for the right one.
        wrong = {v.fact.id for i, v in judged if i in dated and v.fact is not None and v.verdict == "contradicted"}
        halves = {id(v) for i, v in judged if i in dated and v.verdict == "confirmed" and v.fact and v.fact.id in wrong}
        verdicts = [v for v in verdicts if id(v) not in halves]
        for clause in self._clauses(text, items, statement):
            # "PSU pilkada diundur": a known unknown's move; unless the clause names voting day's date
            # itself ("digabung sama pilpres, jadi tgl 27 November ga ada coblosan").
            names_date = any(clause.holds(i) for i in dated)
            if clause.unknown is not None or (statement.unknown is not None and not names_date):
                continue
            part = _indonesian_passive(fold(text[clause.start : clause.end]))
            change = self._moving_word(part)
            if change is not None and (place := _TO_PLACE.match(part, change.end())) is not None:
                # "TPS dipindah KE BALAI DESA": a place moved, not the day; a move no source reports.
                moved_to = quote(part[change.start() : place.end()])
                if not any(v.said == moved_to for v in verdicts):
                    verdicts = [*verdicts, ClaimVerdict("unverifiable", moved_to, None)]
                change = None
            if change is None and (dated or any(statement.holds(i) and i.kind in ("date", "weekday") for i in items)):
                change = (
                    self._stay_away_at.search(part)
                    or _TPS_SHUT.search(part)
                    or (None if self._about_the_asker(text, statement) else _CALLED_OFF.search(part))
                    or self._denied_voting.search(part)
                )
            if change is None:
                continue
            if change.re in (self._denied_voting, _CALLED_OFF) or not _NEGATED_WORD.search(
                part, max(0, change.start() - 12), change.start()
            ):
                break
        else:
            return verdicts
        movable = [f for f in self._movable if self._topic_score(f, statement.topics - self._date_change, None)]
        if not movable:
            return verdicts
        fact = movable[0]
        sealed = {id(v) for i, v in judged if statement.holds(i) and v.verdict == "confirmed" and v.fact == fact}
        out = [v for v in verdicts if id(v) not in sealed]
        if not any(v.verdict == "contradicted" and v.fact == fact for i, v in judged if statement.holds(i)):
            out.append(ClaimVerdict("contradicted", "", fact, moved=True))
        return out

    @staticmethod
    def _about_the_asker(text: str, clause: _Scope) -> bool:
        """ "saya anggota KPPS baru", "di grup guru kami": the asker speaks of themselves (not "saya dengar ...")."""
        words = set(re.findall(r"\w+", fold(text[clause.start : clause.end])))
        return bool(words & _FIRST_PERSON) and not words & _REPORTED

    def _moving_word(self, part: str) -> re.Match[str] | None:
        """A date-change word, or another form of one: "penundaan", "pembatalan" (a noun of it), "dipindah"."""
        for word in re.finditer(r"\w+", part):
            w = word.group()
            if w in _RUNS and not _WHEN.search(part):
                continue  # "bupati maju lagi di pilkada" runs for office; "pilkada MAJU seminggu" moves
            if w in self._date_change or (
                w.startswith(("di", "pe")) and crude_stem(w) in self._date_change_stems and len(w) > 4
            ):
                return word
        return None

    def _odd_details(self, items: list[Item], text: str, statement: _Scope) -> list[ClaimVerdict]:
        """Topic words that name another meeting than the statement's dates and places do.

        "raker bersama PPK ... di Garden Resto ..., Sabtu (27/7/2024)": the venue and the date are
        the July meeting's, with stakeholders; "PPK" is the wrong detail. "Raker di Gedung
        Pertemuan KPU Blora itu bareng wartawan, BUKAN PPK": it was with PPK.
        """
        pins = [e for i in items if statement.holds(i) and (e := self._event_shown(i)) is not None]
        if len(set(pins)) != 1:
            return []
        event = pins[0]
        words = self._event_details(text, statement.start, statement.end)
        votes = len(pins) + sum(1 for w in words if w.event == event and not w.negated)
        own = self._fact_of(_Detail(event, "", 0, False, None), "date")
        out = []
        for word in words:
            if word.negated and word.event == event:
                out.append(ClaimVerdict("contradicted", quote(word.text), own))
            elif (
                not word.negated
                and word.event != event
                and votes > sum(1 for w in words if w.event == word.event and not w.negated)
            ):
                out.append(ClaimVerdict("contradicted", quote(word.text), own, (self._fact_of(word, "date"),)))
        return out

    @staticmethod
    def _wrong_weekday(item: Item, fact: Fact) -> bool:
        value = item.value
        if not isinstance(value, DateValue) or value.weekday is None or not hasattr(fact.value, "weekday"):
            return False
        return bool(fact.value.weekday() != value.weekday)  # type: ignore[union-attr]

    def _has_marker(self, raw: set[str]) -> bool:
        return any(m and m <= raw for m in self._markers)

    def about(self, sentence: str, facts: Iterable[Fact]) -> bool:
        """Whether what `sentence` asks about is what `facts` are about: any election or year it names is
        theirs, and any fact topic it names is one of theirs ("angka aslinya berapa?" names none).
        "partisipasi pemilu 2019 brp persen?" is not about the Pemilu 2024 figure; "golputnya berapa
        orang?" not about turnout."""
        facts = list(facts)
        tokens = self._scope(sentence, 0, len(sentence)).tokens
        for item in find_items(sentence, self._vocab):
            if item.kind == "election" and not any(f.election == item.value for f in facts):
                return False
            if item.kind == "year" and not any(item.value in f.years() for f in facts):
                return False
        named = {f.id for f in self._facts if any(t and t <= tokens for t in self._topics[f.id])}
        return not named or bool(named & {f.id for f in facts})

    def is_search(self, text: str) -> bool:
        """Whether `text` is a few words naming a topic, with no word that reports news ("alamat kpu blora"):
        typed as people type into a search box, it asks."""
        words = self._normalizer.tokens(text)
        return len(words) < _REPORT_WORDS and not self._has_marker(set(words) | set(re.findall(r"\w+", fold(text))))

    def is_question(self, text: str) -> bool:
        """Whether `text` asks something besides whether it is true ("...?", a question word), whatever
        it also states. "... lebih tinggi dari 2019, BENER?" only asks for the check: its verdict answers it."""
        tokens = set(self._normalizer.tokens(text)) | set(re.findall(r"\w+", fold(text)))
        if _CHECK_TAG.search(fold(text)) and not any(q and q <= tokens for q in self._question_words):
            return False
        return self._is_question(text, tokens)

    def _is_question(self, text: str, tokens: set[str]) -> bool:
        low = fold(text)
        if _QUESTION_END.search(text) or _TAG_QUESTION.search(low):
            return True
        if _OR_WORD.search(low) and self._alternatives(text):
            return True
        if any(_ASKED_AFTER.match(low, m.end()) for _, p in self._trends for m in p.finditer(low)):
            return True
        return any(q and q <= tokens for q in self._question_words)

    def _alternatives(self, text: str) -> bool:
        """Whether two values of one kind stand either side of "atau": "hari rabu atu kamis", "83 ato
        83,5 persen" asks which, and claims neither."""
        items = find_items(text, self._vocab)
        return any(
            a.kind == b.kind and a.kind in _VALUE_KINDS and _BETWEEN_ALTERNATIVES.fullmatch(fold(text[a.end : b.start]))
            for a, b in pairwise(items)
        )


_OR = r"(?:atau|atawa|atu|ato|utawi|or)"
_OR_WORD = re.compile(rf"\b{_OR}\b")
_BETWEEN_ALTERNATIVES = re.compile(rf"\W*(?:persen\W+)?{_OR}\W+(?:(?:hari|tanggal|tgl|yang|yg)\W+)?")

# After a trend word, the side it moved to: "naik JADI 83,5 % di Pemilu 2024", "rose TO", "→".
_MOVED_TO = re.compile(r"\b(?:jadi|jd|menjadi|mjd|ke|to|hingga|sampai|into)\b|→|->")
_MOVED_NEXT = re.compile(r"\s*(?:\w+\s+)?(?:jadi|jd|menjadi|mjd|ke|to|hingga|sampai|into)\b|\s*(?:→|->)")
# An office in free wording: its head and up to three words naming it ("Kepala Dinas Kominfo Blora").
_OFFICE = "office:"
_OFFICE_HEADS = (
    "kepala|kadis|kabag|kasubag|kabid|kasi|ketua|wakil ketua|sekretaris|bendahara|anggota|komisioner|direktur|"
    "camat|lurah|kades|bupati|wakil bupati|gubernur|kapolres|dandim|head of|chief of|director of|member of"
)
_OFFICE_WORDS = re.compile(
    rf"\b(?:{_OFFICE_HEADS})\b(?:\s+(?!(?:yang|yg|dan|itu|iku|adalah|di|pada|dari|jadi|sejak|tahun|periode|"
    rf"kemarin|sekarang|juga|and|the|is|was|kan|ya|lho|sih|bilang|ngomong)\b)[a-z][\w-]*){{1,3}}"
)
# A condition: what follows is supposed, not said ("kalau tidak bisa 83 persen, …").
_CONDITION = re.compile(r"\b(?:kalau|kalo|klo|kl|jika|jikalau|apabila|bila|seandainya|andaikan|misal\w*|nek|if)\s*$")
# Someone acting on another's behalf: "perwakilannya", "diwakili", "mewakili", "atas nama".
# "TIDAK memimpin", "gak pernah buka", "bukan yang membuka": a negation just before an act word.
_DENIED_ACT = re.compile(rf"\b(?:{_ANY_NEGATION})\s+(?:(?:pernah|sempat|ikut|jadi|yang|yg|dia|beliau)\s+){{0,2}}$")


_CLAUSE_STOP = re.compile(r"[,;.!?\n]")


def _clause_end(low: str, start: int) -> int:
    """Where the clause that goes on at `start` ends: the next , ; . ! ? or line break."""
    match = _CLAUSE_STOP.search(low, start)
    return match.start() if match else len(low)


# Words every office in the region shares: they do not tell one office from another.
_OFFICE_GENERIC = frozenset({"kpu", "blora", "kabupaten", "kab", "of", "the"})
# A question that only asks whether the rest is true: "..., bener?", "... kan?", "..., is it true?".
_CHECK_TAG = re.compile(
    rf"[,\s]\s*(?:(?:apa\s+)?(?:bener|benar|betul|bnr|beneran)(?:\s+{_NEGATION})?|kan|ya|iya|toh|to|tho|leres"
    rf"|{_NEGATION}|(?:is\s+it\s+)?true|right)(?:\s+(?:sih|ya|yah|kah|nih|min|kak|gan|lur))?\W*$"
)
_RELATIVE = re.compile(r"\s*(?:yang|yg|sing)\s+[\w\s-]{1,60}?\s(?:itu|iku|kuwi|tuh)\s*")
# "TAHUN 2020": the word that says a year is one, said of what someone said.
_SAID_TIME = frozenset({"tahun", "thn", "th"})
# "dipindah KE BALAI DESA": a move to a venue, not to a date.
_TO_PLACE = re.compile(
    r"\s+(?:ke|to|neng|nang|menyang)\s+(?:\w+\s+){0,2}?(?:"
    + "|".join(re.escape(w) for w in sorted(w for v in VENUE_WORDS for w in v.split()))
    + r")\b"
)
# "Ketua KPU WEKTU PILKADA 2024 kuwi ...": words saying when a role was held (with a year).
_YEAR_WORD = re.compile(r"(?:19|20)\d\d")
_HELD_WHEN = frozenset(
    {"waktu", "wektu", "pas", "saat", "ketika", "nalika", "pilkada", "pemilu", "pemilihan", "during"}
)
# "ga BAKAL JD masalah": words of becoming between a negation and the word it denies.
_BECOMING = frozenset({"bakal", "bakalan", "akan", "jadi", "jd", "menjadi", "dadi", "dianggap"})
_WHO_DID = re.compile(r"\b(?:yang|yg|sing|ingkang)\s+")  # "Budiman YANG paparin ...", "YG ngomong Pak Budiman"
# "belum KE sma": words before a place, read past when a negation marks the place.
_PREPOSITIONS = frozenset(
    {"ke", "di", "dari", "dr", "untuk", "buat", "neng", "nang", "ning", "menyang", "to", "at", "in"}
)
# "IKUT mendampingi": doing something along with others says no more than doing it.
_ALONG = frozenset({"ikut", "turut", "melu", "tumut"})
# Words a count is counted in, whatever it counts: "26.238 LEMBAR", "ribuan ORANG".
_UNITS = frozenset({"lembar", "buah", "orang", "jiwa", "biji", "unit", "pcs", "ribu", "juta", "rb", "jt", "ribuan"})
# An election's own name ("pilkada", "pileg"), said without its year.
_BARE_ELECTION = re.compile(r"\b(?:" + "|".join(sorted(ELECTION_NAMES)) + r")\b")
_BRACKETED = re.compile(r"\([^()]{0,60}\)")
_TITLES = re.compile(r"\b(?:pak|bapak|bu|ibu|mas|mbak|sdr|saudara)\b\.?")
_LISTED = re.compile(
    r"\s*(?:,|&|dan|and|serta|karo|lan|sama|sm|ama|plus)?\s*(?:,|&|dan|and|serta|karo|lan|sama|sm|ama|plus)?\s*"
)
_LIKENED = re.compile(
    r"\b(?:kyk|kayak|kaya|seperti|spt|kayaknya|like|as in|podho karo|padha karo|sama (?:dengan|dgn|dg)|same as)\s+$"
)
_COUNTED = re.compile(r"\s*[a-z]{3,}\b(?<!jadi)(?<!trus)(?<!terus)(?<!lalu)(?<!dan)")  # "16 KECAMATAN"
_MOVE_BEFORE = re.compile(r"\b(?P<w>dari|dr|from|jadi|jd|menjadi|mjd|ke|to)\s+$")  # "dari 77,6 JD 73 persen"
_FROM = re.compile(r"\b(?:dari|from|sejak|since)\b")
_COMPARED = re.compile(r"\b(?:dibanding|dibandingkan|ketimbang|daripada|tinimbang|than|versus|vs)\b")


def _sides(low: str, refs: list[Item], trend: re.Match[str]) -> tuple[Item, Item]:
    """Which election the trend is said of, and which it is compared with.

    "2024 lebih tinggi dari 2019": the one before the trend word; "2020 77,6 naik jadi 83,5 di
    2024", "naik dari 2020 ke 2024", "naik, 2020 → 2024": the one it moved to; "2020 77,6 trs
    2024 83,5, berarti turun": the later one, said last.
    """
    before = [r for r in refs if r.end <= trend.start()]
    after = [r for r in refs if r.start >= trend.end()]
    if len(before) >= 2 and after and _CLAUSE_END.search(low, trend.end(), after[0].start):
        # "2020 77,6%, Pemilu 2024 naik jadi 83,5%, dan ... Pemilu 2019 ...": both sides are said before the
        # trend; an election in a later clause is that clause's.
        after = []
    if before and after:
        if _MOVED_NEXT.match(low, trend.end()) or re.search(r"→|->", low[before[-1].end : after[0].start]):
            return after[0], before[-1]
        return before[-1], after[0]
    first, second = before[-2:] if len(before) >= 2 else (after + before)[:2]
    between = low[first.end : second.start]
    if (_FROM.search(low, max(0, first.start - 30), first.start) and _MOVED_TO.search(between)) or re.search(
        r"→|->", between
    ):
        return second, first
    if _COMPARED.search(between):
        return first, second
    if before:
        return second, first
    return (second, first) if _year(second) > _year(first) else (first, second)


def _year(ref: Item) -> int:
    return int(str(ref.value)[-4:])


def _same_election(election: str, ref: Item) -> bool:
    """Whether `ref` (an election or a bare year) names `election` ("pemilu 2019")."""
    return election == ref.value if ref.kind == "election" else election.endswith(f" {ref.value}")


# Words every venue name may share without naming the same place: the region, and "and".
_GENERIC_NAME_WORDS = frozenset({"blora", "kabupaten", "kab", "kota", "and", "dan", "&", "the", "of", "di", "se"})


def _is_venue(item: Item) -> bool:
    """A place read from free wording that no fact names ("di pendopo bupati")."""
    return item.kind == "place" and str(item.value).startswith(VENUE_PREFIX)


_VENUE_HEADS = frozenset(w for v in VENUE_WORDS for w in v.split())


def _name_words(name: str) -> set[str]:
    """The words that tell one venue from another: not the region, not the kind ("gedung", "resto")."""
    return set(re.findall(r"\w+", fold(name))) - _GENERIC_NAME_WORDS - _VENUE_HEADS


def _venue_kinds(name: str) -> set[str]:
    """The kind of place a name says it is: "gedung", "resto", "pendopo"."""
    return set(re.findall(r"\w+", fold(name))) & _VENUE_HEADS


def _dedupe(verdicts: list[ClaimVerdict]) -> list[ClaimVerdict]:
    """One verdict per fact: a message repeating a date is one claim."""
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for v in verdicts:
        # Each false detail is said ("ga jadi 27 november, diundur ke 4 desember"); one confirmation is enough.
        key = (v.verdict, v.fact.id if v.fact else v.said, v.said if v.verdict == "contradicted" else "")
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def overall(verdicts: list[ClaimVerdict]) -> Verdict | Literal["none"]:
    """The message's verdict: any contradiction, else any doubt, else confirmed ("none": no claim)."""
    for verdict in ("contradicted", "unverifiable", "confirmed"):
        if any(v.verdict == verdict for v in verdicts):
            return verdict
    return "none"
