"""Tokenizers: llama.cpp's tokenizer test vectors, and the model's tokenize/detokenize."""
import pytest

import ttt
from conftest import fixture

VOCAB_TESTS = fixture("tokenizers/vocab-tests")
SEPARATOR = "\n__ggml_vocab_test__\n"


def vocab_cases(name):
    """llama.cpp's test vectors: texts of ggml-vocab-NAME.gguf.inp, their ids (no BOS) in .out."""
    stem = VOCAB_TESTS / f"ggml-vocab-{name}.gguf"
    texts = stem.with_suffix(".gguf.inp").read_bytes().decode("utf-8").split(SEPARATOR)[:-1]
    ids = [[int(i) for i in line.split()] for line in
           stem.with_suffix(".gguf.out").read_text(encoding="utf-8").split("\n")[: len(texts)]]
    assert len(texts) == len(ids) > 30
    return stem, list(zip(texts, ids))


@pytest.mark.parametrize("name", ["llama-spm", "gpt-2", "bert-bge", "phi-3"])
def test_encode_matches_llama_cpp_vectors(name):
    path, cases = vocab_cases(name)
    tokenizer = ttt.Tokenizer(path)
    for text, expected in cases:
        assert tokenizer.encode(text, add_bos=False) == expected, repr(text)


def test_model_tokenize_round_trips_run_c_text(stories):
    story = fixture("stories260K/expected_greedy_256.txt").read_text()
    ids = stories.tokenize(story)
    assert ids[0] == stories.tokenizer.bos_id == 1  # llama2.c models start with BOS
    assert stories.tokenize(story, add_bos=False) == ids[1:]
    assert stories.detokenize(ids) == story
    assert stories.tokenizer.encode(story, add_bos=True) == ids


def test_control_tokens_only_when_asked(stories):
    assert stories.tokenize("<s>", add_bos=False, parse_special=True) == [stories.tokenizer.bos_id]
    assert stories.tokenizer.bos_id not in stories.tokenize("<s>", add_bos=False)


def test_a_model_without_tokenizer_says_how_to_give_one():
    model = ttt.Model(fixture("llama-gqa-tiny/hf"), cache=False)
    assert model.tokenizer is None
    with pytest.raises(ValueError, match="tokenizer="):
        model.tokenize("hello")
    with_tokenizer = ttt.Model(fixture("llama-gqa-tiny/hf"), tokenizer=fixture("stories260K/tok512.bin"), cache=False)
    assert with_tokenizer.tokenize("hello", add_bos=False) == ttt.Tokenizer(fixture("stories260K/tok512.bin")).encode(
        "hello", add_bos=False)


def test_missing_tokenizer_file_is_file_not_found():
    with pytest.raises(FileNotFoundError):
        ttt.Tokenizer(fixture("no-such-tokenizer.json"))
