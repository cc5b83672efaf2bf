import math

from src.infrastructure.attention.ops import scaled_dot_product_attention
from src.infrastructure.attention.paged import PagedAttention
from src.infrastructure.cuda.attention_kernels import fused_attention, max_abs_error


def test_paged_attention_matches_dense_reference_across_blocks():
    attn = PagedAttention(num_blocks=8, block_size=2)
    keys = [[math.sin(i + d) for d in range(4)] for i in range(5)]
    values = [[math.cos(i * d) for d in range(4)] for i in range(5)]
    for k, v in zip(keys, values):
        attn.append_kv(seq_id=7, key=k, value=v)
    query = [0.3, -0.1, 0.5, 0.2]
    assert attn.block_table(7).blocks and len(attn.block_table(7).blocks) == 3
    paged = attn.attend(7, query)
    dense = scaled_dot_product_attention(query, keys, values)
    assert all(abs(a - b) < 1e-12 for a, b in zip(paged, dense))
    assert attn.release(7) == 3
    assert attn.utilisation == 0.0


def test_fused_kernel_agrees_with_reference():
    keys = [[0.1 * i, -0.2 * i, 0.3] for i in range(6)]
    values = [[float(i), 1.0, -float(i)] for i in range(6)]
    assert max_abs_error([1.0, 0.5, -0.5], keys, values) < 1e-9
    assert fused_attention([1.0, 0.0, 0.0], [], []) == [0.0, 0.0, 0.0]
