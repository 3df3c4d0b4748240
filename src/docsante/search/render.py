"""Render results for the terminal (80 columns, French) or as JSON / JSON Lines."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from html import unescape

from ..vocab.vocabulary import FACET_LABELS_FR, FACETS
from .engine import Results

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def to_json(results: Results) -> str:
    return json.dumps(results.to_dict(), ensure_ascii=False, indent=2)


def to_jsonl(results: Results) -> str:
    return "\n".join(json.dumps(h.to_dict(), ensure_ascii=False) for h in results.hits)


def short_id(passage_id: str) -> str:
    """A file passage's id without its folders ("fiche.pdf#p3"), as `docsante show` accepts it."""
    return passage_id.rsplit("/", 1)[-1] if passage_id.startswith("/") else passage_id


def plain_snippet(snippet: str, style=lambda s: f"[{s}]") -> str:
    """Snippet HTML to terminal text: matches shown with `style`, entities decoded."""
    return unescape(MARK.sub(lambda m: style(m.group(1)), snippet)).replace("\n", " ")


def to_table(results: Results, style=lambda s: f"[{s}]", width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((80, 24)).columns, 100)
    lines = []
    if results.total == 0:
        lines.append(f"Aucun passage ne correspond à « {results.query} ».")
        if results.did_you_mean:
            lines.append(f"Essayez : « {results.did_you_mean} »")
        return "\n".join(lines)
    first, last = results.offset + 1, results.offset + len(results.hits)
    head = f"{results.total} passage{'s' if results.total > 1 else ''} pour « {results.query} »"
    lines.append(head + (f" — résultats {first} à {last}" if results.hits else ""))
    if results.did_you_mean:
        lines.append(f"Vouliez-vous dire : « {results.did_you_mean} » ?")
    for n, hit in enumerate(results.hits, first):
        lines.append("")
        heading = " — ".join(x for x in (hit.section, hit.title) if x) or hit.doc_id
        lines += textwrap.wrap(f"{n:>2}. {heading}", width, subsequent_indent="    ")
        tags = " · ".join(x for x in (", ".join(hit.region), ", ".join(hit.dispositifs), ", ".join(hit.acteurs),
                                      ", ".join(hit.themes)) if x)
        score = f"score {hit.score:.2f}"
        lines += textwrap.wrap(f"{tags}  ({score})" if tags else f"({score})", width,
                               initial_indent="    ", subsequent_indent="    ")
        lines += textwrap.wrap(plain_snippet(hit.snippet, lambda s: f"\x00{s}\x01"), width,
                               initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False)
        lines.append(f"    réf. {short_id(hit.id)}" + (f", p. {hit.page}" if hit.page else ""))
    text = "\n".join(lines)
    text = re.sub("\x00(.*?)\x01", lambda m: style(m.group(1)), text, flags=re.S)
    text = text.replace("\x00", "").replace("\x01", "")
    facets = facets_table(results, width)
    return text + ("\n\n" + facets if facets else "")


def facets_table(results: Results, width: int = 80) -> str:
    out = []
    for facet in FACETS:
        buckets = results.facets.get(facet, [])
        if not buckets:
            continue
        items = " · ".join(f"{'✔ ' if b.selected else ''}{b.label} ({b.count})" for b in buckets[:8])
        more = " …" if len(buckets) > 8 or results.facets_truncated.get(facet) else ""
        out += textwrap.wrap(f"{FACET_LABELS_FR[facet]} : {items}{more}", width, subsequent_indent="    ")
    return "\n".join(out)
