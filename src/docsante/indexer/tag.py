"""Tag the passages of one document with regions, départements, dispositifs, acteurs, themes and type.

What a text names (places, dispositifs, acteurs, acronyms a document redefines) is read by
vocab/mentions.py; the document's own territory is decided with the whole document
(corpus/finish.py). Here are the rules that make tags of mentions:
- a passage's regions and départements are its document's and those it names itself; its
  type is its document's;
- ambiguous acronyms (CPS, ETP, ASV…) count only in a document that also names the
  dispositif in full; dispositifs its title names pass to all its passages;
- acteurs (institutions: ARS, IREPS, CPAM…) are named and matched as dispositifs are,
  then kept in a facet of their own;
- a theme needs two pieces of evidence (distinct triggers, a trigger of several words,
  said twice, or in the section heading counts twice; a dispositif whose name holds a
  trigger counts once, a related one once).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from operator import attrgetter

from ..corpus.document import Document, heading_of
from ..vocab.match import Matcher, Tok, tokens
from ..vocab.mentions import TextMentions, text_mentions
from ..vocab.vocabulary import Vocabulary, vocabulary
from .chunk import Passage

THEME_MIN_EVIDENCE = 2  # points a theme needs (see Tagger.themes_of)
START = attrgetter("start")  # a token's, by which a text's tokens are in order


class Tagger:
    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or vocabulary()
        self.mentions = text_mentions() if vocab is None else TextMentions(vocab)
        self.facet_of = self.mentions.facet_of
        self.themes = Matcher()
        for e in self.vocab.entries["theme"].values():
            for f in e.forms:
                self.themes.add(f, e.id)
        named_entries = self.mentions.entries
        self.theme_of_disp: dict[str, set[str]] = {}
        for e in named_entries:
            for t in e.themes:
                self.theme_of_disp.setdefault(e.id, set()).add(t)
        for e in self.vocab.entries["theme"].values():
            for d in e.themes:
                self.theme_of_disp.setdefault(d, set()).add(e.id)
        # a dispositif whose very name holds a theme's trigger (CLSM: "santé mentale") is about that theme
        self.intrinsic = {e.id: {(t, form) for n in e.names for t, form in self._trigger_forms(tokens(n))}
                          for e in named_entries}

    def tag(self, passages: list[Passage], doc: Document) -> None:
        """Set the tags of the passages of one finished document (corpus/finish.py), in place."""
        if not passages:
            return
        title = doc.title
        texts = [f"{p.section}\n{p.text}" for p in passages]
        toks = [tokens(t) for t in texts]
        title_toks = tokens(title)
        mentions = self.mentions
        redefined = mentions.redefined([title, *texts])
        disp_hits = [[h for h in mentions.dispositif_matches(tk) if h[2] not in redefined] for tk in toks]
        named = {d for hits in disp_hits for sure, d, _ in hits if sure}
        title_hits = mentions.dispositif_matches(title_toks)
        named |= {d for sure, d, _ in title_hits if sure}
        # what the whole document is about: the dispositifs its title names pass to all its passages
        # (its headings pass theirs down through each passage's heading path, read with its text)
        inherited = {d for _, d, a in title_hits if a not in redefined and d in named and self.facet_of[d] == "dispositif"}
        # a title naming one theme heads every passage; one naming several ("Vaccination et arboviroses")
        # heads each section of one of them
        title_heading = list(title_toks) if len({t for t, _ in self._trigger_forms(title_toks)}) <= 1 else []
        for p, text, hits, tk in zip(passages, texts, disp_hits, toks):
            here = {d for sure, d, _ in hits if sure or d in named}
            heading_end = len(p.section)
            # the path's headings that repeat the title (a page's <h1>) count as the title does, not twice
            own = heading_of(p.section, title)
            heading_start = heading_end - len(own) if p.section.endswith(own) else 0
            places = mentions.places(text)
            p.tags = {"region": sorted({*doc.tags.get("region", ()), *(place.region for place in places)}),
                      "departement": sorted({*doc.tags.get("departement", ()),
                                             *(place.departement for place in places if place.departement)}),
                      "type": list(doc.tags.get("type", ())),
                      "dispositif": sorted(d for d in here | inherited if self.facet_of[d] == "dispositif"),
                      "acteur": sorted(d for d in here if self.facet_of[d] == "acteur"),
                      # the title heads every passage: its theme triggers count as a heading's; related
                      # themes come only from what the passage itself names
                      "theme": self.themes_of(p, tk[bisect_right(tk, heading_end, key=START):],
                                              [*title_heading, *tk[bisect_left(tk, heading_start, key=START):
                                                                   bisect_left(tk, heading_end, key=START)]],
                                              named=sorted(here))}

    def _trigger_forms(self, toks: list[Tok]) -> set[tuple[str, tuple[str, ...]]]:
        """(theme, trigger form) for each distinct trigger found."""
        return {(theme, tuple(t.key for t in toks[i:j])) for i, j, theme in self.themes.find(toks)}

    def themes_of(self, p: Passage, text_toks: list[Tok] | None = None, heading_toks: list[Tok] | None = None,
                  named: list[str] | None = None) -> list[str]:
        """Themes with enough evidence: distinct triggers in the text (1 each, 2 for a trigger
        of several words, specific enough on its own: "prévention du suicide", or said twice: the
        passage comes back to it), in the heading
        (2 each), a dispositif or acteur the passage names whose name holds a trigger (1: CLSM
        in a list of partners is not a passage about mental health), other related ones (1 in all)."""
        text_toks = tokens(p.text) if text_toks is None else text_toks
        heading_toks = tokens(p.section) if heading_toks is None else heading_toks
        evidence: Counter[str] = Counter()
        found = [(theme, tuple(t.key for t in text_toks[i:j])) for i, j, theme in self.themes.find(text_toks)]
        in_text, repeated = set(found), Counter(form for _, form in found)
        for theme, form in in_text:
            evidence[theme] += 2 if len(form) > 1 or repeated[form] > 1 else 1
        for theme in {t for t, _ in self._trigger_forms(heading_toks)}:
            evidence[theme] += 2
        named = (*p.tags.get("dispositif", ()), *p.tags.get("acteur", ())) if named is None else named
        intrinsic = {tf for d in named for tf in self.intrinsic.get(d, ())}
        for theme, _ in intrinsic - in_text:  # a trigger form counts once, named or implied
            evidence[theme] += 1
        intrinsic_themes = {t for t, _ in intrinsic}
        for theme in {t for d in named for t in self.theme_of_disp.get(d, ())} - intrinsic_themes:
            evidence[theme] += 1
        return sorted(t for t, n in evidence.items() if n >= THEME_MIN_EVIDENCE)
