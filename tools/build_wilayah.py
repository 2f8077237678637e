"""Build bot/data/wilayah.yaml: every province of Indonesia, its time zone, its kabupaten/kota.

    python tools/build_wilayah.py PATH/TO/wilayah.sql > bot/data/wilayah.yaml

The input is db/wilayah.sql of https://github.com/cahyadsn/wilayah (MIT; the same file
knowledge/words/places.txt was built from, see knowledge/words/places.LICENSE). The time zone
of each province is ours (Keppres 41/1987 and the provinces made since: WIB, WITA or WIT), in
ZONES below. A short name that is also an everyday word (batu, kuningan, metro, tegal; COMMON below, chosen
by hand: the word lists in knowledge/words/ hold place names too) is marked `common: true`:
`check` then only counts it where it is written with a capital letter.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Province code (first two digits) -> time zone. Kalimantan Barat and Tengah are WIB.
ZONES = {
    **dict.fromkeys(["11", "12", "13", "14", "15", "16", "17", "18", "19", "21"], "WIB"),
    **dict.fromkeys(["31", "32", "33", "34", "35", "36", "61", "62"], "WIB"),
    **dict.fromkeys(["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"], "WITA"),
    **dict.fromkeys(["81", "82", "91", "92", "93", "94", "95", "96"], "WIT"),
}
# Short names that are also everyday Indonesian, Javanese or English words or phrases.
COMMON = frozenset(
    [
        *("batu", "metro", "kuningan", "tegal", "batang", "banjar", "pati", "kudus", "malang", "serang", "bima"),
        *("malaka", "landak", "ketapang", "palu", "bone", "buru", "karo", "medan", "binjai", "batubara", "subang"),
        *("padang", "lebak", "sabang", "tanah laut", "tanah datar", "tanah bumbu", "pesisir selatan"),
        *("pesisir barat", "lima puluh kota", "empat lawang", "puncak", "ngada"),
    ]
)
ROW = re.compile(r"^\('(?P<code>\d{2}(?:\.\d{2})?)','(?P<name>[^']*)'\)")


def main(sql: Path) -> int:
    provinces: dict[str, tuple[str, list[str]]] = {}
    for line in sql.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if not match:
            continue
        code, name = match["code"], " ".join(match["name"].split())
        if "." not in code:
            provinces[code] = (name, [])
        else:
            provinces[code[:2]][1].append(name)
    out = [
        "# Provinsi di Indonesia, zona waktunya, dan kabupaten/kotanya. Dipakai `pilkada-bot check`",
        "# (daerah lain di basis pengetahuan, zona waktu yang tidak cocok) dan `pilkada-bot new`.",
        "# Dibuat oleh tools/build_wilayah.py dari db/wilayah.sql https://github.com/cahyadsn/wilayah",
        "# (MIT, lihat wilayah.LICENSE; Kepmendagri No 300.2.2-2138 Tahun 2025). Zona waktu: milik kami.",
        "# common: true = nama pendeknya juga kata sehari-hari; hanya dihitung bila ditulis berhuruf kapital.",
        "zones:",
        "  WIB: {utc_offset: 7, timezone: Asia/Jakarta}",
        "  WITA: {utc_offset: 8, timezone: Asia/Makassar}",
        "  WIT: {utc_offset: 9, timezone: Asia/Jayapura}",
        "provinces:",
    ]
    for code, (name, regions) in sorted(provinces.items()):
        out.append(f"  - name: {name}")
        out.append(f"    zone: {ZONES[code]}")
        out.append("    regions:")
        for region in regions:
            short = re.sub(r"^(?:Kabupaten|Kota)\s+", "", region)
            flag = ", common: true" if short.lower() in COMMON else ""
            out.append(f"      - {{name: {region}{flag}}}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
