"""Exact and near-duplicate detection: syndicated copies of one story are grouped, not dropped.

MinHash over word 5-shingles (datasketch); the signature is stored with the document so that
grouping works across ingest runs.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.7
SCHEME = "affine32"
_WORD = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (seeded, so always the same) permutations; datasketch would otherwise draw them again
    for every MinHash it builds, which costs more than hashing a whole article."""
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def signature(text: str) -> bytes:
    """A MinHash signature of the text, as bytes to store beside the document."""
    mh = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_permutations())
    mh.update_batch(list(_shingles(text)))
    return mh.hashvalues.astype(np.uint64).tobytes()


def _minhash(sig: bytes) -> MinHash:
    return MinHash(hashvalues=np.frombuffer(sig, dtype=np.uint64), scheme=SCHEME, permutations=_permutations())


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(_minhash(a).jaccard(_minhash(b)))


class NearDuplicateIndex:
    """An in-memory LSH index of signatures, keyed by document id."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, bytes] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._sigs

    def insert(self, key: str, sig: bytes) -> None:
        if key not in self._sigs:
            self._lsh.insert(key, _minhash(sig))
            self._sigs[key] = sig

    def remove(self, key: str) -> None:
        """Forget a document (one whose write was rolled back)."""
        if self._sigs.pop(key, None) is not None:
            self._lsh.remove(key)

    def query(self, sig: bytes) -> list[str]:
        """Keys of indexed documents whose estimated similarity reaches the threshold, best first."""
        cands = self._lsh.query(_minhash(sig))
        scored = [(similarity(sig, self._sigs[k]), k) for k in cands]
        return [k for s, k in sorted(scored, reverse=True) if s >= self.threshold]
