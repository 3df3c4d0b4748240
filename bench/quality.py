"""Retrieval quality of docsante against peer engines, on French data nobody here wrote.

    pip install ".[bench]" && python bench/quality.py [--sets passages,passages-nodoc,documents,territory] [--engines ...]

Each engine indexes the same records (id, title, text) of a set under
../shared/eval/spf-questions/ and answers its queries in the same run; ir-measures
scores the runs. Peers: SQLite FTS5 (unicode61 remove_diacritics 2), stock Whoosh
(StandardAnalyzer and LanguageAnalyzer("fr")), tantivy (French stemmer + ASCII
folding), bm25s (Snowball French + French stopwords). docsante ranks documents by
their best passage (`docsante run`); in the passage set it is told which fiche each
passage comes from (JSONL `document`), which it uses for document context;
`passages-nodoc` is the same set with no `document` field, as plain records or files
without a grouping are indexed.

`territory` is docsante's own set (bench/territory/): 35 pages in the shape of regional sites, the
same topics on several regions' pages, national pages and pages naming many regions, indexed
without a region field; 22 questions naming a territory (or words that are no place: "quartiers
nord", "centre de santé"), judged 2 for the page about that territory, 1 for its neighbours' and the
topic's general pages.

Queries are split into two halves (by the parity of their rank in sorted order): tune
on the first, report the second; a change is kept only if it holds on both. The last
lines of each table give docsante's lead over the best peer, whole and per half, against
the targets of issue 15.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import ir_measures
from ir_measures import RR, R, nDCG

import docsante

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "spf-questions"
SETS = {"documents": EVAL, "passages": EVAL / "passages", "passages-nodoc": EVAL / "passages",
        "territory": Path(__file__).resolve().parent / "territory"}
# nDCG counting only the answer passages (rel 2). Computed on qrels where rel 2 becomes 1 and the rest
# 0: ir-measures 0.3 mixes up nDCG(gains=…) and plain nDCG asked for in one call.
ANSWER = "nDCG@10 (rel 2)"
MEASURES = [nDCG @ 10, ANSWER, R @ 100, RR @ 10, RR(rel=2) @ 10]
# the lead over the best peer each set must show (issue 15), per measure
TARGETS = {"territory": {nDCG @ 10: 0.0, RR(rel=2) @ 10: 0.0},
           "passages": {nDCG @ 10: 0.08, RR(rel=2) @ 10: 0.05},
           "passages-nodoc": {nDCG @ 10: 0.04, RR(rel=2) @ 10: 0.04},
           "documents": {nDCG @ 10: 0.05}}
DEPTH = 100
WORD = re.compile(r"\w+")


def load(folder: Path):
    records = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    queries = dict(line.rstrip("\n").split("\t", 1) for line in (folder / "queries.tsv").open(encoding="utf-8"))
    qrels = list(ir_measures.read_trec_qrels(str(folder / "qrels.tsv")))
    return records, queries, qrels


class Docsante:
    name = "docsante"
    documents = True  # tell it each passage's fiche (set to False for passages-nodoc)

    def index(self, records, workdir: Path):
        source = workdir / "records.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for r in records:
                record = {"id": r["id"], "title": r.get("title", ""), "text": r["text"]}
                if r.get("fiche") and self.documents:  # passages of one fiche: their document, for document context
                    record["document"] = r["fiche"]
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        docsante.build_index([source], workdir / "docsante")
        self.ix = docsante.open_index(workdir / "docsante")

    def run(self, queries):
        return [(q, d, s) for q, d, _, s in self.ix.run(queries, limit=DEPTH)]


class Fts5:
    name = "sqlite-fts5"

    def index(self, records, workdir):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, text, "
                        "tokenize='unicode61 remove_diacritics 2')")
        self.db.executemany("INSERT INTO t VALUES (?, ?, ?)", ((r["id"], r.get("title", ""), r["text"]) for r in records))

    def run(self, queries):
        out = []
        for qid, text in queries.items():
            words = WORD.findall(text)
            if not words:
                continue
            match = " OR ".join(f'"{w}"' for w in words)
            for doc_id, score in self.db.execute("SELECT id, bm25(t) FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?",
                                                 (match, DEPTH)):
                out.append((qid, doc_id, -score))
        return out


class StockWhoosh:
    def __init__(self, name, analyzer_factory):
        self.name, self.analyzer_factory = name, analyzer_factory

    def index(self, records, workdir):
        from whoosh import index
        from whoosh.fields import ID, TEXT, Schema
        analyzer = self.analyzer_factory()
        schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer), text=TEXT(analyzer=analyzer))
        path = workdir / self.name
        path.mkdir()
        self.ix = index.create_in(str(path), schema)
        with self.ix.writer(limitmb=256) as w:
            for r in records:
                w.add_document(id=r["id"], title=r.get("title", ""), text=r["text"])

    def run(self, queries):
        from whoosh.qparser import MultifieldParser, OrGroup
        parser = MultifieldParser(["title", "text"], self.ix.schema, group=OrGroup)
        out = []
        with self.ix.searcher() as s:
            for qid, text in queries.items():
                q = parser.parse(" ".join(WORD.findall(text)))
                out += [(qid, h["id"], h.score) for h in s.search(q, limit=DEPTH)]
        return out


class Tantivy:
    name = "tantivy-fr"

    def index(self, records, workdir):
        import tantivy
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stemmer("french")).build())
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", tokenizer_name="fr")
        sb.add_text_field("text", tokenizer_name="fr")
        self.ix = tantivy.Index(sb.build())
        self.ix.register_tokenizer("fr", analyzer)
        w = self.ix.writer()
        for r in records:
            w.add_document(tantivy.Document(id=r["id"], title=r.get("title", ""), text=r["text"]))
        w.commit()
        self.ix.reload()

    def run(self, queries):
        out = []
        searcher = self.ix.searcher()
        for qid, text in queries.items():
            words = WORD.findall(text)
            if not words:
                continue
            q = self.ix.parse_query(" ".join(words), ["title", "text"])
            for score, addr in searcher.search(q, DEPTH).hits:
                out.append((qid, searcher.doc(addr)["id"][0], score))
        return out


class Bm25s:
    name = "bm25s-fr"

    def index(self, records, workdir):
        import bm25s
        import Stemmer
        self.stemmer = Stemmer.Stemmer("french")
        self.ids = [r["id"] for r in records]
        tokens = bm25s.tokenize([f"{r.get('title', '')} {r['text']}" for r in records], stopwords="fr",
                                stemmer=self.stemmer, show_progress=False)
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)

    def run(self, queries):
        import bm25s
        out = []
        for qid, text in queries.items():
            tokens = bm25s.tokenize([text], stopwords="fr", stemmer=self.stemmer, show_progress=False)
            if not tokens.vocab:
                continue
            docs, scores = self.model.retrieve(tokens, k=min(DEPTH, len(self.ids)), show_progress=False)
            out += [(qid, self.ids[d], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
        return out


def engines():
    from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
    return [Docsante(), Fts5(), StockWhoosh("whoosh-standard", StandardAnalyzer),
            StockWhoosh("whoosh-fr", lambda: LanguageAnalyzer("fr")), Tantivy(), Bm25s()]


def halves(queries: dict) -> tuple[set, set]:
    ordered = sorted(queries)
    return set(ordered[0::2]), set(ordered[1::2])


def evaluate(engine, records, queries, qrels):
    """{part: {measure: value}} for all queries and each half; index and query times."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        engine.index(records, Path(tmp))
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        run = [ir_measures.ScoredDoc(q, d, s) for q, d, s in engine.run(queries)]
        searched = time.perf_counter() - started
    parts = {"all": set(queries), **dict(zip(("half 1", "half 2"), halves(queries)))}
    answers = [ir_measures.Qrel(q.query_id, q.doc_id, int(q.relevance == 2)) for q in qrels]
    scores = {"per query": {m: {r.query_id: r.value for r in ir_measures.iter_calc([m], qrels, run)}
                            for m in PAIRED}}
    for part, ids in parts.items():
        part_run = [r for r in run if r.query_id in ids]
        scores[part] = ir_measures.calc_aggregate([m for m in MEASURES if m != ANSWER],
                                                  [q for q in qrels if q.query_id in ids], part_run)
        scores[part][ANSWER] = ir_measures.calc_aggregate([nDCG @ 10], [q for q in answers if q.query_id in ids],
                                                          part_run)[nDCG @ 10]
    return scores, indexed, searched / max(1, len(queries))


PAIRED = [nDCG @ 10, RR(rel=2) @ 10]  # measures whose lead over the best peer is tested per query


def paired_rows(set_name: str, results: dict, queries: dict, shown: list) -> list[str]:
    """docsante against the best peer of each measure, query by query: a two-sided Wilcoxon
    signed-rank test on the per-query differences (a query an engine answers nothing scores 0)."""
    from scipy.stats import wilcoxon
    peers = [name for name in results if name != "docsante"]
    if "docsante" not in results or not peers:
        return []
    rows = []
    for measure in (m for m in PAIRED if m in shown):
        best = max(peers, key=lambda p: results[p]["all"][measure])
        ours, theirs = (results[e]["per query"][measure] for e in ("docsante", best))
        diffs = [ours.get(q, 0.0) - theirs.get(q, 0.0) for q in queries]
        changed = [d for d in diffs if d]
        p = wilcoxon(changed).pvalue if changed else 1.0
        rows.append(f"| {measure} vs {best} | {sum(d > 0 for d in diffs)} better, {sum(d < 0 for d in diffs)} worse, "
                    f"{len(diffs) - len(changed)} tied | p = {p:.3f} |")
    return rows


def answer_measures(qrels) -> list:
    """MEASURES, without those of the answer passage (rel 2) when the set judges none so."""
    if any(q.relevance == 2 for q in qrels):
        return MEASURES
    return [m for m in MEASURES if m not in (ANSWER, RR(rel=2) @ 10)]


def lead_rows(set_name: str, results: dict) -> list[str]:
    """docsante minus the best peer, per measure with a target, whole and per half."""
    rows = []
    peers = [name for name in results if name != "docsante"]
    if "docsante" not in results or not peers:
        return rows
    for measure, target in TARGETS[set_name].items():
        cells = []
        for part in ("all", "half 1", "half 2"):
            best = max(results[p][part][measure] for p in peers)
            lead = results["docsante"][part][measure] - best
            cells.append(f"{lead:+.3f}" + (" ✓" if lead >= target else " ✗"))
        rows.append(f"| lead in {measure} (target +{target:.2f}) | " + " | ".join(cells) + " |")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="passages,documents")
    parser.add_argument("--engines", default="", help="comma-separated engine names (default: all)")
    args = parser.parse_args(argv)
    chosen = [e for e in engines() if not args.engines or e.name in args.engines.split(",")]
    for set_name in args.sets.split(","):
        records, queries, qrels = load(SETS[set_name])
        shown = answer_measures(qrels)
        print(f"\n### {set_name}: {len(records)} records, {len(queries)} queries\n")
        print("| engine | " + " | ".join(map(str, shown)) + " | index s | ms/query |")
        print("|---" * (len(shown) + 3) + "|")
        results = {}
        for engine in chosen:
            if isinstance(engine, Docsante):
                engine.documents = set_name != "passages-nodoc"
            scores, indexed, per_query = evaluate(engine, records, queries, qrels)
            results[engine.name] = scores
            print(f"| {engine.name} | " + " | ".join(f"{scores['all'][m]:.3f}" for m in shown)
                  + f" | {indexed:.1f} | {per_query * 1000:.1f} |", flush=True)
        print("\n| docsante − best peer | all queries | half 1 | half 2 |\n|---|---|---|---|")
        print("\n".join(lead_rows(set_name, results)))
        if paired := paired_rows(set_name, results, queries, shown):
            print("\n| paired test, all queries | queries | Wilcoxon signed-rank |\n|---|---|---|")
            print("\n".join(paired))
        if "docsante" in results:
            print("\ndocsante per half: " + " · ".join(
                f"{part}: " + ", ".join(f"{m} {results['docsante'][part][m]:.3f}" for m in (nDCG @ 10, RR(rel=2) @ 10)
                                        if m in shown)
                for part in ("half 1", "half 2")))


if __name__ == "__main__":
    sys.exit(main())
