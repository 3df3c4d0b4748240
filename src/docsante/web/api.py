"""The HTTP API: searches, facets and passages as JSON (the CLI's JSON contract), and the same
searches as files: CSV, XLSX, RIS (Zotero) and Atom feeds."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..facets import NAMES
from ..search.engine import MAX_LIMIT, MAX_OFFSET, Index
from ..render.files import to_atom, to_csv, to_ris, to_xlsx
from .pages import PAGE_SIZE, index_of
from .state import SearchState, chips, page_url, params, passage_url, search_state

EXPORT_SIZE = 100  # passages in a CSV or RIS export unless `limit` says otherwise
FEED_SIZE = 50  # entries in an Atom feed unless `limit` says otherwise


class CsvResponse(Response):
    media_type = "text/csv"  # Starlette adds "; charset=utf-8" to text types


class XlsxResponse(Response):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AtomResponse(Response):
    media_type = "application/atom+xml"


class RisResponse(Response):
    media_type = "application/x-research-info-systems"
    charset_header = {"Content-Type": f"{media_type}; charset=utf-8"}


router = APIRouter()


def get(path: str, **kwargs):
    """`router.get` that also answers HEAD (FastAPI's GET routes do not), as the 405 answer's
    Allow header promises; the HEAD route stays out of the OpenAPI documentation."""
    def register(endpoint):
        router.api_route(path, methods=["HEAD"], include_in_schema=False, **kwargs)(endpoint)
        return router.get(path, **kwargs)(endpoint)
    return register


def _search(index: Index, state: SearchState, limit: int, offset: int, **order):
    return index.search(state.q, **(state.scope() | order), limit=limit, offset=offset)


@get("/api/search", summary="Chercher des passages (contrat JSON de la CLI)")
def api_search(state: SearchState = Depends(search_state), limit: int = Query(PAGE_SIZE, ge=0, le=MAX_LIMIT),
               offset: int = Query(0, ge=0, le=MAX_OFFSET), index: Index = Depends(index_of)):
    return _search(index, state, limit, offset).to_dict()


@get("/api/facets", summary="Valeurs de facettes et nombres de passages")
def api_facets(state: SearchState = Depends(search_state),
               facet: list[str] = Query(None, description=", ".join(NAMES)), index: Index = Depends(index_of)):
    counts = index.facets(state.q, **state.scope(), facet=facet)
    return {f: [b.to_dict() for b in buckets] for f, buckets in counts.items()}


@get("/api/passage/{passage_id:path}", summary="Un passage, ses voisins et son document")
def api_passage(passage_id: str, index: Index = Depends(index_of)):
    return index.passage(passage_id).to_dict()


@get("/api/document/{doc_id:path}", summary="Un document : ses métadonnées, son plan (titres et leurs passages) et "
                                               "tous ses passages")
def api_document(doc_id: str, index: Index = Depends(index_of)):
    return index.document(doc_id).to_dict()


@get("/api/passage.ris", summary="Un passage en RIS (Zotero)", response_class=RisResponse)
def api_passage_ris(id: str = Query(..., description="Identifiant du passage"), index: Index = Depends(index_of)):
    return RisResponse(to_ris(index.passage(id).passage),
                       headers={**RisResponse.charset_header, "Content-Disposition": 'attachment; filename="passage.ris"'})


@get("/api/search.csv", summary="Exporter les résultats en CSV", response_class=CsvResponse)
def api_csv(state: SearchState = Depends(search_state), limit: int = Query(EXPORT_SIZE, ge=0, le=MAX_LIMIT),
            offset: int = Query(0, ge=0, le=MAX_OFFSET), index: Index = Depends(index_of)):
    return CsvResponse(to_csv(_search(index, state, limit, offset)),
                       headers={"Content-Disposition": 'attachment; filename="docsante.csv"'})


@get("/api/search.xlsx", summary="Exporter les résultats en classeur Excel (xlsx)", response_class=XlsxResponse)
def api_xlsx(state: SearchState = Depends(search_state), limit: int = Query(EXPORT_SIZE, ge=0, le=MAX_LIMIT),
             offset: int = Query(0, ge=0, le=MAX_OFFSET), index: Index = Depends(index_of)):
    return XlsxResponse(to_xlsx(_search(index, state, limit, offset)),
                        headers={"Content-Disposition": 'attachment; filename="docsante.xlsx"'})


@get("/api/search.ris", summary="Exporter les résultats en RIS (Zotero)", response_class=RisResponse)
def api_ris(state: SearchState = Depends(search_state), limit: int = Query(EXPORT_SIZE, ge=0, le=MAX_LIMIT),
            offset: int = Query(0, ge=0, le=MAX_OFFSET), index: Index = Depends(index_of)):
    return RisResponse(to_ris(_search(index, state, limit, offset)),
                       headers={**RisResponse.charset_header,
                                "Content-Disposition": 'attachment; filename="docsante.ris"'})


@get("/api/search.atom", summary="Suivre une recherche : flux Atom, les passages les plus récemment ajoutés d'abord",
     response_class=AtomResponse)
def api_atom(request: Request, state: SearchState = Depends(search_state),
             limit: int = Query(FEED_SIZE, ge=0, le=MAX_LIMIT), index: Index = Depends(index_of)):
    base = str(request.base_url).rstrip("/")
    current = state.as_dict()
    page = base + page_url(current)
    feed = base + "/api/search.atom" + ("?" + urlencode(params(current)) if params(current) else "")
    title = "docsante — " + (f"« {state.q} »" if state.q else "tous les passages") + \
        "".join(f", {chip['label']}" for chip in chips(current))
    return AtomResponse(to_atom(_search(index, state, limit, 0, sort="ajout"), feed_url=feed, page_url=page,
                                passage_url=lambda pid: base + passage_url(pid), title=title))
