"""The adversarial set of issue #22 (tests/data/adversarial.yaml): no ✅ on words the sources do not say.

Each message wraps true statements from the sources around planted words (a hoax, a link,
a phone number, reversed text behind a right-to-left override). Typed and forwarded, the
reply may confirm the true statements, but

- no ✅ verdict may quote a planted word, and no reply or share may carry a planted phrase;
- the reply may not be ✅ alone: a message with planted claims always gets a 🤔 (or ❌) too,
  so the bot's tick never reads as a seal on the whole message.

    python -m tests.test_claims_adversarial      # prints the figures and every failure
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.facts.statements import fold
from bot.nlu.claims import overall
from bot.outreach.kit import Outreach
from bot.pipeline import Pipeline
from tests.support.clocks import make_clock
from tests.support.constants import FIXED_NOW, REPO_ROOT

ADVERSARIAL = REPO_ROOT / "tests" / "data" / "adversarial.yaml"
# A second set (session 6), 88 of its 127 messages naming the real voting day while saying voting
# is not then; its first run is bench/results/adversarial_b_first_run.txt (20 ✅ on planted words).
ADVERSARIAL_B = REPO_ROOT / "tests" / "data" / "adversarial_b.yaml"
SHAPES = ("sandwich", "prefix", "suffix", "padding", "link", "unicode", "mixed")


@dataclass(frozen=True, slots=True)
class Adversarial:
    text: str
    planted: tuple[str, ...]
    shape: str


def load_adversarial(path: Path = ADVERSARIAL) -> list[Adversarial]:
    """Read adversarial.yaml: a list `adversarial` of {text, planted (a list of phrases), shape}."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = doc["adversarial"] if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path}: 'adversarial' must be a list")
    out = []
    for i, raw in enumerate(items):
        if not isinstance(raw, dict) or set(raw) != {"text", "planted", "shape"}:
            raise ValueError(f"{path}: item {i} must have exactly text, planted, shape")
        planted = raw["planted"]
        if not isinstance(raw["text"], str) or not isinstance(planted, list) or not planted:
            raise ValueError(f"{path}: item {i}: text must be text and planted a non-empty list")
        if raw["shape"] not in SHAPES:
            raise ValueError(f"{path}: item {i}: unknown shape {raw['shape']!r}")
        out.append(Adversarial(raw["text"], tuple(str(p) for p in planted), raw["shape"]))
    return out


def _visible(text: str) -> str:
    """Lower case, invisible and control characters dropped, spacing collapsed."""
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(fold(text).split())


def _planted_words(item: Adversarial) -> set[str]:
    """Words of the planted phrases that the rest of the message does not use."""
    rest = item.text
    for phrase in item.planted:
        rest = rest.replace(phrase, " ")
    rest_words = set(re.findall(r"\w+", _visible(rest)))
    return {w for p in item.planted for w in re.findall(r"\w+", _visible(p))} - rest_words


@dataclass(slots=True)
class AdversarialScore:
    replies: int = 0  # messages x (typed, forwarded)
    claims: int = 0  # replies that are a claim check
    tick_on_planted: list[tuple[str, str]] = field(default_factory=list)  # ✅ quoting a planted word
    leaked: list[tuple[str, str]] = field(default_factory=list)  # a planted phrase in a reply or share
    tick_only: list[str] = field(default_factory=list)  # ✅ alone: no 🤔 or ❌ for the planted part

    def lines(self) -> list[str]:
        return [
            f"adversarial: {self.replies} replies ({self.replies // 2} messages typed and forwarded), "
            f"{self.claims} claim checks; ✅ on planted words {len(self.tick_on_planted)}; "
            f"planted phrase in a reply or share {len(self.leaked)}; ✅ alone (no 🤔/❌) {len(self.tick_only)}"
        ]


def score(pipeline: Pipeline, items: list[Adversarial]) -> AdversarialScore:
    kit = Outreach(pipeline.replies, "PilkadaBloraBot")
    result = AdversarialScore()
    for item in items:
        words = _planted_words(item)
        for forwarded in (False, True):
            reply = pipeline.replies.for_question(item.text, forwarded=forwarded)
            result.replies += 1
            shared = _visible(kit.share_text(reply) or "")
            shown = _visible(reply.text)
            for phrase in item.planted:
                if len(_visible(phrase)) >= 6 and (_visible(phrase) in shown or _visible(phrase) in shared):
                    result.leaked.append((item.text, phrase))
            if reply.kind != "claim":
                continue
            result.claims += 1
            for verdict in reply.claims:
                said = set(re.findall(r"\w+", _visible(verdict.said)))
                if verdict.verdict == "confirmed" and said & words:
                    result.tick_on_planted.append((item.text, verdict.said))
            if overall(list(reply.claims)) == "confirmed" and not reply.says_unknown:
                result.tick_only.append(item.text)
    return result


def adversarial_pipeline() -> Pipeline:
    return Pipeline.load(REPO_ROOT / "tests" / "data" / "blora2024" / "config.yaml", make_clock(FIXED_NOW))


@pytest.mark.parametrize("path", [ADVERSARIAL, ADVERSARIAL_B], ids=["a", "b"])
def test_the_set_is_large_and_varied(path: Path) -> None:
    items = load_adversarial(path)
    assert len(items) >= 100
    assert {i.shape for i in items} == set(SHAPES)
    assert all(p in i.text for i in items for p in i.planted)


@pytest.mark.parametrize("path", [ADVERSARIAL, ADVERSARIAL_B], ids=["a", "b"])
def test_no_tick_on_planted_words(pipeline: Pipeline, path: Path) -> None:
    result = score(pipeline, load_adversarial(path))
    assert result.tick_on_planted == []
    assert result.leaked == []
    # First run (docs/grounding.md): 11 replies to 7 messages were ✅ alone; padding and invisible
    # characters hid the planted words from the reader.
    assert result.tick_only == []


if __name__ == "__main__":
    result = score(adversarial_pipeline(), load_adversarial() + load_adversarial(ADVERSARIAL_B))
    print("\n".join(result.lines()))
    for text, said in result.tick_on_planted:
        print(f"✅ ON PLANTED: {said!r} in {text[:120]!r}")
    for text, phrase in result.leaked:
        print(f"LEAKED: {phrase!r} from {text[:120]!r}")
    for text in dict.fromkeys(result.tick_only):
        print(f"✅ alone: {text[:160]!r}")
