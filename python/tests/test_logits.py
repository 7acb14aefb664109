"""Model.logits: llama.cpp's reference logits for every format, and a NumPy array over the library's buffer."""
import numpy as np
import pytest

import ttt
from conftest import assert_logits_match, fixture, reference_cases

MODELS = [
    ("stories260K/stories260K.bin", "stories260K"),     # llama2.c checkpoint
    ("stories260K/stories260K.gguf", "stories260K"),    # GGUF
    ("llama-gqa-tiny/hf", "llama-gqa-tiny"),            # Hugging Face folder, BF16 safetensors
    ("llama-gqa-tiny/model-f32.gguf", "llama-gqa-tiny"),
    ("gpt2-tiny/hf", "gpt2-tiny"),
    ("qwen2-tiny/hf", "qwen2-tiny"),
    ("mpt-alibi-tiny/model-f32.gguf", "mpt-alibi-tiny"),  # ALiBi, a contrib block the module registers
]


@pytest.mark.parametrize("path,folder", MODELS, ids=[m[0] for m in MODELS])
def test_logits_match_llama_cpp(path, folder):
    model = ttt.Model(fixture(path), cache=False)
    for tokens, expected in reference_cases(folder):
        actual = model.logits(tokens)
        assert actual.dtype == np.float32
        assert_logits_match(actual, expected)


def test_logits_are_not_copied(stories):
    tokens, _ = reference_cases("stories260K")[0]
    first = stories.logits(tokens)
    # The array does not own its memory: it views the library's buffer, kept alive by its base (a capsule).
    assert not first.flags.owndata
    assert type(first.base).__name__ == "PyCapsule"
    assert first.flags.c_contiguous and first.flags.writeable
    # Each call has its own buffer, alive as long as its array.
    second = stories.logits(tokens)
    assert not np.shares_memory(first, second)
    np.testing.assert_array_equal(first, second)
    view = first[3]
    del first
    np.testing.assert_array_equal(view, second[3])


def test_text_prompt_is_tokenized_with_the_models_bos(stories):
    text = "Once upon a time"
    ids = stories.tokenize(text)
    assert ids[0] == stories.tokenizer.bos_id
    np.testing.assert_array_equal(stories.logits(text), stories.logits(ids))
    np.testing.assert_array_equal(stories.logits(np.array(ids)), stories.logits(ids))


def test_bad_tokens_raise_value_error(stories):
    with pytest.raises(ValueError, match="no tokens"):
        stories.logits([])
    with pytest.raises(ValueError, match="512"):
        stories.logits([1, 512])
    with pytest.raises(TypeError, match="token ids"):
        stories.logits([1.5, "a"])
