"""Engine and compute tiers, exercised directly."""

import math
import random

import pytest

from src.infrastructure.compilation import CapturedGraph, count_ops, optimise
from src.infrastructure.cuda import kernels
from src.infrastructure.decoding import BeamSearchDecoder, IncrementalDetokenizer, StopCriteria
from src.infrastructure.lora import LoRAAdapter, LoRAManager
from src.infrastructure.moe import MoELayer
from src.infrastructure.position import RotaryEmbedding, alibi_slopes, rotate
from src.infrastructure.quantization import FP8Quantizer
from src.infrastructure.sampling.penalties import apply_repetition_penalty
from src.infrastructure.ssm import parallel_scan, selective_scan
from src.infrastructure.structured_output import ChoiceGrammar, is_valid, mask_logits, validate
from src.infrastructure.tokenization import Normalizer, Vocab, split_words
from src.infrastructure.tokenizer import FastTokenizer, WordPieceTokenizer


def test_vocab_and_pretokenisation():
    vocab = Vocab(["a", "b"])
    assert [vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id] == [0, 1, 2, 3]
    assert vocab.token_to_id("zzz") == vocab.unk_id
    assert split_words("Hi, there!") == ["\u2581Hi", ",", "\u2581there", "!"]
    assert Normalizer(lowercase=True, strip_accents=True).normalize("  Caf\u00e9   NOIR ") == "cafe noir"


def test_wordpiece_and_fast_tokenizer():
    wp = WordPieceTokenizer(["un", "##aff", "##able", "play", "##ing"])
    assert wp.tokenize("Unaffable playing") == ["un", "##aff", "##able", "play", "##ing"]
    assert wp.decode(wp.encode("unaffable")) == "unaffable"
    fast = FastTokenizer(cache_size=8)
    text = "the agent and the agent"
    assert fast.decode(fast.encode(text)) == text
    assert fast.cache_hit_rate > 0


def test_rotary_preserves_norm_and_relative_positions():
    q, k = [0.3, -0.2, 0.9, 0.1], [0.5, 0.4, -0.1, 0.7]
    assert kernels.l2_norm(rotate(q, 17)) == pytest.approx(kernels.l2_norm(q))
    assert kernels.dot(rotate(q, 5), rotate(k, 3)) == pytest.approx(kernels.dot(rotate(q, 12), rotate(k, 10)))
    assert RotaryEmbedding(4).apply(q, 9) == pytest.approx(rotate(q, 9))
    assert alibi_slopes(8)[0] == pytest.approx(0.5)
    assert len(alibi_slopes(6)) == 6


def test_kernels_and_penalties():
    probs = kernels.softmax([1.0, 2.0, 3.0])
    assert sum(probs) == pytest.approx(1.0)
    assert kernels.log_softmax([1.0, 2.0, 3.0]) == pytest.approx([math.log(p) for p in probs])
    assert kernels.topk_indices([0.1, 0.9, 0.5, 0.9], 2) == [1, 3]
    assert apply_repetition_penalty([2.0, -2.0, 1.0], [0, 1], 2.0) == [1.0, -4.0, 1.0]


def test_beam_search_beats_greedy_on_a_trap():
    # Greedy takes token 1 (0.6) then is stuck with a flat distribution;
    # token 2 (0.4) leads to a near-certain continuation.
    def step(ids):
        if len(ids) == 1:
            return [math.log(1e-9), math.log(0.6), math.log(0.4)]
        if ids[-1] == 1:
            return [0.0, 0.0, 0.0]
        return [math.log(0.98), math.log(0.01), math.log(0.01)]

    assert BeamSearchDecoder(beam_width=2).decode(step, [0], max_tokens=2) == [2, 0]


def test_stop_criteria_and_detokenizer():
    criteria = StopCriteria(max_tokens=10, eos_id=3, stop_strings=("END",))
    assert criteria.check([5, 3], "") == "eos"
    assert criteria.check([5], "abc END") == "stop"
    assert criteria.trim("abc END more") == "abc "
    detok = IncrementalDetokenizer()
    ids = detok.tokenizer.encode("hello world")
    assert "".join(detok.add(i) for i in ids) == "hello world"


def test_structured_output_grammar_and_schema():
    fast = FastTokenizer()
    grammar = ChoiceGrammar(["yes", "no"], fast)
    first = grammar.allowed_next([])
    masked = mask_logits([0.0] * fast.vocab_size, first)
    assert sum(1 for x in masked if x != -math.inf) == len(first) == 2
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}, "additionalProperties": False}
    assert is_valid({"name": "x", "age": 3}, schema)
    assert validate({"age": -1, "extra": True}, schema) == [
        "$: missing required 'name'",
        "$.age: below minimum 0",
        "$: unexpected property 'extra'",
    ]


def test_compute_tier_layers():
    graph = CapturedGraph().matvec([[1.0, 0.0], [0.0, 2.0]]).scale(2.0).scale(0.5).scale(3.0).add([1.0, 1.0])
    optimised = optimise(graph)
    assert count_ops(optimised) == {"matvec": 1, "scale": 1, "add": 1}
    assert optimised.replay([1.0, 1.0]) == pytest.approx(graph.replay([1.0, 1.0]))

    adapters = {n: LoRAAdapter(n, a=[[1.0, 0.0]], b=[[1.0], [0.0]], alpha=2.0) for n in ("x", "y", "z")}
    manager = LoRAManager(adapters.__getitem__, max_loras=2)
    assert manager.forward("x", [0.0, 0.0], [1.0, 5.0]) == [2.0, 0.0]
    manager.get("y")
    manager.get("z")
    assert manager.evicted == ["x"] and manager.resident == ["y", "z"]

    moe = MoELayer([lambda v: [1.0] * len(v), lambda v: [2.0] * len(v), lambda v: [3.0] * len(v)], gate=[[1, 0], [0, 1], [-1, -1]], k=2)
    out = moe([1.0, 0.0])
    assert 1.0 < out[0] < 2.0 and set(moe.load) == {0, 1}

    a, b = [0.5, 0.9, 0.1, 0.7], [1.0, 2.0, -1.0, 0.5]
    ys, _ = selective_scan(a, b, [1.0] * 4, [1.0] * 4)
    assert parallel_scan(list(zip(a, b))) == pytest.approx(ys)

    values = [random.Random(0).uniform(-3, 3) for _ in range(32)]
    q, scale = FP8Quantizer().quantize(values)
    restored = FP8Quantizer.dequantize(q, scale)
    assert max(abs(x - y) / max(abs(x), 1e-3) for x, y in zip(values, restored)) < 0.07
