"""The knowledge base: sources, entries, lexicon and user-facing messages, loaded from YAML.

`KnowledgeBase.load` validates everything (schema, ids, cross references and
groundedness) and raises InvalidFiles with every `file:line` problem at once. The parts
are in model.py, one loader per file in sources.py, entries.py, lexicon.py and
messages.py (staff.yaml: staff_texts.py), and the check of texts against facts in
grounding.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.config import KnowledgeConfig
from bot.facts.facts import Fact
from bot.kb.entries import (
    DEEP_LINK_RE,
    MAX_ID_LENGTH,
    MAX_TITLE_LENGTH,
    RESERVED_LINKS,
    _parse_entries,
    declared_entry_ids,
)
from bot.kb.grounding import ENTRY_FIELDS, LINK_RE, PHASED_TEXT, PLACEHOLDER_RE, Grounding
from bot.kb.lexicon import ASKED_KINDS, _lexicon_warnings, _parse_lexicon, _read_words
from bot.kb.messages import (
    BOT_FIELD_MESSAGES,
    FIELD_ONLY_IN,
    LINK_FIELD_MESSAGES,
    MAX_FEEDBACK_REASONS,
    MAX_REASON_LENGTH,
    MESSAGE_FIELDS,
    OPTIONAL_MESSAGES,
    PRE_VOTE_MESSAGES,
    REQUIRED_MESSAGES,
    _parse_messages,
)
from bot.kb.model import ID_RE, Entry, EntryKind, Lexicon, Messages, Source, Topic
from bot.kb.scope import election_of, scope_problems
from bot.kb.sources import _parse_sources
from bot.kb.staff_texts import StaffTexts, parse_staff_texts
from bot.regions import short_name
from bot.yamlfile import InvalidFiles, Problem, YamlDoc, load_yaml


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    sources: dict[str, Source]
    entries: tuple[Entry, ...]
    lexicon: Lexicon
    messages: Messages
    warnings: tuple[Problem, ...] = ()
    staff: StaffTexts = field(default_factory=StaffTexts)  # knowledge/staff.yaml

    by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    facts: dict[str, Fact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {e.id: e for e in self.entries})
        object.__setattr__(self, "facts", {f.id: f for s in self.sources.values() for f in s.facts})

    def entry(self, entry_id: str) -> Entry:
        return self.by_id[entry_id]

    def summary(self) -> str:
        variants = sum(len(e.questions) for e in self.entries)
        unknown = sum(e.kind == "unknown" for e in self.entries)
        return (
            f"OK: {len(self.entries)} entries ({unknown} known unknowns), {variants} question variants, "
            f"{len(self.sources)} sources with {len(self.facts)} facts, "
            f"{len(self.lexicon.normalize)} lexicon words, {len(self.messages.texts)} messages"
        )

    @classmethod
    def load(cls, cfg: KnowledgeConfig) -> KnowledgeBase:
        """Load and validate every knowledge file; raise InvalidFiles listing all problems."""
        problems: list[Problem] = []
        docs: dict[str, YamlDoc] = {}
        files = [("sources", cfg.sources), ("lexicon", cfg.lexicon), ("messages", cfg.messages), ("staff", cfg.staff)]
        for label, path in files:
            try:
                docs[label] = load_yaml(path)
            except InvalidFiles as exc:
                problems.extend(exc.problems)
        entry_docs: list[YamlDoc] = []
        for path in cfg.entries:
            try:
                entry_docs.append(load_yaml(path))
            except InvalidFiles as exc:
                problems.extend(exc.problems)
        if problems:
            raise InvalidFiles(problems)
        region = cfg.election.region if cfg.election is not None else None
        sources = _parse_sources(docs["sources"], cfg.sources.parent, problems, region)
        facts = {f.id: f for s in sources.values() for f in s.facts}
        words, english = _read_words(cfg.words, problems)
        lexicon = replace(_parse_lexicon(docs["lexicon"], problems), words=words, english=english)
        fields = {}
        if cfg.election is not None:
            election = cfg.election
            fields = {"region": election.region, "region_short": short_name(election.region)}
            fields["election_name"] = election.name
        configured = election_of(cfg.election) if cfg.election is not None else None
        grounding = Grounding(facts, sources, cfg.links, lexicon.call_to_action, fields, configured)
        entries = _parse_entries(entry_docs, grounding, problems)
        messages = _parse_messages(docs["messages"], declared_entry_ids(entry_docs), grounding, problems)
        staff = parse_staff_texts(docs["staff"], problems)
        scope_warnings: list[Problem] = []
        if cfg.election is not None:
            # Which election this is: another region's names, no fact on the configured election, time zone.
            texts = [docs["sources"], *entry_docs, docs["messages"], docs["staff"]]
            errors, scope_warnings = scope_problems(
                cfg.election, dict(cfg.election_lines), facts.values(), texts, lexicon.other_regions, docs["lexicon"]
            )
            problems.extend(errors)
        if problems:
            raise InvalidFiles(problems)
        warnings = [*_lexicon_warnings(docs["lexicon"], lexicon), *scope_warnings]
        return cls(sources, tuple(e for e, _ in entries), lexicon, messages, tuple(warnings), staff)


# The parts and the loaders' names, where callers have always imported them from.
__all__ = [
    "ASKED_KINDS",
    "BOT_FIELD_MESSAGES",
    "DEEP_LINK_RE",
    "ENTRY_FIELDS",
    "FIELD_ONLY_IN",
    "ID_RE",
    "LINK_FIELD_MESSAGES",
    "LINK_RE",
    "MAX_FEEDBACK_REASONS",
    "MAX_ID_LENGTH",
    "MAX_REASON_LENGTH",
    "MAX_TITLE_LENGTH",
    "MESSAGE_FIELDS",
    "OPTIONAL_MESSAGES",
    "PHASED_TEXT",
    "PLACEHOLDER_RE",
    "PRE_VOTE_MESSAGES",
    "REQUIRED_MESSAGES",
    "RESERVED_LINKS",
    "Entry",
    "EntryKind",
    "Grounding",
    "KnowledgeBase",
    "Lexicon",
    "Messages",
    "Source",
    "Topic",
    "declared_entry_ids",
]
