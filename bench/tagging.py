"""Tagging quality: precision and recall per facet on hand-labelled passages.

    python bench/tagging.py [--errors]

Labels: bench/tagging/labels.jsonl (see bench/tagging/README.md). Each passage is
read, chunked and tagged by docsante's own pipeline; a (passage, value) pair is a
true positive when both the labels and docsante give it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from docsante.corpus.readers import Failure, read_sources
from docsante.indexer.chunk import chunk
from docsante.indexer.tag import Tagger
from docsante.location import sample_corpus

HERE = Path(__file__).resolve().parent
EVAL = HERE.parents[1] / "shared" / "eval"
FACETS = {"regions": "region", "dispositifs": "dispositif", "acteurs": "acteur", "themes": "theme"}
TARGETS = {"regions": (0.95, 0.85), "dispositifs": (0.95, 0.85), "acteurs": (0.95, 0.85), "themes": (0.85, None)}


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
            tagger.tag(passages, passages[0].title if passages else doc.title, doc.regions)
            for p in passages:
                ref = f"sample/{p.id.rsplit('/', 1)[1]}" if doc.doc_id.startswith("/") else p.doc_id
                out[ref] = {"regions": set(p.regions), "dispositifs": set(p.dispositifs), "acteurs": set(p.acteurs),
                            "themes": set(p.themes)}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    labels = [json.loads(line) for line in (HERE / "tagging" / "labels.jsonl").open(encoding="utf-8")]
    predicted = predictions({l["ref"] for l in labels})
    missing = [l["ref"] for l in labels if l["ref"] not in predicted]
    if missing:
        raise SystemExit(f"labelled passages docsante did not produce: {missing}")
    counts = {f: Counter() for f in FACETS}
    for label in labels:
        got = predicted[label["ref"]]
        for facet in FACETS:
            want, have = set(label[facet]), got[facet]
            counts[facet].update(tp=len(want & have), fp=len(have - want), fn=len(want - have))
            if args.errors and want != have:
                print(f"{label['ref']} {facet}: missed {sorted(want - have)} extra {sorted(have - want)}")
    print(f"\n{len(labels)} hand-labelled passages\n")
    print("| facet | precision | recall | F1 | labels | target |")
    print("|---|---|---|---|---|---|")
    for facet, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        tp, tr = TARGETS[facet]
        target = f"P ≥ {tp}" + (f", R ≥ {tr}" if tr else "")
        print(f"| {FACETS[facet]} | {p:.3f} | {r:.3f} | {f1:.3f} | {c['tp'] + c['fn']} | {target} |")


if __name__ == "__main__":
    sys.exit(main())
