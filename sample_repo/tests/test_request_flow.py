"""End-to-end: api -> orchestration -> engine (tokenizer, worker, sampling) -> cache."""

from src.core.base import AgentCore
from src.infrastructure.api.handlers import ApiHandlers
from src.infrastructure.auth.permissions import scopes_for
from src.infrastructure.auth.tokens import TokenAuthority
from src.infrastructure.evaluation.harness import EvalHarness
from src.infrastructure.metrics.registry import default_registry
from src.infrastructure.openai_api import create_chat_completion, create_completion
from src.infrastructure.orchestration import LLMEngine, Request, RequestRouter
from src.infrastructure.sampling.params import SamplingParams
from src.infrastructure.scheduler import RequestQueue, schedule_batch


def test_completion_flows_through_engine_and_prefix_cache(engine, log_lines):
    api = ApiHandlers(engine)
    payload = {"prompt": "the worker runs the model for each request", "max_tokens": 4}
    status, first = api.handle_completion(payload)
    assert status == 200
    assert first["usage"]["completion_tokens"] == 4
    assert first["usage"]["cached_tokens"] == 0
    status, second = api.handle_completion(payload)
    assert second["text"] == first["text"]
    assert second["usage"]["cached_tokens"] >= 4
    assert len(log_lines.matching("engine.request")) == 2
    assert "engine_requests_total" in default_registry.render_text()
    assert api.handle_health()[1]["worker"]["active"] == 0


def test_api_validation_errors(engine):
    api = ApiHandlers(engine)
    assert api.handle_completion({"prompt": ""})[0] == 400
    assert api.handle_completion({"prompt": "x", "bogus": 1})[0] == 400
    assert api.handle_completion({"prompt": "x", "sampler": "beam"})[0] == 400


def test_api_authorisation(engine):
    authority = TokenAuthority(b"0123456789abcdef-secret")
    api = ApiHandlers(engine, authority)
    assert api.handle_completion({"prompt": "hi"})[0] == 401
    viewer = authority.issue("vera", scopes_for("viewer"))
    assert api.handle_completion({"prompt": "hi"}, token=viewer)[0] == 403
    assert api.handle_metrics(token=viewer)[0] == 200
    user = authority.issue("uma", scopes_for("user"))
    assert api.handle_completion({"prompt": "hi", "max_tokens": 2}, token=user)[0] == 200


def test_openai_endpoints(engine):
    chat = create_chat_completion(
        {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}], "max_tokens": 3, "seed": 1},
        engine,
    )
    assert chat["object"] == "chat.completion"
    assert chat["usage"]["total_tokens"] == chat["usage"]["prompt_tokens"] + chat["usage"]["completion_tokens"]
    completion = create_completion({"model": "toy", "prompt": "hello", "max_tokens": 3, "logprobs": 2}, engine)
    logprobs = completion["choices"][0]["logprobs"]
    assert len(logprobs["token_logprobs"]) == completion["usage"]["completion_tokens"]
    assert all(len(top) <= 2 for top in logprobs["top_logprobs"])


def test_router_session_affinity_and_round_robin():
    engines = [LLMEngine(worker_id=10), LLMEngine(worker_id=11)]
    sticky = RequestRouter(engines, policy="session")
    picks = {sticky.route(Request("x", session="alice")) for _ in range(5)}
    assert len(picks) == 1
    rr = RequestRouter(engines)
    assert [rr.route(Request("x")) for _ in range(4)] == [0, 1, 0, 1]


def test_llm_agent_answers_and_run_is_persisted(repository):
    core = AgentCore()
    answer = core.dispatch("llm", "name a colour")
    assert isinstance(answer, str)
    run_id = repository.save("llm", "name a colour", answer, {"tokens": 16})
    stored = repository.get(run_id)
    assert stored.output == answer and stored.meta == {"tokens": 16}
    core.shutdown()


def test_scheduler_respects_token_budget_and_priority(engine):
    queue = RequestQueue()
    low = Request("a long prompt about the fleet manager and the network", SamplingParams(max_tokens=8), priority=5)
    high = Request("hi", SamplingParams(max_tokens=2), priority=0)
    queue.push(low)
    queue.push(high)
    batch = schedule_batch(queue, engine.pool, engine.tokenizer, max_batch_tokens=12)
    assert batch.requests == [high]
    assert len(queue) == 1


def test_engine_greedy_matches_stateless_reference(engine):
    prompt = "the cache stores the key"
    result = engine.generate(prompt, SamplingParams(max_tokens=4, temperature=0))
    assert result.token_ids == EvalHarness(engine).greedy_reference(prompt, 4)
