"""Ranks and collectives."""

from .comm import SimulatedGroup
from .rank import RankInfo

__all__ = ["RankInfo", "SimulatedGroup"]
