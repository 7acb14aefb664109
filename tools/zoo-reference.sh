#!/usr/bin/env bash
# zoo-reference.sh: the reference logits a zoo model's tests compare with, made from its Hugging Face folder by
# llama.cpp built outside this tree (the project never builds or runs llama.cpp; CI does not run this).
#
# usage: tools/zoo-reference.sh HF_DIR [OUT_DIR] [--gguf FILE] [--threads N]
#   HF_DIR   the model's Hugging Face folder (config.json, *.safetensors, tokenizer files)
#   OUT_DIR  where reference.json and logits-N.f32 go (default: HF_DIR); `ttt-gov new-model NAME --hf HF_DIR
#            --reference OUT_DIR` then scaffolds a model whose tests read them (no --reference when OUT_DIR is HF_DIR)
#   --gguf FILE  skip the conversion: FILE is an all-F32 GGUF of the same weights (e.g. one you converted before)
#   --threads N  llama.cpp's threads (default 2)
#
# What it does:
#   1. llama.cpp's convert_hf_to_gguf.py HF_DIR --outtype f32 -> a temporary all-F32 GGUF (the same weights);
#   2. llama_logits (tests/fixtures/mpt-alibi-tiny/peers/llama_logits.cpp, compiled once against llama.cpp's
#      libllama) on it for two cases, every position in one batch, F32 KV cache, n_ctx = the model's context
#      (max_position_embeddings): [bos] + 7 ids from numpy default_rng(100), and 24 ids from default_rng(101),
#      ids in [1, vocab) - the cases of the repository's fixtures (tests/fixtures/peers/mkfixture.py);
#   3. OUT_DIR/logits-N.f32 (raw little-endian float32 [tokens, vocab]) and OUT_DIR/reference.json listing them,
#      in the format core/testing/reference_logits.h reads.
#
# Environment:
#   LLAMACPP  a llama.cpp checkout (default /tmp/peers/llama.cpp); its libllama is built here if missing (CPU,
#             Release: cmake -S $LLAMACPP -B $LLAMACPP/build -DLLAMA_CURL=OFF -DGGML_NATIVE=ON, target llama)
#   PEER      where llama_logits is compiled (default: the parent of LLAMACPP)
#   PYTHON    a Python with numpy (default: python3, else /usr/bin/python3); the conversion also needs llama.cpp's
#             requirements (pip install -r $LLAMACPP/requirements/requirements-convert_hf_to_gguf.txt: torch,
#             safetensors, sentencepiece, transformers)
#   N_CTX     llama.cpp's context (default max_position_embeddings; its F32 KV cache takes
#             2 x layers x kv_heads x head_dim x N_CTX x 4 bytes, so lower it for a large model without LongRoPE)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "zoo-reference.sh: $*" >&2; exit 1; }

HF="" OUT="" GGUF="" THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --gguf) GGUF=${2:?--gguf needs a FILE}; shift 2 ;;
    --threads) THREADS=${2:?--threads needs N}; shift 2 ;;
    -*) usage >&2; fail "unknown option $1" ;;
    *) if [ -z "$HF" ]; then HF=$1; elif [ -z "$OUT" ]; then OUT=$1; else usage >&2; fail "too many arguments"; fi
       shift ;;
  esac
done
[ -n "$HF" ] || { usage >&2; exit 2; }
[ -f "$HF/config.json" ] || fail "$HF has no config.json: give the model's Hugging Face folder"
HF=$(cd "$HF" && pwd); OUT=${OUT:-$HF}; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
[ -z "$GGUF" ] || [ -f "$GGUF" ] || fail "--gguf $GGUF: no such file"

LLAMACPP=${LLAMACPP:-/tmp/peers/llama.cpp}
[ -f "$LLAMACPP/convert_hf_to_gguf.py" ] || fail "LLAMACPP=$LLAMACPP is not a llama.cpp checkout: clone llama.cpp" \
  "(the repository's fixtures used commit c392e50) and export LLAMACPP=<that directory>"
LLAMACPP=$(cd "$LLAMACPP" && pwd); PEER=${PEER:-$(dirname "$LLAMACPP")}
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c "import numpy" 2>/dev/null; then
  /usr/bin/python3 -c "import numpy" 2>/dev/null || fail "$PYTHON has no numpy: install it (Debian: python3-numpy)" \
    "or set PYTHON to a Python that has it"
  PYTHON=/usr/bin/python3
fi

# libllama and the logits dumper, built once outside this tree.
if [ ! -e "$LLAMACPP/build/bin/libllama.so" ]; then
  echo "building llama.cpp's libllama in $LLAMACPP/build (once)"
  cmake -S "$LLAMACPP" -B "$LLAMACPP/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DGGML_NATIVE=ON >/dev/null
  cmake --build "$LLAMACPP/build" -j2 --target llama >/dev/null
fi
DUMPER_SRC=$ROOT/tests/fixtures/mpt-alibi-tiny/peers/llama_logits.cpp
DUMPER=$PEER/llama_logits
if [ ! -x "$DUMPER" ] || [ "$DUMPER_SRC" -nt "$DUMPER" ] || ! { "$DUMPER" 2>&1 || true; } | grep -q kvf32; then
  echo "compiling $DUMPER"
  mkdir -p "$PEER"
  g++ -O2 -std=c++17 -I "$LLAMACPP/include" -I "$LLAMACPP/ggml/include" "$DUMPER_SRC" -L "$LLAMACPP/build/bin" \
    -lllama -lggml -lggml-base -Wl,-rpath,"$LLAMACPP/build/bin" -o "$DUMPER"
fi

# The all-F32 GGUF of the same weights.
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
if [ -z "$GGUF" ]; then
  GGUF=$TMP/model-f32.gguf
  echo "converting $HF with $LLAMACPP/convert_hf_to_gguf.py"
  if ! "$PYTHON" "$LLAMACPP/convert_hf_to_gguf.py" "$HF" --outtype f32 --outfile "$GGUF" >"$TMP/convert.log" 2>&1; then
    tail -5 "$TMP/convert.log" >&2
    fail "convert_hf_to_gguf.py failed (above). It needs llama.cpp's Python requirements: pip install -r" \
      "$LLAMACPP/requirements/requirements-convert_hf_to_gguf.txt (or set PYTHON to a Python that has them);" \
      "or convert elsewhere and pass --gguf FILE"
  fi
fi

COMMIT=$(git -C "$LLAMACPP" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
HF="$HF" OUT="$OUT" GGUF="$GGUF" DUMPER="$DUMPER" THREADS="$THREADS" COMMIT="$COMMIT" N_CTX="${N_CTX:-}" \
"$PYTHON" - <<'EOF'
import json, os, subprocess, sys
import numpy as np
e = os.environ
cfg = json.load(open(os.path.join(e["HF"], "config.json")))
vocab = cfg.get("vocab_size")
if not vocab:
    sys.exit(f"zoo-reference.sh: {e['HF']}/config.json has no vocab_size")
bos = cfg.get("bos_token_id")
first = np.random.default_rng(100).integers(1, vocab, 7 if bos is not None else 8).tolist()
cases = [([bos] if bos is not None else []) + first, np.random.default_rng(101).integers(1, vocab, 24).tolist()]
n_ctx = int(e["N_CTX"] or cfg.get("max_position_embeddings") or cfg.get("n_positions") or 0)
ref = {"produced_by": f"llama.cpp (commit {e['COMMIT']}, CPU, all-F32 GGUF of the same weights, F32 KV cache, "
                      f"n_ctx {n_ctx or 'tokens + 8'}), all positions in one batch, by tools/zoo-reference.sh",
       "format": "raw little-endian float32, row-major [tokens, vocab]", "cases": []}
for i, toks in enumerate(cases):
    name = f"logits-{i}.f32"
    out = os.path.join(e["OUT"], name)
    cmd = [e["DUMPER"], e["GGUF"], ",".join(map(str, toks)), out, e["THREADS"], "kvf32"] + ([str(n_ctx)] if n_ctx else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"zoo-reference.sh: llama.cpp failed on case {i} ({' '.join(cmd)}):\n{r.stderr[-2000:]}")
    logits = np.fromfile(out, np.float32)
    n_vocab = logits.size // len(toks)
    if n_vocab != vocab:
        print(f"note: llama.cpp's vocabulary has {n_vocab} entries, config.json's vocab_size {vocab}")
    top2 = np.sort(logits.reshape(len(toks), n_vocab), 1)[:, -2:]
    print(f"case {i}: {len(toks)} tokens -> {out}; max|logit| {abs(logits).max():.2f}; "
          f"smallest top-1/top-2 gap {(top2[:, 1] - top2[:, 0]).min():.3g}")
    ref["cases"].append({"tokens": toks, "logits_file": name, "shape": [len(toks), n_vocab]})
json.dump(ref, open(os.path.join(e["OUT"], "reference.json"), "w"), indent=1)
print(f"wrote {os.path.join(e['OUT'], 'reference.json')}")
EOF
