"""A directory-backed object store with JSON metadata side-cars."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from src.infrastructure.serialization.codec import dumps, loads


class ObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"invalid key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, **metadata: Any) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        etag = hashlib.sha256(data).hexdigest()[:16]
        path.with_name(path.name + ".meta.json").write_bytes(dumps({"etag": etag, **metadata}))
        return etag

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def metadata(self, key: str) -> dict[str, Any]:
        path = self._path(key)
        return loads(path.with_name(path.name + ".meta.json").read_bytes())

    def list(self, prefix: str = "") -> list[str]:
        keys = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.endswith(".meta.json"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink()
        path.with_name(path.name + ".meta.json").unlink(missing_ok=True)
