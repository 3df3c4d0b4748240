"""How many passages fold as copies of another (issue 33), on real sets.

    python bench/duplicates.py                      # spf passages and 140,000 legal passages
    python bench/duplicates.py --sets spf --legal 30000

For each set: index the records (docsante's own indexing, fingerprints included), then find every
passage's copies as a search does (search/copies.py) and join them into groups (a copy of a copy is in
the same group). Reported: passages, passages in a group of copies, groups, passages a search folds (all
but one per group, when they all match), how many of these are exact copies (the same text), and how
long finding every passage's copies took. The spf passages are service-public.fr's fiches cut into
passages (../shared/eval/spf-questions/passages); the legal ones are bench/speed.py's records.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import docsante
from docsante.index.schema import PASSAGE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import make_records  # noqa: E402

SPF = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "spf-questions" / "passages" / "corpus.jsonl"


def spf_records() -> list[dict]:
    out = []
    for line in SPF.open(encoding="utf-8"):
        r = json.loads(line)
        out.append({"id": r["id"], "title": r.get("title", ""), "text": r["text"],
                    **({"document": r["fiche"]} if r.get("fiche") else {})})
    return out


def groups(ix) -> tuple[list[list[int]], int, float]:
    """The groups of copies among the index's passages (union-find over each passage's copies), the
    number of passages, and the seconds finding every passage's copies took."""
    g = ix.generation
    started = time.perf_counter()
    copies = g.copies
    passages = [d for d in range(g.evaluator.doc_count) if copies.live[d]]
    parent = {d: d for d in passages}

    def root(d):
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for d in passages:
        for c in copies.of(d).tolist():
            parent[root(c)] = root(d)
    seconds = time.perf_counter() - started
    members: dict[int, list[int]] = {}
    for d in passages:
        members.setdefault(root(d), []).append(d)
    return [m for m in members.values() if len(m) > 1], len(passages), seconds


def measure(name: str, records: list[dict]) -> dict:
    with tempfile.TemporaryDirectory(prefix="docsante-copies-") as work:
        source = Path(work) / "records.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
        docsante.build_index([source], Path(work) / "ix")
        with docsante.open_index(Path(work) / "ix") as ix:
            found, passages, seconds = groups(ix)
            stored = ix.generation.searcher.stored_fields
            exact = 0
            for group in found:
                texts = Counter(hashlib.blake2b(stored(d)["text"].encode()).digest() for d in group)
                exact += sum(n - 1 for n in texts.values())
            assert all(stored(d)["kind"] == PASSAGE for group in found[:10] for d in group)
            sizes = sorted((len(g) for g in found), reverse=True)
    folded = sum(len(g) - 1 for g in found)
    return {"set": name, "passages": passages, "in_groups": sum(sizes), "groups": len(found), "folded": folded,
            "exact": exact, "largest": sizes[0] if sizes else 0, "seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="spf,legal")
    parser.add_argument("--legal", type=int, default=140_000, help="legal passages (bench/speed.py's records)")
    args = parser.parse_args(argv)
    rows = []
    for name in args.sets.split(","):
        records = spf_records() if name == "spf" else make_records(args.legal)
        rows.append(measure(name, records))
    print("| set | passages | in a group of copies | groups | folded (shown under another) | of which the same text "
          "| largest group | finding every passage's copies |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['passages']:,} | {r['in_groups']:,} ({r['in_groups'] / r['passages']:.1%}) "
              f"| {r['groups']:,} | {r['folded']:,} ({r['folded'] / r['passages']:.1%}) | {r['exact']:,} "
              f"| {r['largest']} | {r['seconds']:.1f} s |")


if __name__ == "__main__":
    main()
