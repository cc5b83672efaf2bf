"""Speculative decoding (n-gram proposer + greedy verifier)."""

from .proposer import NgramProposer
from .verifier import SpeculativeVerifier, Verification

__all__ = ["NgramProposer", "SpeculativeVerifier", "Verification"]
