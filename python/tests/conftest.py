"""Shared helpers of the Python tests: where the fixtures are, and llama.cpp's reference logits."""
import json
import os
from pathlib import Path

import numpy as np
import pytest

SOURCE_DIR = Path(os.environ.get("TTT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
FIXTURES = SOURCE_DIR / "tests" / "fixtures"


def fixture(relative):
    return FIXTURES / relative


def reference_cases(folder, index="reference.json"):
    """(tokens, logits [tokens, vocab]) of each case of a fixture's reference.json (llama.cpp's logits)."""
    directory = fixture(folder)
    spec = json.loads((directory / index).read_text())
    cases = []
    for case in spec["cases"]:
        logits = np.fromfile(directory / case["logits_file"], dtype="<f4").reshape(case["shape"])
        cases.append((case["tokens"], logits))
    return cases


def assert_logits_match(actual, expected, relative=1e-3):
    """As the C++ tests judge llama.cpp's logits: the largest difference within `relative` of the largest
    reference logit, and the same argmax at every position."""
    assert actual.shape == expected.shape
    error = np.abs(actual.astype(np.float64) - expected).max()
    scale = np.abs(expected).max()
    assert error <= relative * scale, f"max |difference| {error} vs max |reference| {scale}"
    mismatches = np.nonzero(actual.argmax(axis=1) != expected.argmax(axis=1))[0]
    assert mismatches.size == 0, f"argmax differs at positions {mismatches.tolist()}"


@pytest.fixture(scope="session")
def stories():
    """stories260K as llama2.c's checkpoint (tok512.bin beside it), without the weight cache."""
    import ttt
    return ttt.Model(fixture("stories260K/stories260K.bin"), cache=False)
