"""Normalize informal Indonesian, Javanese and English chat text into comparable tokens.

Data-driven: the word mappings and particles come from knowledge/lexicon.yaml.
The same normalizer runs on the knowledge base's question variants (once, at load
time) and on every user query, so both sides meet in the same vocabulary.
"""

from __future__ import annotations

import re
import unicodedata

from bot.kb.knowledge import Lexicon

# Bounded work for any input: a question never needs more than this many characters.
MAX_CHARS = 500
_WORD_CACHE_SIZE = 50_000
_NON_WORD = re.compile(r"[^\w]+|_")
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "golputtt" -> "golput", "kapaaan" -> "kapan"
_DECIMAL = re.compile(r"(\d)[.,](\d{1,2})(?!\d)")  # 83.5 / 83,5 -> 83,5
_THOUSANDS = re.compile(r"(\d)\.(\d{3})(?!\d)")  # 26.238 -> 26238
_REDUPLICATION = re.compile(r"^([a-z]{2,})2$")  # "bisa2" -> "bisa"
_DECIMAL_TOKEN = re.compile(r"(\d+)[.,](\d+)")


class Normalizer:
    """Turns raw text into a list of standard tokens using a Lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._map = lexicon.normalize
        self._particles = lexicon.particles
        # Words repeat across thousands of KB variants and queries; normalize each once.
        self._word_cache: dict[str, tuple[str, ...]] = {}

    def tokens(self, text: str) -> list[str]:
        """Normalized tokens of `text`, in order (duplicates kept)."""
        text = _fold(text[:MAX_CHARS])
        text = _THOUSANDS.sub(r"\1\2", text)
        text = _DECIMAL.sub(r"\1dec\2", text)  # protect the decimal comma from the splitter
        out: list[str] = []
        cache = self._word_cache
        for raw in _NON_WORD.split(text):
            if not raw:
                continue
            words = cache.get(raw)
            if words is None:
                words = self._word(raw)
                if len(cache) >= _WORD_CACHE_SIZE:
                    cache.clear()
                cache[raw] = words
            out.extend(words)
        return out

    def _word(self, raw: str) -> tuple[str, ...]:
        word = _REPEATS.sub(r"\1", raw)
        word = _REDUPLICATION.sub(r"\1", word)
        mapped = self._map.get(word, word)
        return tuple(
            token.replace("dec", ",") if token[:1].isdigit() else token
            for token in mapped.split()
            if token not in self._particles
        )

    @property
    def mapping(self) -> dict[str, str]:
        """The lexicon's word -> standard form mapping."""
        return self._map

    def normalize(self, text: str) -> str:
        """Normalized text: the tokens joined by single spaces."""
        return " ".join(self.tokens(text))


def _fold(text: str) -> str:
    """Lower-case, drop accents/zalgo marks and emoji, keep letters and digits."""
    if text.isascii():  # the common case; the tokenizer's split drops ASCII punctuation
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category.startswith("M"):  # combining marks: accents, zalgo
            continue
        if category in ("Cc", "Cf", "So", "Sk", "Cs", "Co", "Cn"):  # controls, emoji, symbols
            kept.append(" ")
            continue
        kept.append(ch)
    return "".join(kept)


_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "pe", "ber", "ter", "di", "ke", "se")
_NASAL = {"meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t", "meng": "k", "peng": "k"}
_STEM_SUFFIXES = ("lah", "kah", "nya", "kan", "an", "i", "ku", "mu", "ne", "e")


def crude_stem(word: str) -> str:
    """A deliberately light Indonesian stem: one suffix and one prefix at most.

    Only used to connect a word the knowledge base has never seen to one it has
    (penyelenggaraan ~ diselenggarakan), never to rewrite known words, so its
    over-stemming cannot hurt a query that already matches.
    """
    stem = word
    for suffix in _STEM_SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 4:
            stem = stem[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if stem.startswith(prefix) and len(stem) - len(prefix) >= 4:
            rest = stem[len(prefix) :]
            # Nasal prefixes swallow the root's first consonant: menyoblos <- coblos is rare,
            # but penyelenggara <- selenggara, pemilih <- pilih, penulis <- tulis are common.
            if rest[0] in "aeiou" and prefix in _NASAL:
                rest = _NASAL[prefix] + rest
            stem = rest
            break
    return stem
