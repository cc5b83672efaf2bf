"""Pick implementations for the current platform, by dotted-path spec."""

from __future__ import annotations

from .platform import PlatformInfo

ATTENTION_BACKENDS: dict[str, str] = {
    "cpu": "src.infrastructure.attention.ops:scaled_dot_product_attention",
    "cuda": "src.infrastructure.cuda.attention_kernels:fused_attention",
}

QUANTIZERS: dict[str, str] = {
    "cpu": "src.infrastructure.quantization.int8.Int8Quantizer",
    "cuda": "src.infrastructure.quantization.fp8.FP8Quantizer",
}


def select_attention_backend(platform: PlatformInfo) -> str:
    return ATTENTION_BACKENDS.get(platform.device.kind, ATTENTION_BACKENDS["cpu"])


def select_quantizer(platform: PlatformInfo) -> str:
    return QUANTIZERS.get(platform.device.kind, QUANTIZERS["cpu"])


def max_parallel_workers(platform: PlatformInfo) -> int:
    return 1 if platform.accelerated else max(1, platform.cpu_count // 2)
