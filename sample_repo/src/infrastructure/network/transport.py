"""In-process loopback network with injectable partitions."""

from __future__ import annotations

import queue
from dataclasses import dataclass

from src.infrastructure.logging.structured import get_logger, log_event

from .protocol import Frame

_log = get_logger("network")


@dataclass
class Envelope:
    sender: str
    frame: Frame


class LoopbackNetwork:
    def __init__(self) -> None:
        self._queues: dict[str, queue.Queue[Envelope]] = {}
        self.partitioned: set[str] = set()
        self.dropped = 0

    def endpoint(self, name: str) -> Endpoint:
        self._queues.setdefault(name, queue.Queue())
        return Endpoint(name, self)

    def nodes(self) -> list[str]:
        return sorted(self._queues)

    def partition(self, name: str) -> None:
        self.partitioned.add(name)

    def heal(self, name: str) -> None:
        self.partitioned.discard(name)

    def deliver(self, sender: str, recipient: str, frame: Frame) -> bool:
        if sender in self.partitioned or recipient in self.partitioned or recipient not in self._queues:
            self.dropped += 1
            log_event(_log, "network.drop", sender=sender, recipient=recipient)
            return False
        # Round-trip through the wire format so framing bugs show up in tests.
        self._queues[recipient].put(Envelope(sender, Frame.decode(frame.encode())))
        return True

    def receive(self, name: str, timeout: float | None = 0.0) -> Envelope | None:
        try:
            if timeout == 0.0:
                return self._queues[name].get_nowait()
            return self._queues[name].get(timeout=timeout)
        except queue.Empty:
            return None


@dataclass
class Endpoint:
    name: str
    network: LoopbackNetwork

    def send(self, recipient: str, frame: Frame) -> bool:
        return self.network.deliver(self.name, recipient, frame)

    def recv(self, timeout: float | None = 0.0) -> Envelope | None:
        return self.network.receive(self.name, timeout)

    def drain(self) -> list[Envelope]:
        out = []
        while (envelope := self.recv()) is not None:
            out.append(envelope)
        return out
