"""Tagging quality: precision and recall per facet on hand-labelled passages.

    pip install ".[bench]" && python bench/tagging.py [--errors] [--half 1|2]

Labels: bench/tagging/labels.jsonl and the labelled sections of bench/tagging/documents.txt,
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

from docsante.corpus.readers import Failure, read_sources
from docsante.indexer.chunk import chunk
from docsante.indexer.tag import Tagger
from docsante.location import sample_corpus

HERE = Path(__file__).resolve().parent
EVAL = HERE.parents[1] / "shared" / "eval"
FACETS = {"regions": "region", "dispositifs": "dispositif", "acteurs": "acteur", "themes": "theme"}
# issue 14's targets, for the test half (precision, recall)
TARGETS = {"regions": (0.97, 0.95), "dispositifs": (0.95, 0.90), "acteurs": (0.95, 0.90), "themes": (0.90, 0.80)}
LABEL_KEYS = {"r": "regions", "d": "dispositifs", "a": "acteurs", "t": "themes"}


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
    """The documents of documents.txt: {format, file, title, sections: [{path, labels, text}]}."""
    docs = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("=== "):
            head, title = line[4:].split(" | ", 1)
            fmt, name = head.split()
            docs.append({"format": fmt, "file": name, "title": title, "sections": []})
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
    """Print a document as its team would publish it."""
    out = folder / doc["file"]
    if doc["format"] == "docx":
        import docx
        d = docx.Document()
        d.add_heading(doc["title"], level=0)
        for heads, section in _headings(doc):
            for level, text in heads:
                d.add_heading(text, level=level)
            for paragraph in section["text"]:
                d.add_paragraph(paragraph)
        d.save(out)
    elif doc["format"] == "odt":
        sys.path.insert(0, str(HERE.parent / "tests" / "fixtures"))
        from make_documents import make_odt
        body = []  # the title is the document's metadata title, as LibreOffice keeps it
        for heads, section in _headings(doc):
            body += [("h", level, text) for level, text in heads]
            body += [("p", paragraph) for paragraph in section["text"]]
        make_odt(out, doc["title"], body)
    elif doc["format"] == "html":
        from html import escape
        parts = [f"<h1>{escape(doc['title'].split(' | ')[0])}</h1>"]
        for heads, section in _headings(doc):
            parts += [f"<h{level + 1}>{escape(text)}</h{level + 1}>" for level, text in heads]
            parts += [f"<p>{escape(paragraph)}</p>" for paragraph in section["text"]]
        out.write_text(f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{escape(doc['title'])}"
                       f"</title></head><body><main>{''.join(parts)}</main></body></html>", "utf-8")
    elif doc["format"] == "pdf":
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
        styles = getSampleStyleSheet()
        story = [Spacer(1, 200), Paragraph(doc["title"], styles["Title"]), PageBreak()]
        for heads, section in _headings(doc):
            story += [Paragraph(text, styles[f"Heading{min(level, 3)}"]) for level, text in heads]
            story += [Paragraph(paragraph, styles["BodyText"]) for paragraph in section["text"]]
        SimpleDocTemplate(str(out), pagesize=A4, title=doc["title"]).build(story)
    else:
        raise SystemExit(f"{doc['file']}: unknown format {doc['format']}")


def document_predictions(docs) -> tuple[dict, list[dict]]:
    """Tags of the printed documents' passages, and their labels, by reference
    (`doc/<file>#<last heading>`); a passage of a labelled section gets its labels."""
    tagger = Tagger()
    labels, out = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            render(doc, Path(tmp))
        wanted = {(d["file"], s["path"][-1]): s["labels"] for d in docs for s in d["sections"]}
        found = set()
        for doc in read_sources([Path(tmp)]):
            if isinstance(doc, Failure):
                raise SystemExit(f"unreadable: {doc}")
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
    return out, labels


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
    documents, document_labels = document_predictions(parse_documents(HERE / "tagging" / "documents.txt"))
    predicted |= documents
    labels += document_labels
    parts = [args.half] if args.half else [1, 2, None]
    for part in parts:
        chosen = [l for l in labels if part is None or half_of(l["ref"]) == part]
        report(chosen, predicted, part, args.errors and part is not None)


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
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        tp, tr = TARGETS[facet]
        met = " ✓" if p >= tp and r >= tr else " ✗"
        print(f"| {FACETS[facet]} | {p:.3f} | {r:.3f} | {f1:.3f} | {c['tp'] + c['fn']} | P ≥ {tp}, R ≥ {tr}"
              + (met if part == 2 else "") + " |")


if __name__ == "__main__":
    sys.exit(main())
