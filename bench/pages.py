"""Web pages read as faithfully as PDFs (issue 29): main content kept, boilerplate left out.

    python bench/pages.py

Twenty pages written here in the shapes regional sites are built with: Drupal (ARS), WordPress (IREPS,
CPTS), Joomla (associations, with layout tables), pages of plain `div`s, and HTML5 pages with
nav/header/footer. Each carries a subject's content (headings, paragraphs, a list, a table of figures)
inside its site's chrome: menus, breadcrumbs, « articles récents » sidebars, comment forms, cookie
banners, « partager » rows, footers. Every piece is a labelled unit: content or boilerplate. A unit is
kept when its text (folded, spaces joined) is in the text an extractor gives: as a line of its own for a
unit of fewer than four words without figures (« Accueil » is also a word of the content).

Extractors, measured on the same pages: docsante before (its blocks, no main-content filter),
trafilatura alone (favor_recall, tables), readability-lxml (its summary, as text), and docsante
(its blocks filtered by trafilatura's main content). Targets: content kept ≥ 0.95, boilerplate
leaked ≤ 0.10.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from html import escape
from pathlib import Path

from unidecode import unidecode

SUBJECTS = {
    "cls": {
        "title": "Le contrat local de santé de la communauté de communes du Val de Loir",
        "headings": ["Un diagnostic partagé", "Les axes du contrat"],
        "paragraphs": [
            "Le contrat local de santé est signé pour cinq ans entre l'agence régionale de santé, la préfecture "
            "et la communauté de communes, après un diagnostic mené avec les habitants et les professionnels.",
            "Le diagnostic a montré un accès difficile au médecin traitant pour les personnes âgées isolées, "
            "et une forte demande d'accompagnement en santé mentale chez les jeunes.",
            "Chaque axe est décliné en fiches actions, suivies par un comité de pilotage qui se réunit deux fois par an."],
        "items": ["Accès aux soins de premier recours", "Santé mentale des jeunes", "Nutrition et activité physique"],
        "table": [["Indicateur", "2022", "2023"], ["Habitants sans médecin traitant", "1 240", "980"],
                  ["Actions de prévention", "14", "22"], ["Part des communes couvertes", "62 %", "87,5 %"]],
    },
    "cpts": {
        "title": "La CPTS du Pays de Morlaix organise les soins non programmés",
        "headings": ["Une réponse le jour même", "Les professionnels engagés"],
        "paragraphs": [
            "La communauté professionnelle territoriale de santé rassemble médecins, infirmiers, pharmaciens et "
            "kinésithérapeutes du territoire autour d'un projet de santé validé par l'ARS.",
            "Depuis janvier, un patient sans rendez-vous est orienté vers un médecin disponible dans la journée, "
            "grâce à un planning partagé entre les cabinets.",
            "La CPTS finance aussi des temps de coordination pour les parcours des patients atteints de maladies chroniques."],
        "items": ["Médecins généralistes", "Infirmiers libéraux", "Pharmaciens d'officine"],
        "table": [["Mois", "Demandes", "Prises en charge"], ["Janvier", "312", "298"], ["Février", "287", "281"],
                  ["Mars", "330", "322"]],
    },
    "ireps": {
        "title": "Les compétences psychosociales au collège : bilan de l'année",
        "headings": ["Des ateliers dans douze collèges", "Ce que disent les enseignants"],
        "paragraphs": [
            "L'instance régionale d'éducation et de promotion de la santé a animé des ateliers sur la gestion des "
            "émotions et la résolution de conflits avec les élèves de cinquième.",
            "Les enseignants formés observent un meilleur climat de classe et souhaitent poursuivre l'an prochain.",
            "Le programme est financé par l'ARS dans le cadre du projet régional de santé."],
        "items": ["Gérer son stress", "Communiquer sans violence", "Prendre une décision"],
        "table": [["Collège", "Élèves", "Séances"], ["Jean Moulin", "124", "8"], ["Les Tilleuls", "98", "6"],
                  ["Total", "222", "14"]],
    },
    "aap": {
        "title": "Appel à projets 2024 : prévention des addictions chez les jeunes",
        "headings": ["Qui peut répondre", "Calendrier"],
        "paragraphs": [
            "Les associations et les collectivités peuvent déposer un projet de prévention des conduites addictives "
            "auprès des jeunes de 12 à 25 ans, en milieu scolaire ou hors de l'école.",
            "Les projets devront associer les jeunes eux-mêmes et s'appuyer sur des interventions validées.",
            "Le dossier de candidature est à déposer sur la plateforme régionale avant la date limite."],
        "items": ["Publication : 15 janvier", "Dépôt des dossiers : 15 mars", "Réponse : fin mai"],
        "table": [["Enveloppe", "Montant"], ["Projets locaux", "250 000 €"], ["Projets régionaux", "400 000 €"]],
    },
}

CHROME = {
    "menu": ["Accueil", "Votre santé", "Professionnels", "Actualités", "Nous contacter"],
    "breadcrumb": ["Accueil", "Actualités", "Prévention"],
    "recent": ["Articles récents", "Journée régionale de la prévention : inscrivez-vous",
               "Nouveau site pour les professionnels de santé", "Les chiffres de la vaccination en 2023"],
    "comments": ["Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée.", "Publier le commentaire"],
    "cookies": ["Ce site utilise des cookies pour mesurer son audience.", "Tout accepter", "Personnaliser"],
    "share": ["Partager sur Facebook", "Partager sur LinkedIn", "Imprimer"],
    "footer": ["Mentions légales", "Plan du site", "Accessibilité : partiellement conforme",
               "Agence régionale de santé - 3 rue des Lices - 35000 Rennes"],
    "tags": ["Étiquettes : prévention, jeunes, territoire"],
}


def _content(s: dict) -> tuple[str, list[str]]:
    """A subject's content as HTML, and its units."""
    units = [s["title"]]
    html = [f"<h1>{escape(s['title'])}</h1>"]
    for heading, paragraph in zip(s["headings"], s["paragraphs"]):
        html += [f"<h2>{escape(heading)}</h2>", f"<p>{escape(paragraph)}</p>"]
        units += [heading, paragraph]
    html.append(f"<p>{escape(s['paragraphs'][2])}</p>")
    units.append(s["paragraphs"][2])
    html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in s["items"]) + "</ul>")
    units += s["items"]
    rows = s["table"]
    html.append("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in rows[0]) + "</tr></thead><tbody>"
                + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
                + "</tbody></table>")
    units += [" ".join(r) for r in rows]
    return "\n".join(html), units


def _list(items, tag="ul", cls=""):
    return f'<{tag} class="{cls}">' + "".join(f'<li><a href="/{n}">{escape(i)}</a></li>' for n, i in enumerate(items)) \
        + f"</{tag}>"


def drupal(content: str) -> str:
    c = CHROME
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Page | ARS</title></head>
<body class="path-node page-node-type-article"><div class="dialog-off-canvas-main-canvas">
<div id="sliding-popup" class="sliding-popup-bottom"><div class="eu-cookie-compliance-message"><p>{c['cookies'][0]}</p></div>
<button class="agree-button">{c['cookies'][1]}</button><button class="decline-button">{c['cookies'][2]}</button></div>
<div class="region region-header"><div id="block-ars-main-menu" class="block block-menu">{_list(c['menu'], cls='menu')}</div></div>
<div class="region region-breadcrumb"><div class="block-system-breadcrumb-block">{_list(c['breadcrumb'], 'ol', 'breadcrumb')}</div></div>
<div class="layout-container"><div class="region region-content"><div class="node__content clearfix">
<div class="field field--name-body">{content}</div></div>
<div class="block-addtoany">{_list(c['share'], cls='a2a_kit')}</div></div>
<div class="region region-sidebar-second"><div class="block-views-block-actualites"><h2>{c['recent'][0]}</h2>{_list(c['recent'][1:])}</div></div></div>
<div class="region region-footer"><div class="block-menu-footer">{_list(c['footer'][:3])}</div><p>{c['footer'][3]}</p></div>
</div></body></html>"""


def wordpress(content: str) -> str:
    c = CHROME
    return f"""<!DOCTYPE html><html lang="fr-FR"><head><meta charset="UTF-8"><title>Actualité – IREPS</title></head>
<body class="post-template-default single single-post"><div id="page" class="site">
<div id="masthead" class="site-header"><div class="main-navigation">{_list(c['menu'], cls='menu')}</div></div>
<div id="content" class="site-content"><div id="primary" class="content-area"><div id="main" class="site-main">
<div class="post type-post"><div class="entry-content">{content}</div>
<div class="entry-footer"><span class="tags-links">{c['tags'][0]}</span></div>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Partager :</h3>{_list(c['share'])}</div></div>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3 id="reply-title">{c['comments'][0]}</h3>
<p class="comment-notes">{c['comments'][1]}</p><label for="comment">Commentaire</label><textarea id="comment"></textarea>
<input type="submit" value="{c['comments'][2]}"></div></div></div></div>
<div id="secondary" class="widget-area"><div class="widget widget_recent_entries"><h2 class="widget-title">{c['recent'][0]}</h2>{_list(c['recent'][1:])}</div></div></div>
<div id="colophon" class="site-footer"><div class="site-info">{_list(c['footer'][:3])}<p>{c['footer'][3]}</p></div></div>
<div id="cookie-notice" class="cookie-notice-container"><span>{c['cookies'][0]}</span><a>{c['cookies'][1]}</a><a>{c['cookies'][2]}</a></div>
</div></body></html>"""


def joomla(content: str) -> str:
    c = CHROME
    return f"""<!DOCTYPE html><html lang="fr-fr"><head><meta charset="utf-8"><title>Association</title></head><body>
<table width="100%" class="layout"><tr><td colspan="2" class="banner"><div class="moduletable_menu">{_list(c['menu'], cls='menu')}</div></td></tr>
<tr><td class="left" width="20%"><div class="moduletable"><h3>{c['recent'][0]}</h3>{_list(c['recent'][1:], cls='latestnews')}</div></td>
<td class="main"><div class="breadcrumbs">{" » ".join(c['breadcrumb'])}</div>
<div class="item-page"><div itemprop="articleBody">{content}</div>
<div class="pagenav">{_list(c['share'])}</div></div></td></tr>
<tr><td colspan="2" class="footer">{" | ".join(c['footer'][:3])}<br>{c['footer'][3]}</td></tr></table>
<div class="cookiesjr"><p>{c['cookies'][0]}</p><span>{c['cookies'][1]}</span> <span>{c['cookies'][2]}</span></div>
</body></html>"""


def divs(content: str) -> str:
    c = CHROME
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>CPTS</title></head><body>
<div class="top"><div class="logo">CPTS</div><div class="links">{"".join(f'<div class="item"><a href="#">{i}</a></div>' for i in c['menu'])}</div></div>
<div class="path">{" &gt; ".join(c['breadcrumb'])}</div>
<div class="wrap"><div class="col-left"><div class="box">{content}</div>
<div class="box-share">{"".join(f'<div><a href="#">{s}</a></div>' for s in c['share'])}</div>
<div class="box-form"><div class="t">{c['comments'][0]}</div><div>{c['comments'][1]}</div><div><a class="btn">{c['comments'][2]}</a></div></div></div>
<div class="col-right"><div class="t">{c['recent'][0]}</div>{"".join(f'<div class="r"><a href="#">{r}</a></div>' for r in c['recent'][1:])}</div></div>
<div class="bottom">{"".join(f'<div><a href="#">{f}</a></div>' for f in c['footer'][:3])}<div>{c['footer'][3]}</div></div>
<div class="bandeau"><div>{c['cookies'][0]}</div><div><a>{c['cookies'][1]}</a><a>{c['cookies'][2]}</a></div></div>
</body></html>"""


def html5(content: str) -> str:
    c = CHROME
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Pôle de compétences</title></head><body>
<header><nav aria-label="Menu principal">{_list(c['menu'])}</nav></header>
<nav aria-label="Fil d'Ariane">{_list(c['breadcrumb'], 'ol')}</nav>
<main><article>{content}<footer><p>{c['tags'][0]}</p><div class="share">{_list(c['share'])}</div></footer></article>
<section class="comments"><h2>{c['comments'][0]}</h2><form><p>{c['comments'][1]}</p><button>{c['comments'][2]}</button></form></section></main>
<aside><h2>{c['recent'][0]}</h2>{_list(c['recent'][1:])}</aside>
<footer>{_list(c['footer'][:3])}<address>{c['footer'][3]}</address></footer>
<div role="dialog" aria-modal="true" class="consent"><p>{c['cookies'][0]}</p><button>{c['cookies'][1]}</button><button>{c['cookies'][2]}</button></div>
</body></html>"""


SHAPES = {"drupal": drupal, "wordpress": wordpress, "joomla": joomla, "divs": divs, "html5": html5}


def pages() -> list[tuple[str, str, list[str], list[str]]]:
    """(name, html, content units, boilerplate units) for every shape and subject."""
    boilerplate = [u for key, units in CHROME.items() for u in (units if key != "tags" else units)]
    out = []
    for shape, build in SHAPES.items():
        for subject, s in SUBJECTS.items():
            content, units = _content(s)
            out.append((f"{shape}-{subject}", build(content), units, boilerplate))
    return out


def folded(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%€]+", " ", unidecode(text).lower()).split())


def docsante_text(path: Path) -> str:
    from docsante.corpus.finish import finish
    from docsante.corpus.readers import documents_as_read
    doc = finish(next(d for d in documents_as_read([path])))
    return "\n".join([doc.title] + [b.text for b in doc.blocks])


def trafilatura_text(html: str) -> str:
    import trafilatura
    return trafilatura.extract(html, favor_recall=True, include_tables=True, include_comments=False) or ""


def readability_text(html: str) -> str:
    from bs4 import BeautifulSoup
    from readability import Document
    doc = Document(html)
    return doc.title() + "\n" + BeautifulSoup(doc.summary(), "lxml").get_text("\n")


def found(unit: str, lines: set[str], whole: str) -> bool:
    """Whether a unit is in an extractor's text: a long unit, or one with figures, anywhere in it; a short
    one (« Accueil », « Prévention ») as a line of its own, since its words are also the content's."""
    unit = folded(unit)
    return unit in lines or ((len(unit.split()) >= 4 or any(c.isdigit() for c in unit)) and unit in whole)


def score(text: str, units: list[str]) -> float:
    lines, whole = {folded(line) for line in text.splitlines()}, folded(text)
    return sum(found(u, lines, whole) for u in units) / len(units)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extractors", default="docsante,trafilatura,readability-lxml")
    parser.add_argument("--label", default="docsante", help="the name docsante's column gets (e.g. « docsante avant »)")
    args = parser.parse_args(argv)
    chosen = args.extractors.split(",")
    rows: dict[str, list[tuple[float, float]]] = {e: [] for e in chosen}
    with tempfile.TemporaryDirectory() as work:
        for name, html, content, boilerplate in pages():
            path = Path(work) / f"{name}.html"
            path.write_text(html, "utf-8")
            for extractor in chosen:
                text = (docsante_text(path) if extractor == "docsante" else
                        trafilatura_text(html) if extractor == "trafilatura" else readability_text(html))
                rows[extractor].append((score(text, content), score(text, boilerplate)))
    print(f"{len(pages())} pages ({', '.join(SHAPES)}; {len(SUBJECTS)} subjects each)\n")
    print("| extractor | content kept | boilerplate leaked | pages with all content | pages with no boilerplate |")
    print("|---|---|---|---|---|")
    for extractor, scores in rows.items():
        kept = sum(k for k, _ in scores) / len(scores)
        leaked = sum(b for _, b in scores) / len(scores)
        label = args.label if extractor == "docsante" else extractor
        print(f"| {label} | {kept:.3f} | {leaked:.3f} | {sum(k == 1 for k, _ in scores)}/{len(scores)} "
              f"| {sum(b == 0 for _, b in scores)}/{len(scores)} |")
    print("\nby shape (docsante): " + ", ".join(
        f"{shape} {sum(k for (k, _), (n, *_) in zip(rows['docsante'], pages()) if n.startswith(shape)) / len(SUBJECTS):.2f}"
        f"/{sum(b for (_, b), (n, *_) in zip(rows['docsante'], pages()) if n.startswith(shape)) / len(SUBJECTS):.2f}"
        for shape in SHAPES) if "docsante" in rows else "")


if __name__ == "__main__":
    sys.exit(main())
