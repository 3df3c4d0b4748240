"""FastAPI application: the search page, the passage page and the HTTP API.

Read-only: only GET and HEAD routes exist (other methods get 405). Everything
indexed is escaped by the templates; snippets are HTML we escaped ourselves.
Errors are French sentences, never stack traces.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..vocab.vocabulary import FACET_LABELS_FR, FACETS, vocabulary
from ..errors import DocsanteError, IndexDamaged, IndexNotFound, PassageNotFound
from ..search.dates import SORTS
from ..search.engine import MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, open_index
from ..search.facets import DEFAULT_SIZE
from ..search.exports import to_atom, to_csv, to_ris

PAGE_SIZE = 10
DATE_PARAMS = {"since": "depuis le", "until": "jusqu'au", "new_since": "indexé depuis le"}
SORTS_FR = {"pertinence": "pertinence", "date": "date du document", "ajout": "date d'ajout"}
EXPORT_SIZE = 100  # passages in a CSV or RIS export unless `limit` says otherwise
FEED_SIZE = 50  # entries in an Atom feed unless `limit` says otherwise
log = logging.getLogger(__name__)

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.autoescape = True


class BadRequest(DocsanteError):
    """A parameter out of bounds: 400."""


class SearchState:
    """The query, filters and order every search endpoint takes (facet filters repeatable, any alias)."""

    def __init__(self, q: str = Query("", max_length=MAX_QUERY_CHARS, description="Requête (langage de requête de docsante)"),
                 region: list[str] = Query(None, description="Région (tout alias ; répétable)"),
                 dispositif: list[str] = Query(None, description="Dispositif (sigle ou nom ; répétable)"),
                 acteur: list[str] = Query(None, description="Acteur : institution (sigle ou nom ; répétable)"),
                 theme: list[str] = Query(None, description="Thème (répétable)"),
                 year: list[str] = Query(None, description="Année du document (répétable)"),
                 since: str = Query("", description="Documents datés de ce jour au moins (AAAA, AAAA-MM ou AAAA-MM-JJ)"),
                 until: str = Query("", description="Documents datés de ce jour au plus (AAAA, AAAA-MM ou AAAA-MM-JJ)"),
                 new_since: str = Query("", description="Documents indexés (nouveaux ou modifiés) depuis ce jour ou cette heure"),
                 sort: str = Query("pertinence", description="Ordre : " + ", ".join(SORTS))):
        self.q, self.sort = q, sort
        self.facets = {"region": region or [], "dispositif": dispositif or [], "acteur": acteur or [],
                       "theme": theme or [], "year": year or []}
        self.dates = {"since": since, "until": until, "new_since": new_since}

    def as_dict(self) -> dict:
        return {"q": self.q, **self.facets, **self.dates, "sort": self.sort}

    def scope(self) -> dict:
        """The keyword arguments of Index.search that choose and order passages."""
        return {**{k: v or None for k, v in self.facets.items()}, **{k: v or None for k, v in self.dates.items()},
                "sort": self.sort}


def create_app(index_dir: str | Path) -> FastAPI:
    """The application over one index (opened once, refreshed when it changes)."""
    index = open_index(index_dir)
    app = FastAPI(title="docsante", description="Recherche de passages dans les documents de santé publique.",
                  version="0.1.0", docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")

    def search(state: SearchState, limit: int, offset: int, facet_size: int = DEFAULT_SIZE, **order):
        return index.search(state.q, **(state.scope() | order), limit=limit, offset=offset, facet_size=facet_size)

    @app.exception_handler(DocsanteError)
    async def docsante_error(request: Request, exc: DocsanteError):
        status = 404 if isinstance(exc, PassageNotFound) else 503 if isinstance(exc, (IndexNotFound, IndexDamaged)) else 400
        return _error(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        names = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _error(request, 400, f"Paramètre invalide ou hors limites : {names} (voir /api/docs).")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = {404: "Page introuvable.", 405: "Méthode non autorisée : ce service est en lecture seule."}
        response = _error(request, exc.status_code, message.get(exc.status_code, "Requête refusée."))
        if exc.status_code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error")
        return _error(request, 500, "Erreur interne : la recherche n'a pas pu aboutir.")

    get = _get_route(app)

    @get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, params: SearchState = Depends(), page: int = 1):
        if page < 1 or (page - 1) * PAGE_SIZE > MAX_OFFSET:
            raise BadRequest(f"« page » doit être entre 1 et {MAX_OFFSET // PAGE_SIZE + 1}.")
        state = params.as_dict()
        results = search(params, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        last_page = max(1, -(-results.total // PAGE_SIZE))
        return templates.TemplateResponse(request, "search.html", {
            "results": results, "state": state, "page": page, "last_page": last_page,
            "facet_titles": FACET_LABELS_FR, "facets": FACETS, "url": lambda **change: _url(state, **change),
            "passage_url": _passage_url, "safe": Markup, "export": urlencode(_params(state)),
            "feed": urlencode(_params({**state, "sort": "pertinence"})), "sorts": SORTS_FR,
            "hidden": lambda without: [(k, v) for k, v in _params(state) if k not in without],
            "chips": _chips(state)})

    @get("/passage/{passage_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def passage_page(request: Request, passage_id: str):
        view = index.passage(passage_id)
        return templates.TemplateResponse(request, "passage.html", {
            "view": view, "passage_url": _passage_url, "http_url": _http_url(view.document.url)})

    @get("/api/search", summary="Chercher des passages (contrat JSON de la CLI)")
    def api_search(params: SearchState = Depends(), limit: int = Query(PAGE_SIZE, ge=0, le=MAX_LIMIT),
                   offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        return search(params, limit, offset).to_dict()

    @get("/api/search.csv", summary="Exporter les résultats en CSV", response_class=CsvResponse)
    def api_csv(params: SearchState = Depends(), limit: int = Query(EXPORT_SIZE, ge=0, le=MAX_LIMIT),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        return CsvResponse("\ufeff" + to_csv(search(params, limit, offset)),
                           headers={"Content-Disposition": 'attachment; filename="docsante.csv"'})

    @get("/api/search.ris", summary="Exporter les résultats en RIS (Zotero)", response_class=RisResponse)
    def api_ris(params: SearchState = Depends(), limit: int = Query(EXPORT_SIZE, ge=0, le=MAX_LIMIT),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        return RisResponse(to_ris(search(params, limit, offset)),
                           headers={**RisResponse.charset_header,
                                    "Content-Disposition": 'attachment; filename="docsante.ris"'})

    @get("/api/search.atom", summary="Suivre une recherche : flux Atom, les passages les plus récemment ajoutés d'abord",
         response_class=AtomResponse)
    def api_atom(request: Request, params: SearchState = Depends(), limit: int = Query(FEED_SIZE, ge=0, le=MAX_LIMIT)):
        base = str(request.base_url).rstrip("/")
        state = params.as_dict()
        page = base + _url(state)
        feed = base + "/api/search.atom" + ("?" + urlencode(_params(state)) if _params(state) else "")
        title = "docsante — " + (f"« {params.q} »" if params.q else "tous les passages") + \
            "".join(f", {chip['label']}" for chip in _chips(state))
        return AtomResponse(to_atom(search(params, limit, 0, sort="ajout"), feed_url=feed, page_url=page,
                                    passage_url=lambda pid: base + _passage_url(pid), title=title))

    @get("/api/facets", summary="Valeurs de facettes et nombres de passages")
    def api_facets(params: SearchState = Depends(),
                   facet: list[str] = Query(None, description=", ".join(FACETS))):
        counts = index.facets(params.q, **params.scope(), facet=facet)
        return {f: [b.to_dict() for b in buckets] for f, buckets in counts.items()}

    @get("/api/passage/{passage_id:path}", summary="Un passage, ses voisins et son document")
    def api_passage(passage_id: str):
        return index.passage(passage_id).to_dict()

    app.openapi = lambda: _openapi(app)
    app.state.index = index
    return app


class CsvResponse(Response):
    media_type = "text/csv"  # Starlette adds "; charset=utf-8" to text types


class AtomResponse(Response):
    media_type = "application/atom+xml"


class RisResponse(Response):
    media_type = "application/x-research-info-systems"
    charset_header = {"Content-Type": f"{media_type}; charset=utf-8"}


def _get_route(app: FastAPI):
    """`app.get` that also answers HEAD (FastAPI's GET routes do not), as the 405 answer's
    Allow header promises; the HEAD route stays out of the OpenAPI documentation."""
    def route(path: str, **kwargs):
        def register(endpoint):
            head = {k: v for k, v in kwargs.items() if k != "include_in_schema"}
            app.api_route(path, methods=["HEAD"], include_in_schema=False, **head)(endpoint)
            return app.get(path, **kwargs)(endpoint)
        return register
    return route


def _openapi(app: FastAPI) -> dict:
    """The generated schema, told the truth: invalid or out-of-bounds parameters get 400 with
    {"error": …} (not FastAPI's 422)."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    error = {"description": "Paramètre invalide ou hors limites (message en français)",
             "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["400"] = error
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    app.openapi_schema = schema
    return schema


SERVE_INDEX = "DOCSANTE_SERVE_INDEX"


def create_app_from_env() -> FastAPI:
    """The factory `docsante serve --workers N` gives uvicorn: each worker process opens the index itself."""
    return create_app(os.environ[SERVE_INDEX])


def _error(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return templates.TemplateResponse(request, "error.html", {"message": message, "status": status},
                                      status_code=status)


def _params(state: dict) -> list[tuple[str, str]]:
    params = [("q", state["q"])] if state["q"] else []
    for facet in FACETS:
        params += [(facet, v) for v in state[facet]]
    params += [(name, state[name]) for name in DATE_PARAMS if state[name]]
    return params + ([("sort", state["sort"])] if state["sort"] != "pertinence" else [])


def _url(state: dict, toggle: tuple[str, str] | None = None, page: int | None = None, q: str | None = None,
         **change) -> str:
    """This page's URL with a filter toggled, another page, another query, or other dates
    and order (`change`: since=…, sort=…): the whole state is in the URL."""
    state = {k: list(v) if isinstance(v, list) else v for k, v in state.items()} | change
    if q is not None:
        state["q"] = q
    if toggle:
        facet, value = toggle
        vocab = vocabulary()
        same = [v for v in state[facet] if (vocab.try_resolve(facet, v) or v) == value]
        state[facet] = [v for v in state[facet] if v not in same] if same else [*state[facet], value]
    params = _params(state) + ([("page", str(page))] if page and page > 1 else [])
    return "/?" + urlencode(params) if params else "/"


def _chips(state: dict) -> list[dict]:
    """Active filters, each with its label and the URL that removes it."""
    vocab = vocabulary()
    chips = []
    for facet in FACETS:
        for raw in state[facet]:
            value = vocab.try_resolve(facet, raw) or raw
            chips.append({"facet": FACET_LABELS_FR[facet], "label": vocab.label(facet, value),
                          "remove": _url(state, toggle=(facet, value))})
    for name, label in DATE_PARAMS.items():
        if state[name]:
            chips.append({"facet": label, "label": f"{label} {state[name]}", "remove": _url(state, **{name: ""})})
    return chips


def _passage_url(passage_id: str) -> str:
    return "/passage/" + quote(passage_id, safe="/")


def _http_url(url: str) -> str | None:
    """Only http(s) links are links; anything else (javascript:, data:…) is shown as text."""
    return url if url.lower().startswith(("http://", "https://")) else None
