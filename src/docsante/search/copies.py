"""The copies of a passage, found among all passages from their fingerprints (index/fingerprint.py).

For one index generation, the fingerprints are read into one array, and cut into BANDS bands
of BAND_BYTES bytes: two passages that agree on a whole band are candidates (locality-sensitive
hashing, each band sorted once for binary searches). A candidate whose fingerprint agrees on at
least LIKELY of its bytes (an estimate of the share of shingles they have in common) is checked
on the texts: it is a copy when they share at least NEAR of their shingles. A paragraph that
differs by a region's name, a date or a word stays above it; two passages on the same subject in
their own words are far below.
"""

from __future__ import annotations

import numpy as np

from ..index.schema import FINGERPRINT_BYTES
from ..index.whoosh_adapter import fixed_column
from ..index.fingerprint import resemblance

BAND_BYTES = 3  # bytes in a band: agreeing on all three by chance happens once in 16 million
BANDS = 8       # bands looked up: a passage sharing 70 % of its shingles is a candidate 96 times in 100
LIKELY = 0.55   # the share of fingerprint bytes a candidate must agree on to be checked on its text (the
# estimate's error is about 0.06: a copy at NEAR is checked 99 times in 100)
NEAR = 0.7      # the share of their shingles copies have in common (Jaccard similarity)


class Copies:
    """The copies of each passage of one index generation (read through its Evaluator); those asked
    for are kept for the generation (a hit's are asked for when folding, then when shown)."""

    def __init__(self, evaluator, text_of):
        """`text_of(docnum)`: a passage's text, read when a candidate is checked."""
        self._found: dict[int, np.ndarray] = {}
        self._text_of = text_of
        parts = [fixed_column(segment, "fingerprint", FINGERPRINT_BYTES) for segment, _, _ in evaluator.segments]
        self.prints = np.concatenate(parts) if parts else np.zeros((0, FINGERPRINT_BYTES), np.uint8)
        self.live = evaluator.live & self.prints.any(axis=1)  # deleted passages and other entries: none
        holders = np.flatnonzero(self.live).astype(np.int32)
        self.bands = []
        for band in range(BANDS):
            keys = self._keys(self.prints[holders], band)
            order = np.argsort(keys, kind="stable")
            self.bands.append((keys[order], holders[order]))

    @staticmethod
    def _keys(prints: np.ndarray, band: int) -> np.ndarray:
        cut = prints[:, band * BAND_BYTES:(band + 1) * BAND_BYTES].astype(np.uint32)
        return cut[:, 0] << 16 | cut[:, 1] << 8 | cut[:, 2]

    def of(self, docnum: int) -> np.ndarray:
        """The document numbers of the passage's copies (itself left out), in document order."""
        found = self._found.get(docnum)
        if found is None:
            found = self._found[docnum] = self._copies(docnum)
        return found

    def _copies(self, docnum: int) -> np.ndarray:
        if not self.live[docnum]:
            return np.empty(0, np.int64)
        mine = self.prints[docnum:docnum + 1]
        found = []
        for band, (keys, holders) in enumerate(self.bands):
            key = self._keys(mine, band)[0]
            found.append(holders[np.searchsorted(keys, key, "left"):np.searchsorted(keys, key, "right")])
        candidates = np.concatenate(found)
        candidates = candidates[candidates != docnum]
        if len(candidates) > 1:
            candidates = np.unique(candidates)
        agree = np.count_nonzero(self.prints[candidates] == mine, axis=1)
        likely = candidates[agree >= LIKELY * FINGERPRINT_BYTES].astype(np.int64)
        if not len(likely):
            return likely
        text = self._text_of(docnum)
        return likely[[resemblance(text, self._text_of(int(c))) >= NEAR for c in likely]]
