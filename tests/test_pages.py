"""Issue 29's first part: pages read as faithfully as PDFs. A page of plain `div`s keeps its content
without its menus, sidebars and comment form; a table keeps its figures as rows; a page's date comes
from its markup (JSON-LD too) and its address from its canonical link; Markdown is read by a real
parser; text saved with the wrong encoding is repaired, in every text format."""

from __future__ import annotations

import json

from click.testing import CliRunner

from docsante.cli import cli
from docsante.corpus.readers import documents_as_read

DIV_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Le CLS du Val de Loir | CPTS</title>
<link rel="canonical" href="https://www.cpts-val-de-loir.fr/actualites/cls-val-de-loir?utm_source=x">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "datePublished": "2023-10-05T09:00:00+02:00"}</script></head><body>
<div class="top"><div class="item"><a href="/">Accueil</a></div><div class="item"><a href="/p">Professionnels</a></div>
<div class="item"><a href="/a">Actualités</a></div></div>
<div class="wrap"><div class="col-left"><div class="box">
<h1>Le contrat local de santé du Val de Loir</h1>
<h2>Un diagnostic partagé</h2>
<p>Le contrat local de santé est signé pour cinq ans entre l'agence régionale de santé, la préfecture et la
communauté de communes, après un diagnostic mené avec les habitants et les professionnels.</p>
<h2>Les chiffres</h2>
<p>Le comité de pilotage suit chaque année les indicateurs du contrat, présentés ci-dessous.</p>
<table><tr><th>Indicateur</th><th>2022</th><th>2023</th></tr>
<tr><td>Habitants sans médecin traitant</td><td>1 240</td><td>980</td></tr>
<tr><td>2022</td><td>42</td><td>87,5 %</td></tr></table>
</div>
<div class="box-form"><div class="t">Laisser un commentaire</div><div>Votre adresse e-mail ne sera pas publiée.</div></div></div>
<div class="col-right"><div class="t">Articles récents</div>
<div class="r"><a href="/1">Journée régionale de la prévention : inscrivez-vous</a></div>
<div class="r"><a href="/2">Nouveau site pour les professionnels de santé</a></div></div></div>
<div class="bottom"><div><a href="/m">Mentions légales</a></div><div><a href="/s">Plan du site</a></div></div>
</body></html>"""

MARKDOWN = """Le CLS de Brest
===============

Le [contrat local de santé](https://www.brest.fr/cls) est **signé** pour *cinq ans*.

Les axes
--------

```
# pas un titre : du code
```

| Axe | Actions |
|---|---|
| Santé mentale | 4 |
"""


def read(path):
    return next(d for d in documents_as_read([path]))


def lines(doc):
    return [b.text for b in doc.blocks]


def test_a_page_of_plain_divs_keeps_its_content_and_sections_without_its_chrome(tmp_path):
    page = tmp_path / "cls.html"
    page.write_text(DIV_PAGE, "utf-8")
    doc = read(page)
    text = "\n".join(lines(doc))
    assert "signé pour cinq ans" in text and "suit chaque année les indicateurs" in text
    for chrome in ("Articles récents", "Journée régionale de la prévention", "Laisser un commentaire",
                   "Votre adresse e-mail", "Mentions légales", "Professionnels"):
        assert chrome not in text, chrome
    assert "Indicateur | 2022 | 2023" in lines(doc) and "Habitants sans médecin traitant | 1 240 | 980" in lines(doc)
    assert "2022 | 42 | 87,5 %" in lines(doc)  # a row of figures alone is a row, not a page number
    assert (doc.date, doc.date_source) == ("2023-10-05", "métadonnées HTML")  # JSON-LD, read by htmldate
    assert doc.url == "https://www.cpts-val-de-loir.fr/actualites/cls-val-de-loir?utm_source=x"
    ix = tmp_path / "ix"
    assert CliRunner().invoke(cli, ["index", str(page), "--index", str(ix), "-q"]).exit_code == 0
    hits = json.loads(CliRunner().invoke(cli, ["search", "indicateurs", "--index", str(ix), "--format", "json"]).stdout)["hits"]
    assert hits[0]["url"] == doc.url and hits[0]["section"] == "Le contrat local de santé du Val de Loir › Les chiffres"
    ris = CliRunner().invoke(cli, ["search", "indicateurs", "--index", str(ix), "--format", "ris"]).stdout
    assert f"UR  - {doc.url}" in ris


def test_markdown_is_read_by_a_parser(tmp_path):
    note = tmp_path / "cls-brest.md"
    note.write_text(MARKDOWN, "utf-8")
    doc = read(note)
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text == "Le CLS de Brest"  # underlined with ===
    assert "Le contrat local de santé est signé pour cinq ans." in lines(doc)  # no [](), no **
    assert ("Les axes", 2) in [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert "# pas un titre : du code" in lines(doc)  # a # in a code fence is no heading
    assert not any(b.kind == "heading" and "pas un titre" in b.text for b in doc.blocks)
    assert "Santé mentale | 4" in lines(doc)


def test_text_saved_with_the_wrong_encoding_is_repaired_in_every_text_format(tmp_path):
    broken = "La stratÃ©gie rÃ©gionale de santÃ© : lâ€™accÃ¨s aux soins « de proximité »."
    right = "La stratégie régionale de santé : l’accès aux soins « de proximité »."
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text(broken, "utf-8")
    (folder / "note.md").write_text(f"# Note\n\n{broken}\n", "utf-8")
    (folder / "page.html").write_text(f"<html><body><main><h1>Page</h1><p>{broken}</p></main></body></html>", "utf-8")
    (folder / "r.jsonl").write_text(json.dumps({"id": "r1", "text": broken}, ensure_ascii=False) + "\n", "utf-8")
    for doc in documents_as_read([folder]):
        assert right in "\n".join(lines(doc)) and "Ã" not in "\n".join(lines(doc)), doc.doc_id
    ix = tmp_path / "ix"
    assert CliRunner().invoke(cli, ["index", str(folder), "--index", str(ix), "-q"]).exit_code == 0
    found = json.loads(CliRunner().invoke(cli, ["search", "régionale", "--index", str(ix), "--format", "json",
                                                "--show-duplicates"]).stdout)
    assert found["total"] == 4
