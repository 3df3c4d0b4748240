"""Retrieval quality of docsante against peer engines, on French data nobody here wrote.

    pip install ".[bench]" && python bench/quality.py [--sets documents,passages] [--engines ...]

Each engine indexes the same records (id, title, text) of a set under
../shared/eval/spf-questions/ and answers its queries in the same run; ir-measures
scores the runs. Peers: SQLite FTS5 (unicode61 remove_diacritics 2), stock Whoosh
(StandardAnalyzer and LanguageAnalyzer("fr")), tantivy (French stemmer + ASCII
folding), bm25s (Snowball French + French stopwords). docsante ranks documents by
their best passage (`docsante run`); in the passage set it is told which fiche each
passage comes from (JSONL `document`), which it uses for document context.
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
SETS = {"documents": EVAL, "passages": EVAL / "passages"}
MEASURES = [nDCG @ 10, R @ 100, RR @ 10, RR(rel=2) @ 10]
DEPTH = 100
WORD = re.compile(r"\w+")


def load(folder: Path):
    records = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    queries = dict(line.rstrip("\n").split("\t", 1) for line in (folder / "queries.tsv").open(encoding="utf-8"))
    qrels = list(ir_measures.read_trec_qrels(str(folder / "qrels.tsv")))
    return records, queries, qrels


class Docsante:
    name = "docsante"

    def index(self, records, workdir: Path):
        source = workdir / "records.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for r in records:
                record = {"id": r["id"], "title": r.get("title", ""), "text": r["text"]}
                if r.get("fiche"):  # passages of one fiche: their document, for document context
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


def evaluate(engine, records, queries, qrels):
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        engine.index(records, Path(tmp))
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        run = [ir_measures.ScoredDoc(q, d, s) for q, d, s in engine.run(queries)]
        searched = time.perf_counter() - started
    scores = ir_measures.calc_aggregate(MEASURES, qrels, run)
    return [scores[m] for m in MEASURES], indexed, searched / max(1, len(queries))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="passages,documents")
    parser.add_argument("--engines", default="", help="comma-separated engine names (default: all)")
    args = parser.parse_args(argv)
    chosen = [e for e in engines() if not args.engines or e.name in args.engines.split(",")]
    for set_name in args.sets.split(","):
        records, queries, qrels = load(SETS[set_name])
        print(f"\n### spf-questions {set_name}: {len(records)} records, {len(queries)} queries\n")
        print("| engine | " + " | ".join(map(str, MEASURES)) + " | index s | ms/query |")
        print("|---" * (len(MEASURES) + 3) + "|")
        for engine in chosen:
            values, indexed, per_query = evaluate(engine, records, queries, qrels)
            print(f"| {engine.name} | " + " | ".join(f"{v:.3f}" for v in values)
                  + f" | {indexed:.1f} | {per_query * 1000:.1f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
