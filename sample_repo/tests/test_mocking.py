"""mock.patch targets written as dotted strings, and patch.object."""

import os
from unittest import mock

from src.core.base import AgentCore
from src.core.base.shell_executor import ShellExecutor, ShellResult
from src.infrastructure.attention.backend_select import get_attention_fn
from src.infrastructure.backend.platform import detect_platform
from src.infrastructure.backend.selector import select_attention_backend
from src.infrastructure.cuda.attention_kernels import fused_attention
from src.infrastructure.cuda.device import Device, current_device
from src.infrastructure.orchestration.engine_core import LLMEngine
from src.infrastructure.sampling.params import SamplingParams


def test_patch_device_where_it_is_used():
    with mock.patch("src.infrastructure.backend.platform.current_device", return_value=Device("cuda", 0)):
        platform = detect_platform()
    assert platform.accelerated
    assert select_attention_backend(platform) == "src.infrastructure.cuda.attention_kernels:fused_attention"
    assert get_attention_fn(platform) is fused_attention


def test_device_from_environment():
    with mock.patch.dict(os.environ, {"PYAGENT_DEVICE": "cuda:1"}):
        assert current_device() == Device("cuda", 1)
    with mock.patch("src.infrastructure.cuda.device._native", None), mock.patch.dict(os.environ, clear=True):
        assert current_device() == Device("cpu", 0)


def test_patch_object_shell_spawn():
    fake = ShellResult(("echo", "hi"), 0, "patched\n", "")
    with mock.patch.object(ShellExecutor, "_spawn", return_value=fake) as spawn:
        assert AgentCore().dispatch("shell", "/run echo hi") == "patched"
    spawn.assert_called_once_with(("echo", "hi"))


def test_patch_subprocess_inside_shell_executor():
    completed = mock.Mock(returncode=3, stdout="", stderr="boom")
    with mock.patch("src.core.base.shell_executor.subprocess.run", return_value=completed) as run:
        result = ShellExecutor().run("printf x")
    assert result.returncode == 3 and not result.ok
    assert run.call_args.args[0] == ["printf", "x"]


def test_patch_sampler_builder_forces_eos():
    engine = LLMEngine()
    eos_sampler = mock.Mock()
    eos_sampler.sample.return_value = engine.tokenizer.eos_id
    with mock.patch("src.infrastructure.orchestration.engine_core.build_sampler", return_value=eos_sampler):
        result = engine.generate("hello", SamplingParams(max_tokens=5))
    assert result.finish_reason == "eos"
    assert result.token_ids == [engine.tokenizer.eos_id]
    assert engine.pool.usage() == 0.0


def test_patch_object_engine_generate_in_api():
    from src.infrastructure.api.handlers import ApiHandlers
    from src.infrastructure.orchestration.request import GenerationResult

    canned = GenerationResult(request_id=99, text="canned", token_ids=[1], finish_reason="stop", prompt_tokens=2)
    with mock.patch.object(LLMEngine, "generate", return_value=canned):
        status, body = ApiHandlers(LLMEngine()).handle_completion({"prompt": "anything"})
    assert status == 200 and body["text"] == "canned" and body["id"] == "cmpl-99"
