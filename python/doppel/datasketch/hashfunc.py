"""Hash functions of doppel.datasketch, as in ``datasketch.hashfunc``.

Both read their argument as ``hashlib.sha1`` does: any object with the buffer protocol (bytes,
bytearray, memoryview, numpy scalars and one-dimensional arrays); ``str`` raises ``TypeError``.
"""

from doppel._doppel import datasketch as _native


def sha1_hash32(data):
    """A 32-bit hash: the first 4 bytes of SHA-1(data), little-endian (datasketch's default).

    Args:
        data (bytes): the data to hash.

    Returns:
        int: an integer hash value that can be encoded using 32 bits.
    """
    return _native.sha1_hash32(data)


def sha1_hash64(data):
    """A 64-bit hash: the first 8 bytes of SHA-1(data), little-endian.

    Args:
        data (bytes): the data to hash.

    Returns:
        int: an integer hash value that can be encoded using 64 bits.
    """
    return _native.sha1_hash64(data)
