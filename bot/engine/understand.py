"""Understand: a question (and the dialogue so far) becomes a Query.

The Query holds the search terms (typos fixed, aliases expanded, chat filler dropped), the entities
the question names (glossary people, places, events, works… with their kind), what it asks for
(its intents and years), its parts when it compares or asks several things, and — in a
conversation — what "he", "there", "that", "what about X" or "and in 1961?" stand for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.engine.formatting import MONTHS
from bot.engine.records import KnowledgeBase
from bot.engine.spelling import Speller
from bot.engine.text import CHAT_NOISE, commonness, content_words, normalize, stem, tokenize, words
from bot.engine.units import years_in

# What a question asks for, read from the vocabulary of asking (not from its subject).
INTENTS: dict[str, re.Pattern[str]] = {
    "definition": re.compile(
        r"^(who|what)( (is|was|were|are)| s)\b|\bwhat (does|did) .+ mean\b|\bdefin|\bmeaning of\b|\bwho (is|was)\b"
    ),
    "date": re.compile(r"\bwhen\b|\bwhat (year|date|month)\b|\bwhich year\b|\bdates?\b"),
    "place": re.compile(r"\bwhere\b"),
    "person": re.compile(r"\bwho\b"),
    "amount": re.compile(
        r"\bhow (many|much|big|large|high|far|bad)\b|\bnumber of\b|\bpercent|\bproportion\b|\bshare of\b"
        r"|\bfigures?\b|\bnumbers?\b|\bstatistic|\bestimat|\btoll\b|\bcount\b"
        r"|\b\d+(\.\d+)? ?(million|mil|m|billion|tonnes?|tons?)\b|\bmillions\b"  # names a figure: asks about one
    ),
    "deaths": re.compile(
        r"\b(died|dies?|dead|deaths?|death toll|kill(ed|ing)?|starv\w*|perish\w*|victims|casualties|fatalities|mortality)\b"
        r"|\blives (were )?lost\b|\blost (their )?lives\b"
    ),
    "manner": re.compile(r"^how\b(?! (many|much|big|large|high|far|bad|long|come)\b)"),
    "cause": re.compile(r"\bwhy\b|\bcaus|\breasons?\b|\bblame|\bresponsib|\bfault\b|\bhow come\b|\bled to\b"),
    "compare": re.compile(r"\bvs\b|\bversus\b|\bcompar|\bdifference between\b|\bdiffer(ed)? from\b|\bcontrast\b"),
    "summary": re.compile(
        r"\btl ?;? ?dr\b|\bsumm|\boverview\b|\bnutshell\b|\beli ?5\b|\blike (i ?m|i am) (5|five)\b"
        r"|\bshort version\b|\bbriefly\b|\bbasics\b|\bin short\b|\bquick(ly)?\b"
        r"|\bin (like |about |just )?(\d+|one|two|three|a few|few) (sentences?|lines|words)\b"
    ),
    # Why the figures just given disagree: a follow-up on the last disputed figure.
    "disagree": re.compile(
        r"\bdisagree|\bdiffer(ent|ence|s)?\b|\bdiscrepan|\bcontrovers|\bdon ?t agree\b|\bvary\b|\bconflicting\b"
    ),
    "high": re.compile(r"\b(highest|largest|biggest|maximum|most|worst|greatest|deadliest|top)\b"),
    "low": re.compile(r"\b(lowest|smallest|least|minimum|fewest)\b"),
    "fate": re.compile(r"\bwhat (happened|became) (to|of)\b|\blater (life|years)\b|\bfate\b|\bend(ed)? up\b|\bafterwards?\b"),
    # What someone said or thought: answered by a unit that reports their words ("what did liu shaoqi say").
    "said": re.compile(
        r"\bwhat (did|does|do|had) (?!you\b|u\b)[\w' ]{1,40}? "
        r"(say|said|think|thought|write|wrote|call|called|argue|claim|tell|told)\b"
    ),
    # Asks for someone's words: "give me a quote where lin biao calls mao a fraud", "mao's exact words on...".
    # (Not "can i quote that?": a student quoting is not asking for words.)
    "quote": re.compile(
        r"\b(a|an|the|any|some|his|her|their|real|exact|direct|famous|actual|\d+)\s+(\w+\s+){0,3}(quotes?|quotations?)\b"
        r"|\bquotes?\s+(from|by|of|where|in which)\b|\b(exact|direct|actual) words\b|\bin (his|her|their) (own )?words\b"
    ),
    # Asks for a page ("what page of tombstone gives 36 million", "a source with page numbers").
    "page": re.compile(r"\bpages?\b|\bpp?\.\s?\d"),
    "present": re.compile(r"\b(today|nowadays|currently|these days|right now|now)\b"),
    "invent": re.compile(
        r"\bmake up\b|\ba made[ -]up\b|\binvent (a|an|some)\b|\bpretend\b|\bimagine\b"
        r"|\bwrite (me )?(a |an )?(\w+ )?(poem|story|song|essay|rap|fiction|haiku)"
        r"|(^|\b(please|pls|plz|can you|could you|now|just|then) )write (me )?(a |an |some )?(\w+ )?"
        r"(quotes?|quotations?|speech|letter|reply|diary|tweet|dialogue|monologue)\b"
        r"|\b(in|with) (his|her|their) (own )?voice\b|\bmake (it|them) sound (real|authentic|legit|like)\b"
        r"|\brole ?play\b|\bact as\b"
        r"|\bignore (all |any |your |the |previous |prior |above )*(instructions|rules|prompt|sources|guidelines|programming)"
        r"|\b(you|u) personally (think|believe|feel)\b"
        r"|\bsystem prompt\b|\bjailbreak\b"
        r"|\bfake (a |an |some )?(quotes?|sources?|citations?|references?|statistics?|reply|letter|speech|interview)\b"
        r"|\bwhat if\b|\bhypothetical|\b(your|ur) (own |personal |honest )?(opinion|take)\b"
        r"|\bwhat would (have )?happen(ed)?\b|\b(you|u)\b.*\bpersonally\b"  # a counterfactual; the tutor's own view
        r"|\bif\b.*\bhad\b.*\bwould\b|\bwould\b.*\bif\b.*\bhad\b"  # "if peng had been chairman, would...?"
        # A ranking or a rating is the tutor's own view too: "rate mao out of 10", "top 5 worst things mao did".
        r"|\brate (\w+ ){1,5}out of \d+\b|\brank (\w+ ){0,4}(worst|best|greatest|evilest)\b"
        r"|\btop (\d+|three|five|ten) (\w+ )?(worst|best|greatest|evilest)\b|\bpick one\b"
        r"|\b(worst|best|greatest|evilest) (\w+ )?(person|people|leaders?|ruler|dictator|man|things?)\b"
        r".*\b(ever|of all time)\b"
    ),
}
MONTH_NAMES = tuple(m.lower() for m in MONTHS)
_MONTH = "(" + "|".join((*MONTH_NAMES, "jan", "feb", "aug", "sept?", "oct", "nov", "dec")) + ")"  # names, then short forms
# A month dating what is asked: "in september 1958", "on 13 december 1958", "17th of august" (not "may i ask").
MONTH_DATES = (
    re.compile(rf"\b{_MONTH}[.,]?\s+(\d{{1,2}}(st|nd|rd|th)?,?\s+)?(of\s+)?(19|20)\d\d\b"),
    re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?{_MONTH}\b"),
)


def months_in(text: str) -> frozenset[int]:
    """The months (1-12) a question dates what it asks by."""
    text = text.lower()
    found = {m.group(1) for m in MONTH_DATES[0].finditer(text)} | {m.group(3) for m in MONTH_DATES[1].finditer(text)}
    return frozenset(next(i for i, n in enumerate(MONTH_NAMES, 1) if n.startswith(w[:3])) for w in found)


PERSON_PRONOUNS = frozenset("he him his she her hers himself herself".split())
PLACE_PRONOUNS = frozenset({"there"})
# "there" beside a form of "be" ("were there communes?", "how many were there", "there was a famine") is existential,
# not the last place; "who was there?" still asks about a place.
_BE = r"(?:is|are|was|were|be|been|isnt|arent|wasnt|werent)"
EXISTENTIAL_THERE = re.compile(rf"\b{_BE}\s+there\b|\bthere\s+{_BE}\b")
PRESENT_THERE = re.compile(rf"^who\s+{_BE}\s+there$")
THING_PRONOUNS = frozenset("it its that this those these they them their".split())
IT_PRONOUNS = frozenset("it its".split())  # never a person ("that", "they" can be)
THING_KINDS = ("work",)  # what "it" stands for when the subject was a person
# Openings that hang a question on the previous one: "what about sichuan", "and in 1961?".
# "highest", "lowest"...: what a follow-up asks of the last figure, not a new subject.
SUPERLATIVES = frozenset(
    stem(w) for w in "highest largest biggest maximum most worst greatest top lowest smallest least minimum fewest".split()
)
# What a follow-up asks of the last figures, not a new subject: "why do sources disagree?", "why are the
# numbers so different?".
OF_FIGURES = frozenset(
    stem(w)
    for w in "disagree disagreement differ different difference sources source estimates estimate numbers figures vary".split()
)
CONTINUATION = re.compile(
    r"^(and|also|but|so|ok|okay)?\s*(what|how) about\b|^and\b|^also\b|^what of\b|^same (for|with)\b|^then\b"
)
# A year alone, or asked "how much" of ("in 1960?", "how much in 1959"): the last question, moved to that year.
ELLIPTIC_YEAR = re.compile(
    r"^(?:(?:and|so|ok|okay|but)\s+)?(?:how (?:much|many)\s+)?(?:(?:in|for|by|during)\s+)?(?:the year\s+)?\d{4}\s*\??$"
)
COMPARE_SPLIT = re.compile(r"\s+(?:vs\.?|versus|compared (?:to|with)|against)\s+|\s+and\s+")
# Chat filler that would otherwise leave search terms behind ("eli5" -> "eli", "5").
FILLER = re.compile(
    r"\beli ?5\b|\blike (i ?a?m|i am|im) (5|five|a (kid|child|baby))\b|\btl ?; ?dr\b|\b(the )?short version( of)?\b"
    r"|\bin (like |about |just )?(\d+|one|two|three|four|five|a few|few) (sentences?|words|lines|paragraphs?|bullet points?)\b"
    r"|\bin (a nutshell|short|brief|simple (words|terms))\b|\b(give me )?(a )?(quick|brief) (summary|overview|rundown)( of)?\b",
    re.I,
)
EXPANSION_WEIGHT = 0.5  # the words of an entity's own name, added for an alias the question typed
CONTEXT_WEIGHT = 0.4  # a short question without a pronoun leans on the last subject, lightly
# A pronoun standing for the last topic rather than a named entity ("did they buy grain abroad?" after a
# question on foreign aid), in a question with words of its own: the topic is context, not the subject.
TOPIC_WEIGHT = 0.5
SPECIFICITY_DROP = 0.8  # an everyday word ("people", commonness 0.78) counts 0.38 toward coverage, a rare one 1
EVERYDAY_NAME = 0.5  # commonness from which a one-word name is an everyday word too ("coal" 0.56, "mao" 0.3)
BARE_ASKS = frozenset({"date", "place", "person", "cause", "manner"})  # what "when?", "where?", "who?", "why?", "how?" ask
HOME_ENTITY = "great-leap-forward"  # what a dangling "it" stands for
# Words of a place's name that do not tell it from others ("Xinyang prefecture" is named by "xinyang").
GENERIC_PLACE_WORDS = frozenset(tokenize("province prefecture county commune dam river village mount reservoir"))


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    term: str
    terms: tuple[str, ...]  # the entry's own search terms ("peng", "dehuai")


@dataclass(frozen=True)
class Query:
    text: str  # as typed (trimmed)
    terms: dict[str, float]  # search term -> weight (own words 1; guessed, inherited words less)
    own: tuple[str, ...]  # the question's own terms, corrected
    entities: tuple[Entity, ...] = ()
    intents: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    parts: tuple[tuple[str, ...], ...] = ()  # for comparisons and multi-part questions: each part's terms
    unknown: tuple[str, ...] = ()  # words neither the knowledge base nor the speller knows
    unknown_common: float = 0.0  # the most ordinary of them (0..1): "france", "breakfast" -> high
    followup: bool = False  # read against the previous turn
    inherited_disputes: tuple[str, ...] = ()
    semantic_text: str = ""  # the text the semantic model reads (the question, plus what it refers to)
    specificity: dict[str, float] = field(default_factory=dict)  # term -> 1 for a rare word, less for an everyday one
    refers: tuple[str, ...] = ()  # the terms a follow-up took from the conversation's subject
    points_back: bool = False  # says "he", "there", "that"... or opens "and what about": it needs a conversation
    aliases: tuple[str, ...] = ()  # the words of an alias the question named an entity by ("glf")
    months: frozenset[int] = frozenset()  # the months it dates what it asks by ("on 13 december 1958")

    def focus(self) -> dict[str, float]:
        """Each term's weight in judging coverage: its query weight times how specific it is."""
        return {t: w * self.specificity.get(t, 1.0) for t, w in self.terms.items()}

    def asks(self, intent: str) -> bool:
        return intent in self.intents


@dataclass(frozen=True)
class DialogueState:
    """What a conversation's earlier turns named and answered, for the next question to refer to."""

    question: str = ""
    topic: str = ""  # the question that set the current subject ("how many died?" under "is that the highest?")
    own: tuple[str, ...] = ()
    frame: tuple[str, ...] = ()  # the question's terms minus its subject: what it asked about the subject
    subject: tuple[str, ...] = ()  # its subject's terms
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> entity ids, most recent first
    intents: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    units: tuple[str, ...] = ()  # unit keys answered
    disputes: tuple[str, ...] = ()


class Understander:
    def __init__(self, kb: KnowledgeBase, speller: Speller, known_terms: frozenset[str]):
        self.speller = speller
        self.known_terms = known_terms  # every search term some unit has
        self.entities = {g.id: Entity(g.id, g.kind or "term", g.term, tuple(tokenize(g.term))) for g in kb.glossary}
        self.places = tuple(e for e, entity in self.entities.items() if entity.kind == "place")
        # Phrase -> entity ids: the term and each alias, as search terms ("mao tse-tung" -> mao, tse, tung).
        self.phrases: dict[tuple[str, ...], set[str]] = {}
        for g in kb.glossary:
            for name in (g.term, *g.aliases, *([g.chinese] if g.chinese else [])):
                key = tuple(tokenize(name))
                if key:
                    self.phrases.setdefault(key, set()).add(g.id)
        self.max_phrase = max((len(k) for k in self.phrases), default=1)
        # A one-word name that is also an everyday word ("Coale" read as "coal", "Snow") names its entity
        # only once the conversation has: "coal for the furnaces" is not the demographer.
        self.everyday_names = frozenset(
            k for k, ids in self.phrases.items()
            if len(k) == 1 and commonness(k[0]) >= EVERYDAY_NAME and all(self.entities[e].kind == "person" for e in ids)
        )
        self.first_words = frozenset(k[0] for k in self.phrases)

        self.broad: frozenset[str] = frozenset()  # entities so many units are about that they name no subject
        home = self.entities.get(HOME_ENTITY)
        self.home = (
            DialogueState(question=home.term, topic=home.term, subject=home.terms, entities={home.kind: (home.id,)})
            if home is not None else None
        )

    # ----- words ------------------------------------------------------------------------------
    def read_terms(self, text: str) -> tuple[list[str], set[str], list[str], float, dict[str, float], dict[str, str]]:
        """(terms, guessed terms, unknown words, commonness of the most ordinary unknown word,
        term -> specificity, misspelt word -> its correction)."""
        out, guessed, unknown, common, specific, fixes = [], set(), [], 0.0, {}, {}
        for w in content_words(text):
            t = stem(w)
            if not (t in self.known_terms or w.isdigit()):
                fixed = self.speller.correct(w)
                if fixed is not None and stem(fixed) in self.known_terms:
                    fixes[w] = fixed
                    t, w = stem(fixed), fixed
                    guessed.add(t)
                else:
                    unknown.append(w)
                    common = max(common, commonness(w))
            out.append(t)
            specific[t] = min(specific.get(t, 1.0), 1.0 - SPECIFICITY_DROP * commonness(w))
        return list(dict.fromkeys(out)), guessed, unknown, common, specific, fixes

    def find_entities(self, terms: list[str], context: tuple[str, ...] = ()) -> list[Entity]:
        """Glossary entities named in the terms, longest phrase first; an ambiguous name ("peng")
        counts only if the conversation already named one of its entities."""
        return list(dict.fromkeys(e for e, _ in self.names(terms, context)))

    def names(self, terms: list[str], context: tuple[str, ...] = ()) -> list[tuple[Entity, tuple[str, ...]]]:
        """Each entity named in the terms with the words that name it ("glf" for the Great Leap Forward)."""
        found: list[tuple[Entity, tuple[str, ...]]] = []
        i = 0
        while i < len(terms):
            if terms[i] not in self.first_words:  # no name starts here (most words)
                i += 1
                continue
            for n in range(min(self.max_phrase, len(terms) - i), 0, -1):
                key = tuple(terms[i : i + n])
                ids = self.phrases.get(key)
                if ids:
                    if len(ids) > 1 or key in self.everyday_names:
                        ids = {e for e in ids if e in context}
                    if len(ids) == 1:
                        found.append((self.entities[next(iter(ids))], key))
                    i += n - 1
                    break
            i += 1
        return found

    # ----- the question -----------------------------------------------------------------------
    def understand(self, question: str, state: DialogueState | None = None) -> Query:
        plain = FILLER.sub(" ", question)
        own, guessed, unknown, common, specificity, fixes = self.read_terms(plain)
        # Chat-speak mapped ("wat r the communes" -> "what r the communes") and misspellings corrected
        # ("45 milion"): the intents are read from the question as meant.
        text = " ".join(fixes.get(w, w) for w in words(question))
        intents = frozenset(name for name, rx in INTENTS.items() if rx.search(text))
        # The semantic model reads the question as meant: chat-speak mapped, misspellings corrected.
        semantic = " ".join(fixes.get(w, w) for w in words(plain) if w not in CHAT_NOISE) or question.strip()
        context_ids = tuple(e for ids in (state.entities.values() if state else ()) for e in ids)
        named = self.names(own, context_ids)
        entities = list(dict.fromkeys(e for e, _ in named))
        # The words of an alias typed ("glf", "mao tse-tung"): a name, not something asked about the entity.
        aliases = tuple(dict.fromkeys(t for e, key in named for t in key if t not in e.terms))
        # A one-word alias of a longer name ("glf", "szechwan", "shitang") means nothing to the semantic model,
        # or something else: it reads the name instead ("who started the glf" as "who started the Great Leap Forward").
        for e, key in named:
            if len(key) == 1 and key[0] not in e.terms and len(e.terms) > 1:
                semantic = re.sub(rf"\b{re.escape(key[0])}\b", e.term, semantic, flags=re.IGNORECASE)
        years = frozenset(y for y in years_in(question) if 1900 <= y <= 2030)
        surface = set(words(question))
        if "there" in surface and not PRESENT_THERE.search(text) and len(re.findall(r"\bthere\b", text)) == len(
            EXISTENTIAL_THERE.findall(text)
        ):  # read only for a question with "there" in it: most have none
            surface.discard("there")
        terms: dict[str, float] = {}
        # A guess that completes a name with words typed right ("launching satelites") is sure.
        confirmed = {
            t for e in entities if len(e.terms) > 1 and any(w in own and w not in guessed for w in e.terms) for t in e.terms
        }
        for t in own:
            terms[t] = 0.5 if t in guessed and t not in confirmed else 1.0
        for e in entities:  # an alias adds its entry's own name ("Mao Tse-tung" -> "mao zedong"), lightly
            for t in e.terms:
                terms.setdefault(t, EXPANSION_WEIGHT)
        parts = self._parts(question, intents)
        query = Query(
            question.strip(),
            terms,
            tuple(own),
            tuple(entities),
            intents,
            years,
            parts,
            tuple(unknown),
            common,
            semantic_text=semantic,
            specificity=specificity,
            aliases=aliases,
            months=months_in(question),
            points_back=bool(CONTINUATION.search(text)) or bool(surface & (PERSON_PRONOUNS | PLACE_PRONOUNS | THING_PRONOUNS)),
        )
        if state is None or not state.question:
            pointing = surface & (PERSON_PRONOUNS | PLACE_PRONOUNS | THING_PRONOUNS)
            if not (self.home and pointing and pointing <= IT_PRONOUNS):
                return query
            if CONTINUATION.search(text) or entities or years or len([t for t in own if not t.isdigit()]) > 2:
                return query  # "is it true people ate each other in the famine?" names its own subject
            # "how did it end?" with nothing before it: in a tutor on the Great Leap Forward, "it" is the Leap.
            state = self.home
        return self._resolve(query, state, surface, text)

    def names_place(self, terms: tuple[str, ...], place: str) -> bool:
        """The terms name the place, if only by the distinctive word of its name ("xinyang")."""
        return not set(terms).isdisjoint(t for t in self.entities[place].terms if t not in GENERIC_PLACE_WORDS)

    def _parts(self, question: str, intents: frozenset[str]) -> tuple[tuple[str, ...], ...]:
        """'steel in 1958 vs the target' -> two parts; 'when, where and why' stays one question."""
        text = normalize(question)
        if "compare" not in intents:
            return ()
        text = re.sub(r"^.*?\b(compare|comparison of|difference between)\b", "", text)
        pieces = [tuple(tokenize(p)) for p in COMPARE_SPLIT.split(text)]
        pieces = [p for p in pieces if p]
        return tuple(pieces) if len(pieces) >= 2 else ()

    def in_context(self, q: Query, state: DialogueState | None) -> Query | None:
        """A short question with words of its own and no pointing back ("who was responsible?") is read
        afresh; this is its other reading, on the conversation's subject (None when it has no other)."""
        if state is None or not state.question or q.followup or q.points_back or q.unknown or q.entities:
            return None
        read = self._resolve(q, state, set(words(q.text)), q.text.lower(), lean=True)
        return read if read.followup else None

    def _resolve(self, q: Query, state: DialogueState, surface: set[str], text: str, lean: bool = False) -> Query:
        """Read a follow-up against the dialogue state; a question that names its own subject starts afresh
        (`lean`: a short one with words of its own is read on the conversation's subject all the same)."""
        specific = [
            t
            for t in q.own
            if t in self.known_terms and not t.isdigit() and q.specificity.get(t, 1.0) >= 0.5
            and t not in SUPERLATIVES and not (state.disputes and t in OF_FIGURES)
        ]
        continuation = bool(CONTINUATION.search(text)) or bool(ELLIPTIC_YEAR.search(text))
        pronoun = bool(surface & (PERSON_PRONOUNS | PLACE_PRONOUNS | THING_PRONOUNS))
        own_subject = [e for e in q.entities if e.id not in self.broad] or specific
        names_subject = bool(q.entities) or len(specific) >= 3 or (q.asks("definition") and specific)
        if (names_subject and not continuation and not pronoun) or not (continuation or pronoun or len(specific) <= 2):
            return q
        if not (continuation or pronoun) and (specific or q.unknown) and not lean:
            return q  # its own words, however few ("what's the capital of france"): a new question
        terms = dict(q.terms)
        refer: list[str] = []
        intents, years, disputes = q.intents, q.years, ()
        topic_only = bare = False
        only_year = bool(q.years) and not [t for t in q.own if not t.isdigit()]
        if continuation and own_subject and not pronoun:
            # "what about sichuan?" -> the last question with sichuan in place of its subject.
            for t in state.frame:
                terms.setdefault(t, 0.8)
            intents = intents | (state.intents - {"definition"})
            years = years or state.years
        elif not q.own and not pronoun and q.intents & BARE_ASKS:
            # "when?", "why?", "how?" alone: the last question, asked that way.
            for t in state.own:
                if not t.isdigit():
                    terms.setdefault(t, 0.8)
            refer = list(state.subject)
            bare = True
        elif continuation and only_year:
            # "and in 1961?" -> the last question with that year (and without the last one's year).
            asked = [t for t in state.own if not t.isdigit()]
            for t in asked:
                terms.setdefault(t, 0.8)
            # The last question asked of a year alone ("what happened in 1959?"): so is this one.
            refer = list(state.subject) if asked else []
            intents = intents | (state.intents - {"definition"})
        else:
            # "what happened to him?", "was it the Leap's fault?", "and how many died?", "why?"
            if surface & PERSON_PRONOUNS and (people := state.entities.get("person")):
                refer += list(self.entities[people[0]].terms)
            # "there", and "where was it?": the last place (a commune, a dam, a camp is a place too).
            if surface & PLACE_PRONOUNS or ("where" in surface and surface & IT_PRONOUNS):
                # The place the last question named, even within another name ("the xinyang incident"),
                # else the most recent one.
                places = state.entities.get("place", ())
                named = (p for p in (*places, *self.places) if self.names_place(state.own, p))
                asked = next(named, places[0] if places else None)
                if asked is not None:
                    refer += list(self.entities[asked].terms)
            people = state.entities.get("person", ())
            if not refer and surface & IT_PRONOUNS and (
                (people and set(state.subject) == set(self.entities[people[0]].terms))
                or (self.home is not None and state.subject and set(state.subject) <= set(self.home.subject))
            ):
                # "what did the party say about it?" after "was mao to blame?": "it" is not the person; "does it
                # blame mao?" after "what does the party say about the glf now?": "it" is the verdict shown.
                thing = next((ids[0] for kind in THING_KINDS if (ids := state.entities.get(kind))), None)
                if thing is not None:
                    refer = list(self.entities[thing].terms)
            if not refer and not q.own and surface & THING_PRONOUNS:
                # "when was that?", "who said that?": nothing but a pronoun, so "that" is what was just asked.
                refer = [t for t in state.own if not t.isdigit()]
                bare = True
            if not refer:
                refer = list(state.subject)
                topic_only = len(specific) >= 2
            if not years and not [t for t in q.own if not t.isdigit()]:
                years = state.years
            if intents & {"high", "low", "disagree"} or not specific:
                disputes = state.disputes
        weight = TOPIC_WEIGHT if topic_only else 1.0 if pronoun or continuation else CONTEXT_WEIGHT
        for t in refer:
            terms[t] = max(terms.get(t, 0.0), weight)
        entities = list(q.entities)
        for e in self.find_entities(refer):
            if e not in entities:
                entities.append(e)
        # The semantic model reads the question with what it refers to: the entity's name, else a question.
        referred = [e.term for e in entities if e not in q.entities]
        # A question swapping in its own subject reads the previous question's frame; one pointing back
        # ("why do they differ?") reads the question that set the subject the conversation is on.
        if bare:
            context = state.question
        elif referred:
            context = " ".join(referred)
        elif continuation and own_subject and not pronoun:
            context = state.question
        else:
            context = state.topic or state.question
        semantic = f"{q.text} {context}"
        return Query(
            q.text,
            terms,
            q.own,
            tuple(entities),
            intents,
            years,
            q.parts,
            q.unknown,
            q.unknown_common,
            True,
            disputes,
            semantic,
            q.specificity,
            tuple(refer),
            q.points_back,
            q.aliases,
            q.months,
        )

    def state_after(
        self,
        q: Query,
        unit_entities: tuple[str, ...],
        units: tuple[str, ...],
        disputes: tuple[str, ...],
        previous: DialogueState | None,
    ) -> DialogueState:
        """The dialogue state once `q` is answered by `units` (whose entities are `unit_entities`)."""
        by_kind: dict[str, list[str]] = {k: list(v) for k, v in (previous.entities.items() if previous else ())}
        # Most recent first, but an entity the question referred back to ("why did mao purge him?": Peng)
        # stays ahead of one it newly names: the conversation is still about it, and the next "he"
        # most likely means it again (centering: the entity a pronoun continues is the one retained).
        referred = [e.id for e in q.entities if e.terms and set(e.terms) <= set(q.refers)]
        named = referred + [e.id for e in q.entities if e.id not in referred]
        named += [e for e in unit_entities if e not in set(named)]
        # A person the conversation is on stays "he" when the question only names a broad one ("how did mao
        # react to it?" while talking about Peng Dehuai: "what happened to him after?" still asks about Peng).
        people = previous.entities.get("person", ()) if previous else ()
        asked = [e.id for e in q.entities if e.kind == "person"]
        if people and people[0] not in self.broad and asked and all(e in self.broad for e in asked):
            named = [people[0], *(e for e in named if e != people[0])]
        for eid in reversed(named):
            kind = self.entities[eid].kind
            ids = [e for e in by_kind.get(kind, []) if e != eid]
            by_kind[kind] = [eid, *ids][:4]
        # The subject: a specific entity the question names, else what it referred back to, else a broad
        # entity it names ("the Great Leap"), else its own specific terms.
        specific = [e for e in q.entities if e.id not in self.broad and not set(e.terms) <= set(q.refers)]
        subject_terms = [t for e in specific for t in e.terms] or list(q.refers) or [t for e in q.entities for t in e.terms]
        if not subject_terms:
            subject_terms = [t for t in q.terms if t in self.known_terms and not t.isdigit() and q.terms[t] >= 0.7]
        own_subject = set(subject_terms)
        frame = tuple(t for t in q.own if t not in own_subject and not t.isdigit())
        # A follow-up that took its subject from the conversation keeps the question that set it.
        kept = previous is not None and q.followup and bool(q.refers) and not specific
        return DialogueState(
            question=q.text,
            topic=(previous.topic or previous.question) if kept and previous else q.text,
            own=tuple(t for t in q.terms if q.terms[t] >= 0.7),
            frame=frame,
            subject=tuple(dict.fromkeys(subject_terms))[:6],
            entities={k: tuple(v) for k, v in by_kind.items()},
            intents=q.intents,
            years=q.years,
            units=units,
            disputes=disputes,
        )
