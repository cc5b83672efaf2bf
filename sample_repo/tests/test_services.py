"""Services tier and the packages the proposal leaves unplaced."""

import math
import threading

import pytest

from src.infrastructure.audio import EnergyVAD, wav_energy_profile
from src.infrastructure.auth import AuthError, TokenAuthority
from src.infrastructure.benchmarking import measure, run_throughput
from src.infrastructure.cloud import InstanceSpec, LocalProvider, ObjectStore
from src.infrastructure.config import Settings, load_settings
from src.infrastructure.docker import ComposeFile, Service, default_stack
from src.infrastructure.events import EventBus
from src.infrastructure.execution import TaskExecutor, TaskStatus
from src.infrastructure.mediaio import Image, parse_pnm, to_pnm, write_wav
from src.infrastructure.rag import Retriever
from src.infrastructure.resilience import CircuitBreaker, CircuitOpenError, RetryPolicy, retry
from src.infrastructure.telemetry import InMemoryExporter, Tracer
from src.infrastructure.tools import ToolRegistry
from src.infrastructure.vision import PatchEncoder
from src.infrastructure.voyager import Explorer


def test_tokens_expire_and_reject_tampering():
    now = [1000.0]
    authority = TokenAuthority(b"k" * 32, ttl_s=10, clock=lambda: now[0])
    token = authority.issue("ann", ["a"])
    assert authority.verify(token).subject == "ann"
    with pytest.raises(AuthError, match="signature"):
        authority.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    now[0] += 11
    with pytest.raises(AuthError, match="expired"):
        authority.verify(token)


def test_compose_orders_services_and_detects_cycles():
    compose, dockerfiles = default_stack()
    assert compose.start_order() == ["redis", "api"]
    assert 'CMD ["python", "-m", "src.infrastructure.api.cli"]' in dockerfiles["api"]
    cyclic = ComposeFile()
    cyclic.add(Service("a", "img", depends_on=["b"]))
    cyclic.add(Service("b", "img", depends_on=["a"]))
    with pytest.raises(ValueError, match="cycle"):
        cyclic.render()


def test_cloud_provider_and_object_store(tmp_path):
    provider = LocalProvider(max_instances=1)
    instance = provider.provision(InstanceSpec(cpus=4, gpus=1))
    assert provider.hourly_bill() == InstanceSpec(cpus=4, gpus=1).hourly_cost()
    with pytest.raises(RuntimeError):
        provider.provision(InstanceSpec())
    provider.terminate(instance)
    store = ObjectStore(tmp_path / "bucket")
    etag = store.put("models/a.bin", b"\x00\x01", owner="ops")
    assert store.metadata("models/a.bin") == {"etag": etag, "owner": "ops"}
    assert store.list("models/") == ["models/a.bin"]
    with pytest.raises(ValueError):
        store.put("../escape", b"")


def test_image_round_trip_and_vision_encoder():
    image = Image(2, 2, 3, (255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255))
    assert parse_pnm(to_pnm(image)) == image
    assert parse_pnm(b"P5\n# comment\n2 1\n255\n\x00\xff").pixels == (0, 255)
    patches = PatchEncoder(patch=2, size=4).encode(image)
    assert len(patches) == 4 and all(len(p) == 4 for p in patches)


def test_wav_and_voice_activity(tmp_path):
    rate = 8000
    silence = [0.0] * 800
    tone = [0.5 * math.sin(2 * math.pi * 440 * t / rate) for t in range(1600)]
    path = tmp_path / "speech.wav"
    write_wav(path, silence + tone + silence, rate)
    energies, _ = wav_energy_profile(path)
    assert max(energies) > 0.3 and min(energies) == 0.0
    segments = EnergyVAD(threshold=0.1, frame=160).segments(silence + tone + silence, rate)
    assert segments == [(0.1, 0.3)]


def test_retry_and_circuit_breaker():
    calls = []

    @retry(RetryPolicy(attempts=3), sleep=lambda _: None)
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("try again")
        return "ok"

    assert flaky() == "ok" and len(calls) == 3
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout_s=10, clock=lambda: now[0])
    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            breaker.call(lambda: 1 / 0)
    with pytest.raises(CircuitOpenError):
        breaker.call(lambda: "never")
    now[0] = 11
    assert breaker.state == CircuitBreaker.HALF_OPEN
    assert breaker.call(lambda: "recovered") == "recovered"
    assert breaker.state == CircuitBreaker.CLOSED


def test_task_executor_retries_and_records_failures():
    attempts = {"n": 0}
    lock = threading.Lock()

    def sometimes():
        with lock:
            attempts["n"] += 1
            if attempts["n"] == 1:
                raise RuntimeError("first try fails")
        return 42

    with TaskExecutor(retry_policy=RetryPolicy(attempts=2)) as executor:
        executor.submit("ok", sometimes)
        executor.submit("bad", lambda: 1 / 0)
        ok, bad = executor.wait_all()
    assert (ok.status, ok.result, ok.attempts) == (TaskStatus.DONE, 42, 2)
    assert bad.status is TaskStatus.FAILED and "ZeroDivisionError" in bad.error


def test_tracing_nests_spans_and_exports():
    tracer = Tracer()
    exporter = InMemoryExporter()
    tracer.exporters.append(exporter)
    with tracer.span("outer") as outer:
        with tracer.span("inner", step=1) as inner:
            pass
    assert inner.parent_id == outer.span_id
    assert [s.name for s in exporter.spans] == ["inner", "outer"]


def test_event_bus_globs_and_dead_letters():
    bus = EventBus()
    seen = []
    bus.subscribe("engine.*", lambda e: seen.append(e.topic))
    bus.subscribe("engine.request.finished", lambda e: 1 / 0)
    assert bus.publish("engine.request.finished", tokens=3) == 1
    assert bus.publish("fleet.node.down") == 0
    assert seen == ["engine.request.finished"] and len(bus.dead_letters) == 1


def test_settings_from_files_and_env(tmp_path):
    toml = tmp_path / "pyagent.toml"
    toml.write_text('[tool.pyagent]\nblock_size = 8\nlog_format = "json"\n', encoding="utf-8")
    settings = load_settings(toml, overrides={"num_blocks": 32})
    assert (settings.block_size, settings.num_blocks, settings.log_format) == (8, 32, "json")
    assert Settings.from_env({"PYAGENT_BLOCK_SIZE": "4", "HOME": "/x"}).block_size == 4
    tokenizer = settings.build_tokenizer()
    assert tokenizer.decode(tokenizer.encode("hello")) == "hello"
    assert settings.attention_fn()([1.0, 0.0], [[1.0, 0.0]], [[2.0, 3.0]]) == [2.0, 3.0]


def test_rag_retrieval_and_persistence():
    retriever = Retriever(chunk_tokens=10)
    retriever.add_document("fleet", "The fleet manager watches the health of every node in the network.")
    retriever.add_document("cache", "The cache stores key and value blocks for attention.")
    assert retriever.index.documents["fleet#1"].metadata == {"source": "fleet"}  # long doc was chunked
    assert retriever.retrieve("which component watches node health?", k=1)[0].startswith("watches the health")
    restored = Retriever.loads(retriever.dumps())
    assert len(restored.index) == len(retriever.index)
    assert "Question: what is cached?" in restored.augment("what is cached?")


def test_tools_and_voyager_curriculum():
    tools = ToolRegistry()
    assert tools.run("calculator", "2 ** 8 - 6 / 3") == "254"
    assert tools.run("calculator", "__import__('os')").startswith("error")
    explorer = Explorer(tools)
    assert explorer.explore() == 4
    assert explorer.library.retrieve("rectangle area")[0].name == "area"


def test_benchmarks_produce_reports():
    report = measure(lambda: sum(range(100)), repeats=5)
    assert report.count == 5 and report.p50_s <= report.p99_s
    throughput = run_throughput(["hello", "world", "agent"], num_engines=2, max_tokens=2)
    assert throughput.generated_tokens == 6
