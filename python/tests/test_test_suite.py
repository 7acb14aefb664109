"""Model.test_suite: the library's TestSuite over every module, its report as dicts."""
import pytest

import ttt
from conftest import fixture


def test_every_module_against_its_float64_reference(stories):
    report = stories.test_suite()
    assert report["passed"] and report["culprits"] == []
    assert report["reference"] == "own-weights"
    names = {case["name"] for case in report["cases"]}
    # Five layers: each layer's attention, MLP and the layer itself, in prefill and decode, and the model.
    assert {case["kind"] for case in report["cases"]} >= {"attention", "mlp", "norm", "decoder_layer", "causal_lm"}
    assert len([n for n in names if n.startswith("layers.4.")]) >= 4
    whole = [c for c in report["cases"] if c["kind"] == "causal_lm"]
    assert {c["mode"] for c in whole} == {"prefill", "decode"}
    for case in report["cases"]:
        assert case["passed"] and case["failures"] == []
        assert case["metrics"]["pcc"] >= case["tolerance"]["pcc"] > 0.99
        assert case["tokens"] > 0 and case["device"] == "cpu"


def test_against_the_source_checkpoint():
    model = ttt.Model(fixture("stories260K/stories260K.gguf"), weights="bfp4", cache=False)
    report = model.test_suite(reference="checkpoint", tokens=8)
    assert report["reference"] == "source-checkpoint"
    by_kind = {c["kind"]: c for c in report["cases"]}
    # BFP4 weights are judged against the checkpoint's f32 tensors: close, not exact.
    assert 0.9 < by_kind["causal_lm"]["metrics"]["pcc"] < 1.0
    assert by_kind["attention"]["source_path"]  # the GGUF's own name of the module


def test_bad_arguments(stories):
    with pytest.raises(ValueError, match="own-weights"):
        stories.test_suite(reference="hf")
    with pytest.raises(ValueError, match="tokens"):
        stories.test_suite(tokens=0)
