#!/usr/bin/env bash
# ttt against llama.cpp, side by side, on the same random weights (issue 19's table). Run by hand, not by CI:
# it builds llama.cpp at a pinned commit outside the tree (in WORK), makes one random SmolLM-135M-shape model
# (vocab 32000) as a Hugging Face directory and as GGUF, quantises the GGUF with llama-quantize, then times
# prefill (pp) and decode (tg) of matched formats, llama-bench and `ttt bench` alternating, one repetition
# per call, ROUNDS rounds, and prints the medians and ratios with the machine's limits (`ttt probe --measure`).
#
# usage: bench/vs_llamacpp.sh [--llamacpp TREE_OR_GIT_URL] [--work DIR] [--threads 1,2] [--rounds 3]
#                             [--pp 128] [--tg 32] [--isa avx2|avx512] [--busy N]
#   --isa avx2 times both programs as an AVX2-only CPU would run them: ttt with TTT_ISA=avx2, llama.cpp built
#   without AVX-512 (AVX2, FMA, F16C: what a Zen 3 has). Without --isa both use everything this CPU has.
#   --busy N runs N busy loops (another process's load, one per core) while both programs are timed.
# Needs: cmake, g++, git, Debian's python3 with numpy, yaml and sentencepiece (llama.cpp's gguf-py imports them;
# installed if missing); ttt built in build/.
set -euo pipefail
py=/usr/bin/python3  # Debian's, whatever python3 comes first on PATH
"$py" -c "import numpy, yaml, sentencepiece" 2>/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-yaml python3-sentencepiece >/dev/null
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
commit=c392e5094deaf2d1a7c18683214f007fad3fe42b  # the commit every llama.cpp reference in the project uses
src=https://github.com/ggerganov/llama.cpp work=/tmp/ttt-vs-llamacpp threads=1,2 rounds=3 pp=128 tg=32 isa="" busy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --llamacpp) src=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --pp) pp=$2; shift 2 ;;
    --tg) tg=$2; shift 2 ;;
    --isa) isa=$2; shift 2 ;;
    --busy) busy=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "vs_llamacpp.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
ttt="$root/build/bin/ttt"
[ -x "$ttt" ] || { echo "vs_llamacpp.sh: $ttt not built; run tools/setup.sh first" >&2; exit 1; }
mkdir -p "$work"
# A checked-out llama.cpp tree is used as it is (it must be at the pinned commit); anything else is cloned.
if [ -f "$src/CMakeLists.txt" ]; then
  lc=$(cd "$src" && pwd)
  head=$(git -C "$lc" rev-parse HEAD 2>/dev/null || echo unknown)
  [ "$head" = "$commit" ] || echo "vs_llamacpp.sh: warning: $lc is at $head, not the pinned $commit" >&2
else
  lc="$work/llama.cpp"
  [ -d "$lc/.git" ] || git clone -q "$src" "$lc"
  git -C "$lc" checkout -q "$commit"
fi
# Built outside the source tree, so a shared checkout's own build is left alone.
if [ "$isa" = avx2 ]; then
  lb="$work/llama-build-avx2"
  cpu_flags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF)
else
  lb="$work/llama-build"
  cpu_flags=(-DGGML_NATIVE=ON)
fi
if [ ! -x "$lb/bin/llama-bench" ] || [ ! -x "$lb/bin/llama-quantize" ]; then
  echo "building llama.cpp ${commit:0:7} in $lb (llama-bench, llama-quantize; ${cpu_flags[*]})" >&2
  cmake -S "$lc" -B "$lb" -DCMAKE_BUILD_TYPE=Release "${cpu_flags[@]}" -DLLAMA_CURL=OFF >/dev/null
  cmake --build "$lb" -j"$(nproc)" --target llama-bench llama-quantize >/dev/null
fi
model="$work/smollm135"
if [ ! -f "$model/f32.gguf" ]; then
  echo "making the random model in $model" >&2
  LLAMACPP="$lc" "$py" "$root/bench/peers/mkmodel.py" smollm135 "$model" --seed 7 >/dev/null
fi
for q in BF16 Q8_0 Q4_0 Q4_K_M; do
  [ -f "$model/$q.gguf" ] || "$lb/bin/llama-quantize" "$model/f32.gguf" "$model/$q.gguf" "$q" >/dev/null 2>&1
done
cp -f "$model/f32.gguf" "$model/F32.gguf"

# Matched pairs: llama.cpp's file and ttt's --weights on the Hugging Face directory (bfp8 and bfp4 are
# Tenstorrent's block floats, matched by bits per weight: Q8_0 8.5, bfp8 8.5; Q4_0 4.5, bfp4 4.5).
pairs="F32:f32 BF16:bf16 Q8_0:int8 Q8_0:bfp8 Q4_0:bfp4"
# ttt reads k-quant GGUFs natively where it can: then Q4_K_M is timed on the same file in both programs.
if "$ttt" bench --model "$model/Q4_K_M.gguf" -p 1 -n 1 -r 1 >/dev/null 2>&1; then pairs="$pairs Q4_K_M:gguf"; fi

out="$work/samples.jsonl"
busy_pids=()
trap 'for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
for _ in $(seq "$busy"); do
  (while :; do :; done) &
  busy_pids+=($!)
done
: >"$out"
export TTT_ISA="$isa"
[ -n "$isa" ] || unset TTT_ISA
for round in $(seq "$rounds"); do
  for t in ${threads//,/ }; do
    for pair in $pairs; do
      lf=${pair%%:*} tf=${pair##*:}
      "$lb/bin/llama-bench" -m "$model/$lf.gguf" -p "$pp" -n "$tg" -t "$t" -r 1 -o jsonl 2>/dev/null |
        "$py" -c 'import json,sys
for l in sys.stdin:
  r=json.loads(l); print(json.dumps({"prog":"llama.cpp","fmt":sys.argv[1],"pair":sys.argv[2],"t":int(sys.argv[3]),"pp":r["n_prompt"],"tg":r["n_gen"],"ts":r["avg_ts"]}))' \
          "$lf" "$pair" "$t" >>"$out"
      if [ "$tf" = gguf ]; then args=(--model "$model/$lf.gguf"); else args=(--model "$model/hf" --weights "$tf"); fi
      "$ttt" bench "${args[@]}" -p "$pp" -n "$tg" --threads "$t" -r 1 -o json 2>/dev/null |
        "$py" -c 'import json,sys
for r in json.load(sys.stdin):
  print(json.dumps({"prog":"ttt","fmt":sys.argv[1],"pair":sys.argv[2],"t":int(sys.argv[3]),"pp":r["n_prompt"],"tg":r["n_gen"],"ts":r["avg_ts"]}))' \
          "$tf" "$pair" "$t" >>"$out"
    done
  done
done
for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
busy_pids=()

echo "# ttt $(git -C "$root" rev-parse --short HEAD) vs llama.cpp ${commit:0:7} on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# busy processes during the runs: $busy"
echo "# ttt kernels: ${isa:-best this CPU has} ($("$ttt" probe 2>/dev/null | grep -m1 best_isa | xargs)); llama.cpp: ${cpu_flags[*]}"
"$ttt" probe --measure 2>/dev/null | grep -E "dram_bandwidth_bytes_per_s|flop_per_s|measured_with_threads" | sed 's/^ */# limit: /'
"$py" - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(prog, pair, t, test):
    v = [r["ts"] for r in rows if r["prog"] == prog and r["pair"] == pair and r["t"] == t and
         ((r["pp"] > 0 and r["tg"] == 0) if test == "pp" else (r["tg"] > 0 and r["pp"] == 0))]
    return statistics.median(v) if v else None
pairs = list(dict.fromkeys(r["pair"] for r in rows))
threads = sorted({r["t"] for r in rows})
print("| llama.cpp | ttt | threads | pp ttt t/s | pp llama.cpp t/s | pp ratio | tg ttt t/s | tg llama.cpp t/s | tg ratio |")
print("|---|---|---|---|---|---|---|---|---|")
for t in threads:
    for p in pairs:
        lf, tf = p.split(":")
        cells = []
        for test in ("pp", "tg"):
            a, b = med("ttt", p, t, test), med("llama.cpp", p, t, test)
            cells += [f"{a:.1f}" if a else "-", f"{b:.1f}" if b else "-", f"**{a / b:.2f}**" if a and b else "-"]
        print(f"| {lf} | {tf if tf != 'gguf' else lf + ' (same file)'} | {t} | " + " | ".join(cells) + " |")
PY
