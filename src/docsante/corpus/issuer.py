"""A document's issuer: the body that published it, decided from the document itself (the
bodies a line names: vocab/bodies.py). In this order:

1. its author's metadata (a JSONL record's `issuer`);
2. for a contract or a convention, its signatories, the collectivity first ("Ville de Metz ;
   ARS Grand Est"): the parties it opens with ("Entre la Ville de Metz… et l'ARS…") or the
   signatures it closes with ("Pour la Ville de Metz, le Maire");
3. an author line at its start ("Rédigé par l'IREPS Bretagne", "Auteur : ORS Grand Est");
4. a letterhead: a short line at its start that begins with a body's name ("VILLE DE GRENOBLE –
   Direction de la santé");
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
from ..vocab.vocabulary import vocabulary
from .document import Block, Document

ISSUERS_JOIN = " ; "  # between the signatories of a contract; RIS gives each its own AU line
OPENING_CHARS = 800  # the start of a document read for its author line and letterhead
CLOSING_CHARS = 1500  # the end read for signatures
LETTERHEAD_BLOCKS = 6  # the first blocks where a letterhead stands
LETTERHEAD_MAX_WORDS = 14
CONTRACT_TYPES = frozenset({"contrat", "convention"})
AUTHOR_LINE = re.compile(
    r"^\W*(?:auteurs?|r[ée]daction|[ée]diteur|(?:document\s+|rapport\s+|guide\s+|[ée]tude\s+)?"
    r"(?:r[ée]dig[ée]e?|r[ée]alis[ée]e?|[ée]labor[ée]e?|[ée]dit[ée]e?|publi[ée]e?|produite?|port[ée]e?|"
    r"coordonn[ée]e?|propos[ée]e?)s?\s+par|une\s+publication\s+d|sous\s+la\s+direction\s+d)", re.I)
PARTIES_LINE = re.compile(r"^\W*(?:entre\b|et\b|les\s+(?:parties|signataires)|signataires|il\s+est\s+convenu\s+entre)",
                          re.I)
SIGNATURE_LINE = re.compile(
    r"^\W*(?:pour\s+(?:la|le|l['’]|les)\s*|(?:le|la)\s+(?:maire|pr[ée]f[èe]te?|pr[ée]sidente?|vice-pr[ée]sidente?"
    r"|directeur|directrice|d[ée]l[ée]gu[ée]e?|adjointe?|coordinat(?:eur|rice)|responsable)\b|sign[ée]\s*:)", re.I)
PARTNER_BEFORE = re.compile(r"\b(?:avec|pour|entre|et|aupr[èe]s\s+d[eu'’]|soutenu\s+par|financ[ée]e?\s+par)\W*"
                            r"(?:l[ae]?|les|l['’])?\s*$", re.I)
ARS_SITE = re.compile(r"^(?:www\.)?([a-z-]+)\.ars\.sante\.fr$")


def issuer(doc: Document, title: str, kind: str, regions: list[str]) -> str:
    """The issuer of a document as read (its raw blocks: a letterhead repeated on every page is
    still there), given its title, type and regions (ids)."""
    if doc.issuer:
        return doc.issuer
    region = regions[0] if len(regions) == 1 else None
    opening, closing = _opening(doc.blocks), _closing(doc.blocks)
    if kind in CONTRACT_TYPES:
        parties = [b for text in opening if PARTIES_LINE.match(text) for b in bodies(text, region)]
        parties += [b for text in closing if SIGNATURE_LINE.match(text) for b in bodies(text, region)[:1]]
        if parties:
            return _join(parties)
    for text in opening:
        if AUTHOR_LINE.match(text) and (named := bodies(text, region)):
            return named[0].name
    for text in opening[:LETTERHEAD_BLOCKS]:
        if len(text.split()) <= LETTERHEAD_MAX_WORDS and (named := bodies(text, region)) and named[0].start == 0:
            return named[0].name
    for text in reversed(closing):
        if SIGNATURE_LINE.match(text) and (named := bodies(text, region)):
            return named[0].name
    if owner := site_owner(doc):
        return owner
    for body in bodies(title, region):
        if not PARTNER_BEFORE.search(title[:body.start]):
            return body.name
    return ""


def site_owner(doc: Document) -> str:
    """A web page's site's owner: its og:site_name (as a body's name when it is one: "Agence
    régionale de santé Grand Est" is the ARS Grand Est), else the region of an ARS site's address."""
    if doc.site:
        named = bodies(doc.site)
        return named[0].name if len(named) == 1 and named[0].start == 0 else " ".join(doc.site.split())
    host = urlsplit(doc.url).hostname or ""
    if m := ARS_SITE.match(host):
        vocab = vocabulary()
        if region := vocab.try_resolve("region", m[1].replace("-", " ")):
            return f"{vocab.entries['acteur']['ars'].label} {vocab.label('region', region)}"
    return ""


def _join(named: list[Body]) -> str:
    """Bodies' names, once each, the collectivities first."""
    names = dict.fromkeys(b.name for b in sorted(named, key=lambda b: b.kind != "collectivite"))
    return ISSUERS_JOIN.join(names)


def _opening(blocks: list[Block]) -> list[str]:
    out, seen = [], 0
    for b in blocks:
        if seen > OPENING_CHARS:
            break
        if text := " ".join(b.text.split()):
            out.append(text)
            seen += len(text)
    return out


def _closing(blocks: list[Block]) -> list[str]:
    out, seen = [], 0
    for b in reversed(blocks):
        if seen > CLOSING_CHARS:
            break
        if text := " ".join(b.text.split()):
            out.append(text)
            seen += len(text)
    return out[::-1]
