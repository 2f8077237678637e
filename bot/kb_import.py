"""Draft sources.yaml facts from a news article (`pilkada-bot import ARTICLE.txt`).

The article is plain text. Every sentence is read with the same reader `check` uses
(bot/facts/statements.py: dates, weekdays, months, percents, counts, elections), plus a few
patterns for what that reader cannot know in advance: people with their role ("Ketua KPU
Blora, Widi Nurintan Ary Kurnianto"), the venue after "di", what a person did at the
event (membuka, memimpin, narasumber), months written "September ini", and qualifiers
(sekitar, lebih dari, minimal, target). Each proposal carries a verbatim quote: the
clause or sentence as the article writes it, so `check` finds it word for word.

It never invents a value: a date without a year gets the article's year only when the
weekday written beside it agrees (and says so in a comment); an election named only by
its year ("Pada 2020 ...") is left for staff; everything it read but could not place is
listed as YAML comments. Pure: no I/O (bot/cli.py reads and writes the files).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.facts.facts import election_context, sentences_keeping_names
from bot.facts.statements import (
    MONTH_NAMES,
    DateValue,
    Item,
    Vocabulary,
    find_items,
    fold,
    format_number,
    weekday_name,
)
from bot.regions import Atlas, load_atlas, region_words

# Lines that are page furniture, not the article.
_FURNITURE = re.compile(
    r"^\s*(?:baca juga\b|bagikan\b|telah dilihat\b|share\b|editor\s*:|penulis\s*:|sumber\s*:|tags?\s*:|"
    r"isi komentar\b|facebook\b|twitter\b|whatsapp\b|!\[|-{3})",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"penulis\s*:\s*(?P<author>[^|]+?)\s*(?:\|\s*editor\s*:\s*(?P<editor>.+?))?\s*$", re.IGNORECASE)
# A role starts with one of these words (Indonesian office titles; no region in them).
ROLE_HEADS = (
    "Ketua",
    "Wakil Ketua",
    "Anggota",
    "Sekretaris",
    "Komisioner",
    "Kabag",
    "Kasubag",
    "Kabid",
    "Kepala",
    "Kadis",
    "Bupati",
    "Wakil Bupati",
    "Pj Bupati",
    "Wali Kota",
    "Walikota",
    "Camat",
    "Kapolres",
    "Dandim",
    "Koordinator",
    "Direktur",
    "Plt",
    "Plh",
)
_NAME_WORD = r"(?:[A-Z][a-z'’]+|[A-Z]\.|Moh\.?|Muh\.?|M\.?)"
_HEADS_RE = "|".join(re.escape(h) for h in ROLE_HEADS)
# "dan" joins two parts of one role ("Hukum dan Pengawasan"), not two people ("Budiman dan Anggota ...").
_ROLE_WORD = (
    rf"(?:[A-Z][\w'’-]*|(?:dan|&)(?!\s+(?:{_HEADS_RE})\b)|se|Se"
    r"|periode\s+(?:19|20)\d{2}\s*-\s*(?:19|20)\d{2})"
)
_ROLE = re.compile(
    rf"(?<![\w])(?P<role>(?:{_HEADS_RE})(?:\s+{_ROLE_WORD})*)"
    rf"(?P<sep>,\s*|\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}})"
)
# What a person did at the event: the verb after the name, or "dibuka oleh <role, name>".
ACTS: dict[str, tuple[str, ...]] = {
    "membuka": ("membuka", "dibuka", "buka", "opened"),
    "memimpin": ("memimpin", "dipimpin", "pimpin", "led"),
    "narasumber": ("narasumber", "pembicara", "pemateri", "speaker"),
}
_ACT_AFTER = re.compile(r"^\s+(?:selaku\s+|sebagai\s+|menjadi\s+)?(?P<verb>membuka|memimpin|narasumber)\b")
_ACT_BEFORE = re.compile(r"\b(?P<verb>dibuka|dipimpin)\s+oleh\s+$|\b(?P<noun>narasumber|pembicara|pemateri)\s+$")
# Venue after "di": capitalised words (and "and", "dan", "&" between them).
_VENUE = re.compile(r"\bdi\s+(?P<place>[A-Z][\w'’.-]*(?:\s+(?:and|dan|&|[A-Z][\w'’.-]*|\d+[A-Za-z]?))*)")
VENUE_HEADS = frozenset(
    [
        *("gedung", "aula", "hotel", "pendopo", "pendapa", "balai", "kantor", "resto", "restoran", "cafe", "caffe"),
        *("kafe", "lapangan", "alun-alun", "graha", "ruang", "sekretariat", "masjid", "gor", "stadion", "taman"),
        *("rumah", "wisma", "pondok", "auditorium", "hall", "convention"),
    ]
)
_EVENT_HEADS = re.compile(
    r"\b(?P<event>rapat kerja|raker|rapat koordinasi|rakor|rapat pleno|rapat|bimbingan teknis|bimtek|sosialisasi|"
    r"debat publik|debat|kampanye|pelantikan|deklarasi|simulasi|apel|kirab|peluncuran|launching|pemungutan suara|"
    r"rekapitulasi|penetapan)\b",
    re.IGNORECASE,
)
_VOTING_WORDS = re.compile(r"\b(?:tps|hak pilih|pemungutan suara|pencoblosan|coblosan|mencoblos|nyoblos)\b")
_QUALIFIERS = (
    ("lebih dari", "lebih dari"),
    ("lebih kurang", "sekitar"),
    ("kurang dari", "kurang dari"),
    ("paling sedikit", "minimal"),
    ("sekurang-kurangnya", "minimal"),
    ("minimal", "minimal"),
    ("sedikitnya", "minimal"),
    ("maksimal", "maksimal"),
    ("paling banyak", "maksimal"),
    ("sekitar", "sekitar"),
    ("kurang lebih", "sekitar"),
    ("hampir", "hampir"),
    ("mencapai", ""),
)
_TARGET = re.compile(r"\b(?:target|menargetkan|ditargetkan|targetnya|sasaran)\b")
_COMPARE_BEFORE = re.compile(
    r"\b(?:sama dengan|dibandingkan(?: dengan)?|dibanding(?: dengan)?|daripada|ketimbang|dari)\s+$"
)
_TREND = (
    (1, re.compile(r"\b(?:peningkatan|meningkat|naik|lebih tinggi)\b")),
    (-1, re.compile(r"\b(?:penurunan|menurun|turun|lebih rendah)\b")),
)
_MONTH_RELATIVE = re.compile(
    rf"\b(?P<m>{'|'.join(MONTH_NAMES)})\s+(?P<rel>ini|nanti|mendatang|depan|lalu|kemarin)\b", re.IGNORECASE
)
_RELATIVE_YEAR = {"ini": 0, "nanti": 0, "mendatang": 0, "depan": 0, "lalu": 0, "kemarin": 0}
# What a figure counts or measures: the first of these in its clause names it.
_TOPICS = (
    "suara tidak sah",
    "surat suara",
    "partisipasi pemilih",
    "partisipasi",
    "daftar pemilih tetap",
    "dpt",
    "pemilih pemula",
    "pemilih",
    "tps",
    "kpps",
    "anggaran",
)
_SPEECH = '"“”'


@dataclass
class Proposal:
    """One drafted fact; `value` is the YAML scalar as it will be written."""

    id: str
    kind: str
    value: str
    what: str
    quote: str
    key: tuple[str, str]  # (kind, canonical value) to find duplicates
    election: str | None = None
    qualifier: str | None = None
    event: str | None = None
    role: str | None = None
    role_terms: list[str] = field(default_factory=list)
    act: str | None = None
    act_terms: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    trend: tuple[str, str] | None = None  # ("rose_from", "Pemilu 2019")
    notes: list[str] = field(default_factory=list)
    line: int = 0
    headline: bool = False


@dataclass
class Draft:
    source_id: str
    title: str
    publisher: str
    date: dt.date
    url: str
    author: str | None
    editor: str | None
    facts: list[Proposal]
    unplaced: list[str]
    body: list[tuple[int, str]]  # the article's lines kept (number, text)

    def quoted_lines(self) -> list[str]:
        """The article lines that hold a quote (for a media article: all we may keep of it)."""
        return [text for _, text in self.body if any(_squash(p.quote) in _squash(text) for p in self.facts)]


@dataclass
class _Sentence:
    line: int
    text: str
    headline: bool


def draft(
    article: str,
    *,
    publisher: str,
    date: dt.date,
    url: str = "",
    source_id: str | None = None,
    title: str | None = None,
    region: str | None = None,
    election: str | None = None,
) -> Draft:
    """Read `article` and draft its source and facts. `region`/`election` come from config.yaml, if any."""
    lines = article.replace("\r\n", "\n").split("\n")
    author = editor = None
    body: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        byline = _BYLINE.search(text)
        if byline and text.lower().startswith("penulis"):
            author, editor = byline["author"].strip(), (byline["editor"] or "").strip() or None
            continue
        if not text or _FURNITURE.match(text) or text.endswith("|") or _is_tag(text):
            continue
        body.append((number, text))
    title = title or next((t for _, t in body if len(t.split()) >= 5 and not t.endswith(".")), "")
    source_id = source_id or _source_id(publisher, date)
    regions = tuple(sorted({region_words(region)} if region else set()))
    vocab = Vocabulary({}, {}, {}, regions)
    sentences: list[_Sentence] = []
    for number, text in body:
        headline = text == title or not re.search(r"[.!?\"”]$", text)
        for _, part in sentences_keeping_names(text, vocab):
            if part.strip():
                sentences.append(_Sentence(number, part.strip(), headline))
    main = _main_elections(sentences, vocab, election)
    reader = _Reader(date, vocab, main, election)
    for sentence in sentences:
        reader.read(sentence)
    facts = _dedupe(reader.proposals)
    _aliases(facts, [t for _, t in body])
    _name_ids(facts)
    return Draft(source_id, title, publisher, date, url, author, editor, facts, _unique(reader.unplaced), body)


def _is_tag(text: str) -> bool:
    """A tag or link line under an article: a few words, no verb-like punctuation."""
    return len(text.split()) <= 4 and not re.search(r"[.,!?:;\"“”]", text)


def _source_id(publisher: str, date: dt.date) -> str:
    words = re.sub(r"\.(?:com|co\.id|go\.id|id)\b|https?://|www\.", "", publisher.lower())
    words = re.sub(r"\b(?:kabupaten|kab|kota)\b", "", words)
    slug = "-".join(re.findall(r"[a-z0-9]+", words)) or "sumber"
    return f"{slug}-{date.isoformat()}"


def _main_elections(sentences: list[_Sentence], vocab: Vocabulary, election: str | None) -> dict[str, str]:
    """The election of each kind the article is about ("pilkada" -> "pilkada 2024"): the most named one."""
    counts: dict[str, dict[str, int]] = {}
    for sentence in sentences:
        for item in find_items(sentence.text, vocab):
            if item.kind == "election":
                kind = str(item.value).split()[0]
                counts.setdefault(kind, {})
                counts[kind][str(item.value)] = counts[kind].get(str(item.value), 0) + 1
    main = {kind: max(seen, key=lambda e: seen[e]) for kind, seen in counts.items()}
    if election:
        main[election.split()[0]] = election
    return main


class _Reader:
    def __init__(self, date: dt.date, vocab: Vocabulary, main: dict[str, str], election: str | None) -> None:
        self.date = date
        self.vocab = vocab
        self.main = main
        self.election = election
        self.proposals: list[Proposal] = []
        self.unplaced: list[str] = []
        self.people: dict[str, Proposal] = {}  # name -> its person fact
        self.event: str | None = None  # the article's event ("rapat kerja, September 2024")
        self.atlas = load_atlas()

    # ------------------------------------------------------------------ one sentence

    def read(self, sentence: _Sentence) -> None:
        text = sentence.text
        items = find_items(text, self.vocab)
        used: set[int] = set()  # starts of items placed
        event_date = self._event(sentence, items, used)
        for item in items:
            if item.start in used:
                continue
            if item.kind == "date" and isinstance(item.value, DateValue):
                self._date(sentence, item, items, event_date)
            elif item.kind in ("percent", "count") and isinstance(item.value, Decimal):
                self._figure(sentence, item, items)
            elif item.kind == "month" and isinstance(item.value, tuple):
                year, month = item.value
                self._add(
                    sentence,
                    Proposal(
                        "", "month", f"{year}-{month:02d}", "Bulan", _span(text, item), ("month", f"{year}-{month}")
                    ),
                )
            elif item.kind in ("percent", "count", "weekday"):
                self._unplace(sentence, item.text, "a rough or unclear figure")
        for match in _MONTH_RELATIVE.finditer(text):
            if any(i.kind in ("month", "date") and i.start <= match.start() < i.end for i in items):
                continue
            month = MONTH_NAMES.index(match["m"].lower()) + 1
            quote = _speech(text, match.start(), match.end())
            proposal = Proposal(
                "",
                "month",
                f"{self.date.year}-{month:02d}",
                f"Bulan {match['m']}",
                quote,
                ("month", f"{self.date.year}-{month}"),
            )
            if match["rel"].lower() in ("ini", "nanti", "mendatang", "depan"):
                proposal.notes.append(f"tahun {self.date.year}: dari tanggal artikel ('{match[0]}')")
                self._add(sentence, proposal)
            else:
                self._unplace(sentence, match[0], "a month 'lalu/kemarin': which year is not written")
        self._people(sentence)

    # ------------------------------------------------------------------ kinds

    def _event(self, sentence: _Sentence, items: list[Item], used: set[int]) -> DateValue | None:
        """A dated venue ("di Gedung X, Jumat (6/9/2024)"): the event's date and place facts."""
        text = sentence.text
        dates = [i for i in items if i.kind == "date" and isinstance(i.value, DateValue)]
        for venue in _VENUE.finditer(text):
            place = _trim_place(venue["place"])
            if place is None:
                continue
            after = [d for d in dates if 0 <= d.start - (venue.start("place") + len(place)) <= 4]
            if not after:
                if VENUE_HEADS & set(fold(place).split()):
                    self._unplace(sentence, place, "a venue with no date beside it (which event?)")
                continue
            day_item = after[0]
            value = day_item.value
            assert isinstance(value, DateValue)
            day = self._resolve(sentence, day_item, value)
            if day is None:
                return None
            head = _EVENT_HEADS.search(text)
            what = head["event"].lower() if head else "kegiatan"
            event = f"{what}, {MONTH_NAMES[day.month - 1].capitalize()} {day.year}"
            self.event = self.event or event
            quote = text[venue.start() : day_item.end].rstrip()
            used.add(day_item.start)
            date_fact = Proposal("", "date", day.isoformat(), f"Tanggal {what}", quote, ("date", day.isoformat()))
            date_fact.event = event
            date_fact.notes.extend(self._year_note(value, day))
            place_fact = Proposal("", "place", place, f"Tempat {what}", quote, ("place", fold(place)), event=event)
            self._add(sentence, date_fact)
            self._add(sentence, place_fact)
            return value
        return None

    def _resolve(self, sentence: _Sentence, item: Item, value: DateValue) -> dt.date | None:
        """The date with its year: as written, or the article's (next) year when the weekday says so."""
        if value.year is not None:
            try:
                day = dt.date(value.year, value.month, value.day)
            except ValueError:
                self._unplace(sentence, item.text, "not a real date")
                return None
            if value.weekday is not None and day.weekday() != value.weekday:
                self._unplace(sentence, item.text, f"that date is a {weekday_name(day.weekday())}")
                return None
            return day
        for year in (self.date.year, self.date.year + 1):
            try:
                day = dt.date(year, value.month, value.day)
            except ValueError:
                continue
            if value.weekday is not None:
                if day.weekday() == value.weekday:
                    return day
                continue
            # No weekday: the article's year, for a day on or after the article ("27 November mendatang").
            if day >= self.date - dt.timedelta(days=7):
                return day
            self._unplace(sentence, item.text, "a day before the article with no year: which year?")
            return None
        self._unplace(sentence, item.text, "no year near the article's fits the weekday written")
        return None

    def _year_note(self, value: DateValue, day: dt.date) -> list[str]:
        if value.year is not None:
            return []
        how = f"the weekday {weekday_name(value.weekday)} fits" if value.weekday is not None else "the day follows it"
        return [f"tahun {day.year}: dari tanggal artikel {self.date.isoformat()} ({how}); tidak tertulis di kalimat"]

    def _date(self, sentence: _Sentence, item: Item, items: list[Item], event: DateValue | None) -> None:
        value = item.value
        assert isinstance(value, DateValue)
        day = self._resolve(sentence, item, value)
        if day is None:
            return
        text = sentence.text
        quote = _speech(text, item.start, item.end)
        low = fold(quote)
        proposal = Proposal("", "date", day.isoformat(), "Tanggal", quote, ("date", day.isoformat()))
        proposal.notes.extend(self._year_note(value, day))
        if _VOTING_WORDS.search(low):
            proposal.what = "Hari pemungutan suara"
            proposal.topic = ["pemungutan suara", "pencoblosan", "coblos", "nyoblos", "hari h", "tps"]
            context = election_context(item, find_items(quote, self.vocab), quote)
            if context is not None and context.kind == "election":
                proposal.election = str(context.value)
            elif self.election:
                proposal.election = self.election
                proposal.notes.append("election: dari config.yaml (kalimatnya tidak menyebut pemilihan)")
        else:
            head = _EVENT_HEADS.search(text)
            proposal.what = f"Tanggal {head['event'].lower()}" if head else "Tanggal (apa? lengkapi)"
        self._add(sentence, proposal)

    def _figure(self, sentence: _Sentence, item: Item, items: list[Item]) -> None:
        value = item.value
        assert isinstance(value, Decimal)
        text = sentence.text
        if item.kind == "count" and value < 10:
            return  # "1", "2": list numbers and prose, not facts
        span_start, span_end = _speech_bounds(text, item.start, item.end)
        clause_start, clause_end = _clause(text, item, items, span_start, span_end)
        context_items = [
            i
            for i in items
            if i.kind in ("election", "year") and not _COMPARE_BEFORE.search(fold(text[max(0, i.start - 30) : i.start]))
        ]
        context = election_context(item, [*context_items, item], text[:span_end])
        proposal = Proposal(
            "",
            item.kind,
            format_number(value).replace(".", "").replace(",", ".") if item.kind == "percent" else str(int(value)),
            "",
            "",
            (item.kind, str(value)),
        )
        if context is not None and context.kind == "election" and span_start <= context.start < span_end:
            proposal.election = str(context.value)
            if context.start < clause_start:  # the quote names the election it is about
                clause_start = _clause_start_of(text, context.start, span_start)
            clause_end = max(clause_end, context.end)
        elif context is not None and context.kind == "year":
            self._unplace(
                sentence,
                f"{item.text.strip()} ({context.text})",
                f"the year {context.text} is named without its election: add 'election' (e.g. Pilkada {context.text})",
            )
        else:
            bare = re.search(r"\b(pilkada|pemilu|pemilihan)\b", fold(text[clause_start:clause_end]))
            kind = {"pemilihan": "pilkada"}.get(bare[1], bare[1]) if bare else None
            if kind and kind in self.main:
                proposal.election = self.main[kind]
                proposal.notes.append(f"election: '{bare[1] if bare else ''}' tanpa tahun; tahunnya dari artikel")
        # The clause after, when it only says "naik / turun dibanding <election>".
        # A target is no figure that "rose from" an election: the comparison after it is another figure's.
        target = _TARGET.search(fold(text[clause_start : item.end])) is not None
        after_start, after_end = _next_clause(text, clause_end, span_end)
        if after_start < after_end and not target:
            after = fold(text[after_start:after_end])
            others = [i for i in find_items(text[after_start:after_end], self.vocab)]
            if not any(i.kind in ("percent", "count") for i in others):
                for direction, pattern in _TREND:
                    elections = [i for i in others if i.kind == "election"]
                    if pattern.search(after) and elections and proposal.election:
                        proposal.trend = (
                            "rose_from" if direction > 0 else "fell_from",
                            _title(str(elections[0].value)),
                        )
                        clause_end = after_end
                        break
        proposal.quote = text[clause_start:clause_end].strip(" ,;:" + _SPEECH)
        before = fold(text[clause_start : item.start])
        for phrase, qualifier in _QUALIFIERS:
            if re.search(rf"\b{phrase}\b", before) and qualifier:
                proposal.qualifier = qualifier
                break
        low = fold(proposal.quote)
        topic = next((t for t in _TOPICS if re.search(rf"\b{t}\b", low)), None)
        target = target or _TARGET.search(low) is not None
        what = (topic or ("angka" if item.kind == "count" else "persentase")).capitalize()
        unit = _unit(text[item.end :]) if item.kind == "count" else None
        if unit:
            # "26.238 surat suara" in a clause about "suara tidak sah": the topic says more than the unit.
            longer = next((t for t in _TOPICS if unit.split()[-1].lower() in t.split() and t != unit.lower()), None)
            topic = longer if longer and re.search(rf"\b{longer}\b", low) else topic
            what = topic.capitalize() if topic and topic != unit.lower() and longer else f"Jumlah {unit}"
        if target:
            what = f"Target {what.lower()}"
            proposal.topic = ["target", "menargetkan", "ditargetkan"]
        elif topic:
            proposal.topic = sorted({topic, topic.split()[0]})
        if proposal.election:
            what += f" {_title(proposal.election)}"
        proposal.what = what
        if topic is None and unit is None:
            proposal.notes.append("what: kalimatnya tidak menyebut apa yang dihitung; lengkapi")
        self._add(sentence, proposal)

    def _people(self, sentence: _Sentence) -> None:
        text = sentence.text
        for match in _ROLE.finditer(text):
            role = match["role"].strip()
            name = match["name"]
            if match["sep"].strip() != ",":
                # "Kabag Prokompim Setda Kabupaten Blora Budiman": the role ends at a region or a period.
                split = _split_role_name(f"{role} {name}", self.atlas, self.vocab.regions)
                if split is None:
                    continue
                role, name = split
            name = _trim_name(name)
            if not name or name.split()[0] in ROLE_HEADS:
                continue
            start = match.start()
            prev = re.search(r"(\b[a-z]\w*)\s+$", text[:start])
            lead = start
            if prev and prev[1] not in ("oleh", "dan", "dengan", "yang", "dari", "untuk", "bersama", "serta"):
                lead = prev.start(1)
            name_end = text.index(name, match.start("name") if name in text[match.start("name") :] else start) + len(
                name
            )
            quote = text[lead:name_end]
            if not text[:start].strip(" " + _SPEECH):
                # A person who opens the sentence is quoted with what the sentence says they did:
                # "Komisioner Divisi Teknis ..., Ahmad Solikin membuka kegiatan ini".
                quote = text[start : _clause_end(text, name_end)].rstrip(" .")
            person = self.people.get(name)
            if person is None:
                person = Proposal("", "person", name, role, quote, ("person", fold(name)), role=role)
                person.role_terms = _role_terms(role)
                self.people[name] = person
                self._add(sentence, person)
            elif fold(role) != fold(person.role or ""):
                self.unplaced.append(f"'{name}' is also called '{role}' (line {sentence.line}): a second role?")
            self._act_before(sentence, text[:start], name, name_end)
        # Names already known, then an act: "Ahmad Mustakim memimpin jalannya rapat", "X selaku narasumber".
        for name in list(self.people):
            for found in re.finditer(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
                act = _ACT_AFTER.match(text[found.end() :])
                if act is None:
                    continue
                # "X selaku narasumber" ends there; "X memimpin jalannya rapat" goes on to the clause's end.
                verb_end = found.end() + act.end()
                end = verb_end if act["verb"] == "narasumber" else _clause_end(text, verb_end)
                self._add_act(sentence, name, act["verb"], text[found.start() : end].strip(" ,;:" + _SPEECH))

    def _act_before(self, sentence: _Sentence, before: str, name: str, name_end: int) -> None:
        """ "dibuka oleh <role>, <name>", "narasumber <role> <name>": the act is written before the person."""
        act = _ACT_BEFORE.search(before)
        if act is None:
            return
        verb = act["verb"] or act["noun"]
        verb = {"dibuka": "membuka", "dipimpin": "memimpin", "pembicara": "narasumber", "pemateri": "narasumber"}.get(
            verb, verb
        )
        # From the word before the act ("Kegiatan dibuka oleh", "menghadirkan narasumber") to the name.
        word = re.search(r"(\w+)\s+$", sentence.text[: act.start()])
        start = word.start(1) if word else act.start()
        start = max(start, _sentence_clause_start(sentence.text, act.start()))
        self._add_act(sentence, name, verb, sentence.text[start:name_end].strip(" ,;:" + _SPEECH))

    def _add_act(self, sentence: _Sentence, name: str, act: str, quote: str) -> None:
        if self.event is None:
            self._unplace(sentence, f"{name} {act}", "an act with no dated event in the article")
            return
        proposal = Proposal(
            "", "person", name, f"{act.capitalize()} {self.event}", quote, ("act", f"{fold(name)}|{act}")
        )
        proposal.act = act
        proposal.act_terms = list(ACTS[act])
        proposal.event = self.event
        self._add(sentence, proposal)

    # ------------------------------------------------------------------ bookkeeping

    def _add(self, sentence: _Sentence, proposal: Proposal) -> None:
        proposal.line = sentence.line
        proposal.headline = sentence.headline
        self.proposals.append(proposal)

    def _unplace(self, sentence: _Sentence, said: str, why: str) -> None:
        self.unplaced.append(f"line {sentence.line}: '{said.strip()}': {why}")


# ---------------------------------------------------------------------- text spans


def _speech_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The quoted speech around [start, end), or the whole sentence."""
    opening = max((text.rfind(q, 0, start) for q in _SPEECH), default=-1)
    closing_positions = [p for p in (text.find(q, end) for q in _SPEECH) if p >= 0]
    closing = min(closing_positions) if closing_positions else -1
    left = opening + 1 if opening >= 0 else 0
    right = closing if closing >= 0 else len(text)
    return left, right


def _speech(text: str, start: int, end: int) -> str:
    left, right = _speech_bounds(text, start, end)
    return text[left:right].strip(" ,;:" + _SPEECH)


def _span(text: str, item: Item) -> str:
    return _speech(text, item.start, item.end)


_CLAUSE_SPLIT = re.compile(r",(?!\d)\s*")


def _clause(text: str, item: Item, items: list[Item], left: int, right: int) -> tuple[int, int]:
    """The comma clause of `item` within [left, right); split at " dan " when that parts two figures."""
    start, end = left, right
    for match in _CLAUSE_SPLIT.finditer(text, left, right):
        if match.end() <= item.start:
            start = match.end()
        elif match.start() >= item.end:
            end = match.start()
            break
    figures = [i for i in items if i.kind in ("percent", "count") and start <= i.start < end]
    for match in re.finditer(r"\s+dan\s+", text[start:end]):
        at = start + match.start()
        if any(f.start < at for f in figures) and any(f.start > at for f in figures):
            if at < item.start:
                start = start + match.end()
            else:
                end = at
                break
    return start, end


def _clause_start_of(text: str, position: int, left: int) -> int:
    start = left
    for match in _CLAUSE_SPLIT.finditer(text, left, position):
        start = match.end()
    return start


def _next_clause(text: str, end: int, right: int) -> tuple[int, int]:
    match = _CLAUSE_SPLIT.match(text, end)
    if match is None:
        return end, end
    nxt = _CLAUSE_SPLIT.search(text, match.end(), right)
    return match.end(), nxt.start() if nxt else right


def _clause_end(text: str, position: int) -> int:
    """Where the clause that goes on at `position` ends: a comma, " dan ", or the sentence's end."""
    match = re.compile(r",(?!\d)|\s+dan\s+|[" + _SPEECH + "]").search(text, position)
    return match.start() if match else len(text)


def _sentence_clause_start(text: str, position: int) -> int:
    """The start of the clause holding `position`: after the last comma before it, or the sentence start."""
    before = [m.end() for m in _CLAUSE_SPLIT.finditer(text, 0, position)]
    return before[-1] if before else 0


_GENERIC_UNITS = frozenset({"orang", "jiwa", "buah", "unit", "kali", "persen", "ribu", "juta", "pada", "di", "dan"})
_FUNCTION_WORDS = frozenset(
    {"yang", "di", "dan", "dalam", "pada", "untuk", "akan", "dari", "ke", "sebagai", "atau", "se", "itu", "ini"}
)


def _unit(after: str) -> str | None:
    """What a count counts: the word or two after it ("26.238 surat suara", "1.204 TPS"), unless generic."""
    words = re.match(r"\s+([A-Za-z]+)(?:\s+([a-z]+))?", after)
    if words is None or words[1].lower() in _GENERIC_UNITS or words[1].lower() in _FUNCTION_WORDS:
        return None
    second = words[2]
    if second and second not in _FUNCTION_WORDS and words[1].islower():
        return f"{words[1]} {second}"
    return words[1]


def _trim_place(place: str) -> str | None:
    """A venue's name, or None for a region ("di Blora"), an election or a lone acronym ("di TPS")."""
    words = place.split()
    while words and (words[-1].lower() in ("dan", "and", "&") or words[-1].endswith(".")):
        words = words[:-1]
    if not words:
        return None
    place = " ".join(words)
    low = fold(place)
    if re.match(r"(?:pilkada|pemilu|pemilihan|kabupaten|kota|provinsi|kecamatan|desa)\b", low):
        return None
    if len(words) == 1 and (place.isupper() or low not in VENUE_HEADS):
        return None
    return place


def _split_role_name(text: str, atlas: Atlas, own: tuple[str, ...]) -> tuple[str, str] | None:
    """ "Kabag Prokompim Setda Kabupaten Blora Budiman" -> (role, name): the role ends at a region or a period.

    A region is any kabupaten, kota or province of bot/data/wilayah.yaml, or the configured one (`own`).
    """
    ends = [m.end() for m in re.finditer(r"periode\s+(?:19|20)\d{2}\s*-\s*(?:19|20)\d{2}", text)]
    for regex in atlas.patterns:
        ends.extend(m.end() for m in regex.finditer(text))
    for word in own:
        ends.extend(m.end() for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE))
    ends = [e for e in ends if e < len(text) - 1]
    if not ends:
        return None
    cut = max(ends)
    role, name = text[:cut].strip(), text[cut:].strip()
    if not re.fullmatch(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}", name):
        return None
    return role, name


def _trim_name(name: str) -> str:
    words = name.split()
    # A name ends before a word that starts a new thing: "Budiman Dan", "Kasworo Jumat".
    stop = {"Dan", "Di", "Pada", "Yang", "Sebagai", "Selaku"} | {w.capitalize() for w in MONTH_NAMES}
    out: list[str] = []
    for word in words:
        if word in stop or word.lower() in ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"):
            break
        out.append(word)
    return " ".join(out)


def _role_terms(role: str) -> list[str]:
    low = fold(role)
    words = low.split()
    terms = [low]
    if len(words) >= 2:
        terms.append(" ".join(words[:2]))
    return list(dict.fromkeys(terms))


def _title(election: str) -> str:
    kind, _, year = election.partition(" ")
    return f"{kind.capitalize()} {year}"


def _squash(text: str) -> str:
    return " ".join(text.lower().translate(str.maketrans("“”‘’", "\"\"''")).split())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _dedupe(proposals: list[Proposal]) -> list[Proposal]:
    """One proposal per value: the body's over the headline's, else the first."""
    best: dict[tuple[tuple[str, str], str | None], Proposal] = {}
    order: list[tuple[tuple[str, str], str | None]] = []
    for proposal in proposals:
        key = (proposal.key, proposal.election if proposal.kind in ("percent", "count") else proposal.event)
        if key not in best:
            best[key] = proposal
            order.append(key)
        elif best[key].headline and not proposal.headline:
            best[key] = proposal
    return [best[k] for k in order]


def _aliases(facts: list[Proposal], lines: list[str]) -> None:
    """Part of a person's name the article also writes alone ("Mustakim mengatakan", "Sri Lestari") is an alias."""
    text = "\n".join(lines)
    names = {str(f.value) for f in facts if f.kind == "person"}
    taken = [(m.start(), m.end()) for name in names for m in re.finditer(re.escape(name), text)]
    found: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        words = name.split()
        for size in range(len(words) - 1, 0, -1):
            for i in range(len(words) - size + 1):
                part = " ".join(words[i : i + size])
                if len(part) <= 3:
                    continue
                alone = [
                    (m.start(), m.end())
                    for m in re.finditer(rf"(?<![\w]){re.escape(part)}(?![\w])", text)
                    if not any(a <= m.start() and m.end() <= b for a, b in taken)
                ]
                if alone:
                    found.setdefault(name, []).append(part)
                    taken.extend(alone)
    for fact in facts:
        if fact.kind == "person":
            fact.aliases = list(found.get(str(fact.value), []))


def _name_ids(facts: list[Proposal]) -> None:
    seen: dict[str, int] = {}
    for fact in facts:
        if fact.act:
            base = f"{fact.act}_{fact.value}"
        elif fact.kind == "person":
            base = fact.role or fact.value
        elif fact.kind in ("date", "place"):
            base = f"{fact.what}_{fact.value if fact.kind == 'date' else ''}"
        else:
            base = fact.what
        slug = "_".join(re.findall(r"[a-z0-9]+", fold(base)))[:48].strip("_") or fact.kind
        seen[slug] = seen.get(slug, 0) + 1
        fact.id = slug if seen[slug] == 1 else f"{slug}_{seen[slug]}"


# ---------------------------------------------------------------------- YAML


def to_yaml(d: Draft, article_name: str = "ARTICLE.txt") -> str:
    """The draft as sources.yaml text: a `sources:` list with one source, comments for staff."""
    out = [
        f"# Draf dari `pilkada-bot import {article_name}`: periksa setiap fakta sebelum dipakai.",
        "# Setiap `quote` disalin persis dari artikel; `check` mencarinya di file teks sumber:",
        f"#   cp {article_name} knowledge/sources/{d.source_id}.txt",
        "# (artikel media yang bukan milik kita: simpan hanya kalimat yang dikutip, lihat --quotes-only).",
        "# Tempel bagian `- id: ...` di bawah `sources:` di knowledge/sources.yaml, lalu jalankan `check`.",
        "sources:",
        f"  - id: {d.source_id}",
        f"    title: {_scalar(d.title or '(judul artikel)')}",
        f"    publisher: {_scalar(d.publisher)}",
    ]
    if d.author:
        out.append(f"    author: {_scalar(d.author)}")
    if d.editor:
        out.append(f"    editor: {_scalar(d.editor)}")
    out.append(f"    date: {d.date.isoformat()}")
    if d.url:
        out.append(f"    url: {_scalar(d.url)}")
    out.append(f"    text: sources/{d.source_id}.txt")
    out.append("    facts:" if d.facts else "    facts: []")
    for fact in d.facts:
        out.append(f"      - id: {fact.id}")
        out.append(f"        what: {_scalar(fact.what)}")
        out.append(f"        {fact.kind}: {_scalar(fact.value)}")
        for key in ("qualifier", "election", "event", "role", "act"):
            value = getattr(fact, key)
            if value:
                out.append(f"        {key}: {_scalar(_title(value) if key == 'election' else value)}")
        for key in ("role_terms", "act_terms", "aliases", "topic"):
            values = getattr(fact, key)
            if values:
                out.append(f"        {key}: [{', '.join(_scalar(v) for v in values)}]")
        if fact.trend:
            out.append(f"        {fact.trend[0]}: {_scalar(fact.trend[1])}")
        out.append(f"        quote: {_scalar(fact.quote)}")
        for note in fact.notes:
            out.append(f"        # {note}")
        out.append(f"        # baris {fact.line} artikel" + (" (judul/ringkasan)" if fact.headline else ""))
    if d.unplaced:
        out.append("")
        out.append("# Dibaca tetapi tidak dijadikan fakta (periksa sendiri; jangan ditebak):")
        out.extend(f"#   - {u}" for u in d.unplaced)
    return "\n".join(out) + "\n"


def _scalar(value: str) -> str:
    """A YAML scalar: plain where that reads back as the same text, a date or a number; else double-quoted."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?", value):
        return value  # a date or a number, as meant
    plain = re.fullmatch(r"[A-Za-z][\w .,'()/&-]*", value) is not None and not value.endswith(" ")
    special = re.fullmatch(r"(?:yes|no|on|off|true|false|null|y|n)", value, re.IGNORECASE) is not None
    if plain and not special and ": " not in value and " #" not in value:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
