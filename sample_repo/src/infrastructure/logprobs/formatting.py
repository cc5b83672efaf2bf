"""Render logprob entries in the OpenAI completions format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .processor import LogprobEntry

if TYPE_CHECKING:
    from src.core.base.base_interfaces import SupportsTokenize


def format_entries(entries: Sequence[LogprobEntry], tokenizer: SupportsTokenize) -> dict[str, Any]:
    return {
        "tokens": [tokenizer.decode([e.token_id]) for e in entries],
        "token_logprobs": [round(e.logprob, 6) for e in entries],
        "top_logprobs": [
            {tokenizer.decode([tid]): round(lp, 6) for tid, lp in e.top} for e in entries
        ],
    }
