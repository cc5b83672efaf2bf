"""ALiBi linear attention biases."""

from __future__ import annotations

import math


def alibi_slopes(num_heads: int) -> list[float]:
    def power_of_two_slopes(n: int) -> list[float]:
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(num_heads).is_integer():
        return power_of_two_slopes(num_heads)
    closest = 2 ** math.floor(math.log2(num_heads))
    extra = power_of_two_slopes(2 * closest)[0::2][: num_heads - closest]
    return power_of_two_slopes(closest) + extra


def alibi_bias(slope: float, query_pos: int, key_len: int) -> list[float]:
    return [-slope * (query_pos - k) for k in range(key_len)]
