"""Chunking time on hostile text shapes, at growing sizes: a quadratic term shows as a falling MB/s.

    python bench/hostile.py [--sizes 0.25,0.5,1,2,4]

Each shape is written to a .txt file, then read, cleaned and chunked as `docsante index`
does (readers, normalise, chunk; tagging and indexing left out). Target: at least 1 MB/s
on every shape and size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from docsante.corpus.readers import read_sources
from docsante.indexer.chunk import chunk

SENTENCE = "Le contrat local de santé soutient la prévention des addictions chez les jeunes. "
SHAPES = {
    "one long line, no punctuation": lambda n: ("mot " * (n // 4))[:n],
    "one long line of sentences": lambda n: (SENTENCE * (n // len(SENTENCE) + 1))[:n],
    "Unicode space runs": lambda n: ("Fin. " + "\u1680\u2028\u2029\u3000 " * 40 + "Début ") * (n // 175 + 1),
    "many short lines": lambda n: "Titre court\n" * (n // 12),
    "many blank lines": lambda n: "Un mot\n" + "\n" * n + "Fin du texte.\n",
    "long list of links": lambda n: ("Aller plus loin\n" + "Lien vers une page\n" * 50) * (n // 950 + 1),
    "hyphenated line ends": lambda n: "la promo-\ntion de la santé et le bien-\nêtre des jeunes\n" * (n // 52 + 1),
    "one line of dots": lambda n: "Sommaire " + "." * n,
    "table of contents lines": lambda n: ("2. Priorités " + "." * 300 + " 3\n") * (n // 316 + 1),
}


def measure(text: str, folder: Path) -> float:
    path = folder / "shape.txt"
    path.write_text(text, "utf-8")
    started = time.perf_counter()
    for doc in read_sources([path]):
        if hasattr(doc, "blocks"):
            chunk(doc)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.25,0.5,1,2,4", help="sizes in MB")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    print("| shape | " + " | ".join(f"{s:g} MB s" for s in sizes) + " | MB/s at the largest |")
    print("|---|" + "---|" * (len(sizes) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in SHAPES.items():
            times = []
            for size in sizes:
                text = make(int(size * 1_000_000))
                times.append((len(text.encode("utf-8")) / 1e6, measure(text, Path(tmp))))
            mb, seconds = times[-1]
            print(f"| {name} | " + " | ".join(f"{t:.2f}" for _, t in times) + f" | {mb / seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
