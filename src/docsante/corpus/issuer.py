"""A document's issuer: the body that published it, decided from the document itself (the
bodies a line names: vocab/bodies.py). In this order:

1. its author's metadata (a JSONL record's `issuer`);
2. for a contract or a convention (or a part of one: its title names a contract), its
   signatories, the collectivity first ("Ville de Metz ; ARS Grand Est"): the parties it opens
   with ("Entre la Ville de Metz… et l'ARS…", "Le contrat est signé entre…") or the signatures
   it closes with ("Pour la Ville de Metz, le Maire");
3. an author line or phrase at its start ("Auteur : ORS Grand Est", "Ce document, rédigé par
   l'IREPS de Corse…");
4. a letterhead: a short line above its first heading after the title that begins with a body's
   name ("VILLE DE GRENOBLE – Direction de la santé");
5. a signature at its end ("Le Directeur général de l'ARS Grand Est");
6. for a web page, its site's owner (the page's og:site_name, or an ARS site's address:
   grand-est.ars.sante.fr);
7. a body its title names, unless as a partner ("… de l'IREPS Bretagne", "CPTS du Pays de
   Morlaix – projet de santé"; not "… avec l'ARS").

A body the text only mentions ("l'ARS finance…") is not the issuer: when nothing above names
one, the issuer is empty. Several bodies are joined by ISSUERS_JOIN.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..vocab.bodies import Body, bodies
from ..vocab.mentions import text_mentions
from ..vocab.vocabulary import alias_key, small_letters, vocabulary
from .blocks import opening
from .document import HEADING, Block, Document

ISSUERS_JOIN = " ; "  # between the signatories of a contract; RIS gives each its own AU line
CLOSING_CHARS = 1500  # the end read for signatures
LETTERHEAD_BLOCKS = 6  # the first blocks where a letterhead stands
LETTERHEAD_MAX_WORDS = 14
CONTRACT_TYPES = frozenset({"contrat", "convention"})
# an author line ("Auteurs :", "Rédaction :") or an author phrase anywhere in a line of the opening
# ("Ce document, rédigé par l'IREPS de Corse…", "Une publication de l'ORS"): the body after it (see _author)
AUTHOR_LINE = re.compile(r"\W*(?:auteurs?|r[ée]daction|[ée]diteur)\b", re.I)
BY = re.compile(r"par\b")  # in small letters: 2.3 µs a legal record, 6.0 with re.I
AUTHOR_PARTICIPLE = re.compile(r"\b(?:r[ée]dig[ée]e?|r[ée]alis[ée]e?|[ée]labor[ée]e?|[ée]dit[ée]e?|publi[ée]e?"
                               r"|produite?|con[çc]ue?|coordonn[ée]e?)s?\s+\Z", re.I)  # before "par"
PARTICIPLE_CHARS = 40  # before "par", where its participle is looked for
AUTHOR_PHRASE = re.compile(r"\bune\s+publication\s+d|\bsous\s+la\s+direction\s+d", re.I)
# where a contract names its parties: "Entre la Ville de Metz…", "et la Préfecture…", "signé entre…", "Il lie…"
PARTIES = re.compile(r"^\W*(?:et|les\s+(?:parties|signataires)|signataires)\b|\b(?:entre|lie)\b", re.I)
SIGNATURE_LINE = re.compile(
    r"^\W*(?:pour\s+(?:la|le|l['’]|les)\s*|(?:le|la)\s+(?:maire|pr[ée]f[èe]te?|pr[ée]sidente?|vice-pr[ée]sidente?"
    r"|directeur|directrice|d[ée]l[ée]gu[ée]e?|adjointe?|coordinat(?:eur|rice)|responsable)\b|sign[ée]\s*:)", re.I)
PARTNER_BEFORE = re.compile(r"\b(?:avec|pour|entre|et|aupr[èe]s\s+d[eu'’]|soutenu\s+par|financ[ée]e?\s+par)\W*"
                            r"(?:l[ae]?|les|l['’])?\s*$", re.I)
ARS_SITE = re.compile(r"^(?:www\.)?([a-z-]+)\.ars\.sante\.fr$")


def issuer(doc: Document, blocks: list[Block], title: str, kind: str, regions: list[str]) -> str:
    """The issuer of a document, given its blocks ready to chunk (a printed line rejoined to its
    paragraph: "DREAL et la Région, qui…" is no letterhead), title, type and regions (ids)."""
    if doc.issuer:
        return doc.issuer
    region = regions[0] if len(regions) == 1 else None
    first, closing = opening(blocks), opening(blocks[::-1], CLOSING_CHARS)[::-1]
    if kind in CONTRACT_TYPES or CONTRACT_TYPES & {k for _, _, k in text_mentions().title_kinds(title)}:
        parties = [b for text in first if (m := PARTIES.search(text)) for b in bodies(text, region) if b.start >= m.end()]
        parties += [b for text in closing if SIGNATURE_LINE.match(text) for b in bodies(text, region)[:1]]
        if parties:
            return _join(parties)
    for text in first:
        if (end := _author(text)) is not None and (named := [b for b in bodies(text, region) if b.start >= end]):
            return named[0].name
    for text in _letterhead(blocks):
        if len(text.split()) <= LETTERHEAD_MAX_WORDS and (named := bodies(text, region)) and named[0].start == 0:
            return named[0].name
    for text in reversed(closing):
        if SIGNATURE_LINE.match(text) and (named := bodies(text, region)):
            return named[0].name
    if owner := _site_owner(doc):
        return owner
    for body in bodies(title, region):
        if not PARTNER_BEFORE.search(title[:body.start]):
            return body.name
    return ""


def _author(line: str) -> int | None:
    """Where the first author line or phrase of a line ends, else None. The phrase "<participle> par"
    is found from each "par" (one pattern with the participles first tried them at every position of
    the line: 34 µs a legal paragraph, 7 now)."""
    if m := AUTHOR_LINE.match(line):
        return m.end()
    found, lower = None, small_letters(line)
    for m in BY.finditer(lower):
        at = m.start()
        participle = at and line[at - 1].isspace() and AUTHOR_PARTICIPLE.search(line, max(0, at - PARTICIPLE_CHARS), at)
        if participle:
            found = (participle.start(), m.end())
            break
    if ("publication" in lower or "direction" in lower) and (m := AUTHOR_PHRASE.search(line)) \
            and (found is None or m.start() < found[0]):
        return m.end()
    return found[1] if found else None


def _site_owner(doc: Document) -> str:
    """A web page's site's owner: its og:site_name (as a body's name when it is one: "Agence
    régionale de santé Grand Est" is the ARS Grand Est), else the region of an ARS site's address."""
    if doc.site:
        named = bodies(doc.site)
        return named[0].name if len(named) == 1 and named[0].start == 0 else " ".join(doc.site.split())
    if region := ars_site_region(doc.url):
        vocab = vocabulary()
        return f"{vocab.entries['acteur']['ars'].label} {vocab.label('region', region)}"
    return ""


def ars_site_region(url: str) -> str | None:
    """The region of an ARS site's address ("https://www.grand-est.ars.sante.fr/…": grand-est), else None."""
    m = ARS_SITE.match(urlsplit(url).hostname or "") if url else None
    if not m:
        return None
    written = m[1].replace("-", "")  # "grand-est", "iledefrance", "lareunion"
    return next((e.id for e in vocabulary().entries["region"].values()
                 for form in (e.id, e.label, *e.forms) if alias_key(form).replace(" ", "") == written), None)


def _join(named: list[Body]) -> str:
    """Bodies' names, once each, the collectivities first."""
    names = dict.fromkeys(b.name for b in sorted(named, key=lambda b: b.kind != "collectivite"))
    return ISSUERS_JOIN.join(names)


def _letterhead(blocks: list[Block]) -> list[str]:
    """The lines a letterhead may be: the first LETTERHEAD_BLOCKS, above the document's first heading
    after its title (a letterhead stands on its first page, not in its first section)."""
    out, headings = [], 0
    for b in blocks[:LETTERHEAD_BLOCKS]:
        headings += b.kind == HEADING
        if headings > 1:
            break
        if text := " ".join(b.text.split()):
            out.append(text)
    return out
