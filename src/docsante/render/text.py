"""Text for the terminal, in French (80 columns, at most 100): one function per result type."""

from __future__ import annotations

import re
import shutil
import textwrap
from datetime import date, datetime
from html import unescape

from ..facets import BY_NAME, FACETS
from ..search.facets import FacetCount
from ..search.results import DocumentInfo, DocumentView, Hit, PassageView, Results
from ..search.watches import Watch, WatchRun

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def bracketed(s: str) -> str:
    """How a match is shown where there is no terminal to underline it: [mot]."""
    return f"[{s}]"


def short_id(passage_id: str) -> str:
    """A file passage's id without its folders ("fiche.pdf#p3"), as `docsante show` accepts it."""
    return passage_id.rsplit("/", 1)[-1] if passage_id.startswith("/") else passage_id


def plain_snippet(snippet: str, style=bracketed) -> str:
    """Snippet HTML to terminal text: matches shown with `style`, entities decoded."""
    return unescape(MARK.sub(lambda m: style(m.group(1)), snippet)).replace("\n", " ")


MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def french_date(iso: str | None) -> str:
    """A document's date as a French reader writes it: "2023-06-14" -> "14 juin 2023", "2023" as it is.

    >>> [french_date(d) for d in ["2023-06-01", "2023-09-12", "2023", None]]
    ['1er juin 2023', '12 septembre 2023', '2023', '']
    """
    if not iso or len(iso) != 10:
        return iso or ""
    day = int(iso[8:])
    return f"{'1er' if day == 1 else day} {MONTHS_FR[int(iso[5:7]) - 1]} {iso[:4]}"


def document_line(title: str, date: str | None, issuer: str, page: int | None = None) -> str:
    """What a reader cites of a passage's document: "Rapport d'activité 2022, p. 3 — 14 juin 2023 — IREPS Bretagne"."""
    return " — ".join(x for x in (title + (f", p. {page}" if page else ""), french_date(date), issuer) if x)


def local(stamp: str) -> datetime:
    """An ISO time stored in UTC, in the reader's time zone."""
    return datetime.fromisoformat(stamp).astimezone()


def moment(stamp: str) -> str:
    """An ISO time (UTC) as read in French, in local time: "27 novembre 2026 à 17:07"."""
    when = local(stamp)
    return f"{french_date(when.date().isoformat())} à {when:%H:%M}"


def french_number(value: float, decimals: int = 1) -> str:
    """A number as French writes it: a decimal comma ("0,3")."""
    return f"{value:.{decimals}f}".replace(".", ",")


def count_line(found: Results) -> str:
    """How many passages match, told honestly: a word like « santé » is in most of them, so those
    holding every word typed are counted apart from those holding some.

    >>> from docsante.search.parse import parse
    >>> count_line(Results("santé mentale", parse("santé mentale"), 230, 0, 10, (), total_all_words=12))
    '12 passages contiennent tous les mots, 218 autres en contiennent une partie'
    """
    total, every = found.total, found.total_all_words
    if every >= total:
        return _count(total, "passage", "passages")
    rest = _count(total - every, "autre en contient", "autres en contiennent") + " une partie"
    if not every:
        return f"Aucun passage ne contient tous les mots ; {rest.replace('autre', 'passage')}"
    return f"{_count(every, 'passage contient', 'passages contiennent')} tous les mots, {rest}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def results(found: Results, style=bracketed, width: int | None = None, scores: bool = False,
            unfiltered: str = "") -> str:
    """A page of results for a terminal; `scores`: with each passage's score (`--explain`);
    `unfiltered`: the command that searches without the filters, said when they leave nothing."""
    width = width or min(shutil.get_terminal_size((80, 24)).columns, 100)
    lines = []
    asked = f" à « {found.query} »" if found.query.strip() else ""
    if found.total == 0:
        lines += textwrap.wrap(f"Aucun passage ne correspond{asked}"
                               + (f" avec {_filters_named(found)}." if found.filtered_by else "."), width)
        if found.unfiltered_total:
            lines.append(f"Sans {'eux' if len(found.filtered_by) > 1 else 'lui'}, "
                         f"{_count(found.unfiltered_total, 'passage correspond', 'passages correspondent')}"
                         + (f" :\n    {unfiltered}" if unfiltered else "."))
        if found.did_you_mean:
            lines.append(f"Essayez : « {found.did_you_mean} »")
        return "\n".join(lines)
    shown = len(found.documents) if found.documents is not None else len(found.hits)
    first, last = found.offset + 1, found.offset + shown
    head = (f"« {found.query} » : " if found.query.strip() else "") + count_line(found)
    if found.documents is not None:
        head += f", dans {_count(found.total_documents, 'document', 'documents')}"
        lines += textwrap.wrap(head + (f" — documents {first} à {last}" if shown else ""), width)
    else:
        lines += textwrap.wrap(head + (f" — résultats {first} à {last}" if shown else ""), width)
    if found.did_you_mean:
        lines.append(f"Vouliez-vous dire : « {found.did_you_mean} » ?")
    if found.documents is not None:
        for n, doc in enumerate(found.documents, first):
            lines.append("")
            info = doc.document
            lines += textwrap.wrap(f"{n:>2}. {document_line(info.title or info.doc_id, info.date, info.issuer)}", width,
                                   subsequent_indent="    ")
            about = [", ".join(labels) for labels in info.tags.values() if labels]
            lines += textwrap.wrap(" · ".join([f"{doc.matching} passage(s) sur {info.passages} correspondent"] + about),
                                   width, initial_indent="    ", subsequent_indent="    ")
            for hit in doc.hits:
                lines += _hit_lines(hit, None, width, scores, indent="      ")
    else:
        for n, hit in enumerate(found.hits, first):
            lines.append("")
            lines += _hit_lines(hit, n, width, scores)
    text = "\n".join(lines)
    text = re.sub("\x00(.*?)\x01", lambda m: style(m.group(1)), text, flags=re.S)
    text = text.replace("\x00", "").replace("\x01", "")
    counts = facets_line(found, width)
    return text + ("\n\n" + counts if counts else "")


def _hit_lines(hit: Hit, n: int | None, width: int, scores: bool, indent: str = "    ") -> list[str]:
    """A passage found: its heading (numbered, or a dash under its document), tags, snippet, reference
    and copies."""
    lines = []
    heading = " — ".join(x for x in (hit.heading, hit.title if n is not None else "") if x) or hit.doc_id
    start = f"{n:>2}. " if n is not None else indent[:-2] + "- "
    lines += textwrap.wrap(start + heading, width, subsequent_indent=indent)
    tags = " · ".join(", ".join(values) for values in hit.tags.values() if values) if n is not None else ""
    shown = "  ".join(x for x in (tags, f"(score {french_number(hit.score, 2)})" if scores else "") if x)
    lines += textwrap.wrap(shown, width, initial_indent=indent, subsequent_indent=indent)
    lines += textwrap.wrap(plain_snippet(hit.snippet, lambda s: f"\x00{s}\x01"), width,
                           initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
    cited = " — ".join(x for x in (french_date(hit.date), hit.issuer) if x)
    lines += textwrap.wrap(f"réf. {short_id(hit.id)}" + (f", p. {hit.page}" if hit.page else "")
                           + (f" · {cited}" if cited else ""), width, initial_indent=indent,
                           subsequent_indent=indent, break_on_hyphens=False, break_long_words=False)
    if hit.duplicates:
        more = hit.duplicate_count - len(hit.duplicates)
        lines += textwrap.wrap(f"{copies_line(hit)} : " + ", ".join(_tail(c.id) for c in hit.duplicates)
                               + (f" et {more} autre(s)" if more else ""), width,
                               initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False,
                               break_long_words=False)
    return lines


def _tail(passage_id: str) -> str:
    """A copy's id by its file and folder ("copie/fiche.pdf#p3"): its file's name is often the hit's own."""
    return "/".join(passage_id.rsplit("/", 2)[-2:]) if passage_id.startswith("/") else passage_id


def copies_line(hit: Hit) -> str:
    """« même texte dans 2 autres documents », or in this one."""
    if hit.duplicate_documents:
        return f"même texte dans {_count(hit.duplicate_documents, 'autre document', 'autres documents')}"
    return f"même texte {_count(hit.duplicate_count, 'autre fois', 'autres fois')} dans ce document"


def _filters_named(found: Results) -> str:
    """« le filtre région : Hauts-de-France », « les filtres région : Bretagne ; depuis le 2024-01-01 »."""
    named = " ; ".join(found.filtered_by)
    return f"les filtres {named}" if len(found.filtered_by) > 1 else f"le filtre {named}"


def facets_line(found: Results, width: int = 80) -> str:
    """The facet counts under a result list: the first values of each facet, on one line."""
    out = []
    for facet in FACETS:
        buckets = found.facets.get(facet.name, [])
        if not buckets:
            continue
        items = " · ".join(f"{'✔ ' if b.selected else ''}{b.label} ({b.count})" for b in buckets[:8])
        more = " …" if len(buckets) > 8 or found.facets_truncated.get(facet.name) else ""
        out += textwrap.wrap(f"{facet.label} : {items}{more}", width, subsequent_indent="    ")
    return "\n".join(out)


def citation(hit: Hit, consulted: date) -> str:
    """A passage cited as French documentalists cite (after NF ISO 690): issuer, title and section,
    date, page, address and the day it was read.

    >>> from types import MappingProxyType
    >>> hit = Hit("x#p2", "x", "x", "CLS de Metz", "CLS de Metz › Article 1", "…", "", 0.0, MappingProxyType({}),
    ...           url="https://metz.fr/cls.pdf", page=3, date="2023-06-12", issuer="Ville de Metz")
    >>> citation(hit, date(2026, 12, 6))
    'Ville de Metz. CLS de Metz, « Article 1 » [en ligne]. 12 juin 2023, p. 3. Disponible sur : https://metz.fr/cls.pdf (consulté le 6 décembre 2026).'
    """
    online = hit.link.startswith(("http://", "https://"))
    title = hit.title + (f", « {hit.heading} »" if hit.heading else "") + (" [en ligne]" if online else "")
    when = ", ".join(x for x in (french_date(hit.date), f"p. {hit.page}" if hit.page else "") if x)
    parts = [hit.issuer, title, when]
    where = f"Disponible sur : {hit.link} (consulté le {french_date(consulted.isoformat())})" if hit.link else ""
    return " ".join(f"{p.rstrip('.')}." for p in (*parts, where) if p)


def passage(view: PassageView) -> str:
    """A passage between its neighbours, under its document (`docsante show`)."""
    p, doc = view.passage, view.document
    lines = [f"{document_line(doc.title or doc.doc_id, doc.date, doc.issuer)}  ({doc.passages} passage(s))", doc.source]
    lines += [f"{BY_NAME[name].label} : {', '.join(values)}" for name, values in p.tags.items() if values]
    for before in view.before:
        lines.append(f"\n[{before.id}] {before.section}\n{before.text}")
    page = f" p. {p.page}" if p.page else ""
    lines.append(f"\n>>> [{p.id}]{page} {p.section}\n{p.text}")
    for after in view.after:
        lines.append(f"\n[{after.id}] {after.section}\n{after.text}")
    return "\n".join(lines)


def document(view: DocumentView) -> str:
    """A whole document: what it is, its outline, its passages (`docsante show --document`)."""
    d = view.document
    lines = [document_line(d.title or d.doc_id, d.date, d.issuer), d.source]
    lines += [f"{BY_NAME[name].one.capitalize()} : {', '.join(labels)}" for name, labels in d.tags.items() if labels]
    lines.append(f"{d.passages} passage(s)" + (f", {d.pages} page(s)" if d.pages else ""))
    if view.outline:
        lines.append("\nPlan :")
        lines += _outline_lines(view.outline, "  ")
    for p in view.passages:
        lines.append(f"\n[{short_id(p.id)}]" + (f" p. {p.page}" if p.page else "") + (f" {p.heading}" if p.heading else ""))
        lines.append(p.text)
    return "\n".join(lines)


def _outline_lines(headings, indent: str) -> list[str]:
    lines = []
    for h in headings:
        where = f"  ({', '.join(short_id(pid).rsplit('#', 1)[-1] for pid in h.passages)})" if h.passages else ""
        lines.append(f"{indent}{h.heading}{where}")
        lines += _outline_lines(h.children, indent + "  ")
    return lines


def documents(docs: tuple[DocumentInfo, ...]) -> str:
    """Every document, with its passages, pages, date and when it was indexed (`docsante documents`)."""
    lines = []
    for d in docs:
        details = [f"{d.passages} passage(s)"] + ([f"{d.pages} p."] if d.pages else []) + \
            ([french_date(d.date)] if d.date else []) + ([d.issuer] if d.issuer else []) + \
            [", ".join(labels) for labels in d.tags.values() if labels]
        if d.changed:
            changed, first = (french_date(local(s).date().isoformat()) for s in (d.changed, d.first_indexed or d.changed))
            details.append(f"modifié le {changed}" + (f", indexé le {first}" if first != changed else ""))
        if d.withdrawn:
            details.append(f"retiré du site le {french_date(d.withdrawn)} (copie archivée)")
        lines.append(f"{d.title or d.doc_id}\n    {d.doc_id}\n    {' · '.join(details)}")
    lines.append(f"{len(docs)} document(s)")
    return "\n".join(lines)


def stats(s: dict) -> str:
    """What an index holds (`docsante stats`)."""
    lines = [f"Index : {s['index']}", f"Documents : {s['documents']}", f"Passages : {s['passages']}",
             f"Taille : {french_number(s['size_bytes'] / 1e6)} Mo"]
    for facet in FACETS:
        values, labels = s["facets"][facet.name], s["facet_labels"][facet.name]
        first = ", ".join(f"{labels[v]} ({n})" for v, n in list(values.items())[:5])
        lines.append(f"{facet.label} : {len(values)} valeur(s)" + (f", dont {first}" if values else ""))
    return "\n".join(lines)


def facets(counts: dict[str, tuple[FacetCount, ...]]) -> str:
    """Each facet's values with their passage counts (`docsante facets`)."""
    lines = []
    for name, buckets in counts.items():
        lines.append(f"{BY_NAME[name].label} :")
        for b in buckets:
            full = f" — {b.name}" if b.name and b.name != b.label else ""
            lines.append(f"  {b.count:>7}  {b.label}{full}  [{b.value}]")
    return "\n".join(lines)


def watches(saved: tuple[Watch, ...]) -> str:
    """The saved searches (`docsante veille list`)."""
    lines = []
    for w in saved:
        ran = f"dernière exécution le {moment(w.last_run)}" if w.last_run else "jamais exécutée"
        lines.append(f"{w.name}\n    {w.describe()}\n    {ran}")
    lines.append(f"{len(saved)} veille(s)")
    return "\n".join(lines)


def watch_runs(runs: list[WatchRun]) -> str:
    """What each saved search found new (`docsante veille run`)."""
    if not runs:
        return "Aucune veille enregistrée : docsante veille add NOM REQUÊTE"
    lines = []
    for r in runs:
        if r.first:
            news = "première exécution : tous les passages qui correspondent"
        else:
            news = f"nouveautés depuis le {moment(r.watch.last_run)}"
        lines.append(f"== {r.watch.name} — {r.watch.describe()} — {news} : {r.results.total} passage(s)")
        if r.results.total:
            lines.append(results(r.results))
    return "\n".join(lines)
