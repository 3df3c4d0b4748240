"""The copies of a passage, found among all passages from their fingerprints (indexer/copies.py).

For one index generation, the fingerprints are read into one array, and cut into BANDS bands
of BAND_BYTES bytes: two passages that agree on a whole band are candidates (locality-sensitive
hashing, each band sorted once for binary searches). A candidate is a copy when the two
fingerprints agree on at least NEAR of their bytes: an estimate of the share of word shingles
they have in common. A paragraph that differs by a region's name, a date or a number stays
above it; two passages on the same subject in their own words are far below.
"""

from __future__ import annotations

import numpy as np

from ..index.schema import FINGERPRINT_BYTES
from ..index.whoosh_adapter import fixed_column

BAND_BYTES = 3  # bytes in a band: agreeing on all three by chance happens once in 16 million
BANDS = 8       # bands looked up: a copy agreeing on 70 % of its bytes is a candidate 96 times in 100
NEAR = 0.7      # the share of fingerprint bytes copies agree on (a passage's shingles they share, estimated)


class Copies:
    """The copies of each passage of one index generation (read through its Evaluator); those asked
    for are kept for the generation (a hit's are asked for when folding, then when shown)."""

    def __init__(self, evaluator):
        self._found: dict[int, np.ndarray] = {}
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
        return candidates[agree >= NEAR * FINGERPRINT_BYTES].astype(np.int64)
