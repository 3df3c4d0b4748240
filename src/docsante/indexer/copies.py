"""A passage's fingerprint, to find its copies: the national paragraph every ARS site repeats with
its own region's name, the tabs of one fiche, a folder copied twice.

The fingerprint is a MinHash (datasketch) of the passage's word shingles: FINGERPRINT_BYTES
minimum hashes under as many random permutations, each cut to its lowest byte (b-bit MinHash).
Two passages agree on a byte about as often as their sets of shingles overlap (their Jaccard
similarity), so copies that differ by a name, a date or a number agree on most bytes. Words
are compared folded (no accents, no capitals) and every number is the same number. Searches
find the copies of a hit among all passages from these fingerprints (search/copies.py).
"""

from __future__ import annotations

import re
import zlib

import numpy as np
from datasketch import MinHash
from unidecode import unidecode

from ..index.schema import FINGERPRINT_BYTES

SHINGLE_WORDS = 3  # words in a shingle: one word changed changes three shingles
SEED = 20261206  # of the permutations: fixed, so that every run and every process fingerprints alike
WORD = re.compile(r"[a-z0-9]+")
NUMBER = re.compile(r"[0-9]+")
_PERMUTATIONS = MinHash(num_perm=FINGERPRINT_BYTES, seed=SEED, scheme="affine32").permutations


def fingerprint(text: str) -> bytes:
    """The passage's fingerprint; a text without a word has none (zero bytes, the column's default)."""
    words = [NUMBER.sub("0", w) for w in WORD.findall(unidecode(text).lower())]
    if not words:
        return bytes(FINGERPRINT_BYTES)
    shingles = [" ".join(words[i:i + SHINGLE_WORDS]).encode() for i in range(max(1, len(words) - SHINGLE_WORDS + 1))]
    sketch = MinHash(num_perm=FINGERPRINT_BYTES, hashfunc=zlib.crc32, permutations=_PERMUTATIONS, scheme="affine32")
    sketch.update_batch(shingles)
    return (sketch.hashvalues & 0xFF).astype(np.uint8).tobytes()
