"""Tokenization: one pipeline for the index and for queries.

Unicode-normalised ("Dikötter" == "dikotter"), case-folded, English-stemmed, stop words dropped,
numbers kept ("1958", "10.7", "26,000" -> "26000"), CJK characters kept one per token.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import msgpack
import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Chat noise: words that mean nothing to the semantic model either ("short version of the communes pls").
CHAT_NOISE = frozenset(
    """
    pls plz please lol lmao bro guys idk ya yeah ok okay hi hello hey thanks thank tldr tl dr eli5 tho btw tbh ngl rn fr
    yo damn dude omg bruh ugh hmm um uh wow haha welp yep nope thx ty
    """.split()
)

# Function words plus the vocabulary of asking ("tell me", "explain", "tl;dr", "compare"), and chat noise:
# they carry no subject, so they neither retrieve nor count toward coverage (understand reads the intent apart).
STOP_WORDS = CHAT_NOISE | frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also ever many much lot lots really actually even still yet get got go went going gone come
    came make made let us tell know explain describe
    mean means meant thing things stuff kind sort way ways anyone someone something anything
    like say said happen happened happens role play played part main mainly exactly basically
    whats whos wheres hows isnt wasnt didnt dont doesnt afterwards afterward later earlier
    eli im ive quick quickly version brief though anyway anyways lowkey kinda sorta gonna wanna gotta
    briefly summary summarise summarize summarised summarized nutshell simply overview recap
    vs versus compare compared comparison contrast difference differences
    """.split()
)

# Chat-speak and spelling variants students type, mapped before stemming.
_WORD_MAP = {
    "ppl": "people",
    "peeps": "people",
    "u": "you",
    "ur": "your",
    "wat": "what",
    "hw": "how",
    "mny": "many",
    "abt": "about",
    "r": "are",
    "wer": "were",
    "wen": "when",
    "cud": "could",
    "shud": "should",
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
    "happend": "happened",
    "happenned": "happened",
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
_MENTION_RE = re.compile(r"<[@#][!&]?\d+>|(?<!\w)@\w+")  # pings ("@everyone", "<@1234>") are not words


def normalize(text: str) -> str:
    """Case-fold, strip accents and apostrophes: "P'eng Te-huai" -> "peng te-huai"."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text).casefold()
    text = _MENTION_RE.sub(" ", _POSSESSIVE_RE.sub("", text))
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    return _THOUSANDS_RE.sub("", text)


def words(text: str) -> list[str]:
    """Normalised surface words (numbers and CJK characters included), stop words kept."""
    return list(_words(text))


@lru_cache(maxsize=64)  # each stage reads the question's words again: read them once per question
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_MAP.get(w, w) for w in _TOKEN_RE.findall(normalize(text)))


# British -ise/-yse spellings stem apart from American -ize/-yze ("criticise" -> "criticis", "criticize" ->
# "critic", as "criticism"): the knowledge base writes the one, students often type the other.
_BRITISH = re.compile(r"(?<=[a-z]{3})([iy])s(e|ed|es|ing|ation|ations)$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if not word.isascii() or word[0].isdigit():
        return word
    s = _STEMMER.stemWord(_BRITISH.sub(r"\1z\2", word))
    return _STEM_MAP.get(s, s)


def tokenize(text: str) -> list[str]:
    """Search terms of a text: stemmed content words and numbers, in order, repeats kept."""
    return [stem(w) for w in content_words(text)]


def content_words(text: str) -> list[str]:
    """The words of a text that become search terms, before stemming."""
    return [w for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit() or not w.isascii())]


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    """wordfreq's small English list, read from its data file: importing wordfreq itself costs a
    sixth of a second (langcodes, ftfy) that a cold start cannot spare. The file is a "cBpack":
    after a header, bucket i lists the words of frequency -i centibels, i.e. Zipf 9 - i/100."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordfreq package is not installed (pip install wordfreq)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "small_en.msgpack.gz"
    with gzip.open(path) as f:
        header, *buckets = msgpack.load(f, raw=False)
    if header.get("format") != "cB":
        raise RuntimeError(f"{path}: not a wordfreq cBpack file")
    return {w: 9.0 - i / 100.0 for i, bucket in enumerate(buckets) for w in bucket}


@lru_cache(maxsize=65536)
def commonness(word: str) -> float:
    """How everyday an English word is, 0 (rare or unknown) to 1 (the commonest), from wordfreq's
    Zipf scale: "people" 0.78, "steel" 0.59, "famine" 0.45, "xinyang" 0."""
    if not word.isascii() or not word.isalpha():
        return 0.0
    return min(1.0, _zipf_table().get(word, 0.0) / 8.0)
