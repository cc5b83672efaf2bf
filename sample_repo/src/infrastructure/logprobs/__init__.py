"""Token log-probabilities."""

from .formatting import format_entries
from .processor import LogprobEntry, compute_logprobs, entry_for, sequence_logprob

__all__ = ["LogprobEntry", "compute_logprobs", "entry_for", "format_entries", "sequence_logprob"]
