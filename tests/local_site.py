"""A small regional site served on 127.0.0.1 by the tests that read the web (never the internet):
pages, links, a PDF, robots.txt, a sitemap, a feed, and the ways a site fails."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import make_pdf


def page(title: str, body: str, links: list[str] = ()) -> bytes:
    menu = "".join(f'<div class="item"><a href="{href}">{href}</a></div>' for href in links)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="menu">{menu}</div><main><h1>{title}</h1><p>{body}</p></main></body></html>').encode()


class Site:
    """Routes: path -> (status, headers, body) or a callable(handler) for special behaviours."""

    def __init__(self, tmp_path, other_host_port: int | None = None):
        pdf = make_pdf(tmp_path / "cls.pdf", ["Contrat local de santé de Vannes 2024-2028",
                                              "Le contrat porte sur la santé mentale des jeunes du Morbihan."]).read_bytes()
        self.requests: list[tuple[str, dict]] = []
        elsewhere = f"http://localhost:{other_host_port}/ailleurs.html" if other_host_port else "/"
        html = {"Content-Type": "text/html; charset=utf-8"}
        self.routes = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /prive/\n"),
            "/": (200, html, page("Accueil de l'ARS", "Les contrats locaux de santé de Bretagne, par territoire.",
                                  ["/cls/", "/prive/interne.html", elsewhere, "/cls/#haut", "/cls/?utm_source=lettre"])),
            "/cls/": (200, html, page("Les contrats locaux de santé", "Chaque contrat local de santé réunit l'ARS et "
                                      "une collectivité autour de la prévention.", ["/cls/vannes.html", "/docs/cls.pdf"])),
            "/cls/vannes.html": (200, html, page("Le CLS de Vannes", "Le contrat de Vannes est signé pour cinq ans.",
                                                 ["/cls/trop-loin.html"])),
            "/cls/trop-loin.html": (200, html, page("Trop loin", "Une page au-delà de la profondeur demandée.")),
            "/docs/cls.pdf": (200, {"Content-Type": "application/pdf"}, pdf),
            "/prive/interne.html": (200, html, page("Interne", "Une page que robots.txt interdit.")),
            "/sitemap.xml": (200, {"Content-Type": "application/xml"},
                             b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                             b'<url><loc>PREFIX/plan/une.html</loc></url><url><loc>PREFIX/plan/deux.html</loc></url></urlset>'),
            "/plan/une.html": (200, html, page("Page une du plan", "La vaccination en Bretagne.")),
            "/plan/deux.html": (200, html, page("Page deux du plan", "Le dépistage des cancers en Bretagne.")),
            "/flux.xml": (200, {"Content-Type": "application/rss+xml"},
                          b'<?xml version="1.0"?><rss version="2.0"><channel><title>Actus</title><item><title>Une actu</title>'
                          b'<link>PREFIX/actus/une.html</link></item></channel></rss>'),
            "/actus/une.html": (200, html, page("Une actualité", "La semaine de la santé mentale commence.")),
            "/erreur/": (200, html, page("Pages en erreur", "Des liens cassés.", ["/erreur/500", "/erreur/lent",
                                                                                   "/erreur/boucle", "/erreur/faux.pdf"])),
            "/erreur/500": (500, html, b"<html><body>Erreur</body></html>"),
            "/erreur/boucle": (302, {"Location": "/erreur/boucle2"}, b""),
            "/erreur/boucle2": (302, {"Location": "/erreur/boucle"}, b""),
            "/erreur/faux.pdf": (200, {"Content-Type": "application/pdf"}, page("Pas un PDF", "Une page web.")),
            "/erreur/lent": self.slow,
            "/ailleurs.html": (200, html, page("Un autre site", "Une page d'un autre hôte.")),
            "/limites/": (200, html, page("Limites", "Des réponses hors bornes.", ["/limites/fichier", "/limites/bombe",
                                                                                  "/limites/occupe"])),
            "/limites/fichier": (302, {"Location": "file:///etc/passwd"}, b""),
            "/limites/bombe": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                               gzip.compress(b"<html><body><p>" + b"a" * (4 * 2**20) + b"</p></body></html>")),
            "/limites/occupe": self.busy,
            "/limites/gros.html": (200, html, page("Gros", "x" * 300_000)),
        }
        self.busy_answered = False

    def busy(self, handler):
        """429 with Retry-After the first time, then the page."""
        if not self.busy_answered:
            self.busy_answered = True
            handler.send_response(429)
            handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = page("Enfin", "La page après une attente demandée par le serveur.")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def slow(handler):
        time.sleep(2.0)
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(b"trop tard")

    def serve(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((self.path, dict(self.headers), time.monotonic()))
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if callable(route):
                    return route(self)
                status, headers, body = route
                body = body.replace(b"PREFIX", site.prefix.encode())
                etag = f'"{zlib.crc32(body):x}"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                if status == 200:
                    self.send_header("ETag", etag)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.prefix = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self):
        self.server.shutdown()
        self.server.server_close()
