"""The tutor: question (+ conversation memory) -> Answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine import compose, scope
from bot.engine.answer import Answer
from bot.engine.index import Document, Hit, Index, Query
from bot.engine.memory import ConversationMemory, Turn
from bot.engine.records import Dispute, KnowledgeBase, Passage
from bot.engine.text import content_words, is_generic, normalize, stem, synonyms, tokenize, words

MAX_QUESTION_CHARS = 2000  # longer input is read only up to here

# Words that point back at the previous turn's subject.
ANAPHORA = frozenset(
    """
    he him his she her they them their theirs it its this that these those there then afterwards
    afterward after later later on such one ones
    """.split()
)
CONNECTIVES = ("and ", "but ", "so ", "also ", "what about", "how about", "and what", "why", "how come", "really")
# A question asking for an amount is only answered by a passage that states one, and a question
# asking how many died only by a passage that gives a number of deaths.
QUANTITY_QUESTION = re.compile(r"\b(how (many|much|large|big|high|far)|number of|death ?toll|toll|percentage|proportion)\b")
_AMOUNT = (
    r"(\b(million|billion|thousand|hundred|dozen|percent|per cent|half|third|quarter|tenth)s?\b|%"
    r"|\b\d{1,3}(,\d{3})+\b|\b\d+\.\d+\b|\b(?!(1[5-9]|20)\d\d\b)\d{3,}\b)"
)
QUANTITY = re.compile(_AMOUNT)
DEATH_QUESTION = re.compile(r"\b(died|die|dead|deaths?|killed|starved|perished|lives|victims|toll|casualties|fatalities)\b")
DEATH_FIGURE = re.compile(
    _AMOUNT + r"[^.;]{0,80}\b(died|die|dead|deaths?|killed|starv\w*|perish\w*|lives|victims|toll|mortality|drowned)\b"
    r"|\b(died|deaths?|killed|toll|victims|mortality)\b[^.;]{0,80}" + _AMOUNT
)

# "What happened to him afterwards?" asks for someone's later fate; passages about it say "fate".
LATER_FATE = re.compile(
    r"\bwhat (happened|became) (to|of)\b.*\b(after|afterwards?|later|next|then|in the end)\b|\bwhat became of\b"
    r"|\b(later (life|years|on)|end up|ended up|fate)\b"
)
# A question naming a year ("steel output in 1960") is answered only by a passage that speaks of that
# year, by name or inside a span such as "1959-1961" or "from 1958 to 1962".
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
YEAR_SPAN = re.compile(
    r"\b(?:between\s+(1[89]\d\d|20\d\d)\s+and|(1[89]\d\d|20\d\d)\s*(?:-|–|—|to|until|through))\s*(\d{4}|\d{2})\b"
)
MAX_SPAN_YEARS = 30


def years_in(text: str) -> frozenset[int]:
    """Every year a text speaks of: named ones and those inside spans ("1959-61", "1958 to 1962")."""
    years = {int(y) for y in YEAR.findall(text)}
    for m in YEAR_SPAN.finditer(text):
        start = int(m.group(1) or m.group(2))
        end = int(m.group(3)) if len(m.group(3)) == 4 else start // 100 * 100 + int(m.group(3))
        if start < end <= start + MAX_SPAN_YEARS:
            years.update(range(start, end + 1))
    return frozenset(years)


DEFAULT_TOPICS = ("death_toll", "communes", "steel")
HIGH_WORDS = frozenset("highest largest biggest maximum greatest".split())
LOW_WORDS = frozenset("lowest smallest minimum fewest".split())


@dataclass(frozen=True)
class TutorSettings:
    """Retrieval and abstention thresholds, calibrated on the development question set."""

    min_coverage: float = 0.45  # share of the question's term weight the best passage must contain
    min_score: float = 1.0  # BM25 score of the best passage
    extra_ratio: float = 0.6  # further passages are shown if they score this share of the best
    extra_coverage: float = 0.5
    max_passages: int = 3
    context_weight: float = 0.5  # weight of the previous turn's subject in a follow-up
    repeat_penalty: float = 0.5  # a follow-up prefers passages not quoted in the previous turn
    coverage_floor: float = 0.5  # ranking multiplies the BM25 score by (floor + coverage)
    dispute_coverage: float = 0.6  # the question itself names a disputed figure
    n_followups: int = 3
    synonym_weight: float = 0.4  # ranking weight of a question word's synonyms
    subject_terms: int = 5  # how many of the previous turn's most specific terms a follow-up inherits
    guess_weight: float = 0.5  # weight of a known word guessed for a misspelt one ("invented" -> "invest")
    undated_penalty: float = 0.5  # ranking weight of a passage silent on the year the question names


@dataclass(frozen=True)
class _Retrieval:
    hits: list[Hit]
    query: Query
    own_terms: tuple[str, ...]
    context: tuple[str, ...] = ()
    years: frozenset[int] = frozenset()
    quantity: str | None = None

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class Tutor:
    def __init__(self, kb: KnowledgeBase, settings: TutorSettings | None = None, memory: ConversationMemory | None = None):
        self.kb = kb
        self.settings = settings or TutorSettings()
        self.memory = memory or ConversationMemory()
        self.passages: tuple[Passage, ...] = kb.passages
        self.index = Index([self._document(p) for p in self.passages], generic=is_generic, synonyms=synonyms)
        self._position = {p.id: i for i, p in enumerate(self.passages)}
        self._by_topic: dict[str, list[Passage]] = {}
        for p in self.passages:
            self._by_topic.setdefault(p.topic, []).append(p)
        self._aliases = self._alias_table()
        self._question_terms = [frozenset(tokenize(p.question or p.title)) for p in self.passages]
        self._has_quantity = [bool(QUANTITY.search(p.text.lower())) for p in self.passages]
        self._has_death_figure = [bool(DEATH_FIGURE.search(p.text.lower())) for p in self.passages]
        self._years = [years_in(" ".join([p.title, p.text, p.quote.text if p.quote else ""])) for p in self.passages]
        self._subject_vocabulary = frozenset().union(*self.index.meta_terms)
        self._dispute_terms = {d.id: frozenset(tokenize(d.question)) for d in kb.disputes.values()}

    # ----- indexing -------------------------------------------------------------------------
    @staticmethod
    def _document(p: Passage) -> Document:
        body = tokenize(p.text) + (tokenize(p.quote.text) if p.quote else [])
        meta_text = " ".join([p.title, p.question or "", *p.keywords, *p.aliases, p.topic.replace("_", " ")])
        return Document(tuple(body), tuple(tokenize(meta_text)))

    def _alias_table(self) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        """Glossary aliases ("Mao Tse-tung") -> the term's own words ("Mao Zedong"), by first word."""
        table: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for entry in self.kb.glossary:
            term = tuple(tokenize(entry.term))
            for alias in entry.aliases:
                key = tuple(tokenize(alias))
                if key and key != term:
                    table.setdefault(key[0], []).append((key, term))
        return table

    # ----- query analysis -------------------------------------------------------------------
    def terms(self, question: str) -> list[str]:
        """The question's search terms: typos corrected, glossary aliases adding their term's words."""
        return self._read(question)[0]

    def _read(self, question: str) -> tuple[list[str], frozenset[str]]:
        """Search terms, and which of them are guesses at a misspelt word (they weigh less)."""
        surface = content_words(question)
        typed = [stem(w) for w in surface]
        out, guessed = [], set()
        for w, t in zip(surface, typed, strict=True):
            # A misspelling is nearer the right word than the right stem ("comune" -> "commune").
            # A word we know by its synonyms ("invented" for "coined") is no misspelling.
            known = self.index.known(t) or any(self.index.known(s) for s in synonyms(t))
            fixed = t if known else (self.index.correct(w) or self.index.correct(t) or t)
            out.append(fixed)
            if fixed != t:
                guessed.add(fixed)
        for i, t in enumerate(list(out)):
            for alias, term in self._aliases.get(t, ()):
                if tuple(out[i : i + len(alias)]) == alias:
                    out += [w for w in term if w not in out]
        return list(dict.fromkeys(out)), frozenset(guessed - set(typed))

    @staticmethod
    def _superlative(question: str) -> str | None:
        ws = set(words(question))
        if ws & HIGH_WORDS:
            return "high"
        if ws & LOW_WORDS:
            return "low"
        return None

    @staticmethod
    def _years_asked(question: str) -> frozenset[int]:
        return frozenset(int(y) for y in YEAR.findall(question))

    @staticmethod
    def _asks_amount(question: str) -> str | None:
        """'deaths' for "how many died...", 'amount' for other how-many questions, else None."""
        text = normalize(question)
        if not QUANTITY_QUESTION.search(text):
            return None
        return "deaths" if DEATH_QUESTION.search(text) else "amount"

    @staticmethod
    def _points_back(question: str) -> bool:
        return bool(set(words(question)) & ANAPHORA)

    @staticmethod
    def _leans_on_context(question: str, own_terms: list[str]) -> bool:
        text = normalize(question).strip()
        return Tutor._points_back(question) or len(own_terms) <= 2 or text.startswith(CONNECTIVES)

    # ----- retrieval --------------------------------------------------------------------------
    def _retrieve(
        self,
        own: list[str],
        context: tuple[str, ...] = (),
        avoid: tuple[str, ...] = (),
        quantity: str | None = None,
        cues: tuple[str, ...] = (),
        years: frozenset[int] = frozenset(),
        guessed: frozenset[str] = frozenset(),
    ) -> _Retrieval:
        weight = self.settings.context_weight
        related = [s for t in own for s in synonyms(t)]
        sure = [t for t in own if t not in guessed]
        query = Query.of(
            (context, weight),
            (cues, weight),
            (related, self.settings.synonym_weight),
            (guessed, self.settings.guess_weight),
            (sure, 1.0),
        )
        focus = {t: w for t, w in query.terms.items() if t not in related or t in own}
        hits = self.index.search(query, k=12, focus=focus)
        if context:
            hits = [h for h in hits if h.matched - set(own)]  # must still be about the previous subject
        if quantity:
            has = self._has_death_figure if quantity == "deaths" else self._has_quantity
            hits = [h for h in hits if has[h.doc]]
        # Rank by relevance and by how much of the question each passage covers; in a follow-up,
        # prefer moving on from the passage just quoted.
        # A passage written to answer this very question ranks up (FAQ-style match on its `question`).
        avoid_docs = {self._position[a] for a in avoid if a in self._position}
        asked = frozenset(own)

        def rank(h: Hit) -> float:
            penalty = self.settings.repeat_penalty if h.doc in avoid_docs else 1.0
            same = self._question_terms[h.doc]
            similarity = len(asked & same) / len(asked | same) if asked else 0.0
            dated = 1.0 if not years or self._years[h.doc] & years else self.settings.undated_penalty
            return h.score * penalty * dated * (self.settings.coverage_floor + h.coverage) * (1.0 + 0.5 * similarity)

        hits.sort(key=rank, reverse=True)
        return _Retrieval(hits, query, tuple(own), tuple(context), years, quantity)

    def _answers(self, r: _Retrieval, present_day: bool = False) -> bool:
        best = r.best
        s = self.settings
        if best is None or best.coverage < s.min_coverage or best.score < s.min_score:
            return False
        if present_day and not scope.speaks_of_present(self.passages[best.doc].text):
            return False  # asked about today; a passage about 1958-1962 does not answer it
        if r.years and not self._years[best.doc] & r.years:
            return False  # asked about 1960; a passage that never reaches 1960 does not answer it
        # The passage must be about something the question names, not merely mention it in passing,
        # and must contain the rarest thing it names: "steel output in 1960" is not answered by grain.
        subject = [t for t in (*r.own_terms, *r.context) if not is_generic(t)]
        if subject and not self.index.about(best.doc, subject):
            return False
        principal = self._principal(r.own_terms) if r.quantity else None
        return principal is None or self.index.contains(best.doc, principal)

    def _principal(self, terms) -> str | None:
        """The rarest subject a question names: a term in some passage's title, question or keywords
        (so not a stray verb such as "drop"), and not a year."""
        named = [t for t in terms if t in self._subject_vocabulary and not is_generic(t) and not YEAR.fullmatch(t)]
        return max(named, key=self.index.weight, default=None)

    # ----- answering --------------------------------------------------------------------------
    def ask(self, question: str, conversation: str | None = None) -> Answer:
        question = question if isinstance(question, str) else str(question)
        shown_question = question.strip()[:MAX_QUESTION_CHARS]
        previous = self.memory.last(conversation) if conversation else None
        answer, turn = self._respond(shown_question, previous)
        if conversation:
            self.memory.add(conversation, turn)
        return answer

    def _respond(self, question: str, previous: Turn | None) -> tuple[Answer, Turn]:
        abstained = Turn(question, (), (), (), True)
        own, guessed = self._read(question)
        bounds = scope.check(question, own, previous.subject if previous else ())
        if bounds.outside:
            return self._abstain(question, [], compose.outside_scope(bounds.outside)), abstained
        cues = ("fate",) if LATER_FATE.search(normalize(question)) else ()
        quantity = self._asks_amount(question)
        years = self._years_asked(question)
        alone = self._retrieve(own, quantity=quantity, cues=cues, years=years, guessed=guessed)
        chosen: _Retrieval | None = alone if self._answers(alone, bounds.present_day) else None
        if previous is not None and self._leans_on_context(question, own):
            followup = self._retrieve(own, previous.subject, previous.passage_ids[:1], quantity, cues, years, guessed)
            # Read against the previous subject when alone it finds nothing, when it points back
            # ("that", "him"), or when the follow-up reading still matches what it asks about.
            if self._answers(followup, bounds.present_day) and (
                chosen is None or self._points_back(question) or followup.hits[0].matched & set(own)
            ):
                chosen = followup
        if chosen is None:
            return self._abstain(question, alone.hits), abstained
        answer = self._answer(question, chosen, previous)
        passages = tuple(p.id for p in answer.passages)
        disputes = tuple(d.id for d in answer.disputes)
        return answer, Turn(question, self._subject(chosen, answer), passages, disputes, False)

    def _subject(self, r: _Retrieval, answer: Answer) -> tuple[str, ...]:
        """What a follow-up refers to: the question's own specific terms first, then the subject it
        inherited, then the title of the passage that answered it."""

        def specific(terms) -> list[str]:
            return sorted((t for t in terms if self.index.known(t) and not is_generic(t)), key=lambda t: -self.index.weight(t))

        title = tokenize(self.kb.passages_by_id[answer.passages[0].id].title) if answer.passages else []
        terms = specific(r.own_terms) + list(r.context) + specific(title)
        return tuple(dict.fromkeys(terms))[: self.settings.subject_terms]

    def _answer(self, question: str, r: _Retrieval, previous: Turn | None) -> Answer:
        s = self.settings
        best = r.hits[0]
        picked = [best]
        for h in r.hits[1:]:
            if len(picked) >= s.max_passages:
                break
            if h.score >= s.extra_ratio * best.score and h.coverage >= s.extra_coverage:
                picked.append(h)
        scored = [(self.passages[h.doc], h.score) for h in picked]
        disputes = self._disputes(r, [p for p, _ in scored], previous)
        shown = {p.id for p, _ in scored}
        followups = self._followups(r, shown, disputes)
        return compose.compose(self.kb, question, scored, disputes, followups, self._superlative(question) if disputes else None)

    def _disputes(self, r: _Retrieval, passages: list[Passage], previous: Turn | None) -> list[Dispute]:
        ids: list[str] = []
        for p in passages[:2]:
            ids += [d for d in p.disputes if d not in ids]
        own = set(r.own_terms)
        for did, terms in self._dispute_terms.items():
            if did not in ids and terms and own and len(own & terms) / len(own) >= self.settings.dispute_coverage:
                ids.append(did)
        if not ids and previous and self._superlative(" ".join(r.own_terms)):
            ids = list(previous.dispute_ids)
        return [self.kb.disputes[d] for d in ids[:2]]

    def _followups(self, r: _Retrieval, shown: set[str], disputes: list[Dispute]) -> list[str]:
        out: list[str] = []
        if disputes and len(shown) >= 1:
            out.append("Why do the estimates differ so much?")
        top_topic = self.passages[r.hits[0].doc].topic
        pool = [self.passages[h.doc] for h in r.hits[1:]]
        pool += self._by_topic[top_topic]
        for p in pool:
            q = p.question or f"Tell me about {p.title[0].lower() + p.title[1:]}."
            if p.id not in shown and q not in out:
                out.append(q)
            if len(out) >= self.settings.n_followups:
                break
        return out

    def _abstain(self, question: str, hits: list[Hit], reason: str | None = None) -> Answer:
        """No sourced answer: say so, and offer the nearest topics the knowledge base does cover."""
        topics = list(dict.fromkeys(self.passages[h.doc].topic for h in hits))[:3] or list(DEFAULT_TOPICS)
        suggestions = [q for t in topics if (q := self._topic_question(t))]
        if not question:
            reason = "Ask me a question about the Great Leap Forward (China, 1958–1962) or the famine it caused."
        return compose.abstain(question, topics, suggestions, reason)

    def _topic_question(self, topic: str) -> str | None:
        return next((p.question for p in self._by_topic.get(topic, ()) if p.question), None)
