"""What staff read: the statistics report and the unanswered-question export.

`format_stats` is the plain text `pilkada-bot report` prints (and `/stats` shows).
`unanswered_yaml` groups similar unanswered questions and renders each group as a
draft entry in the shape of knowledge/entries.yaml, for a staff member to complete
(title, topic, answer, sources) and paste into the knowledge base. The words around
the figures come from knowledge/staff.yaml (bot/kb/staff_texts.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml
from rapidfuzz import fuzz, process

from bot.kb.staff_texts import StaffTexts
from bot.storage import FeedbackComment, Stats, UnansweredRow

# token_set_ratio ignores word order and extra words; 70 groups rephrasings of one
# question ("kapan debat calon bupati" / "debat cabup kapan") without merging
# different questions that only share the election vocabulary.
DEFAULT_GROUP_THRESHOLD = 70.0


def format_stats(stats: Stats, texts: StaffTexts) -> str:
    """The statistics as plain text: a few figures, then the top lists."""
    rate = texts.get("report_no_rate") if stats.answer_rate is None else f"{stats.answer_rate:.0%}"
    none_yet = texts.get("report_none_yet")
    lines = [
        texts.get("report_title", day=stats.day.isoformat()),
        "",
        texts.get(
            "report_questions_today",
            questions=stats.questions_today,
            answered=stats.answered_today,
            users=stats.users_today,
        ),
        texts.get("report_questions_total", questions=stats.questions_total, answered=stats.answered_total),
        texts.get("report_answer_rate", rate=rate),
        texts.get("report_unanswered_open", count=stats.unanswered_open),
        texts.get("report_subscribers", count=stats.subscribers),
    ]
    lines += _section(texts.get("report_top_entries"), stats.top_entries, none_yet)
    lines += _section(texts.get("report_top_unanswered"), stats.top_unanswered, none_yet)
    lines += ["", texts.get("report_feedback")]
    if stats.feedback:
        width = max(len(f.entry_id) for f in stats.feedback)
        lines += [f"  {f.entry_id:<{width}}  {f.up} / {f.down}" for f in stats.feedback]
    else:
        lines.append(f"  {none_yet}")
    return "\n".join(lines) + "\n"


def _section(title: str, items: tuple[tuple[str, int], ...], none_yet: str) -> list[str]:
    lines = ["", title]
    if not items:
        return [*lines, f"  {none_yet}"]
    width = len(str(max(n for _, n in items)))
    return lines + [f"  {n:>{width}}  {text}" for text, n in items]


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Similar unanswered questions: distinct texts (most asked first) and how often in all."""

    questions: tuple[str, ...]
    count: int
    nearest_entry: str | None
    nearest_score: float


def group_unanswered(rows: Iterable[UnansweredRow], threshold: float = DEFAULT_GROUP_THRESHOLD) -> list[QuestionGroup]:
    """Greedy clustering by rapidfuzz token_set_ratio, largest groups first.

    Distinct texts are taken as seeds from the most asked (ties: the longest, a more
    specific seed); each seed takes every ungrouped text scoring at least `threshold`
    against it. token_set_ratio gives 100 whenever one text's words are a subset of
    the other's, so a pair must also share two words (or both be single words):
    otherwise a frequent "pilkada" would gather every question that mentions it.
    """
    counts: Counter[str] = Counter()
    nearest: dict[str, tuple[float, str | None]] = {}
    for row in rows:
        text = row.normalized.strip()
        if not text:
            continue
        counts[text] += 1
        if row.best_entry is not None and row.best_score > nearest.get(text, (-1.0, None))[0]:
            nearest[text] = (row.best_score, row.best_entry)
    seeds = sorted(counts, key=lambda t: (-counts[t], -len(t.split()), t))
    words = [frozenset(t.split()) for t in seeds]
    # rapidfuzz skips None choices: a grouped text is blanked out instead of rebuilding the list.
    choices: list[str | None] = list(seeds)
    groups: list[QuestionGroup] = []
    for i, seed in enumerate(seeds):
        if choices[i] is None:
            continue
        matches = process.extract(
            seed, choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=threshold, limit=None
        )
        members = {i} | {j for _, _, j in matches if _related(words[i], words[j])}
        for j in members:
            choices[j] = None
        texts = tuple(seeds[j] for j in sorted(members))  # seed order: most asked first
        score, entry = max((nearest.get(t, (-1.0, None)) for t in texts), key=lambda pair: pair[0])
        groups.append(QuestionGroup(texts, sum(counts[t] for t in texts), entry, max(score, 0.0)))
    groups.sort(key=lambda g: -g.count)  # stable: equal counts keep seed order
    return groups


def _related(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a & b) >= 2 or len(a) == len(b) == 1


def unanswered_yaml(
    rows: Iterable[UnansweredRow],
    texts: StaffTexts,
    threshold: float = DEFAULT_GROUP_THRESHOLD,
    comments: Sequence[FeedbackComment] = (),
) -> str:
    """Draft knowledge-base entries, one per group of similar unanswered questions, as YAML.

    The reasons users gave with 👎/👍 (`comments`) follow as YAML comments: they point to
    answers that need fixing rather than to new entries.
    """
    groups = group_unanswered(rows, threshold)
    header = _comment(texts.get("export_header"))
    if not groups:
        return f"{header}\n{_comment(texts.get('export_empty'))}\nentries: []\n" + _comment_block(comments, texts)
    lines = [header, "entries:"]
    for n, group in enumerate(groups, start=1):
        lines.append(_comment(texts.get("export_asked", count=group.count), "  "))
        if group.nearest_entry is not None:
            nearest = texts.get("export_nearest", entry=group.nearest_entry, score=f"{group.nearest_score:.0f}")
            lines.append(_comment(nearest, "  "))
        lines += [
            f"  - id: draft_{n}",
            "    title: TODO",
            "    topic: TODO",
            "    questions:",
            *(f"      - {_scalar(q)}" for q in group.questions),
            f"    answer: {_scalar(texts.get('export_draft_answer'))}",
            "    sources: []",
            "",
        ]
    return "\n".join(lines) + _comment_block(comments, texts)


def _comment(text: str, indent: str = "") -> str:
    """`text` as YAML comment lines: whatever staff write in staff.yaml cannot break the draft."""
    return "\n".join(f"{indent}# {line}".rstrip() for line in text.splitlines() or [""])


def _comment_block(comments: Sequence[FeedbackComment], texts: StaffTexts) -> str:
    if not comments:
        return ""
    lines = ["", _comment(texts.get("export_comments"))]
    for c in comments:
        vote = "👍" if c.positive else "👎"
        lines.append(f"#   {c.voted_at:%Y-%m-%d %H:%M} {vote} {c.entry_id}: {' '.join(c.comment.split())}")
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """`text` as a YAML scalar: plain like the hand-written entries when that reads back
    unchanged, otherwise double-quoted (a JSON string is a valid YAML one)."""
    try:
        if yaml.safe_load(f"- {text}") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)
