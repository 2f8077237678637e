"""Write a synthetic knowledge base of N entries (about 8 question variants each).

Used by the benchmarks to see how matching and start-up scale when a province-wide
KPU loads a knowledge base a hundred times larger than the shipped one. Entries are
built from the shipped KB's vocabulary plus made-up topic words, so the word
statistics look like real questions: a few common question words, a few rare
content words per entry.

    python bench/synthetic_kb.py 1000 /tmp/kb1000   # writes config.yaml + knowledge/ there
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import yaml

from bot.regions import load_atlas

ROOT = Path(__file__).resolve().parent.parent
QUESTION_WORDS = ["apa", "kapan", "siapa", "berapa", "kenapa", "bagaimana", "dimana", "apakah", "bisa", "harus"]
COMMON = ["pilkada", "pemilu", "kpu", "blora", "pemilih", "suara", "tps", "kabupaten", "desa", "kecamatan"]
SYLLABLES = [
    "ba",
    "ka",
    "la",
    "ma",
    "na",
    "pa",
    "ra",
    "sa",
    "ta",
    "ja",
    "ga",
    "da",
    "wi",
    "ri",
    "lu",
    "ko",
    "to",
    "ne",
    "se",
    "gu",
]
VARIANTS_PER_ENTRY = 8


def made_up_words(rng: random.Random, count: int) -> list[str]:
    # Not a place name ("toba", "bone"): `check` rightly refuses another region's name in a KB.
    places = {w for name in load_atlas().names for w in name.lower().split()}
    words: set[str] = set()
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in places:
            words.add(word)
    return sorted(words)


def synthetic_entries(n: int, seed: int = 7) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    """N entries and, per entry, one held-back query (a perturbed unseen phrasing)."""
    rng = random.Random(seed)
    topic_words = made_up_words(rng, max(3 * n, 50))
    entries: list[dict[str, object]] = []
    queries: list[tuple[str, str]] = []
    for i in range(n):
        topic = rng.sample(topic_words, 3)
        questions: set[str] = set()
        while len(questions) < VARIANTS_PER_ENTRY + 1:
            words = [rng.choice(QUESTION_WORDS), *rng.sample(topic, rng.randint(2, 3))]
            words += rng.sample(COMMON, rng.randint(0, 2))
            rng.shuffle(words)
            questions.add(" ".join(words))
        ordered = sorted(questions)
        held_back = ordered.pop()
        entry_id = f"e{i:05d}"
        entries.append(
            {
                "id": entry_id,
                "title": f"Topik {i}",
                "topic": "Sintetis",
                "questions": ordered,
                "answer": f"Jawaban sintetis tentang {' '.join(topic)}.",
                "sources": ["kpu-blora-2024-09-06"],
            }
        )
        queries.append((held_back, entry_id))
    return entries, queries


def write_kb(n: int, target: Path) -> list[tuple[str, str]]:
    """Write config.yaml and knowledge/ with N synthetic entries beside the shipped ones; return the test queries."""
    knowledge = target / "knowledge"
    # Everything config.yaml names (sources, unknowns, lexicon, word lists, staff texts), then the
    # synthetic entries over the shipped ones.
    shutil.copytree(ROOT / "knowledge", knowledge, dirs_exist_ok=True)
    entries, queries = synthetic_entries(n)
    # Beside the shipped entries, which the unknowns, topics and staff texts point to.
    shipped = yaml.safe_load((ROOT / "knowledge" / "entries.yaml").read_text(encoding="utf-8"))["entries"]
    (knowledge / "entries.yaml").write_text(
        yaml.safe_dump({"entries": shipped + entries}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config = config.replace("data/pilkada-bot.sqlite3", str(target / "bench.sqlite3"))
    (target / "config.yaml").write_text(config, encoding="utf-8")
    return queries


if __name__ == "__main__":
    count = int(sys.argv[1])
    out = Path(sys.argv[2])
    write_kb(count, out)
    print(f"wrote {count} entries to {out}")
