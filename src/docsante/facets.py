"""The facets, in one table.

Every part that names facets derives them from FACETS: the index schema (one stored,
comma-separated keyword field each), the query language's prefixes (`region:`), the CLI's
options (`--region`), the API's keywords (`region=`), the web page's parameters and sidebar,
saved searches, the hits' fields and JSON keys, facet counts and exports. Adding a facet is
adding a row here, and its tagger.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    name: str       # the stored field, API keyword, web parameter and CLI option (--name)
    key: str        # a hit's attribute, JSON key and export column
    label: str      # the heading of its counts, in French ("Régions")
    one: str        # what one value is, in French ("région"): filters' chips, saved searches
    help: str       # the CLI option's help
    prefixes: tuple[str, ...]  # query prefixes, folded ("region:PACA", "annee:2022")
    unknown: str    # the start of the message for a value that names nothing ("Région inconnue")
    tagged: bool = True         # read from each passage's text; else derived from the document's date
    subject: bool = False       # its values say what a passage is about: RIS keywords, Atom categories
    timeline: bool = False      # values listed newest first rather than by count
    document: bool = False      # also decided for the whole document (its territory, its type): listed by
    # `docsante documents`, written in its CSV and corrected by a folder's metadonnees.csv


FACETS: tuple[Facet, ...] = (
    Facet("region", "region", "Régions", "région",
          "Région : nom, sigle, ancienne région ou département (ex. PACA, 13).",
          ("region",), "Région inconnue", subject=True, document=True),
    Facet("departement", "departement", "Départements", "département",
          "Département : nom, numéro ou préfecture (ex. Moselle, 57, Metz).",
          ("departement",), "Département inconnu", subject=True, document=True),
    Facet("dispositif", "dispositifs", "Dispositifs", "dispositif",
          "Dispositif : sigle ou nom (ex. CLS, « contrat local de santé »).",
          ("dispositif",), "Dispositif inconnu", subject=True),
    Facet("acteur", "acteurs", "Acteurs", "acteur",
          "Acteur : institution, sigle ou nom (ex. ARS, IREPS, CPAM).",
          ("acteur",), "Acteur inconnu"),
    Facet("theme", "themes", "Thèmes", "thème",
          "Thème (ex. « santé mentale »).",
          ("theme",), "Thème inconnu", subject=True),
    Facet("type", "type", "Types de document", "type de document",
          "Type de document (ex. contrat, « rapport d'activité », « appel à projets »).",
          ("type",), "Type de document inconnu", document=True),
    Facet("year", "year", "Années", "année",
          "Année du document (ex. 2022).",
          ("annee", "year"), "Année invalide", tagged=False, timeline=True),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
TAGGED: tuple[Facet, ...] = tuple(f for f in FACETS if f.tagged)
SUBJECTS: tuple[Facet, ...] = tuple(f for f in TAGGED if f.subject)
DOCUMENT_FACETS: tuple[Facet, ...] = tuple(f for f in TAGGED if f.document)
PREFIXES: dict[str, str] = {p: f.name for f in FACETS for p in f.prefixes}
