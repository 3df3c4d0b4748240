"""The web page and HTTP API (`docsante serve`): read-only, French, the CLI's JSON contract."""

from .app import create_app

__all__ = ["create_app"]
