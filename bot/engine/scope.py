"""The tutor's scope boundary (../shared/KNOWLEDGE_SCOPE.md).

Adjacent events — the Cultural Revolution, Tiananmen 1989, other famines, the Korean War… — are out
of scope except where they explain the Leap. The knowledge base mentions several of them in
passing (Peng Dehuai commanded in Korea; Liu Shaoqi died in the Cultural Revolution), so word
overlap alone would answer "who won the Korean War?" with a Great Leap passage. A question about
such an event is answered only when it also names something of the Leap itself.
"""

from __future__ import annotations

from bot.engine.text import tokenize

# Subjects outside the scope, each as the phrases a student would use.
OUT_OF_SCOPE = {
    "the Cultural Revolution": ["cultural revolution", "red guards", "gang of four"],
    "Tiananmen (1989)": ["tiananmen", "june fourth", "4 june 1989"],
    "the Korean War": ["korean war", "war in korea"],
    "the Soviet famines": ["holodomor", "ukrainian famine", "soviet famine", "famine in ukraine", "kazakh famine"],
    "other famines": [
        "irish famine",
        "potato famine",
        "bengal famine",
        "ethiopian famine",
        "north korean famine",
        "north korea famine",
        "famine in north korea",
        "arduous march",
        "great irish famine",
        "somali famine",
        "dutch hunger winter",
    ],
    "the Long March": ["long march"],
    "the Chinese Civil War": ["civil war", "chiang kai-shek", "kuomintang", "guomindang"],
    "the Second World War": ["world war", "second sino-japanese war", "nanjing massacre", "pearl harbor", "holocaust"],
    "present-day China": ["xi jinping", "belt and road", "covid", "one child policy"],
}

# Words that tie a question to the Leap itself; with one of these, an adjacent subject is fair game.
ANCHORS = [
    "great leap",
    "glf",
    "dayuejin",
    "leap forward",
    "leap",
    "commune",
    "backyard furnace",
    "lushan",
    "peng dehuai",
    "liu shaoqi",
    "great famine",
    "great chinese famine",
    "1958",
    "1959",
    "1960",
    "1961",
    "1962",
    "famine in china",
    "chinese famine",
    "mao's famine",
    "three years of natural disasters",
]

# Within a subject that is China itself, "the famine" can only be the Leap's ("what does xi jinping say
# about the famine?"); elsewhere it could be any famine.
SUBJECT_ANCHORS = {"present-day China": ["famine"]}


def _phrases(items: list[str]) -> list[tuple[str, ...]]:
    return [tuple(tokenize(p)) for p in items if tokenize(p)]


_OUT = {label: _phrases(phrases) for label, phrases in OUT_OF_SCOPE.items()}
_ANCHORS = _phrases(ANCHORS)
_SUBJECT_ANCHORS = {label: _phrases(phrases) for label, phrases in SUBJECT_ANCHORS.items()}
_FIRST_OUT = frozenset(p[0] for phrases in _OUT.values() for p in phrases)  # no such word: nothing is outside


def _has(terms: list[str], phrase: tuple[str, ...]) -> bool:
    if phrase[0] not in terms:  # the cheap test first: most questions name no phrase of these lists
        return False
    n = len(phrase)
    return any(tuple(terms[i : i + n]) == phrase for i in range(len(terms) - n + 1))


def outside(terms: list[str] | tuple[str, ...], context: tuple[str, ...] = ()) -> str | None:
    """The out-of-scope subject a question is about, unless it (or the conversation's subject,
    which can anchor a follow-up) ties it to the Leap. `terms`: the question's search terms."""
    terms = list(terms)
    if _FIRST_OUT.isdisjoint(terms):  # the cheap test first: most questions name no phrase of these lists
        return None
    if any(_has(terms, a) or set(a) <= set(context) for a in _ANCHORS):
        return None
    return next(
        (
            label for label, phrases in _OUT.items()
            if any(_has(terms, p) for p in phrases) and not any(_has(terms, a) for a in _SUBJECT_ANCHORS.get(label, ()))
        ),
        None,
    )
