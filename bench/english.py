"""How many questions are English, and does the English note fire on the right ones?

    python bench/english.py

The bot answers in Indonesian only; a question detected as English (bot/kb/english.py,
messages.yaml english_words) gets a one-line note saying so. This prints, for the
evaluation set (tests/data/eval.yaml, tag `english`) and for a sample written here
(not used to choose the marker words): how many questions are English, how many of
them the detector flags (recall), how many non-English ones it flags by mistake
(false positives), and what the matcher does with the English ones. Writes
bench/results/english.json.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import write_results

from bot.kb.english import EnglishDetector
from bot.nlu.evaluation import load_eval_set
from bot.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent

# Written for this measurement: how a visitor, an exchange student or a bilingual
# teenager might write, plus Indonesian and Javanese questions that borrow English words.
SAMPLE_ENGLISH = [
    "when is the vote in blora",
    "is the election over already?",
    "can I vote if I just turned 17",
    "what should I bring to the polling station",
    "why do people not vote",
    "what does golput mean",
    "is voting mandatory in indonesia",
    "who are the candidates for regent",
    "how do I know if a news story about the election is a hoax",
    "what was the turnout last time",
    "Do I need to register before voting day?",
    "is my vote secret",
    "Where can I find the official results",
    "what happens if I don't vote",
    "hello, can you help me understand the pilkada?",
    "when does voting start and end",
    "Is it true the election was moved to december?",
    "how many people voted in 2024",
    "what is KPU",
    "which day of the week is the election",
]
SAMPLE_NOT_ENGLISH = [
    "vote di mana ya",
    "link info pilkada dong",
    "update jadwal coblosan blora",
    "golput itu apa",
    "kpn nyoblos min",
    "aku first time voter nih, harus bawa apa",
    "turnout pilkada blora brp persen",
    "hoax soal pilkada gimana cara ceknya",
    "opo to golput kuwi",
    "nyoblos e dina apa to",
    "boleh nggak vote pake ktp lama",
    "info dong min, pemilu kapan",
    "pilkada 2024 di blora on schedule kan?",
    "is it ok kalo aku golput",
    "online bisa nyoblos ga",
    "me time dulu baru nyoblos wkwk",
    "tps ku di mana",
    "siapa ketua kpu blora",
    "sosialisasi ke sekolah kapan",
    "kenapa harus milih",
]


def measure(detector: EnglishDetector, english: list[str], other: list[str]) -> dict[str, object]:
    is_english = detector.is_english
    flagged = [q for q in english if is_english(q)]
    false = [q for q in other if is_english(q)]
    return {
        "english": len(english),
        "other": len(other),
        "flagged_english": len(flagged),
        "missed": [q for q in english if q not in flagged],
        "false_positives": false,
    }


def main() -> None:
    pipeline = Pipeline.load(ROOT / "config.yaml")
    detector = pipeline.kb.messages.english
    items = load_eval_set(ROOT / "tests/data/eval.yaml", (e.id for e in pipeline.kb.entries))
    eval_english = [i.question for i in items if "english" in i.tags]
    eval_other = [i.question for i in items if "english" not in i.tags]
    results = {
        "eval": measure(detector, eval_english, eval_other),
        "sample": measure(detector, SAMPLE_ENGLISH, SAMPLE_NOT_ENGLISH),
    }
    # What the English questions of the evaluation set get: right entry, wrong entry, suggestion, fallback.
    outcomes: Counter[str] = Counter()
    for item in items:
        if "english" not in item.tags:
            continue
        result = pipeline.matcher.match(item.question)
        if result.outcome == "answer":
            outcomes["answered right" if result.entry_id == item.expect else "answered wrong"] += 1
        elif result.outcome == "suggest":
            outcomes["suggested"] += 1
        else:
            outcomes["fallback (right)" if item.expect is None else "fallback (missed)"] += 1
    results["eval_english_outcomes"] = dict(outcomes)
    results["eval_total"] = len(items)

    for name in ("eval", "sample"):
        r = results[name]
        assert isinstance(r, dict)
        print(
            f"{name:6}  English {r['english']:3}, flagged {r['flagged_english']:3} "
            f"({r['flagged_english'] / r['english']:.0%});  not English {r['other']:3}, "
            f"flagged by mistake {len(r['false_positives'])}"
        )
        for q in r["missed"]:
            print(f"        not flagged: {q}")
        for q in r["false_positives"]:
            print(f"        flagged by mistake: {q}")
    share = len(eval_english) / len(items)
    print(f"eval: {len(eval_english)} of {len(items)} questions are tagged English ({share:.0%})")
    print("matcher on them:", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    write_results("english.json", "english.py", results)


if __name__ == "__main__":
    main()
