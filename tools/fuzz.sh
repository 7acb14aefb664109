#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan+UBSan, in build-fuzz/) and runs them on their
# corpora, seeded from tests/fixtures. Installs clang and its sanitizer runtimes on first use.
# Usage: tools/fuzz.sh [TARGET|all] [SECONDS]     (default: every target, 60 s each)
#   TTT_FUZZ_PARALLEL=N  runs N targets at a time (default 1); each target is one process.
# Per target: the corpus grows in build-fuzz/corpus/<target>/, the log is build-fuzz/logs/<target>.log and
# a crashing input lands in build-fuzz/findings/<target>-crash-*; the summary prints executions and
# coverage (libFuzzer's cov: edges and ft: features). Exit status 1 when any target found something.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
only=${1:-all}
seconds=${2:-60}
parallel=${TTT_FUZZ_PARALLEL:-1}
build="$root/build-fuzz"
fixtures="$root/tests/fixtures"

# clang and libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes): only this script and
# `tools/test.sh --sanitize` need them, so tools/setup.sh does not install them for the normal build.
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  # Only the libraries the targets link are built: no tests, tools or benchmarks.
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTTT_FUZZ=ON \
    -DTTT_BUILD_TESTS=OFF -DTTT_BUILD_BENCH=OFF -DTTT_BUILD_TOOLS=OFF >/dev/null
fi
targets=()
for src in "$root"/tests/fuzz/*_fuzz.cc; do
  t=$(basename "$src" .cc)
  [ "$only" = all ] || [ "$only" = "$t" ] || [ "$only" = "${t%_fuzz}" ] || continue
  targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no target '$only'; the targets are: $(cd "$root/tests/fuzz" && ls *_fuzz.cc | sed 's/\.cc$//' | tr '\n' ' ')" >&2
  exit 2
fi
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"

# Seeds: the fixtures each format has (copied once; the corpus then grows on its own). Inputs made of
# two files are joined at a NUL, as the targets split them.
seed() {  # seed TARGET FILE... : copies the files into the corpus
  local dir="$build/corpus/$1"; shift
  for f in "$@"; do cp "$f" "$dir/seed-$(echo "$f" | sed "s|$fixtures/||; s|/|_|g")"; done
}
seed_joined() {  # seed_joined TARGET NAME FIRST SECOND : FIRST, a NUL, SECOND
  { cat "$3"; printf '\0'; if [ -f "$4" ]; then cat "$4"; fi; } >"$build/corpus/$1/seed-$2"
}
seed_text() {  # seed_text TARGET NAME SELECTOR-BYTE FILE : the byte, then the file
  { printf "\\x$(printf %02x "$3")"; cat "$4"; } >"$build/corpus/$1/seed-$2"
}
make_seeds() {
  local t=$1
  case $t in
    safetensors_fuzz) seed "$t" "$fixtures/bert-tiny/hf/model.safetensors" "$fixtures/gpt2-tiny/hf/model.safetensors" ;;
    safetensors_index_fuzz)
      printf '{"metadata":{"total_size":40},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors","c":"model-00002-of-00002.safetensors","d":"model-00002-of-00002.safetensors"}}' \
        >"$build/corpus/$t/seed-index.json" ;;
    gguf_fuzz) seed "$t" "$fixtures/bert-tiny/model-f32.gguf" "$fixtures/stories260K/stories260K.gguf" ;;
    gguf_vocab_fuzz)
      seed "$t" "$fixtures/bert-tiny/model-f32.gguf" "$fixtures/stories260K/stories260K.gguf" \
        "$fixtures/tokenizers/unigram/botchan-t5-unigram.gguf" "$fixtures/qwen2-tiny/model-f32.gguf" ;;
    llama2c_fuzz) seed "$t" "$fixtures/stories260K/stories260K.bin" ;;
    llama2c_tokenizer_fuzz) seed "$t" "$fixtures/stories260K/tok512.bin" ;;
    sentencepiece_fuzz) seed "$t" "$fixtures/mistral-tiny/hf/tokenizer.model" ;;
    tokenizer_json_fuzz) seed "$t" "$fixtures/gpt2-tiny/hf/tokenizer.json" "$fixtures/bert-tiny/hf/tokenizer.json" ;;
    vocab_merges_fuzz) seed_joined "$t" gpt2 "$fixtures/gpt2-tiny/hf/vocab.json" "$fixtures/gpt2-tiny/hf/merges.txt" ;;
    hf_config_fuzz)
      for d in "$fixtures"/*/hf; do
        seed_joined "$t" "$(basename "$(dirname "$d")")" "$d/config.json" "$d/generation_config.json"
      done ;;
    textproto_fuzz)  # the selector byte: 1 device profile, 3 module defaults, 4 manifest
      for f in "$root"/hwconfig/devices/*.textproto; do seed_text "$t" "device-$(basename "$f")" 1 "$f"; done
      for f in "$root"/hwconfig/modules/*.textproto; do seed_text "$t" "defaults-$(basename "$f")" 3 "$f"; done
      seed_text "$t" manifest-attention 4 "$root/core/blocks/attention/module.textproto" ;;
    weight_cache_fuzz) ;;  # the target writes a valid entry itself (TTT_FUZZ_SEED_DIR)
    tokenizer_encode_fuzz)
      for i in 0 1 2 3 4 5 6 7 8 9; do seed_text "$t" "readme-$i" "$i" <(sed -n "$((i * 7 + 1)),$((i * 7 + 7))p" "$root/README.md"); done ;;
  esac
}

run() {  # run TARGET : one fuzzing session; prints its summary line
  local t=$1 corpus="$build/corpus/$1" log="$build/logs/$1.log"
  mkdir -p "$corpus" "$build/logs" "$build/findings"
  [ -n "$(ls -A "$corpus")" ] || make_seeds "$t"
  local dict=()
  [ -f "$root/tests/fuzz/$t.dict" ] && dict=(-dict="$root/tests/fuzz/$t.dict")
  # Model files are mostly tensor data: past the header, metadata and a small model's tensors, more bytes
  # only slow every execution down.
  local max_len=()
  case $t in
    gguf_fuzz|safetensors_fuzz) max_len=(-max_len=131072) ;;
    gguf_vocab_fuzz) max_len=(-max_len=300000) ;;
  esac
  local status=0
  TTT_FUZZ_SEED_DIR="$corpus" nice "$build/fuzz/$t" "${dict[@]}" "${max_len[@]}" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$build/findings/$t-" "$corpus" >"$log" 2>&1 &
  local pid=$!
  wait $pid || status=$?
  rm -rf "/dev/shm/ttt-fuzz-$pid" "/tmp/ttt-fuzz-$pid"  # the target's folder of inputs (tests/fuzz/fuzz_support.h)
  # CPU seconds (user + system) of this subshell's children, i.e. of the fuzzer: on a busy machine, less
  # than the wall-clock seconds asked for.
  times >"$log.times"
  local cpu
  cpu=$(tail -1 "$log.times" | awk '{ t = 0; for (i = 1; i <= 2; ++i) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.0f", t }')
  local execs cov ft
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  local verdict=ok
  # A fuzzer stopped from outside (SIGINT/SIGTERM, e.g. the session ended) says so and exits 72: its figures
  # up to then count, and it found nothing.
  if [ $status -ne 0 ] && grep -q "libFuzzer: run interrupted" "$log"; then verdict=interrupted status=0; fi
  if [ $status -eq 0 ]; then
    printf '%-24s %5ss wall %5ss CPU %10s execs  cov %6s  ft %7s  corpus %5s  %s\n' "$t" "$seconds" "$cpu" \
      "${execs:-?}" "${cov:-?}" "${ft:-?}" "$(ls "$corpus" | wc -l)" "$verdict"
  else
    printf '%-26s FOUND SOMETHING (exit %s): see %s and build-fuzz/findings/%s-*\n' "$t" "$status" "${log#$root/}" "$t"
    return 1
  fi
}

failed=0
pids=()
for t in "${targets[@]}"; do
  run "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$parallel" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit $failed
