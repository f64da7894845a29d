"""Tokenization: one pipeline for the index and for queries.

Unicode-normalised ("Dikötter" == "dikotter"), case-folded, English-stemmed, stop words dropped,
numbers kept ("1958", "10.7", "26,000" -> "26000"), CJK characters kept one per token.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Function words plus the vocabulary of asking ("tell me", "explain", "what role did ... play"):
# they carry no subject, so they neither retrieve passages nor count toward coverage.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also ever many much lot lots really actually even still yet get got go went going gone come
    came make made let us ok okay please hi hello hey thanks thank tell know explain describe
    mean means meant thing things stuff kind sort way ways anyone someone something anything
    like say said happen happened happens role play played part main mainly exactly basically
    whats whos wheres hows isnt wasnt didnt dont doesnt afterwards afterward later earlier
    """.split()
)

# Everyday words of English that say little about which subject a question is on ("want",
# "behind", "stop"). They still help ranking, but weigh little when judging whether a passage
# covers the question, so an unusual phrasing does not make the tutor abstain.
GENERIC_WORDS = frozenset(
    """
    able accept across act add afraid ago agree allow almost alone along already always among
    anyway appear area around ask away back bad basic become began begin behind believe best
    better big bit bring brought build built call called care carry case cause caused certain
    chance change changed choose clear close common consider continue could count course cut day
    days decide decided deal different difficult do done easy effect effects else end ended
    enough entire especially event events every example except face fact fail failed fall far
    fast feel felt final find first follow followed following found free full general give given
    gives good great group grow happen hard head hear help high hold home huge idea important
    include increase instead interest interesting involve issue keep kept large last late lead
    led learn least leave left less life likely line little live long look looked lose lost low
    major matter may maybe might mind move much must name near need never new next nothing
    notice number obvious often old one open order others overall people person place plan point
    possible power probably problem problems put question quite rather reach read real reason
    reasons result results right run same saw see seem seen serious set several short show side
    significant simple since small soon start started state still stop story strong sure take
    taken talk than think though thought time times today together told took toward true try
    trying turn understand unusual use used usually vary various view want wanted well whole
    wide work world worse worst wrong year years yes young daily everyday regular ordinary
    behind ahead why how reason overall like obsessed obsession point purpose actual actually
    supposed supposedly exactly truly real really january february march april may june july
    august september october november december produce produced production output
    """.split()
)

# Words students use for what the passages say otherwise. A query term counts as found in a
# passage that has any word of its group, and the group's other words help rank passages.
SYNONYM_GROUPS = [
    "village villages villager rural countryside peasant peasants farmer farmers",
    "starve starving starved starvation famine hunger hungry",
    "kid kids child children",
    "old elderly aged",
    "death deaths die died dying killed perished mortality",
    "produce produced production output harvest yield make made",
    "country nation",
    "beat overtake overtaking surpass catch",
    "army military militarise militarize militarised militarized militia",
    "soldier soldiers troops",
    "begin began start started launch launched",
    "end ended stop stopped finish abandoned",
    "agriculture agricultural farming farm",
    "big large size",
    "name named term called",
    "invent invented coin coined",
    "punish punished persecute persecuted purge purged",
    "disagree disagreement differ different dispute disputed vary",
    "cause caused blame fault responsible responsibility",
    "weather drought droughts flood floods",
    "canteen canteens dining mess",
    "garden gardens plot plots",
    "lie lies lying exaggerate exaggerated inflate inflated false fake boast boasting",
    "kill killing exterminate eradicate",
    "leader leaders leadership",
    "meet met reach reached achieve achieved fulfil fulfilled fulfill hit",
    "historian historians scholar scholars researcher researchers",
]

# Chat-speak and spelling variants students type, mapped before stemming.
_WORD_MAP = {
    "ppl": "people",
    "peeps": "people",
    "u": "you",
    "ur": "your",
    "wat": "what",
    "wut": "what",
    "y": "why",
    "cuz": "because",
    "bc": "because",
    "govt": "government",
    "gov": "government",
    "yrs": "years",
    "yr": "year",
    "ussr": "soviet",
    "russia": "soviet",
    "russians": "soviet",
    "mil": "million",
    "mill": "million",
    "millions": "million",
    "tons": "tonnes",
    "ton": "tonne",
    "labor": "labour",
    "plough": "plow",
    "ploughing": "plowing",
    "rumours": "rumors",
    "organisation": "organization",
    "mobilisation": "mobilization",
    "mobilise": "mobilize",
    "collectivisation": "collectivization",
    "industrialisation": "industrialization",
    "industrialise": "industrialize",
    "militarisation": "militarization",
}

# Stems that mean the same thing for our purposes (applied after stemming, to index and query).
_STEM_MAP = {
    "die": "death",
    "dead": "death",
    "starvat": "starv",
    "deceas": "death",
    "estimat": "estim",
    "famili": "household",
    "figur": "figur",
    "casualti": "death",
    "fatal": "death",
}

_APOSTROPHES = "'\u2019\u02bc\u2018`"
_TOKEN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z]+|[\u3400-\u9fff\uf900-\ufaff]")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE_RE = re.compile(r"['\u2019]s\b")


def normalize(text: str) -> str:
    """Case-fold, strip accents and apostrophes: "P'eng Te-huai" -> "peng te-huai"."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text).casefold()
    text = _POSSESSIVE_RE.sub("", text)
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    return _THOUSANDS_RE.sub("", text)


def words(text: str) -> list[str]:
    """Normalised surface words (numbers and CJK characters included), stop words kept."""
    return [_WORD_MAP.get(w, w) for w in _TOKEN_RE.findall(normalize(text))]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if not word.isascii() or word[0].isdigit():
        return word
    s = _STEMMER.stemWord(word)
    return _STEM_MAP.get(s, s)


def is_generic(term: str) -> bool:
    """Whether a search term (a stem) is an everyday word rather than a subject."""
    return term in _GENERIC_STEMS


def tokenize(text: str) -> list[str]:
    """Search terms of a text: stemmed content words and numbers, in order, repeats kept."""
    return [stem(w) for w in content_words(text)]


def content_words(text: str) -> list[str]:
    """The words of a text that become search terms, before stemming."""
    return [w for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit() or not w.isascii())]


_GENERIC_STEMS = frozenset(stem(w) for w in GENERIC_WORDS)


def _synonym_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        stems = {stem(_WORD_MAP.get(w, w)) for w in group.split()}
        for s in stems:
            table.setdefault(s, set()).update(stems - {s})
    return {s: frozenset(others) for s, others in table.items()}


_SYNONYMS = _synonym_table()


def synonyms(term: str) -> frozenset[str]:
    """Other stems that mean the same thing as `term` for our purposes."""
    return _SYNONYMS.get(term, frozenset())
