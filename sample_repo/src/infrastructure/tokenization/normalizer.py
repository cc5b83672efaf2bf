"""Unicode text normalisation applied before tokenisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalizer:
    lowercase: bool = False
    strip_accents: bool = False
    collapse_whitespace: bool = True

    def normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        if self.strip_accents:
            decomposed = unicodedata.normalize("NFD", text)
            text = "".join(c for c in decomposed if not unicodedata.combining(c))
        if self.lowercase:
            text = text.lower()
        if self.collapse_whitespace:
            text = _WS.sub(" ", text).strip()
        return text
