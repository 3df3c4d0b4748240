"""Speed at scale: docsante against stock Whoosh and tantivy, same records, same queries.

    pip install ".[bench]" && python bench/speed.py --sizes 50000,200000
    python bench/speed.py --sizes 140000,500000 --engines docsante,whoosh-stock --whoosh-max 200000

Records: articles of ../shared/eval/legi-codes-fr-2015/corpus.jsonl.gz cut into
pieces of at most 800 characters at sentence ends (about 142,000; larger sizes
take further pieces cut at most 400 characters long from the same articles). Each engine runs in its own
process (so peak RSS is its own), indexes the records, then answers a fixed,
seeded mix of queries (one to three words of varied frequency, phrases,
truncations; half with a facet filter), once to warm up and once measured. A
measured query is the search plus the counts of all three facets. docsante tags
the records itself; the peers index the facet values docsante found, untimed.

A second, harsh mix follows in the same process: the 50 most frequent words and
words of every other frequency band, ORs of 2-3 frequent words, two-word phrases of
frequent words taken from the text, five-letter truncations of common stems, and
a share of each with a facet filter. Each harsh query is timed once, after the
standard mix has warmed the engine on other queries; p50, p95, p99 and max are
given per kind. Stock Whoosh is left out past --whoosh-max passages (it would take
most of an hour at 500,000).
docsante indexes in one process (timed; the facet values come from that index) and
searches that index in a second one. Memory: peak RSS of the engine's process(es)
(indexing and searching; the larger of docsante's two), and the peak while indexing
of the summed PSS of the process and its children (docsante's indexing workers),
sampled every 0.2 s; docsante's processes never hold the harness's table of facet values, which the
peers load (part of their peak). Targets of issues 17 and 28 are checked at each size: the harsh mix's
p95 and p99, memory, search and indexing against stock Whoosh, and the index's size at 1,000,000.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

LEGI = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "legi-codes-fr-2015" / "corpus.jsonl.gz"
MAX_CHARS = 800
FACETS = ("region", "dispositif", "theme")
WORD = re.compile(r"[^\W\d_]{4,}")
SENTENCE = re.compile(r"(?<=[.;:!?])\s+")


def make_records(n: int) -> list[dict]:
    """n records cut from the legal articles (ids unique). The articles give about 142,000
    pieces of at most MAX_CHARS characters; past that, further passes cut the same articles
    into pieces of at most MAX_CHARS / 2, / 3… characters, so no record repeats another."""
    out, seen = [], set()
    for cut_pass in range(1, 10):
        with gzip.open(LEGI, "rt", encoding="utf-8") as f:
            for line in f:
                article = json.loads(line)
                for k, piece in enumerate(_pieces(article["text"], MAX_CHARS // cut_pass)):
                    record_id = f"{article['id']}#{k}" if cut_pass == 1 else f"{article['id']}#{cut_pass}.{k}"
                    if record_id in seen:
                        continue
                    seen.add(record_id)
                    out.append({"id": record_id, "title": article["title"], "text": piece})
                    if len(out) == n:
                        return out
    return out


def _pieces(text: str, max_chars: int) -> list[str]:
    """The text cut at sentence ends into pieces of at most max_chars characters."""
    pieces, current = [], ""
    for sentence in SENTENCE.split(" ".join(text.split())):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars) or max_chars
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def make_queries(records: list[dict], facet_values: dict[str, list[str]], count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    df = Counter()
    for r in records[:20000]:
        df.update(set(w.lower() for w in WORD.findall(r["text"])))
    ranked = [w for w, _ in df.most_common()]
    bands = [ranked[: len(ranked) // 100], ranked[len(ranked) // 100: len(ranked) // 10], ranked[len(ranked) // 10:]]
    queries = []
    while len(queries) < count:
        kind = rng.choice(["1 word", "2 words", "3 words", "phrase", "truncation"])
        if kind == "phrase":
            words = WORD.findall(rng.choice(records)["text"])
            if len(words) < 3:
                continue
            i = rng.randrange(len(words) - 1)
            text = f'"{words[i]} {words[i + 1]}"'
        elif kind == "truncation":
            word = rng.choice(bands[1])
            text = word[: max(4, len(word) - 3)] + "*"
        else:
            text = " ".join(rng.choice(rng.choice(bands)) for _ in range(int(kind[0])))
        flt = None
        if rng.random() < 0.5:
            facet = rng.choice([f for f in FACETS if facet_values.get(f)] or [None])
            if facet:
                flt = {facet: rng.choice(facet_values[facet][:5])}
        queries.append({"text": text, "kind": kind, "filter": flt})
    return queries


HARSH_KINDS = {"word": 60, "OR": 40, "phrase": 40, "truncation": 30, "filtered": 30}
# issues 17 and 28's targets: harsh mix (ms), search and indexing against stock Whoosh (times), memory and
# index size (MB; the size at TARGET_SIZE_AT passages)
TARGET_P95, TARGET_P99, TARGET_KIND_P95, TARGET_RATIO, TARGET_MEMORY_MB = 35, 60, 100, 25, 1500
TARGET_INDEXING_RATIO, TARGET_SIZE_MB, TARGET_SIZE_AT = 2, 1000, 1_000_000
TOKEN = re.compile(r"[^\W\d_]{3,}")


def make_harsh_queries(records: list[dict], facet_values: dict[str, list[str]], seed: int = 11) -> list[dict]:
    """The harsh mix: frequent words, ORs, phrases and truncations of common stems."""
    rng = random.Random(seed)
    df = Counter()
    texts = [r["text"] for r in records[:20000]]
    for text in texts:
        df.update(set(w.lower() for w in TOKEN.findall(text)))
    ranked = [w for w, _ in df.most_common()]
    top = ranked[:50]
    frequent = set(ranked[:500])
    bands = [ranked[50:len(ranked) // 100], ranked[len(ranked) // 100:len(ranked) // 10], ranked[len(ranked) // 10:]]
    pairs = []
    for text in rng.sample(texts, 2000):
        words = [w.lower() for w in TOKEN.findall(text)]
        pairs += [(a, b) for a, b in zip(words, words[1:]) if a in frequent and b in frequent]
    stems = sorted({w[:5] for w in ranked[:300] if len(w) >= 6})

    def one(kind: str) -> str:
        if kind == "word":
            return rng.choice(top) if rng.random() < 0.5 else rng.choice(rng.choice(bands))
        if kind == "OR":
            return " OR ".join(rng.sample(ranked[:200], rng.choice([2, 3])))  # an operator for every engine
        if kind == "phrase":
            return '"%s %s"' % rng.choice(pairs)
        return rng.choice(stems) + "*"

    queries = []
    for kind, n in HARSH_KINDS.items():
        for _ in range(n):
            if kind == "filtered":
                facets = [f for f in FACETS if facet_values.get(f)]
                if not facets:  # no facet has a value: no filter to draw (issue 31)
                    continue
                facet = rng.choice(facets)
                queries.append({"text": one(rng.choice(["word", "OR", "phrase", "truncation"])), "kind": kind,
                                "filter": {facet: rng.choice(facet_values[facet][:5])}, "mix": "harsh"})
            else:
                queries.append({"text": one(kind), "kind": kind, "filter": None, "mix": "harsh"})
    return queries


# ---------------------------------------------------------------- engines (run in a child process)

def run_docsante(work: Path, records, facets, queries):
    import docsante
    import docsante.search.generation
    docsante.search.generation.RESULTS_CACHE = 0  # measure query evaluation: the warm-up pass would fill the cache
    indexed = None
    if not queries:  # the first pass indexes and gives the facet values; the second searches that index
        started = time.perf_counter()
        docsante.build_index([work / "records.jsonl"], work / "index")
        indexed = time.perf_counter() - started
    ix = docsante.open_index(work / "index")
    if not queries:  # written a record at a time: this process's peak memory stays docsante's
        with (work / "facets.jsonl").open("w", encoding="utf-8") as out:
            for fields in ix.generation.searcher.all_stored_fields():
                if fields.get("kind") == "passage":
                    out.write(json.dumps([fields["doc_id"], {f: [v for v in fields.get(f, "").split(",") if v]
                                                             for f in FACETS}]) + "\n")

    def search(q):
        kw = {k: v for k, v in (q["filter"] or {}).items()}
        ix.search(q["text"], limit=10, **kw)
    return indexed, work / "index", search


def run_whoosh(work: Path, records, facets, queries):
    from whoosh import index, sorting
    from whoosh import query as wq
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, KEYWORD, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StandardAnalyzer()),
                    text=TEXT(analyzer=StandardAnalyzer(), stored=True),
                    region=KEYWORD(commas=True, stored=True), dispositif=KEYWORD(commas=True, stored=True),
                    theme=KEYWORD(commas=True, stored=True))
    path = work / "whoosh"
    path.mkdir()
    ix = index.create_in(str(path), schema)
    started = time.perf_counter()
    with ix.writer(limitmb=256) as w:
        for r in records:
            tags = facets.get(r["id"], {})
            w.add_document(id=r["id"], title=r["title"], text=r["text"],
                           **{f: ",".join(tags.get(f, [])) for f in FACETS})
    indexed = time.perf_counter() - started
    parser = MultifieldParser(["title", "text"], schema, group=OrGroup)
    searcher = ix.searcher()
    groups = {f: sorting.FieldFacet(f, allow_overlap=True) for f in FACETS}

    def search(q):
        flt = None
        if q["filter"]:
            (facet, value), = q["filter"].items()
            flt = wq.Term(facet, value)
        results = searcher.search(parser.parse(q["text"]), filter=flt, limit=10, groupedby=groups, maptype=sorting.Count)
        for f in FACETS:
            results.groups(f)
    return indexed, path, search


def run_tantivy(work: Path, records, facets, queries):
    import tantivy
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stemmer("french")).build())
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="fr")
    sb.add_text_field("text", stored=True, tokenizer_name="fr")
    for f in FACETS:
        sb.add_text_field(f, tokenizer_name="raw", fast=True)
    schema = sb.build()
    path = work / "tantivy"
    path.mkdir()
    ix = tantivy.Index(schema, path=str(path))
    ix.register_tokenizer("fr", analyzer)
    started = time.perf_counter()
    w = ix.writer(heap_size=256_000_000, num_threads=2)
    for r in records:
        doc = tantivy.Document(id=r["id"], title=r["title"], text=r["text"])
        for f, values in facets.get(r["id"], {}).items():
            for v in values:
                doc.add_text(f, v)
        w.add_document(doc)
    w.commit()
    w.wait_merging_threads()
    indexed = time.perf_counter() - started
    ix.reload()
    searcher = ix.searcher()
    aggs = {f: {"terms": {"field": f, "size": 20}} for f in FACETS}

    def search(q):
        text = q["text"]
        if text.endswith("*"):
            query = tantivy.Query.regex_query(schema, "text", re.escape(text[:-1].lower()) + ".*")
        else:
            query = ix.parse_query(text, ["title", "text"])
        if q["filter"]:
            (facet, value), = q["filter"].items()
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query),
                                                 (tantivy.Occur.Must, tantivy.Query.term_query(schema, facet, value))])
        searcher.search(query, 10)
        searcher.aggregate(query, aggs)
    return indexed, path, search


ENGINES = {"docsante": run_docsante, "whoosh-stock": run_whoosh, "tantivy": run_tantivy}


class PeakMemory:
    """Peak memory of this process and its children (docsante's indexing workers), sampled
    every 0.2 s: the sum of their PSS, which counts pages shared after fork once (Linux)."""

    def __init__(self):
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while True:
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in _tree(os.getpid())) / 1024)
            if self._stop.wait(0.2):
                return


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids += [p for child in children.read_text().split() for p in _tree(int(child))]
        except OSError:
            pass
    return pids


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM where /proc has it (Linux keeps getrusage's ru_maxrss
    across fork and exec, so a child started by a harness holding a million records would report the
    harness's peak), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stream_records(path: Path):
    """The records one at a time: no engine's peak RSS should include the harness holding them all."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def read_facets(work: Path) -> dict[str, dict[str, list[str]]]:
    """The facet values docsante gave each record ({id: {facet: values}})."""
    with (work / "facets.jsonl").open(encoding="utf-8") as f:
        return dict(json.loads(line) for line in f)


def child(engine: str, work: Path):
    with (work / "records.jsonl").open(encoding="utf-8") as f:
        count = sum(1 for _ in f)
    records = stream_records(work / "records.jsonl")
    facets = read_facets(work) if engine != "docsante" else {}  # the peers index docsante's tags
    queries = json.loads((work / "queries.json").read_text("utf-8")) if (work / "queries.json").exists() else []
    with PeakMemory() as memory:
        indexed, path, search = ENGINES[engine](work, records, facets, queries)
    standard = [q for q in queries if q.get("mix") != "harsh"]
    harsh = [q for q in queries if q.get("mix") == "harsh"]
    timings = []
    for q in standard:  # warm-up
        search(q)
    for q in standard + harsh:  # a harsh query meets an engine warmed on other queries only
        started = time.perf_counter()
        search(q)
        timings.append((time.perf_counter() - started) * 1000)
    size = sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())
    print(json.dumps({"engine": engine, "passages_per_s": count / indexed if indexed else None, "index_s": indexed,
                      "size_mb": size / 1e6, "peak_rss_mb": peak_rss_mb(),
                      "indexing_pss_mb": memory.peak_mb, "timings": timings}))


def measure(engine, work) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", engine, "--work", str(work)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--whoosh-max", type=int, default=200_000, help="largest size stock Whoosh runs at")
    parser.add_argument("--keep", action="store_true", help="keep each size's records and indexes (their folder is printed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, Path(args.work))
    engines = args.engines.split(",")
    for size in map(int, args.sizes.split(",")):
        base = Path(tempfile.mkdtemp(prefix=f"docsante-speed-{size}-"))
        records = make_records(size)
        if len(records) < size:
            raise SystemExit(f"only {len(records)} records can be cut from {LEGI}")
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        rows = []
        # docsante first: it tags the records, and the peers index its facet values
        order = ["docsante"] + [e for e in engines if e != "docsante"]
        queries = None
        for engine in order:
            work = base / engine
            work.mkdir()
            (work / "records.jsonl").write_text(lines, "utf-8")
            if engine == "docsante":
                # a first pass indexes (timed) and gives the facet values the queries filter on and the
                # peers index; a second process searches the same index
                indexing = measure("docsante", work)
                tags = read_facets(work)
                common = {f: [v for v, _ in Counter(v for t in tags.values() for v in t[f]).most_common(5)] for f in FACETS}
                del tags
                queries = make_queries(records, common, args.queries) + make_harsh_queries(records, common)
            else:
                shutil.copy(base / "docsante" / "facets.jsonl", work / "facets.jsonl")
            (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), "utf-8")
            if engine == "docsante" and engine in engines:
                searching = measure("docsante", work)
                rows.append({**searching, **{k: indexing[k] for k in ("passages_per_s", "index_s", "indexing_pss_mb")},
                             "peak_rss_mb": max(indexing["peak_rss_mb"], searching["peak_rss_mb"])})
            elif engine in engines and not (engine == "whoosh-stock" and size > args.whoosh_max):
                rows.append(measure(engine, work))
        if args.keep:
            print(f"\nkept: {base}", flush=True)
        else:
            shutil.rmtree(base)
        standard = [i for i, q in enumerate(queries) if q.get("mix") != "harsh"]
        harsh = [i for i, q in enumerate(queries) if q.get("mix") == "harsh"]
        for r in rows:
            r["harsh"] = {kind: [r["timings"][i] for i in harsh if queries[i]["kind"] == kind] for kind in HARSH_KINDS}
            r["harsh"]["all"] = [r["timings"][i] for i in harsh]
            r["timings"] = [r["timings"][i] for i in standard]
        print(f"\n### {len(records):,} passages, {len(standard)} queries (search + 3 facet counts, warm)\n")
        ref = {r["engine"]: r for r in rows}.get("docsante")
        print("| engine | p50 ms | p95 ms | max ms | index passages/s | index MB | peak RSS MB "
              "| indexing peak MB, all processes | peer p95 / docsante p95 | docsante / peer indexing |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            t = r["timings"]
            p95 = percentile(t, 95)
            speedup = f"{p95 / percentile(ref['timings'], 95):.3g}×" if ref and r is not ref else "—"
            indexing = f"{ref['passages_per_s'] / r['passages_per_s']:.3g}×" if ref and r is not ref else "—"
            print(f"| {r['engine']} | {statistics.median(t):.1f} | {p95:.1f} | {max(t):.1f} | {r['passages_per_s']:.0f} "
                  f"| {r['size_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['indexing_pss_mb']:.0f} | {speedup} | {indexing} "
                  "|", flush=True)
        print(f"\n### {len(records):,} passages, harsh mix: {len(harsh)} queries, each timed once (ms)\n")
        print("| engine | kind | queries | p50 | p95 | p99 | max | peer p95 / docsante p95 |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            for kind, t in r["harsh"].items():
                ratio = (f"{percentile(t, 95) / percentile(ref['harsh'][kind], 95):.3g}×"
                         if ref and r is not ref else "—")
                print(f"| {r['engine']} | {kind} | {len(t)} | {statistics.median(t):.1f} | {percentile(t, 95):.1f} "
                      f"| {percentile(t, 99):.1f} | {max(t):.1f} | {ratio} |", flush=True)
        if ref:
            print_targets(ref, [r for r in rows if r["engine"] == "whoosh-stock"], len(records))


def print_targets(ref: dict, stock: list[dict], size: int) -> None:
    """docsante against issues 17 and 28's targets, at this size."""
    harsh = ref["harsh"]
    worst_kind = max((k for k in HARSH_KINDS), key=lambda k: percentile(harsh[k], 95))
    memory = max(ref["peak_rss_mb"], ref["indexing_pss_mb"])
    checks = [("harsh p95", f"{percentile(harsh['all'], 95):.1f} ms", percentile(harsh["all"], 95) <= TARGET_P95,
               f"≤ {TARGET_P95} ms"),
              ("harsh p99", f"{percentile(harsh['all'], 99):.1f} ms", percentile(harsh["all"], 99) <= TARGET_P99,
               f"≤ {TARGET_P99} ms"),
              (f"slowest kind p95 ({worst_kind})", f"{percentile(harsh[worst_kind], 95):.1f} ms",
               percentile(harsh[worst_kind], 95) <= TARGET_KIND_P95, f"≤ {TARGET_KIND_P95} ms"),
              ("peak memory", f"{memory:.0f} MB", memory <= TARGET_MEMORY_MB, f"≤ {TARGET_MEMORY_MB} MB")]
    for r in stock:
        ratio = percentile(r["harsh"]["all"], 95) / percentile(harsh["all"], 95)
        checks.append(("stock Whoosh p95 / docsante p95", f"{ratio:.1f}×", ratio >= TARGET_RATIO, f"≥ {TARGET_RATIO}×"))
        indexing = ref["passages_per_s"] / r["passages_per_s"]
        checks.append(("docsante / stock Whoosh indexing", f"{indexing:.2f}×", indexing >= TARGET_INDEXING_RATIO,
                       f"≥ {TARGET_INDEXING_RATIO}×"))
    if size >= TARGET_SIZE_AT:
        checks.append(("index on disk", f"{ref['size_mb']:.0f} MB", ref["size_mb"] <= TARGET_SIZE_MB, f"≤ {TARGET_SIZE_MB} MB"))
    print("\n| target | docsante | met | wanted |\n|---|---|---|---|")
    for name, value, met, wanted in checks:
        print(f"| {name} | {value} | {'✓' if met else '✗'} | {wanted} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
