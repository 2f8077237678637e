"""Do the tests survive a new election? Swap the knowledge base and run the suite (issue #23).

    python bench/swap_kb.py [--keep DIR] [--json FILE] [-- PYTEST ARGS...]

In a scratch copy of the repository (the files git knows, as they are in the work tree)
this does what staff do for a new election, following knowledge/README.md "Pemilihan baru":

1. `pilkada-bot new` for the fictional Kabupaten Contoh (tests/data/contoh-artikel.txt),
2. `pilkada-bot import` of that article, the draft accepted as it is (pasted under `sources:`),
3. the edits `check` asks for (none beyond the draft today; the script fails loudly if
   `check` still reports a problem, so the swap is always a knowledge base that passes check),

then puts the new config.yaml and knowledge/ in place of the shipped ones and runs the
README's test command (`pytest`, extra arguments after `--`) in the scratch copy, with the
scratch copy's own `bot` package first on the path. It prints the failing tests and their
count (and writes them to FILE with --json). Exit status: 0 when every test passed.

    python bench/swap_kb.py                          # the whole suite (about 8 minutes)
    python bench/swap_kb.py -- -m "not slow" -x      # a quicker look
    python bench/swap_kb.py --keep /tmp/swapped      # keep the scratch copy to look at it
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = Path("tests/data/contoh-artikel.txt")
NEW = [
    "new",
    "--region", "Kabupaten Contoh",
    "--election", "Pilkada Serentak 2024",
    "--voting-date", "2024-11-27",
    "--timezone", "Asia/Jakarta",
]  # fmt: skip
IMPORT = ["--publisher", "KPU Kabupaten Contoh", "--date", "2024-11-22"]
SOURCE_ID = "kpu-contoh-2024-11-22"


def copy_repo(dest: Path) -> None:
    """The files git tracks or would track (not ignored), as they are in the work tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode()  # fmt: skip
    for name in filter(None, listed.split("\0")):
        src = REPO / name
        if not src.is_file():
            continue  # deleted in the work tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


def cli(root: Path, *argv: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PILKADA_BOT_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *argv], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    if ok and done.returncode != 0:
        raise SystemExit(f"pilkada-bot {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done


def accept_draft(sources_yaml: Path, draft: str) -> None:
    """Paste the draft's `- id: ...` part under `sources:`, after the general sources `new` kept."""
    lines = draft.split("\n")
    items = lines[lines.index("sources:") + 1 :]
    text = sources_yaml.read_text(encoding="utf-8").replace("sources: []\n", "sources:\n", 1)
    sources_yaml.write_text(text.rstrip("\n") + "\n" + "\n".join(items), encoding="utf-8")


def build_new_election(root: Path) -> str:
    """`new` + `import` + the edits check asks for, in root/new-election; returns check's summary."""
    out = root / "new-election"
    cli(root, "--config", "config.yaml", *NEW, "--out", str(out))
    config = str(out / "config.yaml")
    text_out = out / "knowledge" / "sources" / f"{SOURCE_ID}.txt"
    draft = cli(root, "--config", config, "import", str(ARTICLE), *IMPORT, "--text-out", str(text_out)).stdout
    accept_draft(out / "knowledge" / "sources.yaml", draft)
    check = cli(root, "--config", config, "check", ok=False)
    if check.returncode != 0:
        raise SystemExit(f"check still asks for edits this script does not make:\n{check.stderr}")
    return check.stdout.strip()


def swap_in(root: Path) -> None:
    new = root / "new-election"
    shutil.rmtree(root / "knowledge")
    shutil.move(str(new / "knowledge"), str(root / "knowledge"))
    shutil.move(str(new / "config.yaml"), str(root / "config.yaml"))
    shutil.rmtree(new)
    check = cli(root, "check", ok=False)
    if check.returncode != 0:
        raise SystemExit(f"the swapped knowledge base does not pass check in place:\n{check.stderr}")


def run_suite(root: Path, pytest_args: list[str]) -> tuple[int, list[str], str]:
    report = root / ".swap-junit.xml"
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PILKADA_BOT_CONFIG", None)
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *pytest_args]
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=False)
    failed: list[str] = []
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed.append(f"{case.get('classname')}::{case.get('name')}")
    tail = "\n".join(done.stdout.strip().splitlines()[-1:])
    return done.returncode, sorted(set(failed)), tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="build the scratch copy here (an empty or new folder) and keep it")
    parser.add_argument("--json", type=Path, help="write {'failed': [...], 'summary': ...} here")
    parser.add_argument("pytest_args", nargs="*", help="after --: arguments for pytest")
    args = parser.parse_args(argv)
    if args.keep is not None:
        if args.keep.exists() and any(args.keep.iterdir()):
            parser.error(f"{args.keep} is not empty")
        root = args.keep.resolve()
        root.mkdir(parents=True, exist_ok=True)
        scratch = None
    else:
        scratch = tempfile.TemporaryDirectory(prefix="swap-kb-")
        root = Path(scratch.name)
        # As a repository checkout is: tests that drop privileges ('nobody') read the code here.
        root.chmod(0o755)
    try:
        copy_repo(root)
        summary = build_new_election(root)
        print(f"new election built; check: {summary.splitlines()[-1]}", flush=True)
        swap_in(root)
        code, failed, tail = run_suite(root, args.pytest_args)
    finally:
        if scratch is not None:
            scratch.cleanup()
    for name in failed:
        print(f"FAILED {name}")
    print(f"{len(failed)} failing test(s) with the swapped knowledge base; pytest: {tail}")
    if args.json is not None:
        args.json.write_text(json.dumps({"failed": failed, "summary": tail}, indent=1) + "\n", encoding="utf-8")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
