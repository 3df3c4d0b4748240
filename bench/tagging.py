"""Tagging quality: precision and recall per facet on hand-labelled passages.

    pip install ".[bench]" && python bench/tagging.py [--errors] [--half 1|2]

Labels: bench/tagging/labels.jsonl and the labelled sections of bench/tagging/documents.txt,
and the document labels of documents.txt (département, type, issuer: what finishing decides),
printed here as PDF, DOCX, ODT or HTML (see bench/tagging/README.md). Each passage is
read, chunked and tagged by docsante's own pipeline; a (passage, value) pair is a
true positive when both the labels and docsante give it. Passages are split into two
halves by a stable hash of their reference: tune on half 1, report half 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

from docsante.corpus.issuer import ISSUERS_JOIN
from docsante.corpus.readers import Failure, read_sources
from docsante.indexer.chunk import chunk
from docsante.indexer.tag import Tagger
from docsante.location import sample_corpus
from docsante.vocab.vocabulary import alias_key

HERE = Path(__file__).resolve().parent
EVAL = HERE.parents[1] / "shared" / "eval"
FACETS = {"regions": "region", "dispositifs": "dispositif", "acteurs": "acteur", "themes": "theme"}
# issue 14's targets, for the test half (precision, recall)
TARGETS = {"regions": (0.97, 0.95), "dispositifs": (0.95, 0.90), "acteurs": (0.95, 0.90), "themes": (0.90, 0.80)}
LABEL_KEYS = {"r": "regions", "d": "dispositifs", "a": "acteurs", "t": "themes"}
# issue 27's targets for whole documents, on the test half (precision, recall; 0: none set)
DOCUMENT_TARGETS = {"departement": (0.95, 0.0), "issuer": (0.90, 0.80), "type": (0.90, 0.80)}


def eval_records(refs: set[str]) -> list[dict]:
    """The labelled spf passages and legi articles, as JSONL records."""
    out = []
    with (EVAL / "spf-questions" / "passages" / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if f"spf:{r['id']}" in refs:
                out.append({"id": f"spf:{r['id']}", "title": r["title"], "text": r["text"]})
    with gzip.open(EVAL / "legi-codes-fr-2015" / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if f"legi:{r['id']}" in refs:
                out.append({"id": f"legi:{r['id']}", "title": r["title"], "text": r["text"], "section": r.get("path", "")})
    return out


def predictions(refs: set[str]) -> dict[str, dict[str, set[str]]]:
    tagger = Tagger()
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records.jsonl"
        records.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in eval_records(refs)), "utf-8")
        out = {}
        for doc in read_sources([sample_corpus(), records]):
            if isinstance(doc, Failure):
                raise SystemExit(f"unreadable: {doc}")
            passages = chunk(doc)
            tagger.tag(passages, doc)
            for p in passages:
                ref = f"sample/{p.id.rsplit('/', 1)[1]}" if doc.doc_id.startswith("/") else p.doc_id
                out[ref] = tags_of(p)
    return out


def tags_of(passage) -> dict[str, set[str]]:
    """What docsante tagged a passage with, facet by facet (the keys of a label)."""
    return {key: set(passage.tags[facet]) for key, facet in FACETS.items()}


def parse_documents(path: Path) -> list[dict]:
    """The documents of documents.txt: {format, file, title, labels, letterhead, front, site,
    sections: [{path, labels, text}]}."""
    docs = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("=== "):
            head, title = line[4:].split(" | ", 1)
            fmt, name = head.split()
            docs.append({"format": fmt, "file": name, "title": title, "sections": [], "letterhead": [], "front": [],
                         "site": ""})
        elif line.startswith("@@ "):
            values = dict(item.strip().split("=", 1) for item in line[3:].split(" | "))
            docs[-1]["labels"] = {"departement": [v for v in values["dep"].split(",") if v],
                                  "type": [values["type"]] if values["type"] else [],
                                  "issuer": [v.strip() for v in values["issuer"].split(" ; ") if v.strip()]}
        elif line.startswith("^ "):
            docs[-1]["letterhead"].append(line[2:])
        elif line.startswith("> "):
            docs[-1]["front"].append(line[2:])
        elif line.startswith("~ site="):
            docs[-1]["site"] = line[len("~ site="):]
        elif line.startswith("## "):
            docs[-1]["sections"].append({"path": line[3:].split(" › "), "labels": None, "text": []})
        elif line.startswith("@ "):
            values = dict(item.split("=", 1) for item in line[2:].split())
            docs[-1]["sections"][-1]["labels"] = {LABEL_KEYS[k]: [x for x in v.split(",") if x] for k, v in values.items()}
        elif line.strip():
            docs[-1]["sections"][-1]["text"].append(line.strip())
    for doc in docs:
        lasts = [s["path"][-1] for s in doc["sections"]]
        if len(set(lasts)) != len(lasts):
            raise SystemExit(f"{doc['file']}: two sections end with the same heading")
    return docs


def _headings(doc):
    """(level, heading) to print before each section: the heading path's parts that change."""
    previous: list[str] = []
    for section in doc["sections"]:
        path = section["path"]
        common = 0
        while common < min(len(path), len(previous)) and path[common] == previous[common]:
            common += 1
        yield [(level + 1, path[level]) for level in range(common, len(path))], section
        previous = path


def render(doc, folder: Path) -> None:
    """Print a document as its team would publish it: its letterhead, its title, the lines below
    the title, then its sections."""
    out = folder / doc["file"]
    if doc["format"] == "docx":
        import docx
        d = docx.Document()
        for line in doc["letterhead"]:
            d.add_paragraph(line)
        d.add_heading(doc["title"], level=0)
        for line in doc["front"]:
            d.add_paragraph(line)
        for heads, section in _headings(doc):
            for level, text in heads:
                d.add_heading(text, level=level)
            for paragraph in section["text"]:
                d.add_paragraph(paragraph)
        d.save(out)
    elif doc["format"] == "odt":
        sys.path.insert(0, str(HERE.parent / "tests" / "fixtures"))
        from make_documents import make_odt
        # the title is the document's metadata title, as LibreOffice keeps it
        body = [("p", line) for line in doc["letterhead"] + doc["front"]]
        for heads, section in _headings(doc):
            body += [("h", level, text) for level, text in heads]
            body += [("p", paragraph) for paragraph in section["text"]]
        make_odt(out, doc["title"], body)
    elif doc["format"] == "html":
        from html import escape
        parts = [f"<p>{escape(line)}</p>" for line in doc["letterhead"]]
        parts += [f"<h1>{escape(doc['title'].split(' | ')[0])}</h1>"] + [f"<p>{escape(line)}</p>" for line in doc["front"]]
        for heads, section in _headings(doc):
            parts += [f"<h{level + 1}>{escape(text)}</h{level + 1}>" for level, text in heads]
            parts += [f"<p>{escape(paragraph)}</p>" for paragraph in section["text"]]
        site = f'<meta property="og:site_name" content="{escape(doc["site"])}">' if doc["site"] else ""
        out.write_text(f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{escape(doc['title'])}"
                       f"</title>{site}</head><body><main>{''.join(parts)}</main></body></html>", "utf-8")
    elif doc["format"] == "md":
        lines = doc["letterhead"] + [f"# {doc['title']}"] + doc["front"]
        for heads, section in _headings(doc):
            lines += [f"{'#' * (level + 1)} {text}" for level, text in heads] + section["text"]
        out.write_text("\n\n".join(lines) + "\n", "utf-8")
    elif doc["format"] == "pdf":
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
        styles = getSampleStyleSheet()
        story = [Paragraph(line, styles["Normal"]) for line in doc["letterhead"]]
        story += [Spacer(1, 200), Paragraph(doc["title"], styles["Title"])]
        story += [Paragraph(line, styles["BodyText"]) for line in doc["front"]] + [PageBreak()]
        for heads, section in _headings(doc):
            story += [Paragraph(text, styles[f"Heading{min(level, 3)}"]) for level, text in heads]
            story += [Paragraph(paragraph, styles["BodyText"]) for paragraph in section["text"]]
        SimpleDocTemplate(str(out), pagesize=A4, title=doc["title"]).build(story)
    else:
        raise SystemExit(f"{doc['file']}: unknown format {doc['format']}")


def document_predictions(docs) -> tuple[dict, list[dict], dict]:
    """Tags of the printed documents' passages, and their labels, by reference
    (`doc/<file>#<last heading>`); a passage of a labelled section gets its labels. Also what
    finishing decided of each document, by file name (DOCUMENT_FACETS' keys)."""
    tagger = Tagger()
    labels, out, decided = [], {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            render(doc, Path(tmp))
        wanted = {(d["file"], s["path"][-1]): s["labels"] for d in docs for s in d["sections"] if s["labels"]}
        found = set()
        for doc in read_sources([Path(tmp)]):
            if isinstance(doc, Failure):
                raise SystemExit(f"unreadable: {doc}")
            decided[doc.doc_id.rsplit("/", 1)[1]] = {
                "departement": set(doc.tags["departement"]), "type": set(doc.tags["type"]),
                "issuer": {alias_key(b) for b in doc.issuer.split(ISSUERS_JOIN) if b}}
            passages = chunk(doc)
            tagger.tag(passages, doc)
            name = doc.doc_id.rsplit("/", 1)[1]
            for p in passages:
                key = (name, p.section.split(" › ")[-1])
                if key not in wanted:
                    continue
                ref = f"doc/{name}#{key[1]}" + (f" ({len([k for k in found if k[0] == key])})" if (key, 0) in found else "")
                found.add((key, len([k for k in found if k[0] == key])))
                labels.append({"ref": ref, **wanted[key]})
                out[ref] = tags_of(p)
        missing = sorted(set(wanted) - {k for k, _ in found})
        if missing:  # e.g. a heading read as web boilerplate ("Nous contacter"): its text joins the section before
            print(f"{len(missing)} labelled section(s) not given back under their heading: {missing}")
    return out, labels, decided


def half_of(ref: str) -> int:
    return 1 + zlib.crc32(ref.encode("utf-8")) % 2


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    parser.add_argument("--half", type=int, choices=(1, 2), help="only this half (default: both, then all)")
    args = parser.parse_args(argv)
    labels = [json.loads(line) for line in (HERE / "tagging" / "labels.jsonl").open(encoding="utf-8")]
    predicted = predictions({l["ref"] for l in labels})
    missing = [l["ref"] for l in labels if l["ref"] not in predicted]
    if missing:
        raise SystemExit(f"labelled passages docsante did not produce: {missing}")
    written = parse_documents(HERE / "tagging" / "documents.txt")
    documents, document_labels, decided = document_predictions(written)
    predicted |= documents
    labels += document_labels
    parts = [args.half] if args.half else [1, 2, None]
    for part in parts:
        chosen = [l for l in labels if part is None or half_of(l["ref"]) == part]
        report(chosen, predicted, part, args.errors and part is not None)
    for part in parts:
        chosen = [d for d in written if part is None or half_of(d["file"]) == part]
        report_documents(chosen, decided, part, args.errors and part is not None)
    if not args.half:  # documents written once the rules were set: a check nothing was tuned on
        fresh = parse_documents(HERE / "tagging" / "documents-fresh.txt")
        report_documents(fresh, document_predictions(fresh)[2], "fresh", args.errors)


def report_documents(docs, decided, part, errors: bool) -> None:
    """Precision and recall of what finishing decides of whole documents, against their labels."""
    counts = {f: Counter() for f in DOCUMENT_TARGETS}
    for doc in docs:
        got = decided[doc["file"]]
        for facet in DOCUMENT_TARGETS:
            want = {alias_key(v) for v in doc["labels"][facet]} if facet == "issuer" else set(doc["labels"][facet])
            have = got[facet]
            counts[facet].update(tp=len(want & have), fp=len(have - want), fn=len(want - have),
                                 docs=1, right=want == have)
            if errors and want != have:
                print(f"{doc['file']} {facet}: missed {sorted(want - have)} extra {sorted(have - want)}")
    name = {1: "half 1 (tuning)", 2: "half 2 (test)", None: "all", "fresh": "documents-fresh.txt"}[part]
    print(f"\n{name}: {len(docs)} hand-labelled documents (document facets)\n")
    print("| facet | precision | recall | documents exactly right | labels | target (test half) |")
    print("|---|---|---|---|---|---|")
    for facet, c in counts.items():
        p, r = precision_recall(c)
        tp, tr = DOCUMENT_TARGETS[facet]
        met = " ✓" if p >= tp and r >= tr else " ✗"
        print(f"| {facet} | {p:.3f} | {r:.3f} | {c['right']}/{c['docs']} | {c['tp'] + c['fn']} | P ≥ {tp}"
              + (f", R ≥ {tr}" if tr else "") + (met if part in (2, "fresh") else "") + " |")


def precision_recall(c: Counter) -> tuple[float, float]:
    """Precision and recall of true positives, false positives and false negatives counted (1.0 when empty)."""
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return p, r


def report(labels, predicted, part, errors: bool) -> None:
    counts = {f: Counter() for f in FACETS}
    for label in labels:
        got = predicted[label["ref"]]
        for facet in FACETS:
            want, have = set(label[facet]), got[facet]
            counts[facet].update(tp=len(want & have), fp=len(have - want), fn=len(want - have))
            if errors and want != have:
                print(f"{label['ref']} {facet}: missed {sorted(want - have)} extra {sorted(have - want)}")
    name = {1: "half 1 (tuning)", 2: "half 2 (test)", None: "all"}[part]
    print(f"\n{name}: {len(labels)} hand-labelled passages\n")
    print("| facet | precision | recall | F1 | labels | target (test half) |")
    print("|---|---|---|---|---|---|")
    for facet, c in counts.items():
        p, r = precision_recall(c)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        tp, tr = TARGETS[facet]
        met = " ✓" if p >= tp and r >= tr else " ✗"
        print(f"| {FACETS[facet]} | {p:.3f} | {r:.3f} | {f1:.3f} | {c['tp'] + c['fn']} | P ≥ {tp}, R ≥ {tr}"
              + (met if part == 2 else "") + " |")


if __name__ == "__main__":
    sys.exit(main())
