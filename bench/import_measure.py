"""How much of the hand-written sources.yaml does `pilkada-bot import` draft, and is any draft wrong?

    python bench/import_measure.py [--articles DIR]

For each article in DIR (default: the project's two seed articles in shared/seeds, beside
the repository) whose title is one of knowledge/sources.yaml's sources, this runs the
importer (bot/kb_import.py) with the article's publisher and date and compares its draft
with the facts written there by hand:

- found: a drafted fact with the same value kind and value (the same person; for what a
  person did, the same act);
- exact quote: its quote is the hand-written one, character for character (spacing and
  quote marks aside);
- same passage: one quote holds the other (the draft quoted the same words, a little more
  or a little less);
- same election: the drafted `election` is the hand-written one.

Every drafted fact is then put through check's own rules (bot/kb/knowledge.py: the quote is
word for word in the article, and states the value): a draft that fails states a value the
article does not. Writes bench/results/import.json; docs/import.md has the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import git_state, write_results

from bot.kb.sources import _parse_sources, _squash
from bot.kb_import import draft, to_yaml
from bot.yamlfile import Problem, load_yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
KINDS = ("date", "month", "percent", "count", "person", "place")


def _value(fact: dict[str, Any]) -> tuple[str, str]:
    kind = next(k for k in KINDS if k in fact)
    value = fact[kind]
    if kind in ("percent", "count"):
        value = Decimal(str(value)).normalize()
    if kind in ("person", "place"):
        value = str(value).lower()
    if kind == "month":
        value = str(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    return kind, str(value)


def _election(fact: dict[str, Any]) -> str | None:
    election = fact.get("election")
    return " ".join(str(election).lower().split()) if election else None


def _overlap(a: str, b: str) -> bool:
    return _squash(a) in _squash(b) or _squash(b) in _squash(a)


def measure(articles: Path, hand: Path = ROOT / "knowledge" / "sources.yaml") -> dict[str, Any]:
    """`hand`: the sources.yaml whose hand-written facts the drafts are compared with."""
    hand_doc = load_yaml(hand)
    hand_sources = {s["title"]: s for s in hand_doc.data["sources"]}
    rows: list[dict[str, Any]] = []
    drafts: list[dict[str, Any]] = []
    check_problems: list[str] = []
    for path in sorted(articles.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        source = next((s for title, s in hand_sources.items() if title in text), None)
        if source is None:
            continue
        d = draft(
            text,
            publisher=source["publisher"],
            date=source["date"],
            source_id=source["id"],
            region="Kabupaten Blora",
            election="pilkada 2024",
        )
        # The draft as check reads it: the article beside it, every rule of _parse_sources.
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            (base / "sources").mkdir()
            shutil.copy(path, base / "sources" / f"{d.source_id}.txt")
            (base / "draft.yaml").write_text(to_yaml(d, path.name), encoding="utf-8")
            doc = load_yaml(base / "draft.yaml")
            problems: list[Problem] = []
            parsed = _parse_sources(doc, base, problems, "Kabupaten Blora")
            checked = {f.id for s in parsed.values() for f in s.facts}
        proposals = doc.data["sources"][0]["facts"]
        # Statements (`statement: true`: what someone said) are not drafted by `import`; they are not compared.
        facts = [f for f in source["facts"] if not f.get("statement")]
        hand = {(_value(f), f.get("act")) for f in facts}
        for p in proposals:
            drafts.append(
                {
                    "article": path.name,
                    "id": p["id"],
                    "value": _value(p),
                    "act": p.get("act"),
                    "election": _election(p),
                    "quote": p["quote"],
                    "passes_check": p["id"] in checked,
                    "matches_hand_fact": (_value(p), p.get("act")) in hand,
                }
            )
        check_problems.extend(f"{path.name}: {x.message}" for x in problems)
        for fact in facts:
            want = _value(fact)
            found = [p for p in proposals if _value(p) == want and p.get("act") == fact.get("act")]
            exact = [p for p in found if _squash(p["quote"]) == _squash(fact["quote"])]
            passage = [p for p in found if _overlap(p["quote"], fact["quote"])]
            best = (exact or passage or found or [None])[0]
            rows.append(
                {
                    "source": source["id"],
                    "fact": fact["id"],
                    "value": want,
                    "found": bool(found),
                    "exact_quote": bool(exact),
                    "same_passage": bool(passage),
                    "same_election": best is not None and _election(best) == _election(fact),
                    "hand_quote": fact["quote"],
                    "draft_quote": best["quote"] if best else None,
                }
            )
    total = len(rows)
    return {
        "commit": git_state(),
        "hand_facts": total,
        "found": sum(r["found"] for r in rows),
        "exact_quote": sum(r["exact_quote"] for r in rows),
        "same_passage": sum(r["same_passage"] for r in rows),
        "same_election": sum(r["same_election"] for r in rows if r["found"]),
        "drafted": len(drafts),
        "drafts_failing_check": sum(not p["passes_check"] for p in drafts),
        "check_problems": check_problems,
        "drafts_not_in_hand_kb": [
            f"{p['article']}: {p['id']} = {p['value'][1]}" for p in drafts if not p["matches_hand_fact"]
        ],
        "facts": rows,
        "drafts": drafts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=SEEDS, help=f"folder of articles (default: {SEEDS})")
    args = parser.parse_args()
    result = measure(args.articles)
    total = result["hand_facts"]

    def pct(n: int) -> str:
        return f"{n}/{total} ({100 * n / total:.0f} %)" if total else "0"

    print(f"hand-written facts: {total}")
    print(f"  drafted with the same value:          {pct(result['found'])}")
    print(f"  ... and the same passage quoted:      {pct(result['same_passage'])}")
    print(f"  ... and the identical quote:          {pct(result['exact_quote'])}")
    print(f"  ... and the same election (found):    {result['same_election']}/{result['found']}")
    print(f"drafted facts: {result['drafted']}; failing check's quote/value rules: {result['drafts_failing_check']}")
    for row in result["facts"]:
        if not row["exact_quote"]:
            pad = " " * len(row["fact"])
            print(f"  {row['fact']}: drafted {row['draft_quote']!r}\n  {pad}  by hand {row['hand_quote']!r}")
        if row["found"] and not row["same_election"]:
            print(f"  {row['fact']}: another election than the hand-written one")
    for problem in result["check_problems"]:
        print(f"  check: {problem}")
    for extra in result["drafts_not_in_hand_kb"]:
        print(f"  drafted, not in the hand-written KB: {extra}")
    write_results("import.json", "import_measure.py", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
