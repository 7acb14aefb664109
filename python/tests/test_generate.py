"""Model.generate: llama2.c's run.c output reproduced through the streaming iterator; stop strings, sampling,
early exits, threads and errors."""
import threading

import pytest

import ttt
from conftest import fixture

RUN_C = fixture("stories260K/expected_greedy_256.txt").read_text()


@pytest.mark.parametrize("path", ["stories260K/stories260K.bin", "stories260K/stories260K.gguf"])
def test_greedy_from_bos_matches_run_c(path):
    # run.c with 256 steps: 256 tokens after BOS, greedy, then a newline.
    model = ttt.Model(fixture(path), cache=False)
    generation = model.generate("", max_tokens=256, add_bos=True)
    assert generation.prompt_tokens == [model.tokenizer.bos_id]
    pieces = list(generation)
    assert all(isinstance(p, ttt.Token) for p in pieces)
    text = "".join(p.text for p in pieces)
    assert text + "\n" == RUN_C
    assert generation.text == text
    assert generation.stop_reason == "budget"
    ids = [p.id for p in pieces if p.id is not None]
    assert len(ids) == 256 and ids == generation.tokens
    assert model.detokenize(ids) == text


def test_tokens_stream_one_at_a_time(stories):
    generation = stories.generate("Once upon a time", max_tokens=64)
    first = next(generation)
    assert isinstance(first.id, int)
    assert generation.tokens == [first.id] and generation.stop_reason == ""
    rest = list(generation)
    assert len(generation.tokens) == 1 + len([p for p in rest if p.id is not None])


def test_stop_string_cuts_the_text_before_it(stories):
    generation = stories.generate("", add_bos=True, max_tokens=256, stop=["Lily"])
    text = "".join(p.text for p in generation)
    assert text == RUN_C[: RUN_C.index("Lily")]
    assert generation.stop_reason == "stop-string"


def test_sampling_is_seeded(stories):
    def run(seed):
        generation = stories.generate("Once upon a time", max_tokens=40, temperature=1.0, top_k=40, top_p=0.9,
                                      seed=seed)
        list(generation)
        return generation.tokens

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_sampling_arguments_warn_in_greedy_mode(stories):
    with pytest.warns(UserWarning, match="top_k does nothing at temperature 0"):
        stories.generate("Once", top_k=40)
    with pytest.warns(UserWarning, match="seed does nothing"):
        stories.generate("Once", seed=7)


def test_breaking_out_early_frees_the_model(stories):
    for i, _ in enumerate(stories.generate("Once upon a time", max_tokens=200)):
        if i == 2:
            break
    greedy = [p.id for p in stories.generate("", add_bos=True, max_tokens=20) if p.id is not None]
    assert stories.detokenize(greedy) == RUN_C[: len(stories.detokenize(greedy))]


def test_threads_share_a_model(stories):
    # Generations from several Python threads (the GIL released while they compute) each give what they
    # would alone.
    alone = stories.generate("", add_bos=True, max_tokens=60)
    expected = "".join(p.text for p in alone)
    results = [None] * 4

    def work(i):
        results[i] = "".join(p.text for p in stories.generate("", add_bos=True, max_tokens=60))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_bad_arguments_raise_with_the_librarys_message(stories):
    with pytest.raises(ValueError, match="temperature"):
        stories.generate("Once", temperature=-1.0)
    with pytest.raises(ValueError, match="top-p"):
        stories.generate("Once", top_p=0.0)
    with pytest.raises(ValueError, match="context"):
        stories.generate("Once", max_tokens=10 ** 6)
    with pytest.raises(ValueError, match="no tokens"):
        stories.generate("", add_bos=False)
    with pytest.raises(TypeError):
        stories.generate(3.5)
    with pytest.raises(TypeError):
        stories.generate("Once", stop=[1, 2])
