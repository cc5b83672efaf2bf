"""Swarm tier: network, fleet, distributed, parallel, speculative decoding."""

import pytest

from src.infrastructure.cuda.kernels import matvec
from src.infrastructure.distributed import RankInfo, SimulatedGroup
from src.infrastructure.fleet import DEAD, HEALTHY, SUSPECT, FleetManager, HealthChecker
from src.infrastructure.network import Frame, FrameError, FrameKind, LoopbackNetwork
from src.infrastructure.parallel import ColumnParallelLinear, bubble_fraction, one_f_one_b
from src.infrastructure.speculative_v2 import NgramProposer, SpeculativeVerifier


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_frames_detect_corruption():
    blob = Frame(FrameKind.DATA, 7, b"payload").encode()
    assert Frame.decode(blob) == Frame(FrameKind.DATA, 7, b"payload")
    corrupted = blob[:-5] + bytes([blob[-5] ^ 0xFF]) + blob[-4:]
    with pytest.raises(FrameError, match="checksum"):
        Frame.decode(corrupted)


def test_fleet_marks_partitioned_node_unhealthy():
    clock = FakeClock()
    network = LoopbackNetwork()
    fleet = FleetManager(network, HealthChecker(timeout_s=5, clock=clock))
    for name in ("node-a", "node-b"):
        fleet.add_node(name)
    fleet.ping_all()
    fleet.answer_pings()
    assert sorted(fleet.collect()) == ["node-a", "node-b"]
    network.partition("node-b")
    clock.now = 6
    fleet.ping_all()
    fleet.ping_all()
    fleet.answer_pings()
    fleet.collect()
    assert fleet.health.status("node-a") == HEALTHY
    assert fleet.health.status("node-b") == SUSPECT
    assert fleet.healthy_nodes() == ["node-a"]
    assert fleet.assign("request-1") == "node-a"
    clock.now = 20
    assert fleet.health.status("node-b") == DEAD


def test_collectives_and_tensor_parallel_linear():
    group = SimulatedGroup(2)
    assert group.all_reduce([[1.0, 2.0], [3.0, 4.0]]) == [[4.0, 6.0], [4.0, 6.0]]
    weight = [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [1.0, -1.0]]
    x = [0.5, 1.5]
    assert ColumnParallelLinear(weight, group).forward(x) == matvec(weight, x)
    assert RankInfo.from_env({"RANK": "1", "WORLD_SIZE": "2"}).is_primary is False


def test_one_f_one_b_schedule():
    schedule = one_f_one_b(num_stages=3, num_microbatches=4)
    for ops in schedule:
        assert sorted(mb for op, mb in ops if op == "F") == [0, 1, 2, 3]
        assert [mb for op, mb in ops if op == "B"] == [0, 1, 2, 3]
    assert schedule[-1][:2] == [("F", 0), ("B", 0)]  # last stage has no warm-up
    assert bubble_fraction(3, 4) == pytest.approx(2 / 6)


def test_speculative_decoding_accepts_matching_prefix():
    proposer = NgramProposer(n=2, num_speculative=3)
    context = [5, 6, 7, 8, 9, 5, 6]
    draft = proposer.propose(context)
    assert draft == [7, 8, 9]

    def one_hot(token, vocab=12):
        return [1.0 if i == token else 0.0 for i in range(vocab)]

    verifier = SpeculativeVerifier()
    result = verifier.verify(draft, [one_hot(7), one_hot(8), one_hot(3), one_hot(0)])
    assert result.accepted == [7, 8] and result.bonus == 3
    assert result.emitted == [7, 8, 3]
    assert verifier.acceptance_rate == pytest.approx(2 / 3)
