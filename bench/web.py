"""Bounded load on the HTTP API, on loopback only.

    pip install ".[bench]" && python bench/web.py [--clients 8] [--requests 2000] [--workers 2] [--index DIR]
        [--queries queries.json]

Indexes the bundled sample corpus plus the spf-questions documents (or takes --index DIR), starts
`docsante serve` on 127.0.0.1 (a free port), then N concurrent clients send a
fixed number of requests in total: /api/search with the spf queries (seeded
order), half of them with a facet filter, a tenth of them page views (/). Prints
requests/s, p50/p95/max latency and errors. Stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

import docsante
from docsante.location import sample_corpus

SPF = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "spf-questions"
FILTERS = [("region", "Hauts-de-France"), ("region", "PACA"), ("theme", "santé mentale"), ("dispositif", "CLS"),
           ("theme", "précarité")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1, help="docsante serve --workers")
    parser.add_argument("--index", type=Path, help="serve this index (default: the sample and the spf documents, indexed first)")
    parser.add_argument("--queries", type=Path, help="bench/speed.py's queries.json (its queries and filters) "
                        "instead of the spf questions")
    args = parser.parse_args(argv)
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="docsante-web-")) / "ix"
        docsante.build_index([sample_corpus(), SPF / "corpus.jsonl"], index)
    rng = random.Random(11)
    plan = []
    if args.queries:  # each with its own filter, as bench/speed.py measures them
        queries = [{"q": q["text"], **(q["filter"] or {})} for q in json.loads(args.queries.read_text("utf-8"))]
        plan = [("/" if i % 10 == 0 else "/api/search", rng.choice(queries)) for i in range(args.requests)]
    else:
        questions = [line.split("\t", 1)[1].strip() for line in (SPF / "queries.tsv").open(encoding="utf-8")]
        for i in range(args.requests):
            params = {"q": rng.choice(questions)}
            if rng.random() < 0.5:
                facet, value = rng.choice(FILTERS)
                params[facet] = value
            plan.append(("/" if i % 10 == 0 else "/api/search", params))
    port = free_port()
    env = dict(os.environ, DOCSANTE_INDEX=str(index))
    server = subprocess.Popen([sys.executable, "-m", "docsante", "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                httpx.get(base + "/api/search", params={"q": "santé"}, timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        latencies, errors, lock = [], [0], threading.Lock()
        chunks = [plan[i::args.clients] for i in range(args.clients)]

        def client(chunk):
            with httpx.Client(base_url=base, timeout=30) as http:
                for path, params in chunk:
                    started = time.perf_counter()
                    try:
                        ok = http.get(path, params=params).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies.append(elapsed)
                        errors[0] += not ok

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    with docsante.open_index(index) as ix:
        passages = ix.stats()["passages"]
    print(f"\n{len(latencies)} requests, {args.clients} concurrent clients, {args.workers} server worker(s), "
          f"index: {'sample + spf documents' if args.index is None else args.index}, {passages:,} passages, "
          f"queries: {args.queries or 'spf questions'}\n")
    print("| requests/s | p50 ms | p95 ms | max ms | errors |")
    print("|---|---|---|---|---|")
    print(f"| {len(latencies) / wall:.0f} | {statistics.median(latencies):.1f} | {p95:.1f} | {latencies[-1]:.1f} | {errors[0]} |")


if __name__ == "__main__":
    sys.exit(main())
