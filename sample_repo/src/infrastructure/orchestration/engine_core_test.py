from src.infrastructure.orchestration.engine_core import LLMEngine
from src.infrastructure.orchestration.request import Request
from src.infrastructure.sampling.params import SamplingParams


def test_generation_is_deterministic_and_frees_kv_blocks():
    engine = LLMEngine(num_blocks=32, block_size=4)
    params = SamplingParams(max_tokens=6, repetition_penalty=1.3)
    first = engine.generate("hello world", params)
    second = engine.generate("hello world", params)
    assert first.token_ids == second.token_ids
    assert first.completion_tokens <= 6
    assert first.finish_reason in {"length", "eos", "stop"}
    assert engine.pool.usage() == 0.0  # every block went back to the pool


def test_prefix_cache_hits_on_repeated_prompt():
    engine = LLMEngine(block_size=4)
    prompt = "the agent reads a prompt and the worker runs the model"
    assert engine.generate(prompt).cached_tokens == 0
    again = engine.generate(prompt)
    assert again.cached_tokens >= 4 and again.cached_tokens % 4 == 0


def test_stream_concatenates_to_generated_text():
    engine = LLMEngine()
    params = SamplingParams(max_tokens=5, sampler="top_k", temperature=0.8, seed=3)
    streamed = "".join(engine.stream("tokens", params))
    assert streamed == engine.generate_request(Request("tokens", params)).text
