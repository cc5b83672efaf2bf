"""Dotted-path strings: plugin registry, entry points, importlib."""

import importlib
import importlib.util
import tomllib
from pathlib import Path

import pytest

from src.core.base.module_loader import load_object
from src.infrastructure.plugins import loader
from src.infrastructure.plugins.registry import (
    BUILTIN_PLUGINS,
    DuplicatePluginError,
    PluginError,
    available,
    registered,
    resolve,
    resolve_spec,
)
from src.infrastructure.sampling import strategies

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_every_builtin_plugin_string_resolves():
    for name, spec in BUILTIN_PLUGINS.items():
        obj = resolve(name)
        assert callable(obj), name
        assert obj.__module__ == spec.replace(":", ".").rpartition(".")[0]


def test_both_string_styles_resolve():
    assert resolve_spec("src.infrastructure.sampling.strategies:TopKSampler") is strategies.TopKSampler
    assert resolve_spec("src.infrastructure.sampling.strategies.TopPSampler") is strategies.TopPSampler
    with pytest.raises(PluginError):
        resolve("no.such.plugin")


def test_import_module_by_dotted_string():
    bpe = importlib.import_module("src.infrastructure.tokenizer.bpe")
    assert bpe.MERGES_PATH.is_file()
    assert bpe.BPETokenizer().decode(bpe.BPETokenizer().encode("hello world")) == "hello world"


def test_decorator_registrations_happen_at_import_time():
    importlib.import_module("src.infrastructure.decoding.beam")
    importlib.import_module("src.infrastructure.cloud.providers")
    names = set(registered())
    assert {"sampler.greedy", "decoder.beam", "cloud.local"} <= names
    assert set(available()) >= names | set(BUILTIN_PLUGINS)


def test_executing_a_registering_module_twice_raises():
    spec = importlib.util.spec_from_file_location("src.infrastructure.sampling._strategies_again", strategies.__file__)
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(DuplicatePluginError, match="sampler.greedy"):
        spec.loader.exec_module(module)


def test_pyproject_entry_points_and_script_resolve():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    for name, spec in project["entry-points"]["pyagent.plugins"].items():
        assert callable(load_object(spec)), name
    main = load_object(project["scripts"]["pyagent"])
    assert main(["info"]) == 0


def test_loader_loads_all_builtin_plugins():
    loaded, errors = loader.load_all(include_entry_points=False)
    assert errors == {}
    assert set(loaded) == set(BUILTIN_PLUGINS)
