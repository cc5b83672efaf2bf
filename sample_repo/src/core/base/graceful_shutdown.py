"""Ordered, idempotent shutdown of registered resources."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from .base_exceptions import ShutdownInProgressError
from .base_interfaces import Lifecycle


class ShutdownCoordinator:
    """Runs registered callbacks once, in reverse registration order (LIFO)."""

    def __init__(self) -> None:
        self._callbacks: list[tuple[str, Callable[[], None]]] = []
        self._lock = threading.Lock()
        self._started = False
        self.errors: list[tuple[str, BaseException]] = []

    @property
    def in_progress(self) -> bool:
        return self._started

    def register(self, name: str, callback: Callable[[], None]) -> None:
        with self._lock:
            if self._started:
                raise ShutdownInProgressError(f"cannot register {name!r} during shutdown")
            self._callbacks.append((name, callback))

    def register_component(self, name: str, component: Lifecycle) -> None:
        """Start ``component`` now and stop it on shutdown."""
        if not isinstance(component, Lifecycle):
            raise TypeError(f"{name!r} does not implement start()/stop()")
        component.start()
        self.register(name, component.stop)

    def shutdown(self) -> list[str]:
        with self._lock:
            if self._started:
                return []
            self._started = True
            callbacks = list(reversed(self._callbacks))
        done = []
        for name, callback in callbacks:
            try:
                callback()
            except Exception as exc:  # keep shutting the rest down
                self.errors.append((name, exc))
            else:
                done.append(name)
        return done

    def install_signal_handlers(self) -> bool:
        """Shut down on SIGTERM; only possible from the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        signal.signal(signal.SIGTERM, lambda signum, frame: self.shutdown())
        return True
