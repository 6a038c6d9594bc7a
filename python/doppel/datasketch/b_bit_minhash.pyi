from typing import Any

import numpy as np
import numpy.typing as npt

class bBitMinHash:
    seed: Any
    b: int
    r: float
    hashvalues: npt.NDArray[np.uint32]
    def __init__(self, minhash: Any, b: int = ..., r: float = ...) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def jaccard(self, other: bBitMinHash) -> float: ...
    def bytesize(self) -> int: ...
