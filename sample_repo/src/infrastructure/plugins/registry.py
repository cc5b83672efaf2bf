"""Plugin registry.

Plugins are known in two ways:

* ``BUILTIN_PLUGINS`` maps a plugin name to a dotted-path string, either in
  entry-point style (``"package.module:attr"``) or plain dotted style
  (``"package.module.attr"``); they are imported lazily with
  :func:`importlib.import_module`.
* Modules register classes eagerly with the :func:`register` decorator when
  they are imported. Registering a name twice raises, so a module that is
  executed twice (for instance under two different import names) fails loudly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class PluginError(LookupError):
    """A plugin cannot be found or loaded."""


class DuplicatePluginError(PluginError):
    """A plugin name was registered twice."""


BUILTIN_PLUGINS: dict[str, str] = {
    "tokenizer.bpe": "src.infrastructure.tokenizer.bpe:BPETokenizer",
    "tokenizer.wordpiece": "src.infrastructure.tokenizer.wordpiece:WordPieceTokenizer",
    "tokenizer.fast": "src.infrastructure.tokenizer.fast:FastTokenizer",
    "sampler.top_k": "src.infrastructure.sampling.strategies.TopKSampler",
    "sampler.top_p": "src.infrastructure.sampling.strategies.TopPSampler",
    "cache.lru": "src.infrastructure.cache.lru:LRUCache",
    "serializer.json": "src.infrastructure.serialization.codec:JsonCodec",
    "quant.fp8": "src.infrastructure.quantization.fp8.FP8Quantizer",
    "agent.llm": "src.infrastructure.orchestration.llm_agent:LLMAgent",
    "retriever.default": "src.infrastructure.rag.retriever.Retriever",
}

_REGISTERED: dict[str, Any] = {}


def register(name: str) -> Callable[[T], T]:
    """Class decorator: make ``obj`` available as plugin ``name``."""

    def decorator(obj: T) -> T:
        if name in _REGISTERED:
            previous = _REGISTERED[name]
            raise DuplicatePluginError(
                f"plugin {name!r} already registered by "
                f"{getattr(previous, '__module__', '?')}.{getattr(previous, '__qualname__', '?')}"
            )
        _REGISTERED[name] = obj
        return obj

    return decorator


def registered() -> dict[str, Any]:
    return dict(_REGISTERED)


def resolve_spec(spec: str) -> Any:
    """Import the object a spec string names (both spellings)."""
    if ":" in spec:
        module_name, _, attr_path = spec.partition(":")
    else:
        module_name, _, attr_path = spec.rpartition(".")
    if not module_name or not attr_path:
        raise PluginError(f"malformed plugin spec {spec!r}")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise PluginError(f"cannot import {module_name!r} for {spec!r}") from exc
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise PluginError(f"{module_name!r} has no attribute {part!r}") from None
    return obj


def resolve(name: str) -> Any:
    if name in _REGISTERED:
        return _REGISTERED[name]
    try:
        spec = BUILTIN_PLUGINS[name]
    except KeyError:
        raise PluginError(f"unknown plugin {name!r}") from None
    return resolve_spec(spec)


def available() -> list[str]:
    return sorted(set(BUILTIN_PLUGINS) | set(_REGISTERED))
