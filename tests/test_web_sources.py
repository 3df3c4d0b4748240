"""Issue 29: sites as sources. A local site on 127.0.0.1 (tests/local_site.py), never the internet:
pages within the depth asked for and the PDF they link to, robots.txt, another host, a sitemap and a
feed, the archive, politeness and every way a site fails."""

from __future__ import annotations

import json
import time

import pytest

import docsante
from docsante.corpus.web import WebOptions, crawl, normalise
from conftest import run
from local_site import Site


@pytest.fixture
def site(tmp_path):
    served = Site(tmp_path).serve()
    yield served
    served.close()


def asked(site) -> list[str]:
    return [path for path, *_ in site.requests]


def test_a_site_is_read_within_its_depth_with_the_pdf_it_links_to(site, tmp_path):
    other = Site(tmp_path).serve()  # another host: localhost, not 127.0.0.1
    site.routes["/"] = site.routes["/"][:2] + (site.routes["/"][2].replace(
        b'href="/"', f'href="http://localhost:{other.server.server_port}/ailleurs.html"'.encode()),)
    try:
        r = run("index", site.prefix + "/", "--depth", "2", "--delay", "0", "--index", tmp_path / "ix")
    finally:
        other.close()
    assert r.exit_code == 3  # robots.txt forbade a page: named, the run goes on
    assert f"ignoré : {site.prefix}/prive/interne.html : interdit par robots.txt" in r.stderr
    assert "/prive/interne.html" not in asked(site) and not other.requests  # nothing disallowed, no other host
    assert "/cls/trop-loin.html" not in asked(site)  # three links away: beyond --depth 2
    assert asked(site).count("/cls/") == 1  # « /cls/#haut » and « /cls/?utm_source=lettre » are /cls/
    ids = {d.doc_id for d in docsante.open_index(tmp_path / "ix").documents()}
    assert ids == {site.prefix + p for p in ("/", "/cls/", "/cls/vannes.html", "/docs/cls.pdf")}
    found = json.loads(run("search", "Vannes santé mentale", "--index", tmp_path / "ix", "--format", "json").stdout)
    pdf = next(h for h in found["hits"] if h["doc_id"].endswith(".pdf"))
    assert pdf["url"] == site.prefix + "/docs/cls.pdf" and pdf["title"] == "Contrat local de santé de Vannes 2024-2028"
    ris = run("search", "Vannes", "--index", tmp_path / "ix", "--format", "ris").stdout
    assert f"UR  - {site.prefix}/cls/vannes.html" in ris
    agent = next(headers for path, headers, _ in site.requests if path == "/")["User-Agent"]
    assert agent.startswith(f"docsante/{docsante.__version__} ")


def test_a_sitemap_and_a_feed_are_lists_of_pages(site, tmp_path):
    r = run("index", site.prefix + "/sitemap.xml", site.prefix + "/flux.xml", "--delay", "0", "--index", tmp_path / "ix")
    assert r.exit_code == 0, r.output
    ids = {d.doc_id for d in docsante.open_index(tmp_path / "ix").documents()}
    assert ids == {site.prefix + p for p in ("/plan/une.html", "/plan/deux.html", "/actus/une.html")}


def test_every_failure_is_named_with_its_url_and_the_run_goes_on(site, tmp_path):
    report = docsante.build_index([site.prefix + "/erreur/"], tmp_path / "ix",
                                  web=WebOptions(depth=1, delay=0, timeouts=(1.0, 0.5)))
    reasons = {f.where.removeprefix(site.prefix): f.reason for f in report.failures}
    assert reasons["/erreur/500"] == "erreur HTTP 500 Internal Server Error"
    assert reasons["/erreur/lent"] == "délai dépassé (le serveur ne répond pas)"
    assert reasons["/erreur/boucle"].startswith("boucle de redirections")
    assert reasons["/erreur/faux.pdf"] == "ce n'est pas un PDF (contenu application/pdf)"
    assert report.documents == 1  # the page that links to them
    r = run("index", site.prefix + "/erreur/", "--depth", "1", "--delay", "0", "--index", tmp_path / "ix2")
    assert r.exit_code == 3 and f"ignoré : {site.prefix}/erreur/500 : erreur HTTP 500" in r.stderr


def test_bounds_schemes_bombs_and_a_server_that_asks_to_wait(site, tmp_path):
    options = WebOptions(depth=1, delay=0, max_bytes=2**20)
    found = list(crawl([site.prefix + "/limites/"], options))
    failures = {str(f).split(" : ", 1)[0].removeprefix(site.prefix): str(f).split(" : ", 1)[1]
                for f in found if isinstance(f, Exception)}
    assert failures["/limites/fichier"].startswith("redirection refusée vers « file:///etc/passwd »")
    assert failures["/limites/bombe"] == "réponse trop volumineuse (plus de 1 Mo)"  # 4 MB once inflated
    waited = [when for path, _, when in site.requests if path == "/limites/occupe"]
    assert len(waited) == 2 and waited[1] - waited[0] >= 0.9  # Retry-After: 1, honoured
    assert [f.url.removeprefix(site.prefix) for f in found if not isinstance(f, Exception)] == ["/limites/", "/limites/occupe"]
    before = len(site.requests)
    limited = list(crawl([site.prefix + "/"], WebOptions(depth=3, delay=0, max_pages=3)))
    assert "limite de 3 requêtes atteinte (--max-pages)" in str(limited[-1])
    assert len(site.requests) - before == 3  # robots.txt, then two pages


def test_two_requests_to_a_host_are_a_delay_apart(site, tmp_path):
    list(crawl([site.prefix + "/cls/"], WebOptions(depth=1, delay=0.3)))
    times = [when for *_, when in site.requests]
    assert len(times) >= 3 and all(b - a >= 0.28 for a, b in zip(times, times[1:]))


def test_every_answer_read_is_archived_as_warc(site, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    assert run("index", site.prefix + "/cls/", "--depth", "1", "--delay", "0", "--index", tmp_path / "ix").exit_code == 0
    [warc] = (tmp_path / "ix.archive").glob("*.warc.gz")
    with warc.open("rb") as f:
        records = {r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
                   for r in ArchiveIterator(f) if r.rec_type == "response"}
    assert records[site.prefix + "/docs/cls.pdf"].startswith(b"%PDF")
    assert b"Le contrat de Vannes" in records[site.prefix + "/cls/vannes.html"]


def test_urls_are_normalised():
    assert normalise("HTTPS://ARS.Sante.fr:443/cls/?utm_source=x&id=3#haut") == "https://ars.sante.fr/cls/?id=3"
    assert normalise("http://ars.sante.fr") == "http://ars.sante.fr/"


def test_a_second_run_asks_conditionally_and_picks_up_what_changed(site, tmp_path):
    args = ("index", site.prefix + "/", "--depth", "2", "--delay", "0", "--index", tmp_path / "ix")
    assert run(*args).exit_code == 3  # robots.txt
    site.requests.clear()
    site.routes["/cls/vannes.html"] = site.routes["/cls/vannes.html"][:2] + (site.routes["/cls/vannes.html"][2].replace(
        b"cinq ans", b"six ans, avec un volet sur la nutrition"),)
    r = run(*args)
    conditional = [path for path, headers, _ in site.requests if "If-None-Match" in headers]
    assert set(conditional) == {"/", "/cls/", "/cls/vannes.html", "/docs/cls.pdf"}  # every page read the first time
    assert "1 document(s) indexé(s)" in r.stdout and "3 inchangé(s)" in r.stdout
    found = json.loads(run("search", "nutrition", "--index", tmp_path / "ix", "--format", "json").stdout)
    assert [h["doc_id"] for h in found["hits"]] == [site.prefix + "/cls/vannes.html"]
    assert run("remove", site.prefix + "/cls/", "--index", tmp_path / "ix").exit_code == 0
    site.requests.clear()
    run(*args)  # a document removed is read again, not asked conditionally
    assert not any("If-None-Match" in h for p, h, _ in site.requests if p == "/cls/")
    assert site.prefix + "/cls/" in {d.doc_id for d in docsante.open_index(tmp_path / "ix").documents()}


def test_a_page_that_has_gone_stays_searchable_marked_and_readable_from_the_archive(site, tmp_path):
    from fastapi.testclient import TestClient

    from docsante.web import create_app

    args = ("index", site.prefix + "/cls/", "--depth", "1", "--delay", "0", "--index", tmp_path / "ix")
    assert run(*args).exit_code == 0
    del site.routes["/cls/vannes.html"]  # the site is reorganised: 404
    r = run(*args)
    assert r.exit_code == 0, r.output
    docs = {d["doc_id"]: d for d in json.loads(run("documents", "--index", tmp_path / "ix", "--format", "json").stdout)}
    gone = site.prefix + "/cls/vannes.html"
    assert docs[gone]["withdrawn"] == time.strftime("%Y-%m-%d") and docs[site.prefix + "/cls/"]["withdrawn"] is None
    assert "retiré du site le" in run("documents", "--index", tmp_path / "ix").stdout
    hits = json.loads(run("search", "Vannes cinq ans", "--index", tmp_path / "ix", "--format", "json").stdout)["hits"]
    assert hits[0]["doc_id"] == gone and hits[0]["withdrawn"]
    client = TestClient(create_app(tmp_path / "ix"))
    original = client.get(f"/document/{gone}/original")
    assert original.status_code == 200 and b"Le contrat de Vannes est sign" in original.content
    assert original.headers["content-security-policy"].startswith("sandbox")  # its scripts never run here
    assert "<dt>Retiré du site</dt><dd>le " in client.get(f"/document/{gone}").text
    assert run("remove", gone, "--index", tmp_path / "ix").stdout.startswith("1 document(s) retiré(s)")  # remove removes


def test_a_robots_txt_that_refuses_to_be_read_forbids_everything(site):
    site.routes["/robots.txt"] = (403, {"Content-Type": "text/plain"}, b"interdit")
    [refused] = list(crawl([site.prefix + "/"], WebOptions(delay=0)))
    assert str(refused) == f"{site.prefix}/ : interdit par robots.txt" and asked(site) == ["/robots.txt"]
