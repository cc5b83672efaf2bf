import random
from unittest import mock

import pytest

from src.infrastructure.sampling import strategies
from src.infrastructure.sampling.params import SamplingParams


def test_build_sampler_picks_strategy_from_params():
    assert isinstance(strategies.build_sampler(SamplingParams()), strategies.GreedySampler)
    assert isinstance(strategies.build_sampler(SamplingParams(sampler="top_k", temperature=0.7)), strategies.TopKSampler)
    assert isinstance(strategies.build_sampler(SamplingParams(sampler="top_p")), strategies.TopPSampler)
    # temperature 0 always means greedy
    assert isinstance(strategies.build_sampler(SamplingParams(sampler="top_p", temperature=0)), strategies.GreedySampler)


def test_top_k_only_returns_candidates():
    rng = random.Random(0)
    logits = [0.0, 5.0, 4.0, -1.0, 3.0]
    sampler = strategies.TopKSampler(k=2)
    assert {sampler.sample(logits, rng) for _ in range(200)} == {1, 2}


def test_top_p_nucleus_mass():
    kept = strategies.TopPSampler(p=0.5).nucleus([10.0, 0.0, 0.0])
    assert [token for token, _ in kept] == [0]


def test_top_k_uses_the_cuda_topk_kernel():
    with mock.patch("src.infrastructure.sampling.strategies.topk_indices", return_value=[3]) as fake:
        assert strategies.TopKSampler(k=1).sample([0.0, 1.0, 2.0, 3.0], random.Random(1)) == 3
    fake.assert_called_once()


def test_invalid_params_rejected():
    with pytest.raises(ValueError):
        SamplingParams(top_p=0)
    with pytest.raises(ValueError):
        SamplingParams(sampler="beam")
