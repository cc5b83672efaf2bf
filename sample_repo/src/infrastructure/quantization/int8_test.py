import pytest

from src.infrastructure.plugins.registry import DuplicatePluginError, register, resolve
from src.infrastructure.quantization import QuantConfig
from src.infrastructure.quantization.int8 import Int8Quantizer


def test_int8_round_trip_error_is_bounded_per_group():
    values = [0.01, -0.02, 0.03, 50.0, -25.0, 10.0]
    quantizer = Int8Quantizer(QuantConfig(group_size=3))
    tensor = quantizer.quantize(values)
    assert len(tensor.scales) == 2
    restored = quantizer.dequantize(tensor)
    for original, back, scale in zip(values, restored, [tensor.scales[0]] * 3 + [tensor.scales[1]] * 3):
        assert abs(original - back) <= scale / 2 + 1e-12


def test_int8_is_registered_at_import_time_and_duplicates_raise():
    assert resolve("quant.int8") is Int8Quantizer
    with pytest.raises(DuplicatePluginError, match="quant.int8"):
        register("quant.int8")(type("Impostor", (), {}))
