"""The query language, parsed into a small tree whose str() prints it back.

    CPTS ET "exercice coordonné"~2 SAUF formation
    (PRS OU PRSE) region:PACA addicto*

- juxtaposed clauses form a ranked OR (passages matching more of them rank higher);
- ET / AND makes the clauses on both sides required; SAUF / NON / NOT / a leading
  `-` excludes; OU / OR joins alternatives; operators count only in capitals;
- "phrase" and "phrase"~N (words at most N positions apart), word* (truncation); French and
  typographic quotes (« phrase », “phrase”) are quotes too;
- titre:, section:, texte: restrict a clause to one field; a facet's prefixes (facets.py:
  region:, dispositif:, acteur:, theme: or thème:, annee: or année: or year:) filter by facet.

Malformed input never fails: stray quotes, parentheses and operators are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..facets import PREFIXES
from ..vocab.vocabulary import fold
from ..index.schema import QUERY_FIELDS

OPERATORS = {"ET": "AND", "AND": "AND", "OU": "OR", "OR": "OR", "SAUF": "NOT", "NON": "NOT", "NOT": "NOT"}
LEXER = re.compile(r'"(?P<phrase>[^"]*)"(?:~(?P<slop>\d+))?|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)')
QUOTES = str.maketrans({q: '"' for q in "«»“”„"})  # what a French keyboard or a word processor types as quotes
MAX_SLOP = 50
MAX_DEPTH = 16  # nested parentheses; deeper ones are dropped


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None
    prefix: bool = False

    def __str__(self):
        return f"{_field(self.field)}{self.text}{'*' if self.prefix else ''}"

    @property
    def is_free(self) -> bool:
        """Typed as plain text: no field restriction, no truncation."""
        return not self.field and not self.prefix


@dataclass(frozen=True)
class Phrase:
    words: str
    slop: int = 0
    field: str | None = None

    def __str__(self):
        return f'{_field(self.field)}"{self.words}"' + (f"~{self.slop}" if self.slop else "")


@dataclass(frozen=True)
class Filter:
    facet: str
    value: str

    def __str__(self):
        value = f'"{self.value}"' if re.search(r"[\s()]", self.value) else self.value
        return f"{self.facet}:{value}"


@dataclass(frozen=True)
class Not:
    item: object

    def __str__(self):
        return f"SAUF {self.item}"


@dataclass(frozen=True)
class Any:
    """Alternatives: at least one must match."""
    items: tuple

    def __str__(self):
        return "(" + " OU ".join(map(_group, self.items)) + ")"


@dataclass(frozen=True)
class Clauses:
    """A sequence of clauses: required ones (ET), optional ranked ones, excluded ones (Not)."""
    required: tuple = ()
    optional: tuple = ()
    excluded: tuple = ()
    filters: tuple = field(default=())       # facet clauses side by side: OR within a facet, AND across
    restrictions: tuple = field(default=())  # alternatives between facet values: one must hold; they never score

    def __str__(self):
        parts = []
        if self.required:
            parts.append(" ET ".join(_group(i) for i in self.required))
        parts += [_group(i) for i in self.optional]
        parts += [str(Not(i)) if not isinstance(i, Not) else str(i) for i in self.excluded]
        parts += [str(f) for f in (*self.restrictions, *self.filters)]
        return " ".join(parts)

    def is_empty(self):
        return not (self.required or self.optional or self.restrictions)

    def free_words(self) -> list["Word"]:
        """The plain words among the required and optional clauses, in order."""
        return [w for w in (*self.required, *self.optional) if isinstance(w, Word) and w.is_free]


FIELD_NAMES_FR = {"title": "titre", "text": "texte", "section": "section"}


def _field(name):
    return f"{FIELD_NAMES_FR[name]}:" if name else ""


def _group(item):
    parts = len(item.required) + len(item.optional) + len(item.excluded) + len(item.filters) + len(item.restrictions) \
        if isinstance(item, Clauses) else 0
    return f"({item})" if parts > 1 else str(item)


def _only_filters(item) -> bool:
    """`region:PACA OU region:Corse`: alternatives between facet values restrict, they do not rank."""
    return isinstance(item, Any) and all(isinstance(i, Filter) for i in item.items)


def parse(text: str) -> Clauses:
    """Parse a query; never raises."""
    text = "".join(ch if ch.isprintable() else " " for ch in text).translate(QUOTES)
    if text.count('"') % 2:
        text = text[::-1].replace('"', " ", 1)[::-1]  # drop the unmatched last quote
    tokens = _bounded([t for t in map(_token, LEXER.finditer(text)) if t])
    return _Parser(tokens).clauses(top=True)


def _bounded(tokens: list[tuple]) -> list[tuple]:
    """Tokens whose nesting the recursive parser can always follow: parentheses deeper than
    MAX_DEPTH are dropped with their closing ones, and a run of negations is one or none."""
    out: list[tuple] = []
    depth = dropped = 0
    for t in tokens:
        if t[0] == "open":
            if depth >= MAX_DEPTH:
                dropped += 1
                continue
            depth += 1
        elif t[0] == "close":
            if dropped:
                dropped -= 1
                continue
            depth = max(0, depth - 1)
        elif t == ("op", "NOT") and out and out[-1] == ("op", "NOT"):
            out.pop()  # SAUF SAUF x is x
            continue
        out.append(t)
    return out


def _token(m):
    if m.group("phrase") is not None:
        words = " ".join(m.group("phrase").split())
        return ("phrase", words, min(int(m.group("slop") or 0), MAX_SLOP)) if words else None
    if m.group("open"):
        return ("open",)
    if m.group("close"):
        return ("close",)
    word = m.group("word")
    if word in OPERATORS:
        return ("op", OPERATORS[word])
    return ("word", word)


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def clauses(self, top=False) -> Clauses:
        """Facet clauses written side by side are filters (OR within a facet, AND across
        facets, as the options); joined by ET or OU, or after SAUF, they obey the operator
        like any clause (`theme:a ET theme:b` needs both)."""
        required, optional, excluded, filters, restrictions = [], [], [], [], []
        pending_and = False
        last = None  # the list the previous clause went to
        while (t := self.peek()) is not None:
            if t[0] == "close":
                self.take()
                if top:
                    continue  # stray ")"
                break
            if t[0] == "op" and t[1] == "AND":
                self.take()
                if last is not None and last is not required and last is not excluded and not pending_and:
                    required.append(last.pop())
                pending_and = True
                continue
            negate = False
            if t[0] == "op" and t[1] == "NOT":
                self.take()
                negate = True
            item = self.alternatives()
            if item is None:
                continue
            if negate or isinstance(item, Not):
                last = excluded
                item = item.item if isinstance(item, Not) else item
            elif pending_and:
                last = required
            elif _only_filters(item):
                last = restrictions
            elif isinstance(item, Filter):
                last = filters
            else:
                last = optional
            last.append(item)
            pending_and = False
        return Clauses(tuple(required), tuple(optional), tuple(excluded), tuple(filters), tuple(restrictions))

    def alternatives(self):
        items = [self.unary()]
        while (t := self.peek()) is not None and t[0] == "op" and t[1] == "OR":
            self.take()
            items.append(self.unary())
        items = [i for i in items if i is not None]
        if not items:
            return None
        return items[0] if len(items) == 1 else Any(tuple(items))

    def unary(self):
        t = self.peek()
        if t is None:
            return None
        if t[0] == "op":
            self.take()
            if t[1] == "NOT":
                inner = self.unary()
                return Not(inner) if inner is not None else None
            return None  # lone AND/OR where a clause was expected
        if t[0] == "open":
            self.take()
            inner = self.clauses()
            if inner.is_empty() and not inner.filters:
                return None
            return inner
        if t[0] == "close":
            return None
        self.take()
        if t[0] == "phrase":
            return Phrase(t[1], t[2])
        return self.word(t[1])

    def word(self, raw: str):
        stripped = raw.lstrip("-")
        if stripped != raw and stripped:
            inner = self.word(stripped)
            negated = (len(raw) - len(stripped)) % 2 == 1  # --mot is mot
            return Not(inner) if negated and inner is not None else inner
        name, sep, value = raw.partition(":")
        key = fold(name)
        if sep and key in PREFIXES:
            value = value or self._phrase_value()
            return Filter(PREFIXES[key], value) if value else None
        if sep and key in QUERY_FIELDS:
            fieldname = QUERY_FIELDS[key]
            if not value:
                nxt = self.peek()
                if nxt and nxt[0] == "phrase":
                    self.take()
                    return Phrase(nxt[1], nxt[2], fieldname)
                return None
            return self._plain(value, fieldname)
        return self._plain(raw, None)

    def _phrase_value(self):
        nxt = self.peek()
        if nxt and nxt[0] == "phrase":
            self.take()
            return nxt[1]
        return ""

    @staticmethod
    def _plain(raw: str, fieldname):
        prefix = raw.endswith("*")
        text = raw.strip("*")
        if not re.search(r"\w", text):
            return None
        return Word(text, fieldname, prefix and len(text) >= 2)


