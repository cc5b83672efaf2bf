import pytest

from src.infrastructure.tokenizer.bpe import MERGES_PATH, BPETokenizer, load_merges


def test_merges_file_is_shipped_next_to_the_package():
    assert MERGES_PATH.name == "merges.txt"
    assert MERGES_PATH.parent.name == "data"
    merges = load_merges()
    assert ("h", "e") in merges
    assert len(merges) == len(set(merges))


def test_bpe_round_trip_and_merging():
    tok = BPETokenizer.default()
    assert tok.tokenize("hello world") == ["\u2581hello", "\u2581world"]
    text = "The agent is generating tokens, and it works!"
    ids = tok.encode(text, add_bos=True)
    assert ids[0] == tok.bos_id
    assert tok.decode(ids) == text


def test_duplicate_merges_are_skipped(tmp_path):
    path = tmp_path / "merges.txt"
    path.write_text("# comment\na b\n\na b\nab c\n", encoding="utf-8")
    assert load_merges(path) == [("a", "b"), ("ab", "c")]


def test_corrupt_merges_are_rejected(tmp_path):
    bad = tmp_path / "merges.txt"
    bad.write_text("ab c\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown symbol"):
        load_merges(bad)
