"""Fleet manager: tracks the nodes of a deployment over the network.

Each node runs a ``src.infrastructure.worker.worker.Worker``; the manager only
talks to nodes through ``src.infrastructure.network`` frames.
"""

from __future__ import annotations

from src.core.base.base_utilities import stable_hash
from src.infrastructure.network import transport
from src.infrastructure.network.protocol import Frame, FrameKind

from .health import HEALTHY, HealthChecker

MANAGER = "fleet-manager"


class FleetManager:
    def __init__(self, network: transport.LoopbackNetwork, health: HealthChecker | None = None) -> None:
        self.network = network
        self.endpoint = network.endpoint(MANAGER)
        self.health = health or HealthChecker()
        self.nodes: dict[str, transport.Endpoint] = {}

    def add_node(self, name: str) -> transport.Endpoint:
        endpoint = self.network.endpoint(name)
        self.nodes[name] = endpoint
        self.health.track(name)
        return endpoint

    def ping_all(self) -> int:
        sent = 0
        for name in self.nodes:
            if self.endpoint.send(name, Frame(FrameKind.CONTROL, 0, b"ping")):
                sent += 1
            else:
                self.health.missed(name)
        return sent

    def answer_pings(self) -> None:
        """Simulate every reachable node replying to its pings."""
        for name, endpoint in self.nodes.items():
            for envelope in endpoint.drain():
                if envelope.frame.payload == b"ping":
                    endpoint.send(MANAGER, Frame(FrameKind.HEARTBEAT, 0, name.encode()))

    def collect(self) -> list[str]:
        seen = []
        for envelope in self.endpoint.drain():
            if envelope.frame.kind is FrameKind.HEARTBEAT:
                node = envelope.frame.payload.decode()
                self.health.heartbeat(node)
                seen.append(node)
        return seen

    def healthy_nodes(self) -> list[str]:
        return sorted(n for n in self.nodes if self.health.status(n) == HEALTHY)

    def assign(self, request_key: str) -> str:
        healthy = self.healthy_nodes()
        if not healthy:
            raise RuntimeError("no healthy nodes")
        return healthy[stable_hash(request_key) % len(healthy)]
