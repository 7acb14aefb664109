"""TTTv2 from Python: load a model (Hugging Face folder, GGUF, llama2.c), generate text as a stream, read
logits as NumPy arrays, tokenize, and run the TestSuite.

    import ttt
    model = ttt.Model()                       # the bundled demo model; or a path
    for token in model.generate("Once upon a time", max_tokens=20):
        print(token.text, end="")
"""
from ._ttt import Generation, Model, Token, Tokenizer, __version__

__all__ = ["Generation", "Model", "Token", "Tokenizer", "__version__"]
