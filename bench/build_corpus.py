"""Merge the written question files and their labels into one labelled corpus (tests/data/corpus.yaml).

Run:  python bench/build_corpus.py --out tests/data/corpus.yaml RAW_DIR writer_a:labels_a ...

Each writer file was written by someone who read only the two articles; each labels file by
someone else who read the knowledge base (see the header the script writes). The split is
fixed by a hash of the question, so adding questions never moves old ones: about three
quarters train, one quarter dev.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import yaml


def split_of(question: str, dev_share: int = 25) -> str:
    digest = int(hashlib.sha256(question.encode("utf-8")).hexdigest(), 16)
    return "dev" if digest % 100 < dev_share else "train"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", type=Path, help="folder with the writer and label files")
    parser.add_argument("pairs", nargs="+", help="writer:labels file stems, e.g. writer_a:labels_a")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--header", default="", help="first comment lines (where the questions came from)")
    parser.add_argument("--split", default="", help="one split name for every question (a held-out set)")
    args = parser.parse_args()
    rows: list[str] = []
    seen: set[str] = set()
    for pair in args.pairs:
        writer, labels = pair.split(":")
        questions = yaml.safe_load((args.raw / f"{writer}.yaml").read_text(encoding="utf-8"))["questions"]
        labelled = {
            lab["q"]: lab for lab in yaml.safe_load((args.raw / f"{labels}.yaml").read_text(encoding="utf-8"))["labels"]
        }
        for item in questions:
            q = str(item["q"]).strip()
            if q.lower() in seen:
                continue
            seen.add(q.lower())
            label = labelled.get(item["q"])
            if label is None:
                raise SystemExit(f"{labels}: no label for {q!r}")
            tags = [str(item.get("register", "")), str(label.get("kind", "")), writer]
            related = label.get("related") or []
            split = args.split or split_of(q)
            fields = [f"q: {json_str(q)}", f"expect: {label['expect']}", f"split: {split}"]
            fields.append(f"tags: [{', '.join(t for t in tags if t)}]")
            if related:
                fields.append(f"related: [{', '.join(related)}]")
            rows.append("  - {" + ", ".join(fields) + "}")
    header = "\n".join(f"# {line}" for line in args.header.splitlines())
    args.out.write_text(f"{header}\nquestions:\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} questions -> {args.out}")


def json_str(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escaping is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


if __name__ == "__main__":
    main()
