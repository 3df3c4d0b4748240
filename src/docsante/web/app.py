"""FastAPI application: the search page, the passage page and the HTTP API.

Read-only: only GET and HEAD routes exist (other methods get 405). Everything
indexed is escaped by the templates; snippets are HTML we escaped ourselves.
Errors are French sentences, never stack traces. Routes live with what they serve:
pages.py (HTML) and api.py (JSON and exported files).
"""

from __future__ import annotations

import logging
import os
from importlib.metadata import version
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from ..errors import DocsanteError, IndexDamaged, IndexNotFound, PassageNotFound
from ..search.engine import open_index
from . import api, pages

SERVE_INDEX = "DOCSANTE_SERVE_INDEX"
DOCS_ASSETS = "/api/docs/assets"
log = logging.getLogger(__name__)


def create_app(index_dir: str | Path) -> FastAPI:
    """The application over one index (opened once, refreshed when it changes)."""
    app = FastAPI(title="docsante", description="Recherche de passages dans les documents de santé publique.",
                  version=version("docsante"), docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.index = open_index(index_dir)
    app.state.index.warm()
    # the API's documentation page with Swagger UI's files served from the package swagger-ui-bundle:
    # it opens on an intranet that reaches no other host
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="api-docs-assets")
    app.add_api_route("/api/docs", _api_docs, methods=["GET"], include_in_schema=False)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.middleware("http")(_nosniff)
    app.add_exception_handler(DocsanteError, _docsante_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = lambda: _openapi(app)
    return app


async def _api_docs(request: Request):
    page = get_swagger_ui_html(openapi_url="/api/openapi.json", title="docsante — API",
                               swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
                               swagger_ui_parameters={"validatorUrl": None})  # no call to swagger.io's validator
    return HTMLResponse(bytes(page.body).decode("utf-8").replace("<html>", '<html lang="fr">', 1))  # its language


def create_app_from_env() -> FastAPI:
    """The factory `docsante serve --workers N` gives uvicorn: each worker process opens the index itself."""
    return create_app(os.environ[SERVE_INDEX])


async def _nosniff(request: Request, call_next):
    """Every answer is read as the type it says, never guessed from its bytes (an original's, an export's)."""
    response = await call_next(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def _docsante_error(request: Request, exc: DocsanteError):
    status = 404 if isinstance(exc, PassageNotFound) else 503 if isinstance(exc, (IndexNotFound, IndexDamaged)) else 400
    return _error(request, status, str(exc))


async def _invalid(request: Request, exc: RequestValidationError):
    names = ", ".join(str(e["loc"][-1]) for e in exc.errors())
    return _error(request, 400, f"Paramètre invalide ou hors limites : {names} (voir /api/docs).")


async def _http_error(request: Request, exc: StarletteHTTPException):
    message = {404: "Page introuvable.", 405: "Méthode non autorisée : ce service est en lecture seule."}
    response = _error(request, exc.status_code, message.get(exc.status_code, "Requête refusée."))
    if exc.status_code == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


async def _unexpected(request: Request, exc: Exception):
    log.exception("unexpected error")
    return _error(request, 500, "Erreur interne : la recherche n'a pas pu aboutir.")


def _error(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return pages.templates.TemplateResponse(request, "error.html", {"message": message, "status": status},
                                            status_code=status)


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
