from doppel.datasketch.b_bit_minhash import bBitMinHash as bBitMinHash
from doppel.datasketch.hashfunc import sha1_hash32 as sha1_hash32
from doppel.datasketch.lean_minhash import LeanMinHash as LeanMinHash
from doppel.datasketch.lsh import MinHashLSH as MinHashLSH
from doppel.datasketch.lshforest import MinHashLSHForest as MinHashLSHForest
from doppel.datasketch.minhash import MinHash as MinHash
from doppel.datasketch.weighted_minhash import WeightedMinHash as WeightedMinHash
from doppel.datasketch.weighted_minhash import WeightedMinHashGenerator as WeightedMinHashGenerator

WeightedMinHashLSH = MinHashLSH
__all__: list[str]
