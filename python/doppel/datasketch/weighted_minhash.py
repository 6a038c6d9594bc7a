"""Weighted MinHash, as in ``datasketch.weighted_minhash``: Ioffe's Improved Consistent Sampling
("Improved Consistent Sampling, Weighted Minhash and L1 Sketching", 2010), with datasketch's
random draws and float32 arithmetic, so that the hash values are datasketch's bit for bit. Each
vector is sketched with whole-array numpy operations over all samples at once instead of a
Python loop over the samples."""

from __future__ import annotations

import collections.abc

import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (scipy.sparse is not imported by `import scipy` on 1.10)

# Rows of samples sketched at once: bounds the temporary (samples x dim) float32 arrays.
_CHUNK_ELEMENTS = 1 << 22


class WeightedMinHash:
    """A weighted MinHash, made by :class:`WeightedMinHashGenerator` or from another one's state.

    Args:
        seed (int): The seed of the generator that made it.
        hashvalues (numpy.ndarray): The internal state: one ``(k, t)`` row per sample.
    """

    def __init__(self, seed: int, hashvalues: np.ndarray) -> None:
        self.seed = seed
        self.hashvalues = hashvalues

    def jaccard(self, other: WeightedMinHash) -> float:
        """Estimate the weighted Jaccard similarity with another weighted MinHash.

        Raises:
            ValueError: If their seeds or numbers of hash values differ.
        """
        if other.seed != self.seed:
            raise ValueError("Cannot compute Jaccard given WeightedMinHash objects with different seeds")
        if len(self) != len(other):
            raise ValueError(
                "Cannot compute Jaccard given WeightedMinHash objects with different numbers of hash values"
            )
        mine, theirs = np.asarray(self.hashvalues), np.asarray(other.hashvalues)
        if mine.shape == theirs.shape and mine.ndim == 2:
            intersection = int(np.count_nonzero(np.all(mine == theirs, axis=1)))
        else:
            intersection = sum(1 for x, y in zip(self.hashvalues, other.hashvalues) if np.array_equal(x, y))
        return float(intersection) / float(len(self))

    def digest(self) -> np.ndarray:
        """A copy of the hash values."""
        return self.hashvalues.copy()

    def copy(self) -> WeightedMinHash:
        """A copy with its own hash values."""
        return WeightedMinHash(self.seed, self.digest())

    def __len__(self) -> int:
        return len(self.hashvalues)

    def __eq__(self, other) -> bool:
        return (
            type(self) is type(other)
            and self.seed == other.seed
            and np.array_equal(self.hashvalues, other.hashvalues)
        )


class WeightedMinHashGenerator:
    """Makes :class:`WeightedMinHash` objects of weighted (multi-)sets given as vectors.

    Args:
        dim (int): The number of dimensions of the input vectors.
        sample_size (int): The number of samples (hash values) of each weighted MinHash.
        seed (int): The random seed of the sampling parameters.
    """

    def __init__(self, dim: int, sample_size: int = 128, seed: int = 1) -> None:
        self.dim = dim
        self.sample_size = sample_size
        self.seed = seed
        # The draws, in datasketch's order: r ~ Gamma(2, 1), c ~ Gamma(2, 1), beta ~ U(0, 1).
        generator = np.random.RandomState(seed=seed)
        self.rs = generator.gamma(2, 1, (sample_size, dim)).astype(np.float32)
        self.ln_cs = np.log(generator.gamma(2, 1, (sample_size, dim))).astype(np.float32)
        self.betas = generator.uniform(0, 1, (sample_size, dim)).astype(np.float32)

    def minhash(self, v) -> WeightedMinHash:
        """The weighted MinHash of a vector of non-negative weights (zeros are absent elements).

        Raises:
            TypeError: If ``v`` has no length.
            ValueError: If ``v`` does not have ``dim`` elements, or is all zeros.
            OverflowError: If an infinite weight is chosen, as datasketch's.
        """
        if not isinstance(v, collections.abc.Sized):
            raise TypeError("Input vector must be sized")
        if not len(v) == self.dim:
            raise ValueError("Input dimension mismatch, expecting %d" % self.dim)
        v = np.array(v, dtype=np.float32)  # a float32 copy, never the caller's array
        zeros = v == 0
        if zeros.all():
            raise ValueError("Input is all zeros")
        v[zeros] = np.nan
        vlog = np.log(v)
        hashvalues = np.zeros((self.sample_size, 2), dtype=int)
        rows = max(1, _CHUNK_ELEMENTS // max(1, self.dim))
        for start in range(0, self.sample_size, rows):
            rs = self.rs[start : start + rows]
            betas = self.betas[start : start + rows]
            # float32 throughout, in datasketch's order of operations.
            t = np.floor((vlog / rs) + betas)
            ln_y = (t - betas) * rs
            ln_a = self.ln_cs[start : start + rows] - ln_y - rs
            k = np.nanargmin(ln_a, axis=1)
            chosen = t[np.arange(len(k)), k]
            # An infinite weight: datasketch's int() of it raises; numpy's cast would not.
            if np.isinf(chosen).any():
                raise OverflowError("cannot convert float infinity to integer")
            hashvalues[start : start + rows, 0] = k
            hashvalues[start : start + rows, 1] = chosen
        return WeightedMinHash(self.seed, hashvalues)

    def minhash_many(self, X) -> list:
        """Weighted MinHashes of the rows of a matrix (dense or scipy sparse), None for an empty
        row. As in datasketch, experimental: the values differ from :meth:`minhash`'s.

        Raises:
            TypeError: If ``X`` is not a numpy array or scipy sparse matrix.
            ValueError: If ``X`` is not two-dimensional with ``dim`` columns.
        """
        if not isinstance(X, (sp.sparse.spmatrix, np.ndarray)):
            raise TypeError("Input X must be a sparse matrix or numpy matrix")
        if X.ndim != 2:
            raise ValueError("Input must have two dimensions")
        if X.shape[1] != self.dim:
            raise ValueError("Input dimension mismatch, expecting %d" % self.dim)
        X = sp.sparse.csr_matrix(X, dtype=np.float32, copy=True)
        X.eliminate_zeros()
        X.sort_indices()
        cols = X.indices
        rs = self.rs[:, cols]
        betas = self.betas[:, cols]
        t = np.floor(np.log(X.data) / rs + betas)
        ln_a = self.ln_cs[:, cols] - (t - betas + 1) * rs
        samples = np.arange(self.sample_size)
        out = [None] * X.shape[0]
        for row in range(X.shape[0]):
            begin, end = X.indptr[row], X.indptr[row + 1]
            if begin == end:
                continue
            best = np.argmin(ln_a[:, begin:end], axis=1)
            hashvalues = np.zeros((self.sample_size, 2), dtype=int)
            hashvalues[:, 0] = cols[begin + best]
            hashvalues[:, 1] = t[samples, begin + best]
            out[row] = WeightedMinHash(self.seed, hashvalues)
        return out
