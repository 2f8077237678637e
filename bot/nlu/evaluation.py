"""Measure a matcher on labelled question sets, per split.

tests/data/eval.yaml: questions with the entry that answers them (or none: out of
scope). tests/data/postvote.yaml: questions asked after the vote that the sources
cannot answer; any confident answer to one of them is a failure (issue #11).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.nlu.matcher import MatchResult
from bot.schema import LIST, NONEMPTY_TEXT, TEXT, check_mapping
from bot.yamlfile import InvalidFiles, Problem, load_yaml


@dataclass(frozen=True, slots=True)
class EvalItem:
    question: str
    expect: str | None  # None: out of scope, the bot must not answer confidently
    tags: tuple[str, ...]
    split: str
    unanswerable: bool = False  # from the post-vote set: any confident answer is wrong


@dataclass(slots=True)
class Miss:
    question: str
    expect: str | None
    outcome: str
    got: str | None
    suggestions: tuple[str, ...]
    score: float


@dataclass(slots=True)
class SplitReport:
    split: str
    in_scope: int = 0
    out_of_scope: int = 0
    answered_right: int = 0  # confident answer, right entry
    top1_right: int = 0  # answer, or the first suggestion, is the right entry
    reached: int = 0  # right entry answered or among the suggestions
    answered_wrong: int = 0  # confident answer, wrong entry (the worst case)
    oos_rejected: int = 0  # out of scope and not answered confidently
    oos_fallback: int = 0  # out of scope and given the honest fallback (no suggestions either)
    unanswerable: int = 0  # post-vote questions the sources cannot answer
    unanswerable_answered: int = 0  # ... answered confidently anyway (must stay 0)
    unanswerable_known: int = 0  # ... answered by a known-unknown entry
    misses: list[Miss] = field(default_factory=list)

    @staticmethod
    def _pct(part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 0.0

    @property
    def top1_accuracy(self) -> float:
        return self._pct(self.top1_right, self.in_scope)

    @property
    def answer_accuracy(self) -> float:
        return self._pct(self.answered_right, self.in_scope)

    @property
    def reached_rate(self) -> float:
        return self._pct(self.reached, self.in_scope)

    @property
    def oos_rejection(self) -> float:
        return self._pct(self.oos_rejected, self.out_of_scope)

    @property
    def oos_fallback_rate(self) -> float:
        return self._pct(self.oos_fallback, self.out_of_scope)

    @property
    def oos_wrongly_answered(self) -> float:
        return 100.0 - self.oos_rejection if self.out_of_scope else 0.0

    @property
    def wrong_answer_rate(self) -> float:
        return self._pct(self.answered_wrong, self.in_scope)


def load_eval_set(path: Path, known_ids: Iterable[str] | None = None) -> list[EvalItem]:
    """Read the evaluation YAML; raise InvalidFiles with file:line on any mistake."""
    doc = load_yaml(path)
    problems: list[Problem] = []
    ids = set(known_ids) if known_ids is not None else None
    items: list[EvalItem] = []
    if not check_mapping(doc, doc.data, (), problems, required={"questions": LIST}, what="the evaluation file"):
        raise InvalidFiles(problems)
    for i, raw in enumerate(doc.data.get("questions") or []):
        if not check_mapping(
            doc,
            raw,
            ("questions", i),
            problems,
            required={"q": NONEMPTY_TEXT, "expect": TEXT, "split": NONEMPTY_TEXT},
            optional={"tags": LIST, "related": LIST},
            what="an evaluation question",
        ):
            continue
        if not {"q", "expect", "split"} <= raw.keys():
            continue
        expect = None if raw["expect"] == "none" else raw["expect"]
        if ids is not None and expect is not None and expect not in ids:
            problems.append(doc.problem(f"expect names unknown entry '{expect}'", "questions", i, "expect"))
        items.append(EvalItem(str(raw["q"]), expect, tuple(str(t) for t in raw.get("tags") or ()), raw["split"]))
    if problems:
        raise InvalidFiles(problems)
    return items


def load_postvote_set(path: Path) -> list[EvalItem]:
    """Read tests/data/postvote.yaml (text, topic, style, split) as unanswerable items."""
    doc = load_yaml(path)
    problems: list[Problem] = []
    items: list[EvalItem] = []
    if not check_mapping(doc, doc.data, (), problems, required={"questions": LIST}, what="the post-vote file"):
        raise InvalidFiles(problems)
    for i, raw in enumerate(doc.data.get("questions") or []):
        if (
            not check_mapping(
                doc,
                raw,
                ("questions", i),
                problems,
                required={"text": NONEMPTY_TEXT, "split": NONEMPTY_TEXT},
                optional={"topic": TEXT, "style": TEXT},
                what="a post-vote question",
            )
            or not {"text", "split"} <= raw.keys()
        ):
            continue
        tags = tuple(str(raw[k]) for k in ("topic", "style") if k in raw)
        items.append(EvalItem(str(raw["text"]), None, tags, str(raw["split"]), unanswerable=True))
    if problems:
        raise InvalidFiles(problems)
    return items


Predict = Callable[[str], MatchResult]


# The claim check's overall verdict on a message ("none": it states nothing checkable;
# "partial": a verdict, and the reply says the sources cannot answer the rest), and the
# entries whose facts the verdicts state: "Fwd: pilkada diundur ke Desember, hoaks bukan?"
# gets ❌ with voting day's date and quote, which answers what the date entry answers.
Judge = Callable[[str], "tuple[str, frozenset[str]]"]


def evaluate(predict: Predict, items: Iterable[EvalItem], judge: Judge | None = None) -> dict[str, SplitReport]:
    """Run `predict` on every item; one report per split plus 'all'.

    With `judge`, a message the claim check takes over gets the claim reply, as on
    Telegram: an in-scope question read as a claim misses its answer, and a verdict
    that states a fact (confirmed, contradicted) counts as a confident answer.
    """
    reports: dict[str, SplitReport] = {}
    for item in items:
        result = predict(item.question)
        verdict, stated = judge(item.question) if judge is not None else ("none", frozenset[str]())
        for split in (item.split, "all"):
            report = reports.setdefault(split, SplitReport(split))
            _score(report, item, result, verdict, stated)
    return reports


def _score(
    report: SplitReport,
    item: EvalItem,
    result: MatchResult,
    verdict: str = "none",
    stated: frozenset[str] = frozenset(),
) -> None:
    claim = verdict != "none"
    outcome = "claim" if claim else result.outcome
    # A known unknown names its entry too: right when the question expects that entry.
    named = result.entry_id if outcome in ("answer", "unknown") else None
    answered = outcome == "answer" or verdict in ("confirmed", "contradicted")
    if answered and claim and item.expect in stated:
        named = item.expect  # the verdict states the expected entry's fact, with its quote
    first = result.suggestions[0] if outcome == "suggest" and result.suggestions else None
    top = named if named is not None else first
    ok: bool
    if item.unanswerable:
        report.unanswerable += 1
        report.unanswerable_answered += answered
        report.unanswerable_known += outcome == "unknown"
        ok = not answered
    elif item.expect is None:
        report.out_of_scope += 1
        ok = not answered
        report.oos_rejected += ok
        report.oos_fallback += outcome in ("none", "unknown") or verdict == "unverifiable"  # an honest "I do not know"
    else:
        report.in_scope += 1
        right_answer = named is not None and named == item.expect
        report.answered_right += right_answer
        report.answered_wrong += answered and not right_answer
        report.top1_right += top == item.expect
        reached = right_answer or (outcome == "suggest" and item.expect in result.suggestions)
        report.reached += reached
        ok = top == item.expect
    if not ok:
        got = f"{verdict} claim" if claim else result.entry_id
        report.misses.append(Miss(item.question, item.expect, outcome, got, result.suggestions, result.score))


def format_report(reports: dict[str, SplitReport], show_misses: bool = True) -> str:
    """A plain-text table per split, then the misses."""
    order = sorted(reports, key=lambda s: (s == "all", s))
    lines = [
        f"{'split':<9} {'in':>4} {'out':>4} {'top-1':>7} {'answered':>9} {'reached':>8} "
        f"{'wrong-ans':>9} {'oos-rej':>8} {'oos-fallback':>12} {'unanswerable':>12} {'ans':>4} {'known':>5}",
    ]
    for name in order:
        r = reports[name]
        lines.append(
            f"{name:<9} {r.in_scope:>4} {r.out_of_scope:>4} {r.top1_accuracy:>6.1f}% {r.answer_accuracy:>8.1f}% "
            f"{r.reached_rate:>7.1f}% {r.wrong_answer_rate:>8.1f}% {r.oos_rejection:>7.1f}% "
            f"{r.oos_fallback_rate:>11.1f}% {r.unanswerable:>12} {r.unanswerable_answered:>4} {r.unanswerable_known:>5}"
        )
    lines.append(
        "top-1: answer or first suggestion is the right entry; answered: confident right answer; "
        "reached: right entry answered or suggested; wrong-ans: confident wrong answer; "
        "oos-rej: out-of-scope questions not answered confidently; oos-fallback: of those, given the honest "
        "fallback rather than suggestions; unanswerable: post-vote questions the sources cannot answer, "
        "ans: of those answered confidently (must be 0), known: answered by a known-unknown entry."
    )
    if show_misses:
        for name in order:
            if name == "all":
                continue
            lines.append(f"\nmisses in {name} ({len(reports[name].misses)}):")
            for m in reports[name].misses:
                if m.outcome in ("answer", "claim"):
                    got = m.got
                elif m.outcome == "unknown":
                    got = f"unknown[{m.got}]"
                else:
                    got = f"{m.outcome}{list(m.suggestions) if m.suggestions else ''}"
                expected = m.expect or "none"
                lines.append(f"  {m.question!r}: expected {expected}, got {got} ({m.score:.1f})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- claim check


@dataclass(frozen=True, slots=True)
class ClaimItem:
    text: str
    verdict: str  # contradicted | confirmed | unverifiable | none
    about: str
    split: str


@dataclass(slots=True)
class ClaimReport:
    split: str
    total: int = 0
    right: int = 0
    wrong: int = 0  # a true claim called false, or a false one called true (must stay 0)
    false_claims: int = 0  # contradicted in truth, about a fact the KB holds
    false_flagged: int = 0  # ... and called contradicted
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    @property
    def flagged_rate(self) -> float:
        return 100.0 * self.false_flagged / self.false_claims if self.false_claims else 0.0


def load_claims_set(path: Path) -> list[ClaimItem]:
    """Read tests/data/claims.yaml (text, verdict, about, style, split, why)."""
    doc = load_yaml(path)
    problems: list[Problem] = []
    items: list[ClaimItem] = []
    if not check_mapping(doc, doc.data, (), problems, required={"claims": LIST}, what="the claims file"):
        raise InvalidFiles(problems)
    for i, raw in enumerate(doc.data.get("claims") or []):
        if (
            not check_mapping(
                doc,
                raw,
                ("claims", i),
                problems,
                required={"text": NONEMPTY_TEXT, "verdict": NONEMPTY_TEXT, "split": NONEMPTY_TEXT},
                optional={"about": TEXT, "style": TEXT, "why": TEXT},
                what="a claim",
            )
            or not {"text", "verdict", "split"} <= raw.keys()
        ):
            continue
        if raw["verdict"] not in ("contradicted", "confirmed", "unverifiable", "none"):
            problems.append(doc.problem(f"unknown verdict '{raw['verdict']}'", "claims", i, "verdict"))
            continue
        items.append(ClaimItem(str(raw["text"]), raw["verdict"], str(raw.get("about", "")), str(raw["split"])))
    if problems:
        raise InvalidFiles(problems)
    return items


def evaluate_claims(judge: Callable[[str], str], items: Iterable[ClaimItem]) -> dict[str, ClaimReport]:
    """`judge` gives a message's overall verdict; one report per split plus 'all'."""
    reports: dict[str, ClaimReport] = {}
    for item in items:
        got = judge(item.text)
        for split in (item.split, "all"):
            r = reports.setdefault(split, ClaimReport(split))
            r.total += 1
            r.right += got == item.verdict
            r.wrong += (item.verdict, got) in (("confirmed", "contradicted"), ("contradicted", "confirmed"))
            if item.verdict == "contradicted" and item.about != "other":
                r.false_claims += 1
                r.false_flagged += got == "contradicted"
            if got != item.verdict:
                r.misses.append((item.text, item.verdict, got))
    return reports


def format_claims_report(reports: dict[str, ClaimReport], show_misses: bool = True) -> str:
    order = sorted(reports, key=lambda s: (s == "all", s))
    lines = [f"{'claims':<9} {'n':>4} {'right':>6} {'wrong':>6} {'false flagged':>14}"]
    for name in order:
        r = reports[name]
        lines.append(
            f"{name:<9} {r.total:>4} {r.right:>6} {r.wrong:>6} "
            f"{r.false_flagged:>5}/{r.false_claims:<3} {r.flagged_rate:5.1f}%"
        )
    lines.append(
        "wrong: a true claim called contradicted or a false one called confirmed (must be 0); "
        "false flagged: false claims about facts the knowledge base holds that were called contradicted."
    )
    if show_misses:
        for name in order:
            if name != "all" and reports[name].misses:
                lines.append(f"\nclaim misses in {name} ({len(reports[name].misses)}):")
                lines.extend(f"  {t!r}: expected {e}, got {g}" for t, e, g in reports[name].misses)
    return "\n".join(lines)
