"""Indonesia's provinces, kabupaten and kota, and the time zone each keeps (bot/data/wilayah.yaml).

`check` uses them to know which region a knowledge base talks about: a name of another
kabupaten/kota (or province) in the sources or answers is another region's knowledge,
and a time zone that is not the province's (WIB, WITA, WIT) is a mistake. No region name
is written in the code: they are all in the data file. Pure: reads only that file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "wilayah.yaml"
# "Kabupaten Blora", "Kab. Blora", "Kota Semarang", "Provinsi Jawa Tengah" -> the name itself.
_PREFIX = re.compile(r"^\s*(?:kabupaten|kab\.?|kota|provinsi|prov\.?)\s+", re.IGNORECASE)


def short_name(region: str) -> str:
    """'Kabupaten Blora' -> 'Blora' (the word people write)."""
    return " ".join(_PREFIX.sub("", region).split())


def region_words(region: str) -> str:
    """'Kabupaten Blora' -> 'blora': how the region is read inside a text (lower case)."""
    return short_name(region).lower()


@dataclass(frozen=True, slots=True)
class Region:
    name: str  # "Kabupaten Blora"
    short: str  # "Blora"
    province: str  # "Jawa Tengah"
    common: bool  # the short name is also an everyday word: count it only when capitalised


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    zone: str  # WIB, WITA or WIT
    regions: tuple[Region, ...]


@dataclass(frozen=True, slots=True)
class Zone:
    name: str  # WIB
    utc_offset: int  # hours
    timezone: str  # an IANA name in that zone: Asia/Jakarta


@dataclass(frozen=True, slots=True)
class Mention:
    """Another region named in a text: where, as written, and which region it is."""

    start: int
    text: str
    name: str  # "Kabupaten Rembang" or "Provinsi Jawa Timur"


@dataclass(frozen=True, slots=True)
class Atlas:
    provinces: tuple[Province, ...]
    zones: dict[str, Zone]
    # Lower-case written form -> the region or province it names; the patterns that find them.
    names: dict[str, str] = field(init=False, repr=False, compare=False)
    # The written forms that are no everyday word (matched in any case), and those that are (exact case).
    forms: tuple[frozenset[str], frozenset[str]] = field(init=False, repr=False, compare=False)
    # Each written form's words, by its first word that is not "kabupaten", "kota", "provinsi": a text that
    # holds all the words of no form names no region, and is read without the long patterns.
    by_word: dict[str, list[tuple[frozenset[str], str]]] = field(init=False, repr=False, compare=False)
    # What counts as the configured region itself, by configured name (`check` asks for thousands of texts).
    _own: dict[str, set[str]] = field(init=False, repr=False, compare=False)
    _compiled: list[re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names, blind, exact = _forms(self.provinces)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "forms", (blind, exact))
        by_word: dict[str, list[tuple[frozenset[str], str]]] = {}
        exact_case = {form.lower(): form for form in exact}
        for form, name in names.items():
            # A form that is also an everyday word ("karo": "with") counts only as written ("Karo").
            words = _WORD.findall(exact_case.get(form, form))
            key = _WORD.findall(_PREFIX.sub("", form))[0]  # "kabupaten karo", "kab. karo": "karo"
            by_word.setdefault(key, []).append((frozenset(words), name))
        object.__setattr__(self, "by_word", by_word)
        object.__setattr__(self, "_own", {})
        object.__setattr__(self, "_compiled", [])

    @property
    def patterns(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Compiled when a text first may name a region: 0.25 s of every start otherwise."""
        if not self._compiled:
            blind, exact = self.forms
            self._compiled.extend(
                (
                    re.compile(rf"(?<!\w)(?:{_alternatives(blind)})(?!\w)", re.IGNORECASE),
                    re.compile(rf"(?<!\w)(?:{_alternatives(exact)})(?!\w)"),
                )
            )
        return self._compiled[0], self._compiled[1]

    def find(self, configured: str) -> Region | Province | None:
        """The kabupaten/kota (or province) `configured` names; None if the data does not know it."""
        want = " ".join(configured.split()).lower().replace("kab. ", "kabupaten ")
        short = region_words(configured)
        for province in self.provinces:
            if want in (province.name.lower(), f"provinsi {province.name.lower()}"):
                return province
            for region in province.regions:
                if want == region.name.lower():
                    return region
        # "Blora" alone: the one region of that name, if only one has it.
        found = [r for p in self.provinces for r in p.regions if r.short.lower() == short]
        return found[0] if len(found) == 1 else None

    def province(self, name: str) -> Province:
        return next(p for p in self.provinces if p.name == name)

    def zone_of(self, configured: str) -> tuple[Zone, str] | None:
        """The time zone `configured` keeps and the province that decides it, or None if unknown."""
        place = self.find(configured)
        if place is None:
            return None
        province = place if isinstance(place, Province) else self.province(place.province)
        return self.zones[province.zone], province.name

    def zone_for_offset(self, hours: float) -> Zone | None:
        return next((z for z in self.zones.values() if z.utc_offset == hours), None)

    def others_in(self, text: str, configured: str) -> list[Mention]:
        """Names of regions other than `configured` in `text` (its own province counts as its own)."""
        own = self._own.get(configured)
        if own is None:
            own = self._own.setdefault(configured, _own_names(self, configured))
        words = set(_WORD.findall(text))
        words |= {w.lower() for w in words}
        if not any(form <= words and name not in own for w in words for form, name in self.by_word.get(w, ())):
            return []  # most texts: no other region's every word, so no need for the long patterns
        found: list[Mention] = []
        taken: set[int] = set()
        for regex in self.patterns:
            for match in regex.finditer(text):
                if taken & set(range(match.start(), match.end())):
                    continue
                key = " ".join(match[0].split()).lower()
                name = self.names.get(key) or self.names[_PREFIX.sub("", key)]
                if name in own or _PREFIX.sub("", key) in own:
                    continue
                taken.update(range(match.start(), match.end()))
                found.append(Mention(match.start(), match[0], name))
        return sorted(found, key=lambda m: m.start)


@functools.lru_cache(maxsize=1)
def load_atlas(path: Path = DATA) -> Atlas:
    # libyaml's loader where PyYAML has it: the file is 500 regions, read at every start.
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    zones = {
        name: Zone(name, int(z["utc_offset"]), str(z["timezone"])) for name, z in (data.get("zones") or {}).items()
    }
    provinces = tuple(
        Province(
            str(p["name"]),
            str(p["zone"]),
            tuple(
                Region(str(r["name"]), short_name(str(r["name"])), str(p["name"]), bool(r.get("common", False)))
                for r in p.get("regions") or []
            ),
        )
        for p in data.get("provinces") or []
    )
    return Atlas(provinces, zones)


def _forms(provinces: tuple[Province, ...]) -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """Every written form -> what it names; the forms that are no everyday word, and the rest."""
    names: dict[str, str] = {}
    blind: set[str] = set()
    exact: set[str] = set()
    for province in provinces:
        names.setdefault(province.name.lower(), f"Provinsi {province.name}")
        names.setdefault(f"provinsi {province.name.lower()}", f"Provinsi {province.name}")
        blind.update({province.name, f"Provinsi {province.name}"})
        for region in province.regions:
            names.setdefault(region.name.lower(), region.name)
            names.setdefault(region.short.lower(), region.name)
            blind.add(region.name)
            if region.name.split()[0] == "Kabupaten":
                names.setdefault(f"kab. {region.short.lower()}", region.name)
                blind.add(f"Kab. {region.short}")
            (exact if region.common else blind).add(region.short)
    return names, frozenset(blind), frozenset(exact)


def _alternatives(names: frozenset[str]) -> str:
    return "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in sorted(names, key=len, reverse=True))


_WORD = re.compile(r"\w+")


def _own_names(atlas: Atlas, configured: str) -> set[str]:
    """What counts as the configured region itself: its names, its province, and (for a province) its regions."""
    own = {configured.strip(), short_name(configured).lower(), configured.strip().lower()}
    place = atlas.find(configured)
    if isinstance(place, Province):
        own.add(f"Provinsi {place.name}")
        own.update(r.name for r in place.regions)
    elif isinstance(place, Region):
        own.update({place.name, f"Provinsi {place.province}"})
        # Kabupaten and Kota Semarang share a short name: the short name is the configured one's.
        own.update(r.name for p in atlas.provinces for r in p.regions if r.short == place.short)
    else:
        # A region the data does not know: its province is unknown, so no province is "another".
        own.update(f"Provinsi {p.name}" for p in atlas.provinces)
    return own
