"""Turn a parsed query into Whoosh queries: one to score, one to filter by facets.

Named dispositifs and places widen and re-rank the query:
- a typed acronym also matches its full name as a phrase ("CLS" finds
  "contrat local de santé"), at half weight;
- a typed full name also matches its acronym, at half weight (an ambiguous one too: the name
  typed says which it is);
- passages tagged with a named dispositif, region or département get a constant bonus
  (a département named is its region too: its passages first, then its region's); a place's
  bonus goes to the passages about few places (the `places` field), not to a page naming many.
Ambiguous acronyms (CPS, ETP…) typed alone get only the tag bonus, since tags
were given with context at index time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from whoosh import query as wq

from ..vocab.analysis import french_analyzer
from ..vocab.vocabulary import fold, question_words, vocabulary
from ..facets import NAMES
from ..index.schema import DOCUMENT, DOCUMENT_FIELDS, PASSAGE, TEXT_FIELDS, place_term
from ..index.whoosh_adapter import ConstantPrefix, Near
from ..vocab.match import tokens
from .mentions import ACRONYM, NAME, TABLE, Mention, query_vocabulary
from .parse import Any, Clauses, Filter, Not, Phrase, Word

FIELD_BOOSTS = {"text": 1.0, "section": 0.5, "title": 0.3, "doctext": 1.0}
EXPANSION_WEIGHT = 0.5  # what an expansion weighs against one typed term
TAG_BONUS = {"dispositif": 2.0, "acteur": 2.0, "region": 1.0, "departement": 1.0}
PLACES = ("region", "departement")  # facets of places: a département named is its region too
CLOSE_WEIGHT = 0.5  # an indexed word spelt closely to an unknown typed one, against the word itself
PLACE_WEIGHT = 0.5  # a place name, against one other typed word, shared by its words (its passages get TAG_BONUS too)


class Widening(NamedTuple):
    """What the query's vocabulary does to typed words: alternatives attached to a word
    (an acronym's full name), weights (a place's words) and words left out."""
    alternatives: dict
    weights: dict
    dropped: frozenset = frozenset()


NO_WIDENING = Widening({}, {})


@dataclass
class Compiled:
    query: wq.Query | None
    notes: list[str] = field(default_factory=list)   # expansions, in French, for --explain
    # the query without the places it names: what a passage must match for its document to lift it
    # (a sibling that only shares the place is not about the query); None when no place is named
    topic: wq.Query | None = None
    # every typed word required, a full name typed and its acronym counting as one word: what
    # `total_all_words` counts; None when fewer than two words are ranked (then it is the query itself)
    every_word: wq.Query | None = None


class QueryCompiler:
    """Compiles parsed queries with the analyzer of the index being searched, over the
    passage fields, or (`documents=True`) over the whole-document field, without tag bonuses."""

    def __init__(self, analyzer=None, documents: bool = False):
        self.analyzer = analyzer or french_analyzer()
        self.fields = DOCUMENT_FIELDS if documents else TEXT_FIELDS
        self.tag_bonus = {} if documents else TAG_BONUS
        self.every = wq.Term("kind", DOCUMENT if documents else PASSAGE)  # what "SAUF x" alone excludes from

    def terms(self, text: str) -> list[str]:
        return [t.text for t in self.analyzer(text)]

    def normalized(self, text: str) -> list[str]:
        """Folded and elided but not stemmed (for truncated words): Whoosh skips is_morph filters."""
        return [t.text for t in self.analyzer(text, no_morph=True)]

    def compile(self, clauses: Clauses, close: dict[Word, list[str]] | None = None) -> Compiled:
        """The scoring query; the top level's side-by-side facet clauses are left to
        `resolve_filters` (they are the search's filters, shown as selected facet values).
        `close`: typed words the index does not know, with their closest indexed spellings
        (search/suggest.py), which they also match, below an exact word."""
        widen, extra, place_bonus, notes, names = self._expansions(clauses)
        for word, found in (close or {}).items():
            spelt = [self._fields(None, lambda f, s=s: _phrase(f, self.terms(s), 0), weight=CLOSE_WEIGHT) for s in found]
            widen.alternatives.setdefault(word, []).extend(q for q in spelt if q is not None)
            notes.append(f"{word.text} → {', '.join(found)} (orthographe proche)")
        query = self._clauses(clauses, widen, extra + place_bonus, top=True)
        every_word = self._every_word(clauses, widen, names)
        if not widen.weights:
            return Compiled(query, notes, every_word=every_word)
        topic = self._clauses(clauses, widen._replace(dropped=frozenset(widen.weights)), extra, top=True)
        return Compiled(query, notes, topic, every_word)

    def _every_word(self, c: Clauses, widen: Widening, names: list[tuple[tuple[Word, ...], str]]):
        """The query with its ranked words all required. `names`: full names typed (their words) with
        their acronym, which stands for all of them."""
        ranked = _ranked_items(c)
        if len(ranked) < 2:
            return None
        units, grouped = [], set()
        for covered, acronym in names:
            if len(covered) > 1 and set(covered) <= set(ranked) - grouped:
                units.append(Any((Clauses(required=covered), Word(acronym))))
                grouped.update(covered)
        units += [i for i in ranked if i not in grouped]
        every = Clauses(required=(*c.required, *units), excluded=c.excluded, restrictions=c.restrictions)
        return self._clauses(every, widen._replace(weights={}), [], top=True)

    def _expansions(self, c: Clauses):
        """How typed words are widened and weighed, extra optional clauses, the places' bonuses, and notes."""
        words = c.free_words()
        if not words:
            return NO_WIDENING, [], [], [], []
        spans, pos = [], 0
        for w in words:
            n = len(tokens(w.text))
            spans.append((pos, pos + n))
            pos += n
        widen = Widening({}, {})
        extra, place_bonus, notes, names, seen = [], [], [], [], set()
        for m in query_vocabulary().mentions(" ".join(w.text for w in words)):
            covered = tuple(w for w, (a, b) in zip(words, spans) if a < m.end and b > m.start)
            if (m.facet, m.value, m.via, covered) in seen:
                continue  # "CLS CLS CLS…": a repeated word is widened once (linear, not quadratic)
            seen.add((m.facet, m.value, m.via, covered))
            alternatives = self._alternatives(m, notes)
            if m.facet in PLACES:  # a place counts as one typed word, its words sharing that weight
                widen.weights.update((w, PLACE_WEIGHT / len(covered)) for w in covered)
                place_bonus.extend(alternatives)
            elif len(covered) == 1 and m.via == ACRONYM:
                widen.alternatives.setdefault(covered[0], []).extend(alternatives)
            else:
                extra.extend(alternatives)
                if m.via == NAME and (acronym := _acronym(m)):
                    names.append((covered, acronym))
        return widen, extra, place_bonus, notes, names

    def _alternatives(self, m: Mention, notes: list[str]) -> list:
        vocab = vocabulary()
        out = []
        if m.facet in PLACES:
            out.append(self._tagged(m.facet, m.value))
            notes.append(f"{'lieu' if m.facet == 'region' else 'département'} : {vocab.label(m.facet, m.value)}")
        elif m.facet in ("dispositif", "acteur"):
            entry = vocab.entries[m.facet][m.value]
            out.append(self._tagged(m.facet, m.value))
            if m.via == ACRONYM and not entry.ambiguous:
                out.append(self._expansion(entry.names[0]))
                notes.append(f"{entry.label} → « {entry.names[0]} »")
            elif m.via == NAME and entry.acronyms:  # an ambiguous acronym too: the name says which it is
                out.append(self._expansion(entry.acronyms[0]))
                notes.append(f"« {entry.names[0]} » → {entry.acronyms[0]}")
            else:
                notes.append(f"dispositif : {entry.label}")
        elif m.facet == TABLE:
            expansion = query_vocabulary().expansions[m.value]
            out.append(self._expansion(expansion if m.via == ACRONYM else m.value))
            notes.append(f"{m.value} → « {expansion} »" if m.via == ACRONYM else f"« {expansion} » → {m.value}")
        return [q for q in out if q is not None]

    def _fields(self, fieldname, make, weight=1.0):
        """`make(field)` over the compiler's fields (or the one named), OR-ed, with field boosts."""
        fields = [fieldname] if fieldname and fieldname in self.fields else self.fields
        subs = []
        for f in fields:
            q = make(f)
            if q is not None:
                q.boost = FIELD_BOOSTS[f] * weight
                subs.append(q)
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def _tagged(self, facet: str, value: str):
        """A constant bonus for passages tagged with `value`; a place's, for the passages about it (the
        `places` field), not those that name it among many."""
        if facet not in self.tag_bonus:
            return None
        term = wq.Term("places", place_term(facet, value)) if facet in PLACES else wq.Term(facet, value)
        return wq.ConstantScoreQuery(term, self.tag_bonus[facet])

    def _expansion(self, text: str):
        """`text` as a phrase in every field, weighing like one typed term times EXPANSION_WEIGHT
        (a phrase's score adds up its terms', and an acronym is a single term)."""
        words = self.terms(text)
        return self._fields(None, lambda f: _phrase(f, words, 0), weight=EXPANSION_WEIGHT / max(1, len(words)))

    def _clauses(self, c: Clauses, widen, extra, top: bool = False):
        """Required (ET), optional (ranked OR) and excluded clauses, and restrictions; interrogative
        words ("comment", "quelles"…) are dropped from the optional ones unless nothing else is left."""
        optional_items = _ranked_items(c)
        restrictions = [q for q in (self._item(i, widen) for i in c.restrictions) if q is not None]
        if not top and c.filters:  # "(CLS region:PACA) OU CPTS": the group's own filters
            restrictions.append(_constant(to_filter(resolve_filters(Clauses(filters=c.filters)))))
        required = [q for q in (self._item(i, widen) for i in c.required) if q is not None]
        optional = [q for q in (self._item(i, widen) for i in optional_items) if q is not None]
        excluded = [q for q in (self._item(i, NO_WIDENING) for i in c.excluded) if q is not None]
        if required:
            positive = wq.And(required) if len(required) > 1 else required[0]
            if optional or extra:
                positive = wq.AndMaybe(positive, _ranked_or(optional + extra))
        elif optional:
            positive = _ranked_or(optional + extra)
        elif restrictions:
            positive = None
        elif excluded:  # "SAUF formation", "theme:jeunes SAUF region:PACA": every passage but those
            positive = self.every
        else:
            return None
        if restrictions:
            positive = _all(([positive] if positive is not None else []) + restrictions)
        if excluded:
            # Not AndNot: whoosh 2.7's AndNotMatcher lets an excluded first match through docs().
            positive = wq.And([positive, wq.Not(_any(excluded))])
        return positive

    def _item(self, item, widen):
        if isinstance(item, Word):
            if item in widen.dropped:
                return None
            q = self._word(item, widen.weights.get(item, 1.0))
            alternatives = widen.alternatives.get(item)
            if q is not None and alternatives:
                q = wq.Or([q, *alternatives])
            return q
        if isinstance(item, Phrase):
            return self._fields(item.field, lambda f: _phrase(f, self.terms(item.words), item.slop))
        if isinstance(item, Any):
            subs = [q for q in (self._item(i, widen) for i in item.items) if q is not None]
            return _any(subs) if subs else None
        if isinstance(item, Not):  # "CLS OU SAUF formation": the passages (never other entries) but those
            inner = self._item(item.item, NO_WIDENING)
            return wq.And([self.every, wq.Not(inner)]) if inner is not None else None
        if isinstance(item, Clauses):
            return self._clauses(item, widen, [])
        if isinstance(item, Filter):  # a facet clause under an operator: it restricts, it never scores
            value = vocabulary().resolve(item.facet, item.value)
            return _constant(wq.Term(item.facet, value))
        return None

    def _word(self, w: Word, weight: float = 1.0):
        if w.prefix:
            normalized = self.normalized(w.text)
            if len(normalized) != 1:
                return self._fields(w.field, lambda f: _phrase(f, self.terms(w.text), 0))
            prefixes = _truncation_prefixes(normalized[0], self.terms(w.text))
            # never a one-child Or: Whoosh drops its boost, and with it the field's weight
            return self._fields(w.field, lambda f: _any([ConstantPrefix(f, p) for p in prefixes]))
        words = self.terms(w.text)
        if not words:
            return None
        return self._fields(w.field, lambda f: _phrase(f, words, 0), weight)


MIN_STEM_PREFIX = 4  # letters a truncation's stem keeps to be used as a prefix ("sant" for santé*)


def _truncation_prefixes(normalized: str, stems: list[str]) -> list[str]:
    """`santé*` must find the indexed stem `sant`: the stem joins the normalised prefix when
    it only trims an ending (at most 2 letters) and keeps MIN_STEM_PREFIX letters, never when
    Snowball cuts a prefix short ("connai" -> "con", "décis" -> "dec" would expand to
    hundreds of words: décembre, déclaration…)."""
    out = [normalized]
    for stem in stems:
        if (stem != normalized and normalized.startswith(stem) and len(normalized) - len(stem) <= 2
                and len(stem) >= MIN_STEM_PREFIX):
            out.append(stem)
    return out


def _any(items):
    return items[0] if len(items) == 1 else wq.Or(items)


def _all(items):
    return items[0] if len(items) == 1 else wq.And(items)


def _constant(q):
    """A query that selects without adding to the score."""
    return wq.ConstantScoreQuery(q, 0.0)


def _ranked_or(items):
    """BM25 sums the clauses that match: no coordination factor, which ranked worse on the spf passages
    (docs/measures.md, Measured quality)."""
    return _any(items)


def _ranked_items(c: Clauses) -> list:
    """The optional clauses that rank: interrogative words left out, unless nothing else is left."""
    return [i for i in c.optional if not _is_question_word(i)] or list(c.optional)


def _acronym(m: Mention) -> str | None:
    """The acronym of a dispositif, acteur or expansion named in full (`m.via == NAME`), if it has one."""
    if m.facet == TABLE:
        return m.value
    entry = vocabulary().entries.get(m.facet, {}).get(m.value)
    return entry.acronyms[0] if entry is not None and entry.acronyms else None


def _is_question_word(item) -> bool:
    return isinstance(item, Word) and item.is_free and fold(item.text).strip("?!.,;:") in question_words()


def _phrase(fieldname, words, slop):
    """Words next to each other in order, or (`slop`: a typed "…"~N) in any order within N positions."""
    if not words:
        return None
    if len(words) == 1:
        return wq.Term(fieldname, words[0])
    return Near(fieldname, words, slop=slop) if slop else wq.Phrase(fieldname, words)


def to_filter(filters: dict[str, list[str]]) -> wq.Query | None:
    """OR within a facet, AND across facets; values must be canonical ids."""
    parts = []
    for facet, values in filters.items():
        if values:
            terms_ = [wq.Term(facet, v) for v in values]
            parts.append(terms_[0] if len(terms_) == 1 else wq.Or(terms_))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def resolve_filters(clauses: Clauses, **given) -> dict[str, list[str]]:
    """Canonical facet ids from keyword arguments (str or list) and from `region:`-style clauses."""
    vocab = vocabulary()
    out: dict[str, list[str]] = {f: [] for f in NAMES}
    for facet, values in given.items():
        if values is None:
            continue
        for v in [values] if isinstance(values, str) else values:
            out[facet].append(vocab.resolve(facet, v))
    for f in clauses.filters:
        out[f.facet].append(vocab.resolve(f.facet, f.value))
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}
