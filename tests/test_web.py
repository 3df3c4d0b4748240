"""The HTTP API through the framework's test client, and the page in a real headless Chromium."""

import csv
import io
import os
import shutil
import re
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient

import docsante
from docsante.location import sample_corpus
from docsante.search.engine import MAX_FILTERS, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS
from docsante.web import create_app

TRAP = ('<html><head><title>Piège &lt;script&gt;</title></head><body><h1>Santé mentale <script>alert(1)</script></h1>'
        '<p>Le CLSM &lt;img src=x onerror=alert(2)&gt; et <a href="javascript:alert(3)">javascript:alert(3)</a> '
        'réunissent élus et psychiatrie pour la santé mentale.</p></body></html>')


@pytest.fixture(scope="module")
def web_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("web")
    corpus = path / "corpus"
    shutil.copytree(sample_corpus(), corpus)
    (corpus / "piege.html").write_text(TRAP, encoding="utf-8")
    (corpus / "lien.jsonl").write_text('{"id": "lien", "title": "Lien piégé", "url": "javascript:alert(4)", '
                                       '"text": "Un atelier santé ville piégé par son lien."}\n', encoding="utf-8")
    (corpus / "notes.jsonl").write_text('{"id": "note-42", "text": "Note sans titre sur la vaccination."}\n', "utf-8")
    docsante.build_index([corpus], path / "ix")
    return path / "ix"


@pytest.fixture(scope="module")
def client(web_index):
    return TestClient(create_app(web_index))


def test_api_search_is_the_cli_contract(client, web_index):
    api = client.get("/api/search", params={"q": "contrat local de santé", "region": "PACA", "limit": 3}).json()
    with docsante.open_index(web_index) as ix:
        assert api == ix.search("contrat local de santé", region="PACA", limit=3).to_dict()


def test_filters_are_repeatable_and_accept_aliases(client):
    data = client.get("/api/search", params=[("q", "santé"), ("region", "PACA"), ("region", "Grand Est")]).json()
    assert {r for h in data["hits"] for r in h["region"]} <= {"Provence-Alpes-Côte d'Azur", "Grand Est"}
    assert sorted(b["value"] for b in data["facets"]["region"] if b["selected"]) == ["grand-est", "provence-alpes-cote-d-azur"]


def test_exports(client):
    r = client.get("/api/search.csv", params={"q": "CLS"})
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    assert r.content.startswith("\ufefftitre du document;section;passage;date;".encode())  # as French Excel opens it
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows and rows[0]["section"] == "Contrats Locaux de Santé" and "CLS" in rows[0]["dispositifs"]
    ris = client.get("/api/search.ris", params={"q": "CLS"}).text
    records = [r for r in ris.split("ER  - ") if r.strip()]
    assert len(records) == len(rows)
    assert all(line[:6] in {"TY  - ", "TI  - ", "T2  - ", "AU  - ", "AB  - ", "DB  - ", "AN  - ", "N1  - ", "UR  - ", "KW  - ", "PY  - ", "DA  - "}
               for rec in records for line in rec.strip().splitlines())


def test_facets_and_passage_endpoints(client):
    facets = client.get("/api/facets", params={"facet": "region"}).json()
    assert list(facets) == ["region"] and facets["region"][0]["value"] == "hauts-de-france"
    hit = client.get("/api/search", params={"q": "CLSM"}).json()["hits"][0]
    view = client.get("/api/passage/" + hit["id"].replace("#", "%23")).json()
    assert view["passage"]["id"] == hit["id"] and "document" in view
    page = client.get("/passage/note-42")  # a record's id: its passage, headed by the id when it has no title
    assert page.status_code == 200 and "<h1>note-42</h1>" in page.text and "Note sans titre" in page.text


def test_read_only_bounded_and_never_a_trace(client):
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)("/api/search")
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    for params in ({"limit": MAX_LIMIT + 1}, {"offset": -1}, {"offset": MAX_OFFSET + 1}, {"q": "x" * (MAX_QUERY_CHARS + 1)},
                   {"limit": "beaucoup"}, {"region": ["PACA"] * (MAX_FILTERS + 1)}):
        r = client.get("/api/search", params=params)
        message = r.json()["error"]
        assert r.status_code == 400 and message.endswith(".") and "\n" not in message and "Traceback" not in message, params
    assert client.get("/", params={"region": "Narnia"}).status_code == 400
    assert "Région inconnue" in client.get("/", params={"region": "Narnia"}).text
    assert client.get("/passage/../../etc/passwd").status_code == 404
    assert client.get("/static/../../etc/passwd").status_code == 404
    assert "Traceback" not in client.get("/", params={"q": '"((( SAUF'}).text


def test_indexed_content_and_query_are_escaped(client):
    page = client.get("/", params={"q": "santé mentale <script>alert(5)</script>"}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(5)" in page
    assert "<img" not in page and "onerror=alert(2)&gt;" in page  # the trap's tag is shown as text, never made
    lien = client.get("/api/search", params={"q": "atelier piégé"}).json()["hits"][0]
    passage = client.get("/passage/" + lien["id"].replace("#", "%23")).text
    assert 'href="javascript:' not in passage and "javascript:alert(4)" in passage


def test_a_misspelt_query_finds_the_close_spelling_and_offers_it_and_an_empty_one_gives_advice(client):
    page = client.get("/", params={"q": "adictologie"}).text
    assert "Vouliez-vous dire" in page and "q=addictologie" in page and "<mark>" in page
    empty = client.get("/", params={"q": "xqzwvk"}).text
    assert "Vérifiez l&#39;orthographe" in empty or "Vérifiez l'orthographe" in empty


# ---------------------------------------------------------------- a real browser

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(web_index):
    import uvicorn
    port = free_port()
    config = uvicorn.Config(create_app(web_index), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="no system Chromium on this machine")
def test_a_documentalist_uses_the_page_with_the_mouse(server, tmp_path):
    from playwright.sync_api import sync_playwright
    assert CHROMIUM, "CI must install Debian's chromium (see .ci/run)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        page.on("dialog", lambda d: pytest.fail(f"a script ran in the page: {d.message}"))
        page.goto(server + "/")
        page.fill("#q", "santé mentale")
        page.click("button[type=submit]")
        page.wait_for_selector("ol.hits li")
        total = int(page.text_content(".summary").split()[0])
        # click a facet: the list narrows, the bucket is marked, a chip appears
        page.click("aside a:has-text('Hauts-de-France')")
        page.wait_for_selector(".chips a")
        assert "region=hauts-de-france" in page.url
        narrowed = int(page.text_content(".summary").split()[0])
        assert narrowed < total
        assert page.get_attribute("aside a[aria-current=true]", "href")
        regions = {t.strip() for t in page.locator(".tags").all_text_contents()}
        assert all("Hauts-de-France" in t for t in regions)
        page.screenshot(path=str(tmp_path / "recherche.png"))  # docs/screenshot.py makes the README's
        assert (tmp_path / "recherche.png").stat().st_size > 10_000
        permalink = page.url
        # remove the filter with its chip
        page.click(".chips a")
        page.wait_for_selector("ol.hits li")
        assert int(page.text_content(".summary").split()[0]) == total and "region=" not in page.url
        # the permalink restores the filtered state in a fresh page
        other = browser.new_page()
        other.goto(permalink)
        assert int(other.text_content(".summary").split()[0]) == narrowed
        # download the CSV of the current results
        with other.expect_download() as download:
            other.click("a:has-text('CSV')")
        csv_path = tmp_path / "export.csv"
        download.value.save_as(csv_path)
        assert csv_path.read_text("utf-8-sig").startswith("titre du document;section;passage;date")
        # the booby-trapped document shows as text, and no script ran (a dialog would fail the test)
        page.goto(server + "/?q=" + "onerror")
        page.wait_for_selector("ol.hits li")
        assert "onerror=alert(2)" in page.text_content("ol.hits")
        page.click("ol.hits h3 a")
        page.wait_for_selector(".current")
        assert "onerror=alert(2)" in page.text_content(".current")  # shown as text…
        assert page.locator("script").count() == 0 and page.locator("main img").count() == 0  # …never as markup
        browser.close()


def test_worker_factory_opens_the_index_named_in_the_environment(web_index, monkeypatch):
    from docsante.web.app import SERVE_INDEX, create_app_from_env
    monkeypatch.setenv(SERVE_INDEX, str(web_index))
    assert TestClient(create_app_from_env()).get("/api/search", params={"q": "CLS"}).json()["total"] >= 4


def test_head_is_answered_on_every_get_route(client):
    passage = client.get("/api/search", params={"q": "CLS"}).json()["hits"][0]["id"].replace("#", "%23")
    for url in ("/", "/?q=CLS", f"/passage/{passage}", "/api/search?q=CLS", "/api/search.csv?q=CLS",
                "/api/search.ris?q=CLS", "/api/facets", f"/api/passage/{passage}", "/api/openapi.json"):
        get, head = client.get(url), client.head(url)
        assert head.status_code == 200 == get.status_code, url
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"], url


def test_openapi_says_what_the_api_does(client):
    schema = client.get("/api/openapi.json").json()
    search = schema["paths"]["/api/search"]["get"]
    assert "422" not in search["responses"] and "400" in search["responses"]
    bounds = {p["name"]: p["schema"] for p in search["parameters"]}
    assert bounds["limit"]["maximum"] == MAX_LIMIT and bounds["offset"]["maximum"] == MAX_OFFSET
    assert bounds["q"]["maxLength"] == MAX_QUERY_CHARS
    assert "text/csv" in schema["paths"]["/api/search.csv"]["get"]["responses"]["200"]["content"]
    assert "application/x-research-info-systems" in schema["paths"]["/api/search.ris"]["get"]["responses"]["200"]["content"]
    assert client.get("/api/search.csv", params={"q": "CLS"}).headers["content-type"].startswith("text/csv")
    assert client.get("/api/search.ris", params={"q": "CLS"}).headers["content-type"].startswith(
        "application/x-research-info-systems")


def test_the_api_documentation_opens_without_any_other_host(client):
    """/api/docs on an intranet that reaches no other host: Swagger UI's files are docsante's own."""
    page = client.get("/api/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert re.findall(r"https?://", page.text) == []  # no CDN, no validator
    assets = re.findall(r'"(/api/docs/assets/[^"]+)"', page.text)
    assert {a.rsplit("/", 1)[1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and served.content, asset
    assert client.get("/api/openapi.json").json()["info"]["title"] == "docsante"


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="no system Chromium on this machine")
def test_every_page_passes_axe_core_and_the_keyboard_follows_the_eye_on_a_phone(server, web_index):
    """RGAA 4.1 / WCAG 2.1 AA as axe-core checks it, on every kind of page; on a phone-sized screen, Tab goes
    down the page as it is seen, reaching the first result before the filters."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
    assert CHROMIUM, "CI must install Debian's chromium (see .ci/run)"
    with docsante.open_index(web_index) as ix:
        passage = ix.search("santé mentale").hits[0].id
    pages = ["/", "/?q=sant%C3%A9+mentale", "/?q=sant%C3%A9+mentale&region=hauts-de-france&page=2",
             "/?q=xqzwvk", "/?q=sant%C3%A9&since=2022-13", f"/passage/{passage}", "/accessibilite", "/api/docs"]
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        for path in pages:
            page.goto(server + path)
            page.wait_for_load_state("networkidle")
            assert page.locator("h1").count() == 1 or path == "/api/docs", path
            found = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                                    "wcag21aa"]}})
            assert found.violations_count == 0, (path, found.generate_report())
        # a date typed wrong: said beside its field, what was typed and the search kept
        page.goto(server + "/?q=sant%C3%A9&since=2022-13")
        assert page.get_attribute("#since", "aria-invalid") == "true" and page.input_value("#since") == "2022-13"
        assert "2022-13" in page.text_content("#err-since") and page.locator("ol.hits li").count() > 0
        # the page's title says the query, the count, the page and the filters
        page.goto(server + "/?q=sant%C3%A9+mentale&region=hauts-de-france&page=2")
        assert re.fullmatch(r"« santé mentale » — \d+ passages, page 2 — Hauts-de-France — docsante", page.title())
        phone = browser.new_page(viewport={"width": 360, "height": 740})
        phone.goto(server + "/?q=sant%C3%A9+mentale")
        stops = []
        for _ in range(40):
            phone.keyboard.press("Tab")
            stops.append(phone.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
                return [r.top + window.scrollY, e.closest('aside') !== null, e.closest('ol.hits') !== null,
                        e.getAttribute('href') || e.tagName]; }"""))
        tops = [top for top, *_ in stops]
        assert all(b >= a - 2 for a, b in zip(tops, tops[1:])), stops  # never back up the page
        first_result = next(i for i, s in enumerate(stops) if s[2])
        assert not any(s[1] for s in stops[:first_result]) and first_result < 12, stops
        phone.goto(server + "/?q=sant%C3%A9+mentale")
        phone.keyboard.press("Tab")
        phone.keyboard.press("Enter")  # the skip link
        assert phone.evaluate("document.activeElement.id") == "resultats"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # reflows at 360 px
        browser.close()
