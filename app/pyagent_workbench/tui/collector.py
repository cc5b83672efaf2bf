"""Python's cyclic garbage collector, kept out of the key presses.

A full collection walks every object the process holds and stops the app meanwhile. On
Django's plan that is over 200,000 objects (the session's graph and plan view, then
Textual's render caches) and 100 to 350 ms, and with the default thresholds one starts
every few dozen key presses: most of the workbench's slow keys were these pauses
(benchmarks/WORKBENCH.md). So the workbench

- takes what loading built (the session: it lives until another plan is opened) out of
  the collector's sight with `gc.freeze`, and gives it back before the next load;
- never lets a full collection start by itself (the oldest generation's threshold is out
  of reach) and runs one when no key or mouse event has come for `IDLE_SECONDS` and the
  default thresholds would have run one meanwhile; or at once, in a long burst of keys,
  when `FORCED_AFTER` times that much has piled up (memory stays bounded).

The young generations are collected as always: each of those takes a millisecond or two.
The policy is installed while the app runs (`start`, `stop`): thresholds and frozen
objects are the process's, and tests run many apps in one process.
"""

from __future__ import annotations

import gc
import time

IDLE_SECONDS = 1.0
"""How long without input before a full collection that is due runs."""

FORCED_AFTER = 10
"""A full collection runs even during input once this many times its due has piled up."""

OUT_OF_REACH = 1 << 30
"""The oldest generation's threshold while the policy holds: never reached."""


class IdleCollector:
    """Full collections at idle moments; see the module's docstring."""

    def __init__(self, idle: float = IDLE_SECONDS) -> None:
        self.idle = idle
        self.last_input = time.monotonic()
        self.collections = 0
        """Full collections run by the policy (idle or forced)."""
        self._saved: tuple[int, int, int] | None = None
        self._due = 10

    @property
    def running(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        young, middle, self._due = self._saved
        gc.set_threshold(young, middle, OUT_OF_REACH)

    def stop(self) -> None:
        """The process's collector as it was (frozen objects given back)."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None
        gc.unfreeze()

    def settled(self) -> None:
        """Something big and long-lived was just built (a session): collect what its
        building left, then keep the rest out of every later collection's walk."""
        if self._saved is None:
            return
        gc.collect()
        gc.freeze()

    def release(self) -> None:
        """What `settled` kept aside is about to be dropped (another plan is loading):
        give it back to the collector, or its cycles would never be freed."""
        if self._saved is not None:
            gc.unfreeze()

    def touched(self) -> None:
        """A key or mouse event came in."""
        self.last_input = time.monotonic()

    def tick(self) -> bool:
        """Run a full collection if one is due and the user is idle (or it is long
        overdue); True if one ran."""
        if self._saved is None or self._due <= 0:
            return False
        piled = gc.get_count()[2] / self._due
        idle = time.monotonic() - self.last_input >= self.idle
        if piled >= FORCED_AFTER or (piled >= 1 and idle):
            gc.collect()
            self.collections += 1
            return True
        return False
