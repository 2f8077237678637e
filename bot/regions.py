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
    patterns: tuple[re.Pattern[str], re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names, patterns = _patterns(self.provinces)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "patterns", patterns)

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
        own = _own_names(self, configured)
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
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
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


def _patterns(provinces: tuple[Province, ...]) -> tuple[dict[str, str], tuple[re.Pattern[str], re.Pattern[str]]]:
    """One case-blind pattern for names that are no everyday word, one exact pattern for the rest."""
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

    def alternatives(names: set[str]) -> str:
        return "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in sorted(names, key=len, reverse=True))

    return names, (
        re.compile(rf"(?<!\w)(?:{alternatives(blind)})(?!\w)", re.IGNORECASE),
        re.compile(rf"(?<!\w)(?:{alternatives(exact)})(?!\w)"),
    )


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
