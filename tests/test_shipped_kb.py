"""The shipped knowledge base (./config.yaml and knowledge/), with rules that hold for ANY election's.

Staff replace config.yaml and knowledge/ for a new election (`pilkada-bot new`, `import`, and the edits
`check` asks for: knowledge/README.md, "Pemilihan baru"); these tests go with whatever is there. They
check that `check` passes and that the knowledge base's own labelled questions
(knowledge/questions.yaml, replaced with it) reach their entries. Nothing here names a region, an
entry or a figure. The engine's tests run on the frozen Blora 2024 copy in tests/data/blora2024
(tests/conftest.py) instead, so they stay green whatever election is shipped;
`python bench/swap_kb.py` measures that.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.nlu.evaluation import SplitReport, evaluate, load_eval_set
from bot.pipeline import Pipeline

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "config.yaml"

# Floors for any knowledge base's own questions ("all" splits together). The Blora 2024 set
# (332 questions) reaches 92 % top-1, no wrong answer, every out-of-scope question declined.
TOP1_FLOOR = 85.0  # % of in-scope questions whose entry is answered or suggested first
WRONG_CEILING = 2.0  # % of in-scope questions answered confidently with another entry
OOS_FLOOR = 95.0  # % of out-of-scope questions not answered confidently


@pytest.fixture(scope="module")
def shipped() -> Pipeline:
    config = load_config(SHIPPED, environ={})
    week_before = config.election.voting_date - dt.timedelta(days=7)
    noon = dt.datetime.combine(week_before, dt.time(12), tzinfo=config.election.timezone)
    return Pipeline.from_config(config, lambda: noon)


@pytest.fixture(scope="module")
def questions_path(shipped: Pipeline) -> Path:
    return shipped.config.knowledge.sources.parent / "questions.yaml"


@pytest.fixture(scope="module")
def report(shipped: Pipeline, questions_path: Path) -> SplitReport:
    items = load_eval_set(questions_path, (e.id for e in shipped.kb.entries))  # each `expect` is an entry
    return evaluate(shipped.matcher.match, items, shipped.claim_verdict)["all"]


def test_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["--config", str(SHIPPED), "check"], stdout=out) == 0, capsys.readouterr().err
    assert out.getvalue().splitlines()[-1].startswith("OK: ")


def test_the_labelled_questions_are_not_copies_of_the_entries_variants(shipped: Pipeline, questions_path: Path) -> None:
    items = load_eval_set(questions_path)
    variants = {" ".join(q.lower().split()) for e in shipped.kb.entries for q in e.questions}
    assert [i.question for i in items if " ".join(i.question.lower().split()) in variants] == []


def test_the_labelled_questions_reach_their_entries(report: SplitReport) -> None:
    misses = "\n".join(f"  {m.question!r}: expected {m.expect}, got {m.outcome} {m.got}" for m in report.misses)
    if report.in_scope:
        assert report.top1_accuracy >= TOP1_FLOOR, misses
        assert report.wrong_answer_rate <= WRONG_CEILING, misses
    if report.out_of_scope:
        assert report.oos_rejection >= OOS_FLOOR, misses


# A test that reads ./config.yaml or knowledge/ itself ties the engine's tests to the shipped
# election again. Allowed: this file, and test_config.py's checks of the `bot:` settings (which
# `pilkada-bot new` keeps). The big word lists under knowledge/words are shared, not election data.
SHIPPED_PATH = re.compile(
    r"""\b(?:repo_root|REPO_ROOT|REPO|ROOT)\s*/\s*["'](?:config\.yaml|knowledge)["'](?!\s*/\s*["']words)"""
)
ALLOWED = {"test_shipped_kb.py", "test_config.py"}


def test_no_other_test_reads_the_shipped_knowledge_base() -> None:
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        if path.name not in ALLOWED
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SHIPPED_PATH.search(line)
    ]
    assert found == [], "use the test knowledge base (conftest.py: kb_root, kb_copy, BLORA_2024) instead"
