"""Reading every format, normalising, removing boilerplate, chunking into passages."""

import re

from docsante.corpus.readers import Failure, read_sources
from docsante.indexer.chunk import MAX_CHARS, chunk, split_sentences
from docsante.corpus.normalise import clean_text, drop_boilerplate, is_boilerplate
from docsante.corpus.document import HEADING, PARAGRAPH, Block
from docsante.location import sample_corpus
from conftest import short


def docs(path):
    return {short(d.doc_id, path): d for d in read_sources([path]) if not isinstance(d, Failure)}


def read(path):
    """What a file's reader reads, before the document is finished (boilerplate, lines, headings)."""
    from docsante.corpus.readers import READERS
    return READERS[path.suffix](path)


def text_of(doc):
    return "\n".join(p.text for p in chunk(doc))


def test_every_format_is_read(corpus):
    found = docs(corpus)
    assert set(found) == {
        "bom-crlf-cls.txt", "cp1252-meuse.txt", "nfd-accents.txt", "page-cpts.html",
        "notes-ptsm.md", "rec-1", "rec-2", "6", "sous-dossier/slides-paca.txt",
        "rapport-prse.pdf", "clsm.docx"}


def test_encodings_and_unicode_are_normalised(corpus):
    found = docs(corpus)
    assert "Parentalité dans la Meuse" == chunk(found["cp1252-meuse.txt"])[0].section
    assert "L’ARS Grand Est" in text_of(found["cp1252-meuse.txt"])  # ’ kept for display
    cls = text_of(found["bom-crlf-cls.txt"])
    assert "\ufeff" not in cls and "\r" not in cls
    assert "Compétences" in chunk(found["nfd-accents.txt"])[0].section  # NFD -> NFC
    assert "compétences psychosociales" in text_of(found["nfd-accents.txt"])


def test_html_keeps_content_and_headings_drops_chrome(corpus):
    doc = docs(corpus)["page-cpts.html"]
    passages = chunk(doc)
    body = "\n".join(p.text for p in passages)
    assert doc.title == "CPTS en Hauts-de-France"
    assert [p.section for p in passages] == ["Communautés professionnelles territoriales de santé",
                                             "Communautés professionnelles territoriales de santé › Exercice coordonné"]
    assert "d'un territoire autour d’un projet" in body
    for chrome in ("secret", "Menu caché", "Mentions légales", "Articles similaires", "Retour haut de page", "color"):
        assert chrome not in body


def test_docx_and_pdf(corpus):
    found = docs(corpus)
    clsm = chunk(found["clsm.docx"])
    assert [p.section for p in clsm] == ["Conseil local de santé mentale", "Conseil local de santé mentale › Franche-Comté"]
    pdf = chunk(found["rapport-prse.pdf"])
    assert pdf[0].section == "Plan régional santé environnement"
    assert "Le PRSE Grand Est réduit l’exposition au radon et améliore la qualité de l'air intérieur." == pdf[0].text


def test_jsonl_records_keep_their_ids_and_bad_lines_are_numbered(corpus):
    items = list(read_sources([corpus / "enregistrements.jsonl"]))
    failures = [str(i) for i in items if isinstance(i, Failure)]
    assert [f.rsplit(":", 2)[1].split()[0] for f in failures] == ["3", "4", "5", "6"]
    rec = next(i for i in items if not isinstance(i, Failure) and i.doc_id == "rec-1")
    assert rec.url == "https://exemple.fr/asv" and rec.tags["region"] == ["hauts-de-france"]
    passages = chunk(rec)
    assert len(passages) == 1 and passages[0].id == "rec-1#p0"


def test_a_record_whose_text_is_html_is_read_as_a_page(tmp_path):
    """Feeds and CMS exports give a record's text as HTML; a "<" in plain text stays text."""
    import json
    (tmp_path / "flux.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "rss-1", "text": "<p>Le <strong>contrat local de santé</strong> de Lens est signé.</p>"
                                "<p>Santé mentale &amp; addictions.</p><p><a href='#'>Lire la suite</a></p>"},
        {"id": "brut", "text": "Les jeunes de 16 < 25 ans > 10 %"}]), "utf-8")
    texts = {d.doc_id: [p.text for p in chunk(d)] for d in read_sources([tmp_path])}
    assert texts == {"rss-1": ["Le contrat local de santé de Lens est signé.\nSanté mentale & addictions."],
                     "brut": ["Les jeunes de 16 < 25 ans > 10 %"]}


def test_a_heading_s_links_and_emphasis_are_read_once_with_it(tmp_path):
    """Headings around links, spans and emphasis (« <h2><a href=…>Axe 1</a> santé <em>mentale</em></h2> »,
    Markdown's « ## [Axe 1](…) santé *mentale* ») give their text to the heading, not to a paragraph after it as well."""
    import json
    (tmp_path / "axes.md").write_text("# **CLS** de Lens\n\n## [Axe 1](/a) santé *mentale*\n\nLe contrat est signé.\n", "utf-8")
    (tmp_path / "flux.jsonl").write_text(json.dumps({"id": "rss-2", "text": "<h1><span>CLS</span> de Lens</h1><h2><a href='/a'>"
                                                     "Axe 1</a> santé <em>mentale</em></h2><p>Le contrat est signé.</p>"}),
                                         "utf-8")
    for doc in read_sources([tmp_path]):
        assert [(b.text, b.kind) for b in doc.blocks] == [("CLS de Lens", HEADING), ("Axe 1 santé mentale", HEADING),
                                                          ("Le contrat est signé.", PARAGRAPH)], doc.doc_id


def test_boilerplate_rules_are_general():
    for line in ["RETOUR HAUT DE PAGE", "Aller au contenu principal", "LIRE LA SUITE", "plus moins", "AA",
                 "Rejoignez-nous sur les réseaux", "AccueilSOUTIEN AUX POLITIQUESZoom sur les politiques",
                 "Suivez-nous sur Twitter", "Imprimer cette page", "Accueil > Actualités > CLS", "-", "12",
                 "Partager sur Facebook Partager sur X Partager sur LinkedIn Imprimer Envoyer par courriel",
                 "Mentions légales | Plan du site • Accessibilité : partiellement conforme",
                 "2. Priorités : santé mentale des jeunes .................... 3", "Annexe 1 – Glossaire … … … 24"]:
        assert is_boilerplate(line), line
    for line in ["Contrats Locaux de Santé", "Accueillir les familles en Meuse", "Plus de 180 acteurs réunis.",
                 "Freins", "Moins de tabac chez les jeunes", "Partager les données du CLS sur la plateforme régionale",
                 "Santé | Environnement", "Contact | Mme Martin, chargée de mission CLS",
                 "Les crédits passent de 3 à 5 M€... pour 12", "Par courriel"]:
        assert not is_boilerplate(line), line


def test_an_email_newsletter_keeps_its_articles_and_drops_its_mail_furniture(tmp_path):
    """A newsletter as e-mail tools lay it out: tables, a link after each article, notices above and below."""
    (tmp_path / "lettre-42.html").write_text(
        "<html><head><meta charset='utf-8'><title>La lettre de l'IREPS Grand Est n°42</title></head><body><table>"
        "<tr><td>Si ce message ne s'affiche pas correctement, <a href='#'>consultez-le dans votre navigateur</a>.</td></tr>"
        "<tr><td><h2>Formation CPS</h2><p>Une formation aux CPS aura lieu à Nancy.</p><a href='#'>Je m'inscris</a>"
        "<p>Deux sessions sont prévues.</p>suite du texte</td></tr>"
        "<tr><td>Vous recevez ce message car vous êtes inscrit à la lettre d'information de l'IREPS Grand Est. "
        "<a href='#'>Se désinscrire</a> | <a href='#'>Gérer mes préférences</a></td></tr>"
        "<tr><td><a>Mentions légales</a> | <a>Plan du site</a> • <a>Contact</a></td></tr></table></body></html>", "utf-8")
    (doc,) = docs(tmp_path).values()
    assert [p.text for p in chunk(doc)] == ["Une formation aux CPS aura lieu à Nancy.\nDeux sessions sont prévues.\nsuite du texte"]


def test_repeated_counters_and_trailing_links_are_dropped():
    blocks = [Block(t) for t in ["Le CLS est signé.", "ARS Uncategorized 69", "Texte utile.", "ARS Uncategorized 70",
                                 "Aller plus loin", "Transformer le système de santé", "Innovation et e-santé"]]
    assert [b.text for b in drop_boilerplate(blocks)] == ["Le CLS est signé.", "Texte utile."]


def test_clean_text():
    assert clean_text("a\u00a0\u00a0b\u200b\u00ad c\r\nd\x07") == "a b c\nd"


def test_sentences_are_never_cut_and_passages_stay_short():
    text = " ".join(f"La phrase numéro {i} parle du contrat local de santé et de ses partenaires." for i in range(60))
    from docsante.corpus.document import Document
    passages = chunk(Document("long", "long", [Block(text)]))
    assert len(passages) > 3
    for p in passages:
        assert len(p.text) <= MAX_CHARS
        assert re.fullmatch(r"(La phrase numéro \d+ parle du contrat local de santé et de ses partenaires\.\s?)+", p.text)


def test_split_sentences_keeps_abbreviations():
    assert split_sentences("Voir art. 3 du code. M. Martin signe. Fin.") == ["Voir art. 3 du code.", "M. Martin signe.", "Fin."]


def test_passage_ids_are_stable_and_sections_follow_headings():
    first = {p.id: (p.section, p.text) for d in read_sources([sample_corpus()]) for p in chunk(d)}
    again = {p.id: (p.section, p.text) for d in read_sources([sample_corpus()]) for p in chunk(d)}
    assert first == again
    zoom = {k.rsplit("#", 1)[1]: v for k, v in first.items() if "zoom" in k}
    assert zoom["p8"][0] == "Contrats Locaux de Santé" and zoom["p8"][1].startswith("Les contrats locaux de santé (CLS)")
    assert all("Aller au contenu" not in text and "Rejoignez" not in text for _, text in first.values())


def test_hostile_folder_names_each_broken_file(hostile):
    items = list(read_sources([hostile]))
    failures = {str(i).split(" : ")[0].rsplit("/", 1)[-1]: i.reason for i in items if isinstance(i, Failure)}
    assert {"tronque.pdf", "faux.pdf", "faux.docx", "vide.docx", "vide.txt", "binaire.txt", "lien-casse.txt"} <= set(failures)
    assert "binaire" in failures["binaire.txt"] and "PDF" in failures["faux.pdf"]
    assert "mot de passe" in failures["protege.pdf"]
    good = [short(i.doc_id, hostile) for i in items if not isinstance(i, Failure)]
    assert "profond.html" in good and "rapport-prse.pdf" in good
    assert len(good) == len(set(good)) and not any("boucle" in d for d in good)  # the loop is visited once


def test_a_file_without_headings_is_titled_by_its_name_as_written(tmp_path):
    (tmp_path / "CLS-Metz_fiches actions.txt").write_text("une ligne de texte sur la santé.\n", "utf-8")
    (doc,) = docs(tmp_path).values()
    assert chunk(doc)[0].title == "CLS Metz fiches actions"


def test_a_markdown_header_gives_title_date_and_region_and_is_not_text(tmp_path):
    (tmp_path / "note.md").write_text("---\ntitle: Note sur la CPTS\ndate: 2024-03-01\nregion: [Grand Est]\n---\n"
                                      "# CPTS du Grand Reims\n\nLa CPTS porte un projet de santé.\n", "utf-8")
    (tmp_path / "regle.md").write_text("---\nUne ligne après un trait.\n---\nSuite du texte.\n", "utf-8")
    (tmp_path / "encadre.md").write_text("---\nNote : le CLS est en cours de signature.\n---\n", "utf-8")
    found = docs(tmp_path)
    note = found["note.md"]
    assert (note.title, note.date, note.tags["region"]) == ("Note sur la CPTS", "2024-03-01", ["grand-est"])
    assert "title" not in text_of(note) and "La CPTS porte un projet de santé." in text_of(note)
    # not a YAML header: a heading underlined with "---" (CommonMark's setext heading), then its text
    assert found["regle.md"].title == "Une ligne après un trait." and text_of(found["regle.md"]) == "Suite du texte."
    assert found["encadre.md"].title == "Note : le CLS est en cours de signature."  # YAML, but no key docsante reads


def test_a_saved_web_page_is_one_document_without_its_assets_folder(tmp_path):
    (tmp_path / "ars-cls.html").write_text("<html><head><title>ARS — CLS</title></head><body><h1>Contrats locaux"
                                           "</h1><p>Le CLS de Metz.</p></body></html>", "utf-8")
    (tmp_path / "ars-cls_files").mkdir()
    for asset in ("jquery.js", "style.css", "logo.png"):
        (tmp_path / "ars-cls_files" / asset).write_text("x", "utf-8")
    (tmp_path / "archives_files").mkdir()  # no archives.html beside it: an ordinary folder
    (tmp_path / "archives_files" / "note.txt").write_text("Note sur le PTSM.", "utf-8")
    items = list(read_sources([tmp_path]))
    assert not [i for i in items if isinstance(i, Failure)]
    assert sorted(short(i.doc_id, tmp_path) for i in items) == ["archives_files/note.txt", "ars-cls.html"]


def _tracked(paragraph, kind: str, text: str, tag: str = "w:t") -> None:
    """Append to a python-docx paragraph a run inside a tracked change (<w:ins>, <w:del>, <w:moveFrom>…)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    change, run, t = OxmlElement(kind), OxmlElement("w:r"), OxmlElement(tag)
    change.set(qn("w:id"), "1")
    change.set(qn("w:author"), "ARS")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    change.append(run)
    paragraph._p.append(change)


def test_docx_tracked_changes_are_read_accepted(tmp_path):
    import docx
    document = docx.Document()
    p = document.add_paragraph("Le contrat local de santé ")
    _tracked(p, "w:ins", "de Sarreguemines ")
    _tracked(p, "w:del", "de Forbach ", tag="w:delText")
    _tracked(p, "w:moveFrom", "en 2023 ")
    p.add_run("est signé")
    _tracked(p, "w:moveTo", " en 2023")
    p.add_run(".\tFin")
    cell = document.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0]
    cell.add_run("Pilote : ")
    _tracked(cell, "w:ins", "CPTS du Warndt")
    document.save(tmp_path / "cls-suivi.docx")
    doc = read(tmp_path / "cls-suivi.docx")
    assert [b.text for b in doc.blocks] == ["Le contrat local de santé de Sarreguemines est signé en 2023.\tFin",
                                            "Pilote : CPTS du Warndt"]


def _docx_with_notes(path, kind: str, notes: dict[str, str]) -> None:
    """Save a python-docx document with a footnotes or endnotes part as Word writes one: two
    separator notes first, then each note's paragraph led by its number mark (notes are XML)."""
    import docx
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def call(paragraph, note_id):
        run, ref = OxmlElement("w:r"), OxmlElement(f"w:{kind}Reference")
        ref.set(qn("w:id"), note_id)
        run.append(ref)
        paragraph._p.append(run)

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
                   for i, t in ((-1, "separator"), (0, "continuationSeparator")))
    body += "".join(f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> '
                    f'{text}</w:t></w:r></w:p></w:{kind}>' for i, text in notes.items())
    document = docx.Document()
    document.add_heading("Diagnostic local de santé", level=1)
    p = document.add_paragraph("Un jeune sur trois dit avoir fumé ce mois-ci.")
    call(p, "1")
    cell = document.add_table(rows=1, cols=2).cell(0, 1).paragraphs[0]
    cell.add_run("12 %")
    call(cell, "2")
    document.add_paragraph("Suite du diagnostic.")
    content_type = getattr(CONTENT_TYPE, f"WML_{kind.upper()}S")
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, f"<w:{kind}s {w}>{body}</w:{kind}s>".encode(),
                document.part.package)
    document.part.relate_to(part, getattr(RELATIONSHIP_TYPE, f"{kind.upper()}S"))
    document.save(path)


def test_docx_footnotes_and_endnotes_are_read_after_the_paragraph_that_calls_them(tmp_path):
    for kind in ("footnote", "endnote"):
        _docx_with_notes(tmp_path / f"diagnostic-{kind}.docx", kind,
                         {"1": "Source : Baromètre santé 2021, Santé publique France.", "2": "Enquête ESCAPAD."})
    for doc in map(read, sorted(tmp_path.iterdir())):
        assert [b.text for b in doc.blocks] == ["Diagnostic local de santé", "Un jeune sur trois dit avoir fumé ce mois-ci.",
                                                "Source : Baromètre santé 2021, Santé publique France.", "12 %",
                                                "Enquête ESCAPAD.", "Suite du diagnostic."]


def test_a_docx_whose_notes_are_broken_xml_is_named_not_a_traceback(tmp_path):
    _docx_with_notes(tmp_path / "diagnostic.docx", "footnote", {"1": "Source <non fermée"})
    (failure,) = list(read_sources([tmp_path]))
    assert isinstance(failure, Failure) and failure.reason == "DOCX endommagé (XML invalide, trop imbriqué ou à entités)"


ODF_NAMESPACES = " ".join(f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{u}:1.0"' for p, u in [
    ("office", "office"), ("text", "text"), ("table", "table"), ("draw", "drawing"), ("presentation", "presentation")])


def _odf(path, body: str) -> None:
    """Write an OpenDocument file (.odt: `body` is the <office:text>'s content; .odp: <office:presentation>'s)."""
    import zipfile
    kind = "presentation" if path.suffix == ".odp" else "text"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}")
        z.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NAMESPACES}>'
                                  f"<office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>")


def test_odt_notes_are_read_after_the_paragraph_or_row_that_calls_them(tmp_path):
    def note(n, text, cls="footnote"):
        return (f'<text:note text:id="ftn{n}" text:note-class="{cls}"><text:note-citation>{n}</text:note-citation>'
                f'<text:note-body><text:p>{text}</text:p></text:note-body></text:note>')
    _odf(tmp_path / "diagnostic.odt",
         f'<text:p>Un jeune sur trois dit avoir fumé{note(1, "Source : Baromètre santé 2021.")} ce mois-ci.</text:p>'
         '<table:table><table:table-row><table:table-cell><text:p>Tabac</text:p></table:table-cell>'
         f'<table:table-cell><text:p>12 %{note(2, "Enquête ESCAPAD.", "endnote")}</text:p></table:table-cell>'
         '</table:table-row></table:table><text:p>Suite.</text:p>')
    (doc,) = docs(tmp_path).values()
    assert [b.text for b in doc.blocks] == ["Un jeune sur trois dit avoir fumé ce mois-ci.", "Source : Baromètre santé 2021.",
                                            "Tabac | 12 %", "Enquête ESCAPAD.", "Suite."]


def test_odt_tracked_changes_are_read_accepted(tmp_path):
    """LibreOffice keeps deleted text in a <text:tracked-changes> record at the top of the body."""
    _odf(tmp_path / "cls-suivi.odt",
         '<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion>'
         '<text:p>Le CLS de Forbach est abandonné.</text:p></text:deletion></text:changed-region>'
         '<text:changed-region text:id="ct2"><text:insertion/></text:changed-region></text:tracked-changes>'
         '<text:p>Le CLS de <text:change-start text:change-id="ct2"/>Sarreguemines'
         '<text:change-end text:change-id="ct2"/> est signé.<text:change text:change-id="ct1"/></text:p>')
    (doc,) = docs(tmp_path).values()
    assert [b.text for b in doc.blocks] == ["Le CLS de Sarreguemines est signé."]


def test_docx_content_controls_are_read_and_tables_of_contents_left_out(tmp_path):
    """A fiche-action template keeps its answers in content controls (<w:sdt>), a repeating section
    its rows; Word puts its table of contents in one too (docPartGallery), or types it in "toc N" styles."""
    import docx
    from lxml import etree
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def control(parent, *children, gallery=None, before=None):
        sdt = etree.Element(f"{w}sdt")
        if gallery:
            part = etree.SubElement(etree.SubElement(etree.SubElement(sdt, f"{w}sdtPr"), f"{w}docPartObj"), f"{w}docPartGallery")
            part.set(f"{w}val", gallery)
        content = etree.SubElement(sdt, f"{w}sdtContent")
        for child in children:
            content.append(child)
        (before.addprevious if before is not None else parent.append)(sdt)

    document = docx.Document()
    toc = [document.add_paragraph(f"{n}. {t} ........ {p}") for n, t, p in [(1, "Objectifs", 2), (2, "Publics", 3)]]
    control(None, *[p._p for p in toc], gallery="Table of Contents", before=document.add_heading("Fiche 3 : CPS", level=1)._p)
    typed_toc = document.add_paragraph("Objectifs\t2")
    typed_toc.style = document.styles.add_style("toc 1", 1)  # Word's own name for its first level (1: a paragraph style)
    answer = document.add_paragraph("Objectif : renforcer les compétences psychosociales des collégiens.")
    body = document.element.body
    control(body, answer._p, before=body[-1])  # before the section settings, as Word places the body's content
    table = document.add_table(rows=2, cols=2)
    for r, (a, b) in enumerate([("Action", "Porteur"), ("Ateliers", "IREPS")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    control(table._tbl, table._tbl[-1], before=None)  # the second row, in a repeating section
    document.save(tmp_path / "fiche-action.docx")
    (doc,) = docs(tmp_path).values()
    assert [b.text for b in doc.blocks] == ["Fiche 3 : CPS", "Objectif : renforcer les compétences psychosociales des collégiens.",
                                            "Action | Porteur", "Ateliers | IREPS"]


def test_odt_table_of_contents_is_left_out(tmp_path):
    _odf(tmp_path / "fiche.odt",
         '<text:table-of-content><text:index-body><text:p>Objectifs\t2</text:p><text:p>Publics\t3</text:p>'
         '</text:index-body></text:table-of-content><text:h text:outline-level="1">Objectifs</text:h>'
         '<text:p>Renforcer les CPS.</text:p>')
    (doc,) = docs(tmp_path).values()
    assert [b.text for b in doc.blocks] == ["Objectifs", "Renforcer les CPS."]


def test_docx_text_boxes_are_read_once(tmp_path):
    """Word writes a text box twice: as a drawing (mc:Choice) and as a fallback picture (mc:Fallback)."""
    import docx
    from lxml import etree
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    mc = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
    def box(paragraph, text):
        alternate = etree.SubElement(etree.SubElement(paragraph._p, f"{w}r"), f"{mc}AlternateContent")
        for branch in ("Choice", "Fallback"):
            content = etree.SubElement(etree.SubElement(alternate, f"{mc}{branch}"), f"{w}txbxContent")
            etree.SubElement(etree.SubElement(etree.SubElement(content, f"{w}p"), f"{w}r"), f"{w}t").text = text

    document = docx.Document()
    box(document.add_paragraph("La lettre de l'IREPS."), "Chiffre clé : 12 CLSM.")
    document.add_paragraph("Suite de la lettre.")
    cell = document.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0]
    cell.add_run("Agenda")
    box(cell, "Forum le 3 mai")
    document.save(tmp_path / "lettre.docx")
    (doc,) = docs(tmp_path).values()
    assert [b.text for b in doc.blocks] == ["La lettre de l'IREPS.", "Chiffre clé : 12 CLSM.", "Suite de la lettre.",
                                            "Agenda Forum le 3 mai"]  # a cell: its paragraphs, box once


def _deck(path) -> None:
    """A COTER slide deck as an ARS team makes one: a title slide, bullet slides, a table, a
    group of boxes placed right then left, speaker notes."""
    from pptx import Presentation
    from pptx.util import Inches
    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Compétences psychosociales – COTER du 12 mars 2024"
    first.placeholders[1].text = "ARS Provence-Alpes-Côte d'Azur"
    bullets = deck.slides.add_slide(deck.slide_layouts[1])
    bullets.shapes.title.text = "Axe 1 : déployer les programmes"
    frame = bullets.placeholders[1].text_frame
    frame.text = "Unplugged dans 40 collèges"
    frame.add_paragraph().text = "PSFP\vdans 6 quartiers"
    bullets.notes_slide.notes_text_frame.text = "Bilan présenté par la DD 13."
    table_slide = deck.slides.add_slide(deck.slide_layouts[5])
    table_slide.shapes.title.text = "Financements 2024"
    table = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
    for (r, c), text in {(0, 0): "Programme", (0, 1): "Montant", (1, 0): "Unplugged", (1, 1): "120 000 €"}.items():
        table.cell(r, c).text = text
    group = table_slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(5), Inches(4), Inches(2), Inches(1)).text_frame.text = "droite"
    group.shapes.add_textbox(Inches(1), Inches(4), Inches(2), Inches(1)).text_frame.text = "gauche"
    deck.save(path)


def test_pptx_slides_are_read_as_headed_pages(tmp_path):
    _deck(tmp_path / "coter-cps.pptx")
    doc = read(tmp_path / "coter-cps.pptx")
    assert doc.title == "Compétences psychosociales – COTER du 12 mars 2024"
    assert [(b.kind, b.text, b.page) for b in doc.blocks] == [
        ("paragraph", "ARS Provence-Alpes-Côte d'Azur", 1),
        ("heading", "Axe 1 : déployer les programmes", 2),
        ("paragraph", "Unplugged dans 40 collèges", 2), ("paragraph", "PSFP\ndans 6 quartiers", 2),
        ("paragraph", "Bilan présenté par la DD 13.", 2),
        ("heading", "Financements 2024", 3),
        ("paragraph", "Programme | Montant", 3), ("paragraph", "Unplugged | 120 000 €", 3),
        ("paragraph", "gauche", 3), ("paragraph", "droite", 3)]


def test_a_damaged_pptx_is_named(tmp_path):
    (tmp_path / "coter.pptx").write_bytes(b"PK\x03\x04 pas une presentation")
    (tmp_path / "ancien.ppt").write_bytes(b"\xd0\xcf\x11\xe0")
    reasons = {short(f.where, tmp_path): f.reason for f in read_sources([tmp_path])}
    assert reasons == {"coter.pptx": "PPTX invalide ou endommagé (pas une archive zip)",
                       "ancien.ppt": "pas un fichier ancien format PowerPoint (.ppt) (contenu d'un autre type)"}


def test_odp_slides_are_read_as_headed_pages(tmp_path):
    """An Impress deck: title frames, an outline list, a free text box, a table and speaker notes."""
    def frame(text, role=""):
        kind = f' presentation:class="{role}"' if role else ""
        return f"<draw:frame{kind}><draw:text-box>{text}</draw:text-box></draw:frame>"
    slides = [
        frame("<text:p>CLSM de Grand Poitiers – plénière 2024</text:p>", "title") + frame("<text:p>12 mars 2024</text:p>", "subtitle"),
        frame("<text:p>Cellule de cas complexes</text:p>", "title")
        + frame("<text:list><text:list-item><text:p>27 situations examinées</text:p></text:list-item>"
                "<text:list-item><text:p>9 risques d'expulsion</text:p></text:list-item></text:list>", "outline")
        + "<draw:frame><table:table><table:table-row><table:table-cell><text:p>Bailleurs</text:p></table:table-cell>"
          "<table:table-cell><text:p>4</text:p></table:table-cell></table:table-row></table:table></draw:frame>"
        + "<presentation:notes>" + frame("<text:p>Chiffres du bilan 2023.</text:p>", "notes") + "</presentation:notes>",
    ]
    _odf(tmp_path / "clsm-pleniere.odp", "".join(f'<draw:page draw:name="page{i}">{s}</draw:page>' for i, s in enumerate(slides, 1)))
    (doc,) = docs(tmp_path).values()
    assert doc.title == "CLSM de Grand Poitiers – plénière 2024"
    assert [(b.kind, b.text, b.page) for b in doc.blocks] == [
        ("paragraph", "12 mars 2024", 1), ("heading", "Cellule de cas complexes", 2),
        ("paragraph", "27 situations examinées", 2), ("paragraph", "9 risques d'expulsion", 2),
        ("paragraph", "Bailleurs | 4", 2), ("paragraph", "Chiffres du bilan 2023.", 2)]


def test_a_jsonl_is_read_a_line_at_a_time_and_only_a_line_is_bounded(tmp_path):
    import json

    from docsante.corpus.readers import MAX_FILE_BYTES, MAX_LINE_BYTES, Failure, read_sources
    records = tmp_path / "export.jsonl"
    with records.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "a", "text": "Le CLS de Metz."}) + "\n")
        f.write(json.dumps({"id": "long", "text": "x" * MAX_LINE_BYTES}) + "\n")  # over the bound, alone
        f.write(json.dumps({"id": "b", "text": "Le CLSM de Dole. Mise à jour \u2028 le 4 mars."}) + "\n")
        f.write(json.dumps({"id": "c", "text": "Écrit en UTF-8."}, ensure_ascii=False) + "\n")
    with records.open("ab") as f:  # a line saved by another tool, in Windows-1252
        f.write(json.dumps({"id": "d", "text": "Équipe mobile"}, ensure_ascii=False).encode("cp1252") + b"\n")
    items = list(read_sources([records]))
    assert [i.doc_id for i in items if not isinstance(i, Failure)] == ["a", "b", "c", "d"]
    [failure] = [i for i in items if isinstance(i, Failure)]
    assert failure.where.endswith("export.jsonl:2") and "ligne trop longue" in failure.reason
    assert items[-1].blocks[0].text == "Équipe mobile"
    assert MAX_LINE_BYTES < MAX_FILE_BYTES  # a file is bounded by its lines only, not by MAX_FILE_BYTES


def test_programs_are_found_where_their_windows_installers_put_them(tmp_path, monkeypatch):
    from docsante.corpus.convert import program
    installed = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    installed.parent.mkdir(parents=True)
    installed.write_bytes(b"")
    monkeypatch.setenv("ProgramFiles", str(tmp_path))
    assert program(("docsante-no-such-program",), r"LibreOffice\program\soffice.exe") == str(installed)
    assert program(("docsante-no-such-program",), r"Tesseract-OCR\tesseract.exe") is None
