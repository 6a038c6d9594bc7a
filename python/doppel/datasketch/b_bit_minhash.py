"""b-bit MinHash, as in ``datasketch.b_bit_minhash`` (Li and Koenig, "b-Bit Minwise Hashing"):
only the lowest b bits of each hash value are kept. Pickles to datasketch's byte format."""

import struct

import numpy as np


def _slot_bits(b: int) -> int:
    # Bits each value takes in a serialized 64-bit block: b rounded up to 1, 2, 4, 8, 16 or 32.
    if b in (1, 2):
        return b
    for bits in (4, 8, 16, 32):
        if b <= bits:
            return bits
    raise ValueError("Incorrect value of b")


class bBitMinHash:
    """The b-bit MinHash of a MinHash.

    Args:
        minhash: The MinHash (or LeanMinHash) whose values to keep b bits of.
        b (int): Bits kept per value, in [0, 32].
        r (float): The ratio of the set's size to the universe's (the estimator's correction
            term), at most 1.0; 0.0 for sets small against their universe.

    Raises:
        ValueError: If ``b`` or ``r`` is out of range.
    """

    __slots__ = ("b", "hashvalues", "r", "seed")

    # seed int64, b uint8, r float64, num_perm int32; then uint64 blocks (little-endian).
    _serial_fmt_params = "<qBdi"
    _serial_fmt_block = "Q"

    def __init__(self, minhash, b: int = 1, r: float = 0.0):
        b = int(b)
        r = float(r)
        if b > 32 or b < 0:
            raise ValueError("b must be an integer in [0, 32]")
        if r > 1.0:
            raise ValueError("r must be a float in [0.0, 1.0]")
        self.hashvalues = np.bitwise_and(minhash.hashvalues, (1 << b) - 1).astype(np.uint32)
        self.seed = minhash.seed
        self.b = b
        self.r = r

    def __eq__(self, other) -> bool:
        return (
            type(self) is type(other)
            and self.seed == other.seed
            and self.b == other.b
            and self.r == other.r
            and np.array_equal(self.hashvalues, other.hashvalues)
        )

    def jaccard(self, other) -> float:
        """Estimate the Jaccard similarity with another b-bit MinHash.

        Raises:
            ValueError: If their b or seeds differ.
        """
        if self.b != other.b:
            raise ValueError("Cannot compare two b-bit MinHashes with different b values")
        if self.seed != other.seed:
            raise ValueError("Cannot compare two b-bit MinHashes with different set of permutations")
        intersection = np.count_nonzero(self.hashvalues == other.hashvalues)
        raw_est = float(intersection) / float(self.hashvalues.size)
        a1 = self._calc_a(self.r, self.b)
        a2 = self._calc_a(other.r, other.b)
        c1, c2 = self._calc_c(a1, a2, self.r, other.r)
        return (raw_est - c1) / (1 - c2)

    def bytesize(self) -> int:
        """Size in bytes of the serialized (pickled) form."""
        return self._bytesize()[-1]

    def __getstate__(self):
        slot_bits, per_block, num_blocks, total = self._bytesize()
        values = np.zeros(num_blocks * per_block, dtype=np.uint64)
        values[: self.hashvalues.size] = self.hashvalues
        # The first value of a block takes its highest bits.
        shifts = np.arange(per_block - 1, -1, -1, dtype=np.uint64) * np.uint64(slot_bits)
        blocks = np.bitwise_or.reduce(values.reshape(num_blocks, per_block) << shifts, axis=1)
        buf = bytearray(total)
        struct.pack_into(self._serial_fmt_params, buf, 0, self.seed, self.b, self.r, self.hashvalues.size)
        offset = struct.calcsize(self._serial_fmt_params)
        buf[offset:] = blocks.astype("<u8").tobytes()
        return buf

    def __setstate__(self, buf) -> None:
        try:
            self.seed, self.b, self.r, num_perm = struct.unpack_from(self._serial_fmt_params, buf, 0)
        except TypeError:
            buf = memoryview(buf)
            self.seed, self.b, self.r, num_perm = struct.unpack_from(self._serial_fmt_params, buf, 0)
        self.hashvalues = np.zeros(num_perm, dtype=np.uint32)
        slot_bits, per_block, num_blocks, _ = self._bytesize()
        offset = struct.calcsize(self._serial_fmt_params)
        blocks = np.array(
            struct.unpack_from("<%dQ" % num_blocks, buf, offset), dtype=np.uint64
        )
        shifts = np.arange(per_block - 1, -1, -1, dtype=np.uint64) * np.uint64(slot_bits)
        mask = np.uint64((1 << slot_bits) - 1)
        values = (blocks[:, None] >> shifts) & mask
        self.hashvalues = values.reshape(-1)[:num_perm].astype(np.uint32)

    def _calc_a(self, r: float, b: int) -> float:
        if r == 0.0:
            return 1.0 / (1 << b)  # the limit of A(r, b) as r -> 0
        return r * (1 - r) ** (2**b - 1) / (1 - (1 - r) ** (2 * b))

    def _calc_c(self, a1: float, a2: float, r1: float, r2: float):
        if r1 == 0.0 and r2 == 0.0:
            return a1, a2  # the limits as r1, r2 -> 0
        div = 1 / (r1 + r2)
        c1 = (a1 * r2 + a2 * r1) * div
        c2 = (a1 * r1 + a2 * r2) * div
        return c1, c2

    def _bytesize(self):
        slot_bits = _slot_bits(self.b)
        per_block = 64 // slot_bits
        num_blocks = -(-self.hashvalues.size // per_block)
        total = struct.calcsize(self._serial_fmt_params + "%d%s" % (num_blocks, self._serial_fmt_block))
        return slot_bits, per_block, num_blocks, total
