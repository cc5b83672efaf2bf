"""Storage tier: db, serialization, KV transfer, tensorizer, caches, allocator."""

import pytest

from src.core.base.base_exceptions import ResourceExhaustedError
from src.db import MIGRATIONS, apply_migrations, connect
from src.infrastructure.cache import BlockPool, LRUCache, PrefixCache
from src.infrastructure.cuda.device import Device
from src.infrastructure.kv_transfer import InMemoryConnector, recv_kv, send_kv
from src.infrastructure.memory.allocator import BlockAllocator
from src.infrastructure.serialization import from_payload, to_payload
from src.infrastructure.serialization.typed import TYPE_ALIASES
from src.infrastructure.tensorizer import TensorRecord, load, save


def test_migrations_are_applied_once(repository):
    assert apply_migrations(repository.conn) == []
    fresh = connect()
    assert apply_migrations(fresh) == [number for number, _ in MIGRATIONS]
    repository.save("echo", "a", "a")
    repository.save("upper", "b", "B")
    assert [run.agent for run in repository.list()] == ["upper", "echo"]
    assert repository.count() == 2


def test_typed_payload_records_dotted_type_path():
    payload = to_payload(Device("cuda", 2))
    assert payload["__type__"] == "src.infrastructure.cuda.device:Device"
    assert from_payload(payload) == Device("cuda", 2)


def test_typed_payload_alias_keeps_old_paths_loading():
    old = {"__type__": "src.infrastructure.legacy.device:Device", "data": {"kind": "cpu", "index": 0}}
    TYPE_ALIASES["src.infrastructure.legacy.device:Device"] = "src.infrastructure.cuda.device:Device"
    try:
        assert from_payload(old) == Device()
    finally:
        TYPE_ALIASES.clear()


def test_kv_transfer_round_trip():
    connector = InMemoryConnector()
    keys = [[0.1, 0.2], [0.3, 0.4]]
    values = [[1.0, 2.0], [3.0, 4.0]]
    assert send_kv(connector, 42, keys, values) > 0
    assert recv_kv(connector, 42) == (keys, values)
    with pytest.raises(KeyError):
        recv_kv(connector, 42)  # consumed


def test_tensorizer_save_and_load(tmp_path):
    path = tmp_path / "weights.pytz"
    save(path, [TensorRecord("w", (2, 2), [1.0, 2.0, 3.0, 4.0]), TensorRecord("b", (2,), [0.5, -0.5])])
    loaded = load(path)
    assert loaded["w"].shape == (2, 2) and loaded["b"].data == [0.5, -0.5]
    with pytest.raises(ValueError):
        TensorRecord("bad", (3,), [1.0])


def test_block_pool_exhaustion_is_logged_with_a_pointer(log_lines):
    pool = BlockPool(num_blocks=1, block_size=2)
    pool.append(1, [0.0], [0.0])
    pool.append(1, [0.0], [0.0])
    with pytest.raises(ResourceExhaustedError):
        pool.append(1, [0.0], [0.0])
    assert log_lines.matching("see src.infrastructure.attention.paged for details")


def test_allocator_refcounts():
    allocator = BlockAllocator(2)
    block = allocator.allocate()
    allocator.fork(block)
    assert allocator.free(block) is False
    assert allocator.free(block) is True
    with pytest.raises(KeyError):
        allocator.free(block)


def test_lru_and_prefix_cache():
    evicted = []
    lru = LRUCache(2, on_evict=lambda k, v: evicted.append(k))
    lru.put("a", 1)
    lru.put("b", 2)
    lru.get("a")
    lru.put("c", 3)
    assert evicted == ["b"] and lru.keys() == ["a", "c"]
    prefix = PrefixCache(block_size=2)
    prefix.insert([1, 2, 3, 4, 5])
    assert prefix.match([1, 2, 3, 4, 9]) == 4
    assert prefix.match([1, 9, 3, 4]) == 0
    assert prefix.insert_text("hello world hello world") >= 1
