import pytest

from src.core.base.agent_registry import DEFAULT_AGENT_SPECS, AgentRegistry
from src.core.base.architecture_mapper import ArchitectureMapper, iter_subpackages
from src.core.base.base_exceptions import ModuleLoadError
from src.core.base.module_loader import ModuleLoader, load_object, split_spec


def test_both_spec_spellings_resolve_to_the_same_object():
    colon = load_object("src.infrastructure.sampling.strategies:TopKSampler")
    dotted = load_object("src.infrastructure.sampling.strategies.TopKSampler")
    assert colon is dotted
    assert load_object("src.core.base.base_agent.EchoAgent.default_name") == "echo"
    assert split_spec("a.b:C.d") == ("a.b", "C.d")


def test_bad_specs_raise_module_load_error():
    with pytest.raises(ModuleLoadError):
        load_object("src.infrastructure.no_such_package.thing:X")
    with pytest.raises(ModuleLoadError):
        load_object("src.infrastructure.sampling.strategies:NoSuchSampler")
    with pytest.raises(ModuleLoadError):
        split_spec(":x")


def test_loader_caches_and_every_default_agent_spec_loads():
    loader = ModuleLoader()
    for spec in DEFAULT_AGENT_SPECS.values():
        assert callable(loader.load(spec))
    assert loader.loaded() == sorted(DEFAULT_AGENT_SPECS.values())


def test_architecture_mapper_reads_specs_without_importing():
    mapper = ArchitectureMapper(AgentRegistry.with_defaults())
    modules = mapper.agent_modules()
    assert modules["llm"] == "src.infrastructure.orchestration.llm_agent"
    assert modules["upper"] == "src.core.base.base_agent"
    assert mapper.layer_counts() == {"core": 3, "infrastructure": 1}
    packages = iter_subpackages("src.infrastructure")
    assert {"auth", "config", "scheduler"} <= set(packages)
