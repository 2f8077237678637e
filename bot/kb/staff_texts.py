"""What staff read, in their language: knowledge/staff.yaml.

The labels of /stats and `pilkada-bot report`, the /unanswered list, the /reload reply
and the header and notes of `pilkada-bot unanswered --format yaml`. Staff edit them like
messages.yaml, and mistakes are reported the same way, every one with its file:line.
`pilkada-bot report` and `unanswered` load only this file (not the whole knowledge
base), so a broken entry does not keep staff from their figures. Developer logs and
the validation messages of `check` stay in English.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path

from bot.schema import MAPPING, check_mapping
from bot.yamlfile import InvalidFiles, Problem, YamlDoc, load_yaml

# Every text and the placeholders it may use.
STAFF_TEXTS: dict[str, frozenset[str]] = {
    "report_title": frozenset({"day"}),
    "report_questions_today": frozenset({"questions", "answered", "users"}),
    "report_questions_total": frozenset({"questions", "answered"}),
    "report_answer_rate": frozenset({"rate"}),
    "report_no_rate": frozenset(),
    "report_unanswered_open": frozenset({"count"}),
    "report_subscribers": frozenset({"count"}),
    "report_top_entries": frozenset(),
    "report_top_unanswered": frozenset(),
    "report_feedback": frozenset(),
    "report_none_yet": frozenset(),
    "unanswered_intro": frozenset(),
    "unanswered_empty": frozenset(),
    "unanswered_kind_fallback": frozenset(),
    "unanswered_kind_suggest": frozenset(),
    "unanswered_kind_unknown": frozenset(),
    "feedback_comments_intro": frozenset(),
    "reload_ok": frozenset(),
    "reload_failed": frozenset(),
    "export_header": frozenset(),
    "export_empty": frozenset(),
    "export_asked": frozenset({"count"}),
    "export_nearest": frozenset({"entry", "score"}),
    "export_draft_answer": frozenset(),
    "export_comments": frozenset(),
}


@dataclass(frozen=True, slots=True)
class StaffTexts:
    texts: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, **fields: object) -> str:
        """Text `key` with its placeholders filled in; the key itself if the text is missing."""
        text = self.texts.get(key)
        if text is None:
            return key
        return text.format(**fields) if fields else text

    @classmethod
    def load(cls, path: Path) -> StaffTexts:
        """Read and check staff.yaml; raise InvalidFiles with every problem."""
        doc = load_yaml(path)
        problems: list[Problem] = []
        texts = parse_staff_texts(doc, problems)
        if problems:
            raise InvalidFiles(problems)
        return texts


def parse_staff_texts(doc: YamlDoc, problems: list[Problem]) -> StaffTexts:
    """The `staff:` mapping of staff.yaml; every mistake goes to `problems` with its line."""
    if not check_mapping(doc, doc.data, (), problems, required={"staff": MAPPING}, what="the staff texts file"):
        return StaffTexts()
    raw = doc.data.get("staff")
    if not isinstance(raw, dict):
        return StaffTexts()
    texts: dict[str, str] = {}
    for key, value in raw.items():
        if key not in STAFF_TEXTS:
            problems.append(doc.problem(f"unknown staff text '{key}'", "staff", str(key)))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.problem(f"staff text '{key}' must be non-empty text", "staff", key))
            continue
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            problems.append(doc.problem(f"staff text '{key}' has a broken {{placeholder}}: {exc}", "staff", key))
            continue
        allowed = STAFF_TEXTS[key]
        for name in sorted(fields - allowed):
            known = ", ".join(sorted(allowed)) or "none"
            problems.append(
                doc.problem(f"staff text '{key}' uses unknown placeholder {{{name}}} (known: {known})", "staff", key)
            )
        texts[key] = value.strip("\n")
    for key in sorted(STAFF_TEXTS.keys() - raw.keys()):
        problems.append(doc.problem(f"staff text '{key}' is missing", "staff"))
    return StaffTexts(texts)
