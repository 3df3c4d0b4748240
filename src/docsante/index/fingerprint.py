"""A passage's fingerprint, to find its copies: the national paragraph every ARS site repeats with
its own region's name, the tabs of one fiche, a folder copied twice.

A passage's shingles are its runs of SHINGLE_WORDS words, words in small letters and every number
the same number, each hashed (CRC-32 of each word, combined: stable from one run and one process to
the next). Its fingerprint is a MinHash (datasketch) of them: FINGERPRINT_BYTES minimum hashes under
as many random permutations, each cut to its lowest byte (b-bit MinHash). Two passages agree on a
byte about as often as they share shingles (their Jaccard similarity), so copies that differ by a
name, a date or a word agree on most bytes. Searches find the copies of a hit among all passages
from these fingerprints, and check them on the shingles themselves (search/copies.py).

Passages are fingerprinted many at a time, with datasketch's permutations and mixing, in one NumPy
pass over all their shingles: a MinHash a passage took 67 µs a legal article, most of it setting up
and calling NumPy on a few dozen values; 40 now.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

import numpy as np

from .schema import FINGERPRINT_BYTES

SHINGLE_WORDS = 3  # words in a shingle: one word changed changes three shingles
SEED = 20261206  # of the permutations: fixed, so that every run and every process fingerprints alike
WORD = re.compile(r"\w+")  # read once "_" is a space: [^\W_]+ took 26 µs a legal passage, this 15
NUMBER = re.compile(r"[0-9]+")
LOW_32 = np.uint64(0xFFFFFFFF)
BATCH_PASSAGES = 128  # passages fingerprinted in one NumPy pass: about 4 MB for 128 passages of MAX_CHARS


@lru_cache(maxsize=1)
def _scheme():
    """datasketch's permutations (a, b) and the mixing its affine32 scheme applies to a value before them
    (its module's `_fmix`: tests/test_results.py holds the fingerprints to MinHash's own), imported when a
    passage is first fingerprinted: importing datasketch imports scipy (half a second), which searches,
    comparing shingles only, do without."""
    from datasketch import MinHash
    from datasketch.minhash import _fmix
    a, b = MinHash(num_perm=FINGERPRINT_BYTES, seed=SEED, scheme="affine32").permutations
    return a, b, lambda hashes: _fmix(hashes, 32)


def shingles(text: str) -> np.ndarray:
    """The hashes of the passage's shingles (32-bit values, in order, repeats kept); a text of fewer
    words than a shingle is one shingle, a text without a word none."""
    words = np.array([zlib.crc32(w.encode()) for w in WORD.findall(NUMBER.sub("0", text.lower()).replace("_", " "))],
                     np.uint64)
    if len(words) < SHINGLE_WORDS:
        return words[:1] ^ np.uint64(len(words)) if len(words) else words
    return ((words[:-2] * np.uint64(0x9E3779B1) + words[1:-1]) * np.uint64(0x85EBCA77) + words[2:]) & LOW_32


def fingerprints(texts: list[str]) -> list[bytes]:
    """The passages' fingerprints, as datasketch's MinHash of each one's shingles gives them; a text without
    a word has none (zero bytes, the column's default)."""
    out = []
    for start in range(0, len(texts), BATCH_PASSAGES):
        out += _batch([shingles(text) for text in texts[start:start + BATCH_PASSAGES]])
    return out


def _batch(hashes: list[np.ndarray]) -> list[bytes]:
    a, b, mix = _scheme()
    counts = np.fromiter(map(len, hashes), np.int64, len(hashes))
    found = np.zeros((len(hashes), FINGERPRINT_BYTES), np.uint8)
    if counts.any():
        every = mix(np.concatenate(hashes).astype(np.uint32).reshape(-1, 1))
        starts = np.cumsum(counts) - counts
        found[counts > 0] = np.minimum.reduceat(every * a + b, starts[counts > 0], axis=0) & 0xFF
    return [row.tobytes() for row in found]


def resemblance(a: str, b: str) -> float:
    """The share of their shingles two texts have in common (Jaccard similarity)."""
    first, second = np.unique(shingles(a)), np.unique(shingles(b))
    union = len(np.union1d(first, second))
    return len(np.intersect1d(first, second, assume_unique=True)) / union if union else 0.0
