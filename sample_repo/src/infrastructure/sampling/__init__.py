"""Sampling parameters, logit processors and samplers."""

from . import penalties
from .params import SamplingParams
from .strategies import GreedySampler, Sampler, TopKSampler, TopPSampler, build_sampler

__all__ = ["GreedySampler", "Sampler", "SamplingParams", "TopKSampler", "TopPSampler", "build_sampler", "penalties"]
