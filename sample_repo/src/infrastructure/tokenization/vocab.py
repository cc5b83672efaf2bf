"""Token <-> id vocabulary with the special tokens first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

SPECIAL_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>")


class Vocab:
    def __init__(self, tokens: Iterable[str] = (), specials: tuple[str, ...] = SPECIAL_TOKENS) -> None:
        self._token_to_id: dict[str, int] = {}
        self._id_to_token: list[str] = []
        self.specials = specials
        for token in (*specials, *tokens):
            self.add(token)

    def add(self, token: str) -> int:
        existing = self._token_to_id.get(token)
        if existing is not None:
            return existing
        self._token_to_id[token] = len(self._id_to_token)
        self._id_to_token.append(token)
        return self._token_to_id[token]

    def token_to_id(self, token: str) -> int:
        return self._token_to_id.get(token, self.unk_id)

    def id_to_token(self, token_id: int) -> str:
        if not 0 <= token_id < len(self._id_to_token):
            raise IndexError(f"token id {token_id} out of range")
        return self._id_to_token[token_id]

    def is_special(self, token_id: int) -> bool:
        return 0 <= token_id < len(self.specials)

    @property
    def pad_id(self) -> int:
        return self._token_to_id["<pad>"]

    @property
    def unk_id(self) -> int:
        return self._token_to_id["<unk>"]

    @property
    def bos_id(self) -> int:
        return self._token_to_id["<bos>"]

    @property
    def eos_id(self) -> int:
        return self._token_to_id["<eos>"]

    def __len__(self) -> int:
        return len(self._id_to_token)

    def __contains__(self, token: object) -> bool:
        return token in self._token_to_id

    def __iter__(self) -> Iterator[str]:
        return iter(self._id_to_token)
