#!/usr/bin/env python3
"""Reads `ttt bench` output as a llama-bench consumer would: every field of llama-bench's JSON (llama.cpp
examples/llama-bench/llama-bench.cpp at c392e50: test::get_fields() and get_field_type()) with its type, in
json, jsonl and csv; one row per weight format x thread count x test of the comma lists.

usage: bench_as_llama_bench.py TTT
"""
import csv
import io
import json
import subprocess
import sys

FIELDS = [
    "build_commit", "build_number", "cpu_info", "gpu_info", "backends", "model_filename",
    "model_type", "model_size", "model_n_params", "n_batch", "n_ubatch", "n_threads",
    "cpu_mask", "cpu_strict", "poll", "type_k", "type_v", "n_gpu_layers",
    "split_mode", "main_gpu", "no_kv_offload", "flash_attn", "tensor_split", "use_mmap",
    "embeddings", "n_prompt", "n_gen", "test_time", "avg_ns", "stddev_ns",
    "avg_ts", "stddev_ts",
]
INT = {"build_number", "n_batch", "n_ubatch", "n_threads", "poll", "model_size", "model_n_params",
       "n_gpu_layers", "main_gpu", "n_prompt", "n_gen", "avg_ns", "stddev_ns"}
BOOL = {"cpu_strict", "no_kv_offload", "flash_attn", "use_mmap", "embeddings"}
FLOAT = {"avg_ts", "stddev_ts"}


def bench(ttt, fmt):
    cmd = [ttt, "bench", "-p", "4,8", "-n", "3", "-r", "2", "-t", "1,2", "--weights", "f32,bf16", "-o", fmt]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}): {run.stderr}")
    return run.stdout


def check_row(row, where):
    for field in FIELDS + ["samples_ns", "samples_ts"]:
        if field not in row:
            sys.exit(f"{where}: no field {field}")
    for field in FIELDS:
        value = row[field]
        expected = int if field in INT else bool if field in BOOL else float if field in FLOAT else str
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            sys.exit(f"{where}: {field} = {value!r} is not a {expected.__name__}")
    if (row["n_prompt"] > 0) == (row["n_gen"] > 0):
        sys.exit(f"{where}: a test is pp or tg: n_prompt {row['n_prompt']}, n_gen {row['n_gen']}")
    if len(row["samples_ns"]) != 2 or len(row["samples_ts"]) != 2:
        sys.exit(f"{where}: -r 2 gives 2 samples, got {row['samples_ns']}")
    tokens = row["n_prompt"] + row["n_gen"]
    for ns, ts in zip(row["samples_ns"], row["samples_ts"]):
        if abs(ts - 1e9 * tokens / ns) > 1e-6 * ts:
            sys.exit(f"{where}: samples_ts {ts} is not {tokens} tokens / {ns} ns")
    mean_ts = sum(row["samples_ts"]) / 2
    if abs(row["avg_ts"] - mean_ts) > 1e-6 * mean_ts:
        sys.exit(f"{where}: avg_ts {row['avg_ts']} is not the mean of samples_ts {row['samples_ts']}")
    if abs(row["avg_ns"] - sum(row["samples_ns"]) / 2) > 1:
        sys.exit(f"{where}: avg_ns {row['avg_ns']} is not the mean of samples_ns")
    if row["model_size"] <= 0 or row["model_n_params"] <= 0 or not row["model_filename"]:
        sys.exit(f"{where}: model_size, model_n_params and model_filename must be set: {row}")
    # Above 1 is possible: the bundled model fits in the caches, faster than the memory bandwidth limit.
    if not row["fraction_of_limit"] > 0 or not row["limit"]:
        sys.exit(f"{where}: no roofline: limit {row['limit']!r}, fraction_of_limit {row['fraction_of_limit']}")


def check_rows(rows, fmt):
    # 2 weight formats x 2 thread counts x (pp4, pp8, tg3)
    if len(rows) != 12:
        sys.exit(f"{fmt}: {len(rows)} rows, expected 12")
    seen = {(r["weight_type"], r["n_threads"], r["n_prompt"], r["n_gen"]) for r in rows}
    if len(seen) != 12:
        sys.exit(f"{fmt}: rows repeat a weight x threads x test: {sorted(seen)}")
    for i, row in enumerate(rows):
        check_row(row, f"{fmt} row {i}")


def main():
    ttt = sys.argv[1]
    check_rows(json.loads(bench(ttt, "json")), "json")
    check_rows([json.loads(line) for line in bench(ttt, "jsonl").splitlines() if line.strip()], "jsonl")
    table = list(csv.reader(io.StringIO(bench(ttt, "csv"))))
    if table[0][:len(FIELDS)] != FIELDS:
        sys.exit(f"csv header does not start with llama-bench's fields: {table[0]}")
    if len(table) != 13:
        sys.exit(f"csv: {len(table) - 1} rows, expected 12")
    print("json, jsonl and csv carry llama-bench's", len(FIELDS), "fields with their types")


if __name__ == "__main__":
    main()
