"""ttt.Model: every checkpoint format, the options of `ttt generate`, and clear errors."""
from pathlib import Path

import numpy as np
import pytest

import ttt
from conftest import assert_logits_match, fixture, reference_cases


def test_every_format_loads_with_its_shape():
    for path in ["stories260K/stories260K.bin", "stories260K/stories260K.gguf"]:
        model = ttt.Model(fixture(path), cache=False)
        assert (model.vocab_size, model.num_layers) == (512, 5)
        assert model.path == str(fixture(path))
        assert (model.device, model.mode) == ("cpu", "accuracy")
        assert model.tokenizer.vocab_size == 512
    hf = ttt.Model(str(fixture("qwen2-tiny/hf")), cache=False)  # a str works as well as a Path
    assert (hf.vocab_size, hf.num_layers) == (1000, 2)


def test_default_is_the_demo_model():
    model = ttt.Model(cache=False)
    assert Path(model.path).name == "stories260K.bin"
    assert "ttt.Model" in repr(model)


def test_emulated_device_and_weight_formats_stay_close_to_llama_cpp():
    # As `ttt accuracy` measures: bf16 weights and an emulated n150 move the logits a little from llama.cpp's
    # f32 ones, but the f32 model on the cpu matches them within 1e-3.
    tokens, expected = reference_cases("stories260K")[0]
    for options in [dict(weights="bf16"), dict(device="n150"), dict(device="n150", mode="performance")]:
        model = ttt.Model(fixture("stories260K/stories260K.gguf"), cache=False, **options)
        assert model.device == options.get("device", "cpu")
        actual = model.logits(tokens)
        pcc = np.corrcoef(actual.ravel(), expected.ravel())[0, 1]
        assert pcc > 0.99, (options, pcc)
    assert_logits_match(ttt.Model(fixture("stories260K/stories260K.gguf"), cache=False,
                                  kv_cache="f32").logits(tokens), expected)


def test_hw_config_file_sets_device_and_mode(tmp_path):
    config = tmp_path / "n150.textproto"
    config.write_text('device: "n150"\nmode: PERFORMANCE\n')
    model = ttt.Model(fixture("stories260K/stories260K.gguf"), hw_config=config, cache=False)
    assert (model.device, model.mode) == ("n150", "performance")
    # A device the file contradicts is refused, as with --device and --hw-config, naming the fix.
    with pytest.raises(ValueError, match="drop `device:` from the file"):
        ttt.Model(fixture("stories260K/stories260K.gguf"), hw_config=config, device="cpu", cache=False)


def test_weight_cache_directory_is_used(tmp_path):
    ttt.Model(fixture("stories260K/stories260K.gguf"), weights="bf16", cache_dir=tmp_path / "cache")
    assert any((tmp_path / "cache").iterdir())


def test_missing_files_raise_file_not_found():
    with pytest.raises(FileNotFoundError, match="no-such-model.gguf"):
        ttt.Model(fixture("no-such-model.gguf"))
    with pytest.raises(FileNotFoundError):
        ttt.Model(fixture("stories260K/stories260K.bin"), tokenizer="no-such-tokenizer.bin")
    with pytest.raises(FileNotFoundError):
        ttt.Model(fixture("stories260K/stories260K.bin"), hw_config="no-such-config.textproto")


def test_bad_arguments_raise_value_error_with_the_librarys_message(tmp_path):
    gguf = fixture("stories260K/stories260K.gguf")
    with pytest.raises(ValueError, match="unknown device 'gpu9'"):
        ttt.Model(gguf, device="gpu9", cache=False)
    with pytest.raises(ValueError, match="mode"):
        ttt.Model(gguf, mode="fastest", cache=False)
    with pytest.raises(ValueError, match="weights"):
        ttt.Model(gguf, weights="f7", cache=False)
    with pytest.raises(ValueError, match="kv_cache"):
        ttt.Model(gguf, kv_cache="bfp4", cache=False)
    with pytest.raises(ValueError, match="threads"):
        ttt.Model(gguf, threads=-1, cache=False)
    with pytest.raises(ValueError, match="config.json"):
        ttt.Model(tmp_path)  # a folder, but not a Hugging Face model
    truncated = tmp_path / "model.gguf"
    truncated.write_bytes(fixture("stories260K/stories260K.gguf").read_bytes()[:17])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        ttt.Model(truncated, cache=False)
