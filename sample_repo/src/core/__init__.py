"""Core agent kernel. See :mod:`src.core.base`."""
