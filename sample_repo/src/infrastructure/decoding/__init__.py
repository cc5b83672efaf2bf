"""Decoding loops, stop criteria and detokenisation."""

from .beam import BeamSearchDecoder
from .detokenizer import IncrementalDetokenizer
from .greedy import greedy_decode
from .stop_criteria import StopCriteria

__all__ = ["BeamSearchDecoder", "IncrementalDetokenizer", "StopCriteria", "greedy_decode"]
