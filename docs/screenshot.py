"""Regenerate docs/recherche.png, the README's picture of the search page.

    pip install ".[test]" && python docs/screenshot.py

Indexes the bundled sample corpus into a temporary folder, serves it on a free
loopback port, and has Debian's Chromium (driven by Playwright) search
« santé mentale » filtered on Hauts-de-France, as the README shows it.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import uvicorn
from playwright.sync_api import sync_playwright

import docsante
from docsante.location import sample_corpus
from docsante.web import create_app

OUT = Path(__file__).parent / "recherche.png"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium introuvable : apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        docsante.build_index([sample_corpus()], Path(tmp) / "ix")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(Path(tmp) / "ix"), host="127.0.0.1", port=port,
                                               log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/?" + urlencode({"q": "santé mentale", "region": "hauts-de-france"}))
                page.wait_for_selector("ol.hits li")
                page.screenshot(path=str(OUT))
                browser.close()
        finally:
            server.should_exit = True
    print(OUT)


if __name__ == "__main__":
    main()
