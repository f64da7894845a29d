"""Spelling correction against the knowledge base's own vocabulary (symspellpy).

Only a word the knowledge base does not use and that is not an ordinary English word is corrected:
"comune" -> "commune", "dikoter" -> "dikotter"; "capital" or "france" stay as typed, so an
off-topic question is not bent into an on-topic one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cached_property

from symspellpy import SymSpell, Verbosity

from bot.engine.text import commonness

ENGLISH = 3.0 / 8  # commonness (Zipf 3, about once per million words) from which a word is taken as meant


class Speller:
    def __init__(self, words: Iterable[str] | Counter[str], max_distance: int = 2):
        """`words`: the vocabulary, in a fixed order (or a Counter of it): the most frequent of two
        equally near corrections wins, then the first seen."""
        counts = words if isinstance(words, Counter) else Counter(words)
        self.counts = Counter({w: n for w, n in counts.items() if w.isalpha() and w.isascii() and len(w) > 2})
        self.known = frozenset(self.counts)
        self.max_distance = max_distance

    @cached_property
    def _sym(self) -> SymSpell:
        """Built on the first misspelling, not at start: a fifth of a second most questions never need."""
        # Prefix 5, not the default 7: 8 MB less, and no word of any question set corrected differently.
        sym = SymSpell(max_dictionary_edit_distance=self.max_distance, prefix_length=5)
        for word, count in self.counts.items():
            sym.create_dictionary_entry(word, count)
        return sym

    def warm(self) -> None:
        """Build the dictionary now (a long-running bot does it at start, before its first question)."""
        _ = self._sym

    def correct(self, word: str) -> str | None:
        """The knowledge base's word nearest a misspelt one, or None when it is not a misspelling."""
        if word in self.known or len(word) < 4 or not word.isalpha() or not word.isascii():
            return None
        if commonness(word) >= ENGLISH:
            return None
        distance = 1 if len(word) < 6 else self.max_distance
        found = self._sym.lookup(word, Verbosity.CLOSEST, max_edit_distance=distance, transfer_casing=False)
        found = [s for s in found if s.term[0] == word[0] or s.distance == 1]
        return found[0].term if found else None
