"""The HTML pages: search and passage."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..errors import DocsanteError, QueryError
from ..facets import FACETS
from ..render.text import count_line, french_date
from ..search.dates import period
from ..search.engine import MAX_OFFSET, Index
from .state import DATE_PARAMS, SearchState, chips, http_url, page_url, params, passage_url, search_state

PAGE_SIZE = 10
SORTS_FR = {"pertinence": "pertinence", "date": "date du document", "ajout": "date d'ajout"}

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.autoescape = True
templates.env.filters["date_fr"] = french_date
templates.env.globals["count_line"] = count_line


class BadRequest(DocsanteError):
    """A parameter out of bounds: 400."""


def index_of(request: Request) -> Index:
    """The index the application serves (web/app.py)."""
    return request.app.state.index


router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def search_page(request: Request, state: SearchState = Depends(search_state), page: int = 1,
                index: Index = Depends(index_of)):
    if page < 1 or (page - 1) * PAGE_SIZE > MAX_OFFSET:
        raise BadRequest(f"« page » doit être entre 1 et {MAX_OFFSET // PAGE_SIZE + 1}.")
    current = state.as_dict()
    date_errors = {}  # a date that reads as none: said beside its field, the search run without it
    for name, value in state.dates.items():
        try:
            period(**{name: value or None})
        except QueryError as e:
            date_errors[name] = str(e)
    scope = {**state.scope(), **{name: None for name in date_errors}}
    results = index.search(state.q, **scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    last_page = max(1, -(-results.total // PAGE_SIZE))
    return templates.TemplateResponse(request, "search.html", {
        "results": results, "state": current, "page": page, "last_page": last_page,
        "facets": FACETS, "url": lambda **change: page_url(current, **change),
        "passage_url": passage_url, "safe": Markup, "export": urlencode(params(current)),
        "feed": urlencode(params({**current, "sort": "pertinence"})), "sorts": SORTS_FR,
        "hidden": lambda without: [(k, v) for k, v in params(current) if k not in without],
        "chips": chips(current), "date_errors": date_errors, "unfiltered_url": unfiltered_url(current, results)})


def unfiltered_url(state: dict, results) -> str:
    """The same search without its filters: the facets and dates chosen, and those typed in the query."""
    return page_url({**state, **{f.name: [] for f in FACETS}, **dict.fromkeys(DATE_PARAMS, "")},
                    q=results.query_without_filters)


@router.api_route("/accessibilite", methods=["GET", "HEAD"], response_class=HTMLResponse)
def accessibility_page(request: Request):
    return templates.TemplateResponse(request, "accessibilite.html", {})


@router.api_route("/passage/{passage_id:path}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def passage_page(request: Request, passage_id: str, index: Index = Depends(index_of)):
    view = index.passage(passage_id)
    return templates.TemplateResponse(request, "passage.html", {
        "view": view, "passage_url": passage_url, "http_url": http_url(view.document.url)})
