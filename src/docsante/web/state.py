"""A search's state as the page and the API carry it: query, facet filters, dates and order.

The whole state lives in the URL. Its parameters are derived from the facet table
(facets.py): one repeatable parameter per facet, named after it.
"""

from __future__ import annotations

import inspect
from urllib.parse import quote, urlencode

from fastapi import Query

from ..facets import FACETS
from ..errors import QueryError
from ..search.dates import SORTS
from ..search.engine import MAX_QUERY_CHARS
from ..vocab.vocabulary import vocabulary

DATE_PARAMS = {"since": "depuis le", "until": "jusqu'au", "new_since": "indexé depuis le"}
DATE_HELP = {"since": "Documents datés de ce jour au moins (AAAA, AAAA-MM ou AAAA-MM-JJ)",
             "until": "Documents datés de ce jour au plus (AAAA, AAAA-MM ou AAAA-MM-JJ)",
             "new_since": "Documents indexés (nouveaux ou modifiés) depuis ce jour ou cette heure"}


GROUPS = {"passage": "passages", "document": "documents"}  # group=: what a search ranks
DUPLICATES = ("fold", "show")  # duplicates=: copies listed under the first hit with their text, or each shown


class SearchState:
    """The query, filters and order every search endpoint takes (facet filters repeatable, any alias),
    and how results are shown: passages or documents (`group`), copies folded or shown (`duplicates`)."""

    def __init__(self, q: str = "", sort: str = "pertinence", group: str = "passage", duplicates: str = "fold",
                 **values):
        for name, value, allowed in (("group", group, GROUPS), ("duplicates", duplicates, DUPLICATES)):
            if value not in allowed:
                raise QueryError(f"« {name} » doit valoir {' ou '.join(allowed)}.")
        self.q, self.sort, self.group, self.duplicates = q, sort, group, duplicates
        self.facets = {f.name: list(values.get(f.name) or []) for f in FACETS}
        self.dates = {name: values.get(name) or "" for name in DATE_PARAMS}

    def as_dict(self) -> dict:
        return {"q": self.q, **self.facets, **self.dates, "sort": self.sort, "group": self.group,
                "duplicates": self.duplicates}

    def scope(self) -> dict:
        """The keyword arguments of Index.search that choose, order and show passages."""
        return {**{k: v or None for k, v in self.facets.items()}, **{k: v or None for k, v in self.dates.items()},
                "sort": self.sort, "by_document": self.group == "document", "show_duplicates": self.duplicates == "show"}


def search_state(**values) -> SearchState:
    """The FastAPI dependency that reads a SearchState from the query string."""
    return SearchState(**values)


search_state.__signature__ = inspect.Signature([  # what FastAPI reads: one parameter per facet
    inspect.Parameter("q", inspect.Parameter.KEYWORD_ONLY, annotation=str,
                      default=Query("", max_length=MAX_QUERY_CHARS, description="Requête (langage de requête de docsante)")),
    *(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=list[str] | None,
                        default=Query(None, description=f"{f.help} Répétable.")) for f in FACETS),
    *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str, default=Query("", description=help_))
      for name, help_ in DATE_HELP.items()),
    inspect.Parameter("sort", inspect.Parameter.KEYWORD_ONLY, annotation=str,
                      default=Query("pertinence", description="Ordre : " + ", ".join(SORTS))),
    inspect.Parameter("group", inspect.Parameter.KEYWORD_ONLY, annotation=str,
                      default=Query("passage", description="Classer des passages (passage) ou des documents (document), "
                                                           "chacun avec ses meilleurs passages")),
    inspect.Parameter("duplicates", inspect.Parameter.KEYWORD_ONLY, annotation=str,
                      default=Query("fold", description="Copies d'un même texte : listées sous le premier résultat "
                                                        "(fold) ou montrées chacune (show)")),
])


def params(state: dict) -> list[tuple[str, str]]:
    out = [("q", state["q"])] if state["q"] else []
    for facet in FACETS:
        out += [(facet.name, v) for v in state[facet.name]]
    out += [(name, state[name]) for name in DATE_PARAMS if state[name]]
    out += [("sort", state["sort"])] if state["sort"] != "pertinence" else []
    out += [("group", state["group"])] if state.get("group", "passage") != "passage" else []
    return out + ([("duplicates", state["duplicates"])] if state.get("duplicates", "fold") != "fold" else [])


def page_url(state: dict, toggle: tuple[str, str] | None = None, page: int | None = None, q: str | None = None,
             **change) -> str:
    """The search page's URL with a filter toggled, another page, another query, or other dates
    and order (`change`: since=…, sort=…): the whole state is in the URL."""
    state = {k: list(v) if isinstance(v, list) else v for k, v in state.items()} | change
    if q is not None:
        state["q"] = q
    if toggle:
        facet, value = toggle
        vocab = vocabulary()
        same = [v for v in state[facet] if (vocab.try_resolve(facet, v) or v) == value]
        state[facet] = [v for v in state[facet] if v not in same] if same else [*state[facet], value]
    query = params(state) + ([("page", str(page))] if page and page > 1 else [])
    return "/?" + urlencode(query) if query else "/"


def chips(state: dict) -> list[dict]:
    """Active filters, each with its label and the URL that removes it."""
    vocab = vocabulary()
    out = []
    for facet in FACETS:
        for raw in state[facet.name]:
            value = vocab.try_resolve(facet.name, raw) or raw
            out.append({"facet": facet.label, "label": vocab.label(facet.name, value),
                        "remove": page_url(state, toggle=(facet.name, value))})
    for name, label in DATE_PARAMS.items():
        if state[name]:
            out.append({"facet": label, "label": f"{label} {state[name]}", "remove": page_url(state, **{name: ""})})
    return out


def passage_url(passage_id: str, state: dict | None = None, page: int = 1) -> str:
    """A passage's page; with the search it was found by (`state`, on its `page`), whose words it
    highlights and to which it links back."""
    query = urlencode(params(state) + ([("page", str(page))] if page > 1 else [])) if state else ""
    return "/passage/" + quote(passage_id, safe="/") + (f"?{query}" if query else "")


def document_url(doc_id: str) -> str:
    return "/document/" + quote(doc_id, safe="/")


def http_url(url: str) -> str | None:
    """Only http(s) links are links; anything else (javascript:, data:…) is shown as text."""
    return url if url.lower().startswith(("http://", "https://")) else None
