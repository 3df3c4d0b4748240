"""A site collected twice (issue 29): pages, documents, seconds, and the requests conditional
requests save on the second run.

    python bench/collect.py                 # 200 pages and 20 PDFs, served on 127.0.0.1
    python bench/collect.py --pages 1000 --delay 0.05

A site in the shape of an ARS site is served on 127.0.0.1 (its pages generated: a home page, rubric
pages, article pages that link to each other and to PDFs, a robots.txt, ETags as a Drupal site sends
them). `docsante index URL --depth 3` collects it into a fresh index, then again after 5 % of its
pages changed. Reported for each run: requests, pages and documents read, 304 answers (not read
again), documents indexed and unchanged, seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import make_pdf  # noqa: E402

import docsante  # noqa: E402
from docsante.corpus.web import WebOptions  # noqa: E402

THEMES = ["santé mentale", "vaccination", "nutrition", "addictions", "accès aux soins", "santé environnement",
          "périnatalité", "personnes âgées", "prévention du suicide", "compétences psychosociales"]


def site(pages: int, pdfs: int, folder: Path) -> dict[str, tuple[str, bytes]]:
    routes = {"/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /admin/\n")}
    rubrics = [f"/rubrique/{n}/" for n in range(10)]
    articles = [f"/actualites/article-{n}.html" for n in range(pages - 11)]
    files = [f"/sites/default/files/cls-{n}.pdf" for n in range(pdfs)]

    def html(title, text, links):
        menu = "".join(f'<li><a href="{link}">{link}</a></li>' for link in ["/", *rubrics])
        body = "".join(f'<p><a href="{link}">{link.rsplit("/", 1)[-1] or link}</a></p>' for link in links)
        return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title} | ARS Bretagne</title>'
                f'</head><body><nav><ul>{menu}</ul></nav><main><h1>{title}</h1><p>{text}</p>{body}</main>'
                f'<footer>Mentions légales</footer></body></html>').encode()

    routes["/"] = ("text/html; charset=utf-8", html("Accueil", "L'agence régionale de santé de Bretagne.", rubrics))
    for n, rubric in enumerate(rubrics):
        mine = articles[n::10]
        routes[rubric] = ("text/html; charset=utf-8", html(f"Rubrique {THEMES[n]}", f"Les actions sur la {THEMES[n]}.", mine))
    for n, article in enumerate(articles):
        theme = THEMES[n % 10]
        text = (f"Le contrat local de santé numéro {n} porte sur la {theme} en Bretagne. Les partenaires du territoire "
                f"se réunissent chaque trimestre pour suivre les actions engagées auprès des habitants.")
        routes[article] = ("text/html; charset=utf-8", html(f"Article {n} : {theme}", text, [files[n % pdfs]]))
    for n, file in enumerate(files):
        pdf = make_pdf(folder / f"cls-{n}.pdf", [f"Contrat local de santé numéro {n}", f"Il porte sur la {THEMES[n % 10]}."])
        routes[file] = ("application/pdf", pdf.read_bytes())
    return routes


def serve(routes: dict, counts: dict):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            counts["requests"] += 1
            route = routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.end_headers()
                return
            kind, body = route
            etag = f'"{zlib.crc32(body):x}"'
            if self.headers.get("If-None-Match") == etag:
                counts["304"] += 1
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--pdfs", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between two requests (1 by default in docsante)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        routes = site(args.pages, args.pdfs, work)
        counts = {"requests": 0, "304": 0}
        server = serve(routes, counts)
        url = f"http://127.0.0.1:{server.server_port}/"
        rows = []
        for run in ("first run", "second run, 5 % of the pages changed"):
            if run.startswith("second"):
                for path in sorted(p for p in routes if p.startswith("/actualites/"))[: max(1, args.pages // 20)]:
                    kind, body = routes[path]
                    routes[path] = (kind, body.replace(b"chaque trimestre", b"chaque mois"))
            counts.update(requests=0, **{"304": 0})
            started = time.perf_counter()
            report = docsante.build_index([url], work / "ix", web=WebOptions(depth=3, delay=args.delay, max_pages=100_000))
            rows.append((run, counts["requests"], counts["304"], report.documents, report.unchanged, report.failed,
                         time.perf_counter() - started))
        server.shutdown()
    print(f"{args.pages} pages, {args.pdfs} PDFs, --depth 3, --delay {args.delay}\n")
    print("| run | requests | answered 304 (not read again) | documents indexed | unchanged | failed | seconds |")
    print("|---|---|---|---|---|---|---|")
    for run, requests, not_modified, documents, unchanged, failed, seconds in rows:
        print(f"| {run} | {requests} | {not_modified} | {documents} | {unchanged} | {failed} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
