"""Evaluation harness and scorers."""

from .harness import EvalHarness, EvalReport
from .scorers import bleu1, exact_match, normalize_answer, token_f1

__all__ = ["EvalHarness", "EvalReport", "bleu1", "exact_match", "normalize_answer", "token_f1"]
