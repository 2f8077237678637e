"""Store test helpers: a match result made to order, and every kind of event one user leaves."""

from __future__ import annotations

from bot.nlu.matcher import Candidate, MatchResult, Outcome
from bot.storage import Store

USER = 7_123_456_789
OTHER_USER = 5_550_001_234


def match(
    outcome: Outcome,
    entry_id: str | None = None,
    *,
    score: float = 75.0,
    normalized: str = "kapan pilkada",
    candidates: tuple[str, ...] = (),
) -> MatchResult:
    if outcome == "answer" and entry_id is not None and not candidates:
        candidates = (entry_id,)
    cands = tuple(Candidate(c, score - i, 0.0, 0.0, 0.0, "") for i, c in enumerate(candidates))
    suggestions = candidates if outcome == "suggest" else ()
    return MatchResult(outcome, entry_id, score, suggestions, normalized, cands)


async def _tell_everything(store: Store, user: int) -> None:
    tag = "satu" if user == USER else "dua"  # not the id: a 10-digit number would be redacted
    await store.record_match(user, "x", match("answer", "jadwal_pencoblosan"))
    await store.record_match(user, "x", match("none", normalized=f"resep rahasia {tag}"))
    await store.record_match(user, "x", match("suggest", normalized=f"partisipasi {tag}", candidates=("a", "b")))
    await store.record_match(user, "x", match("suggest", normalized=f"dpt {tag}", candidates=("dpt", "cek")))
    await store.record_suggestion_chosen(user, "dpt")
    await store.record_feedback(user, "jadwal_pencoblosan", False, comment=f"kurang jelas {tag}")
    await store.record_feedback(user, "apa_itu_golput", True)
    await store.subscribe(user)  # a private chat's id is the user's id
    await store.mark_sent("2024-11-27:d-7:19:00", user)
