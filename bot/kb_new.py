"""Start a new election from the current one (`pilkada-bot new`).

Writes, in a new folder, a config.yaml for the new region, election, voting date and
time zone, and a knowledge-base skeleton made from the current knowledge base:

- kept: the region-neutral pieces (lexicon, messages, staff texts, word lists), the
  known unknowns that state no fact of the old sources, the sources that name no region
  (a general source such as the Pilkada law), the answers that state no fact of the old
  sources and cite a kept source or none (their old citations removed), and the labelled
  questions (questions.yaml) of the entries kept, with the
  old region's name replaced by the new one wherever it appears (questions, answers,
  messages, link labels, the lexicon) and the old election's year by the new one;
- dropped: the old election's sources and facts, the entries that cite or state them,
  and the topic buttons that pointed to those entries (listed in a comment and in the
  report, to add back once their entries are written again).

The files are edited as text, line by line, so the comments staff rely on stay. Then
`pilkada-bot check` lists what is still missing, each at its file:line.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import ElectionConfig, load_config
from bot.facts.facts import REF_RE
from bot.facts.statements import Vocabulary, find_items
from bot.kb.scope import election_of
from bot.regions import load_atlas, short_name
from bot.yamlfile import YamlDoc, load_yaml

# The knowledge base's own labelled questions, beside sources.yaml (tests/test_shipped_kb.py).
QUESTIONS = "questions.yaml"

# Keys whose values are identifiers: never rewritten ("kpu-blora-2024-09-06", "ketua_kpu_blora").
_ID_LINE = re.compile(r"^\s*(?:-\s+)?(?:id|link|sources|related|entry|text)\s*:")


@dataclass
class Plan:
    """What `new` keeps and drops, for the report."""

    kept_sources: list[str] = field(default_factory=list)
    dropped_sources: list[str] = field(default_factory=list)
    kept_entries: list[str] = field(default_factory=list)
    dropped_entries: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    dropped_topics: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def new_election(
    config_path: Path,
    out: Path,
    *,
    region: str,
    election: str,
    voting_date: dt.date,
    timezone: str,
) -> str:
    """Write the new election's config.yaml and knowledge base under `out`; return the report."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} exists and is not an empty folder: choose a new one")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{timezone}' is not a time zone name such as Asia/Jakarta") from None
    new = ElectionConfig(election.strip(), region.strip(), voting_date, zone)
    if not new.region:
        raise ValueError("the region is empty")
    if election_of(new) is None:
        raise ValueError(f"'{election}' names no election with its year, e.g. 'Pilkada Serentak 2024'")
    config = load_config(config_path, environ={})
    old = config.election
    knowledge = config.knowledge
    swap = _Swap(old, new)
    plan = Plan()
    out.mkdir(parents=True, exist_ok=True)
    base = config.path
    moved: dict[Path, Path] = {}  # files outside the config's folder -> their copy in `out`

    def target(path: Path) -> Path:
        try:
            return out / path.resolve().relative_to(base.resolve())
        except ValueError:
            # e.g. word lists shared with another knowledge base ("../../../knowledge/words/id.txt"):
            # the new election gets its own copy, and its config.yaml names that copy.
            folder = out / "knowledge" / ("words" if path in knowledge.words else "")
            moved[path.resolve()] = folder / path.name
            return folder / path.name

    sources_doc = load_yaml(knowledge.sources)
    kept_sources, kept_facts = _plan_sources(sources_doc, new.region, plan)
    entry_docs = [load_yaml(p) for p in knowledge.entries]
    dropped_ids = _plan_entries(entry_docs, kept_sources, kept_facts, plan)

    _write(target(knowledge.sources), _sources_text(sources_doc, kept_sources, swap), plan)
    for raw in sources_doc.data.get("sources") or []:
        if isinstance(raw, dict) and raw.get("id") in kept_sources and isinstance(raw.get("text"), str):
            source = knowledge.sources.parent / raw["text"]
            copy = target(knowledge.sources).parent / raw["text"]
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy)
    (target(knowledge.sources).parent / "sources").mkdir(parents=True, exist_ok=True)
    for doc, path in zip(entry_docs, knowledge.entries, strict=True):
        _write(target(path), _entries_text(doc, dropped_ids, kept_sources, swap), plan)
    messages = load_yaml(knowledge.messages)
    _write(target(knowledge.messages), _messages_text(messages, dropped_ids, swap, plan), plan)
    _write(target(knowledge.staff), swap.text(knowledge.staff.read_text(encoding="utf-8")), plan)
    lexicon = load_yaml(knowledge.lexicon)
    _write(target(knowledge.lexicon), _lexicon_text(lexicon, swap), plan)
    for path in knowledge.words:
        copy = target(path)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy)
        licence = path.with_suffix(".LICENSE")
        if licence.exists():
            shutil.copy(licence, copy.with_suffix(".LICENSE"))
    questions = knowledge.sources.parent / QUESTIONS
    if questions.exists():
        _write(
            target(knowledge.sources).parent / QUESTIONS, _questions_text(load_yaml(questions), dropped_ids, swap), plan
        )
    readme = knowledge.sources.parent / "README.md"
    if readme.exists():
        shutil.copy(readme, target(knowledge.sources).parent / "README.md")
    _write(out / "config.yaml", _config_text(config_path, new, swap, moved, out), plan)
    return _report(out, old, new, plan)


# ---------------------------------------------------------------------------- what stays


def _plan_sources(doc: YamlDoc, region: str, plan: Plan) -> tuple[set[str], set[str]]:
    """Sources that name no region are general (kept); the others are the old election's own."""
    atlas = load_atlas()
    kept: set[str] = set()
    facts: set[str] = set()
    for raw in doc.data.get("sources") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            continue
        text = " ".join(_strings(raw))
        if atlas.others_in(text, region) or _names_any_region(text):
            plan.dropped_sources.append(raw["id"])
            continue
        kept.add(raw["id"])
        plan.kept_sources.append(raw["id"])
        facts.update(f["id"] for f in raw.get("facts") or [] if isinstance(f, dict) and isinstance(f.get("id"), str))
    return kept, facts


def _names_any_region(text: str) -> bool:
    """Whether `text` names any kabupaten, kota or province at all (a general source names none)."""
    return bool(load_atlas().others_in(text, "Kabupaten Contoh Yang Tidak Ada"))


def _plan_entries(docs: list[YamlDoc], sources: set[str], facts: set[str], plan: Plan) -> set[str]:
    dropped: set[str] = set()
    for doc in docs:
        for raw in doc.data.get("entries") or [] if isinstance(doc.data, dict) else []:
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                continue
            cited = [s for s in raw.get("sources") or [] if isinstance(s, str)]
            refs = {m["id"] for text in _strings(raw.get("answer")) for m in REF_RE.finditer(text)}
            gone = [s for s in cited if s not in sources]
            if refs - facts:
                dropped.add(raw["id"])
                plan.dropped_entries.append((raw["id"], "states facts of the old sources"))
            elif gone and raw.get("kind") != "unknown" and len(gone) == len(cited):
                # An answer that also cites a kept (general) source stays, citing only that one.
                dropped.add(raw["id"])
                plan.dropped_entries.append((raw["id"], f"rests on {', '.join(gone)}"))
            else:
                plan.kept_entries.append(raw["id"])
    return dropped


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


# ---------------------------------------------------------------------------- rewriting text


class _Swap:
    """The old region's names -> the new region's, and the old election's year -> the new one's."""

    def __init__(self, old: ElectionConfig, new: ElectionConfig) -> None:
        self.old_short, self.new_short = short_name(old.region), short_name(new.region)
        old_kind = old.region.split()[0] if len(old.region.split()) > 1 else "Kabupaten"
        self.full = re.compile(
            rf"\b(?:{re.escape(old_kind)}|kabupaten|kab\.|kota)\s+{re.escape(self.old_short)}\b", re.IGNORECASE
        )
        self.short = re.compile(rf"\b{re.escape(self.old_short)}\b", re.IGNORECASE)
        self.new_region = new.region
        self.old_election, self.new_election = election_of(old), election_of(new)
        self.vocab = Vocabulary({}, {}, {}, (self.new_short.lower(),))

    def line(self, line: str) -> str:
        if _ID_LINE.match(line):
            return line
        line = self.full.sub(lambda m: _case_like(m[0], self.new_region), line)
        line = self.short.sub(lambda m: _case_like(m[0], self.new_short), line)
        return self._election(line)

    def text(self, text: str) -> str:
        return "\n".join(self.line(line) for line in text.split("\n"))

    def _election(self, line: str) -> str:
        old, new = self.old_election, self.new_election
        if old is None or new is None or old == new or old.split()[0] != new.split()[0]:
            return line
        old_year, new_year = old.split()[1], new.split()[1]
        for item in reversed(find_items(line, self.vocab)):
            if item.kind == "election" and item.value == old:
                fixed = re.sub(rf"{old_year}\b", new_year, item.text)
                line = line[: item.start] + fixed + line[item.end :]
        return line


def _case_like(written: str, new: str) -> str:
    if written.isupper():
        return new.upper()
    if written.islower():
        return new.lower()
    return new


def _block_ranges(doc: YamlDoc, key: str) -> list[tuple[int, int, Any]]:
    """(first line, last line, raw) of each item of the top-level list `key` (1-based, inclusive)."""
    items = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return []
    total = len(Path(doc.file).read_text(encoding="utf-8").split("\n"))
    starts = [doc.line(key, i) for i in range(len(items))]
    ends = [*(s - 1 for s in starts[1:]), _end_of_list(doc, key, total)]
    return list(zip(starts, ends, items, strict=True))


def _end_of_list(doc: YamlDoc, key: str, total: int) -> int:
    """The last line of the top-level list `key`: before the next top-level key, or the file's end."""
    after = [line for path, line in doc.lines.items() if len(path) == 1 and path[0] != key and line > doc.line(key)]
    return min(after) - 1 if after else total


def _drop_lines(text: str, drops: list[tuple[int, int]]) -> list[str]:
    lines = text.split("\n")
    gone = {n for a, b in drops for n in range(a, b + 1)}
    # Keep comment lines that introduce the next block (they sit at the end of a dropped one).
    return [line for n, line in enumerate(lines, start=1) if n not in gone]


def _sources_text(doc: YamlDoc, kept: set[str], swap: _Swap) -> str:
    text = Path(doc.file).read_text(encoding="utf-8")
    ranges = _block_ranges(doc, "sources")
    drops = [(a, b) for a, b, raw in ranges if not (isinstance(raw, dict) and raw.get("id") in kept)]
    lines = _drop_lines(text, drops)
    if not kept:
        lines = [("sources: []" if line.strip() == "sources:" else line) for line in lines]
        lines = _strip_trailing_blank(lines)
        lines += [
            "# Tempel di sini (ganti `sources: []` di atas dengan `sources:`) draf dari",
            "#   pilkada-bot import ARTIKEL.txt --publisher ... --date YYYY-MM-DD",
            "# dan salin teks artikelnya ke folder sources/ di samping file ini.",
            "",
        ]
    else:
        # The general sources stay (a law text names no region); the new articles go after them.
        lines = _strip_trailing_blank(lines)
        lines += [
            "",
            "# Tempel di sini bagian `- id: ...` dari draf",
            "#   pilkada-bot import ARTIKEL.txt --publisher ... --date YYYY-MM-DD",
            "# (tanpa baris `sources:` draf itu), dan salin teks artikelnya ke folder sources/ di samping file ini.",
            "",
        ]
    return swap.text("\n".join(lines))


def _entries_text(doc: YamlDoc, dropped: set[str], kept_sources: set[str], swap: _Swap) -> str:
    text = Path(doc.file).read_text(encoding="utf-8")
    ranges = _block_ranges(doc, "entries")
    drops = [(a, b) for a, b, raw in ranges if isinstance(raw, dict) and raw.get("id") in dropped]
    lines = text.split("\n")
    # `sources:` and `related:` of what stays: without the dropped sources and entries.
    for i, raw in enumerate(doc.data.get("entries") or []):
        if not isinstance(raw, dict) or raw.get("id") in dropped:
            continue
        for key, gone in (("sources", set(raw.get("sources") or []) - kept_sources), ("related", dropped)):
            values = raw.get(key)
            if not isinstance(values, list) or not any(v in gone for v in values):
                continue
            n = doc.line("entries", i, key)
            line = lines[n - 1]
            if re.match(rf"^\s*{key}\s*:\s*\[.*\]\s*$", line):
                keep = [str(v) for v in values if v not in gone]
                lines[n - 1] = f"{line[: line.index(key)]}{key}: [{', '.join(keep)}]"
    lines = _drop_lines("\n".join(lines), drops)
    if not any(isinstance(raw, dict) and raw.get("id") not in dropped for raw in doc.data.get("entries") or []):
        lines = ["entries: []" if line.strip() == "entries:" else line for line in lines]
    return swap.text("\n".join(_strip_trailing_blank(lines)) + "\n")


def _messages_text(doc: YamlDoc, dropped: set[str], swap: _Swap, plan: Plan) -> str:
    lines = Path(doc.file).read_text(encoding="utf-8").split("\n")
    drops: list[tuple[int, int]] = []
    for key in ("start_topics", "topics"):
        for i, item in enumerate(doc.data.get(key) or []):
            if isinstance(item, dict) and item.get("entry") in dropped:
                n = doc.line(key, i)
                drops.append((n, n))
                plan.dropped_topics.append(f"{key}: {item.get('label')} -> {item.get('entry')}")
    kept = _drop_lines("\n".join(lines), drops)
    for key in ("start_topics", "topics"):
        items = [i for i in doc.data.get(key) or [] if isinstance(i, dict) and i.get("entry") not in dropped]
        if not items and key in (doc.data or {}):
            kept = [f"{key}: []" if line.strip() == f"{key}:" else line for line in kept]
    if plan.dropped_topics:
        kept = _strip_trailing_blank(kept)
        kept.append("# Tombol topik yang dibuang bersama entrinya (tambahkan lagi setelah entrinya ditulis ulang):")
        kept.extend(f"#   {t}" for t in plan.dropped_topics)
        kept.append("")
    return swap.text("\n".join(kept))


def _questions_text(doc: YamlDoc, dropped: set[str], swap: _Swap) -> str:
    """The labelled questions of the entries kept (and the out-of-scope ones), in the new region's words."""
    text = Path(doc.file).read_text(encoding="utf-8")
    ranges = _block_ranges(doc, "questions")
    all_lines = text.split("\n")
    drops = []
    for a, b, raw in ranges:
        if isinstance(raw, dict) and raw.get("expect") in dropped:
            while b > a and (not all_lines[b - 1].strip() or all_lines[b - 1].lstrip().startswith("#")):
                b -= 1  # the comments after a question head the next one's group
            drops.append((a, b))
    lines = _strip_trailing_blank(_drop_lines(text, drops))
    if all(isinstance(raw, dict) and raw.get("expect") in dropped for _, _, raw in ranges):
        lines = ["questions: []" if line.strip() == "questions:" else line for line in lines]
    # A comment naming a dropped entry, now with no question under it, goes too.
    kept = [line for n, line in enumerate(lines) if not _orphan_comment(lines, n, dropped)]
    return swap.text("\n".join(kept) + "\n")


def _orphan_comment(lines: list[str], n: int, dropped: set[str]) -> bool:
    words = lines[n].strip().removeprefix("#").replace(":", " ").split()
    if not lines[n].startswith("  #") or not dropped.intersection(words):
        return False
    after = lines[n + 1].strip() if n + 1 < len(lines) else ""
    return not after.startswith("- ")


def _lexicon_text(doc: YamlDoc, swap: _Swap) -> str:
    """The lexicon with the new region's name; `other_regions` gains the old region and loses the new one."""
    text = Path(doc.file).read_text(encoding="utf-8")
    lines = text.split("\n")
    regions = doc.data.get("other_regions") if isinstance(doc.data, dict) else None
    if isinstance(regions, list):
        start = doc.line("other_regions")
        end = start
        while end < len(lines) and "]" not in lines[end - 1]:
            end += 1
        old, new = swap.old_short.lower(), swap.new_short.lower()
        words = [str(w) for w in regions if str(w).lower() != new]
        if old not in words:
            words.append(old)
        rewritten = _flow_list("other_regions", words)
        lines = [*(swap.line(line) for line in lines[: start - 1]), *rewritten, *(swap.line(x) for x in lines[end:])]
        return "\n".join(lines)
    return swap.text(text)


def _flow_list(key: str, words: list[str], width: int = 110) -> list[str]:
    out: list[str] = []
    line = f"{key}: ["
    for i, word in enumerate(words):
        piece = word + ("]" if i == len(words) - 1 else ", ")
        if len(line) + len(piece) > width:
            out.append(line.rstrip())
            line = "  "
        line += piece
    out.append(line if words else f"{key}: []")
    return out


_PATH_VALUE = re.compile(r"^(\s*(?:-\s+|\w+:\s+))([^\s#]+)")


def _config_text(path: Path, new: ElectionConfig, swap: _Swap, moved: dict[Path, Path], folder: Path) -> str:
    doc = load_yaml(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        m = _PATH_VALUE.match(line)
        copy = moved.get((path.parent / m[2]).resolve()) if m else None
        if m and copy is not None:
            lines[n] = m[1] + copy.relative_to(folder).as_posix() + line[m.end() :]
    values = {
        "name": new.name,
        "region": new.region,
        "voting_date": new.voting_date.isoformat(),
        "timezone": new.timezone.key,
    }
    zone = _zone_name(new)
    out = [swap.line(line) for line in lines]
    for key, value in values.items():
        n = doc.line("election", key)
        line = lines[n - 1]
        indent = line[: len(line) - len(line.lstrip())]
        comment = ""
        if "#" in line:
            comment = "  " + line[line.index("#") :]
            if key == "timezone" and zone:
                comment = f"  # {zone}"
        out[n - 1] = f"{indent}{key}: {value}{comment}"
    return "\n".join(out)


def _zone_name(election: ElectionConfig) -> str | None:
    noon = dt.datetime.combine(election.voting_date, dt.time(12), tzinfo=election.timezone)
    offset = noon.utcoffset()
    zone = load_atlas().zone_for_offset(offset.total_seconds() / 3600) if offset is not None else None
    return zone.name if zone else None


def _strip_trailing_blank(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _write(path: Path, text: str, plan: Plan) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    plan.files.append(str(path))


def _report(out: Path, old: ElectionConfig, new: ElectionConfig, plan: Plan) -> str:
    lines = [
        f"New election in {out}: {new.name}, {new.region}, voting day {new.voting_date.isoformat()}, "
        f"{new.timezone.key} (was: {old.name}, {old.region}).",
        f"Kept {len(plan.kept_entries)} entries that hold for any region "
        f"(known unknowns and general answers), with '{short_name(old.region)}' now "
        f"'{short_name(new.region)}': {', '.join(plan.kept_entries) or 'none'}.",
        f"Dropped the old election's sources ({', '.join(plan.dropped_sources) or 'none'}) and "
        f"{len(plan.dropped_entries)} entries that cite or state them:",
        *(f"  - {entry} ({why})" for entry, why in plan.dropped_entries),
    ]
    if plan.dropped_topics:
        lines.append("Dropped the topic buttons of those entries (listed at the end of messages.yaml):")
        lines.extend(f"  - {t}" for t in plan.dropped_topics)
    lines += [
        "Next:",
        f"  1. pilkada-bot --config {out / 'config.yaml'} import ARTICLE.txt --publisher ... --date YYYY-MM-DD "
        f"--text-out {out / 'knowledge' / 'sources'}/<id>.txt > draft.yaml",
        "     then check the draft and paste it into knowledge/sources.yaml",
        "  2. write the entries that answer from those facts (knowledge/README.md, 'Pemilihan baru')",
        f"  3. pilkada-bot --config {out / 'config.yaml'} check   (lists what is still missing, at file:line)",
    ]
    return "\n".join(lines) + "\n"
