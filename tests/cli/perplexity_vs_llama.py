#!/usr/bin/env python3
"""`ttt perplexity` against llama-perplexity's output on the same model, text and -c (a fixture).

usage: perplexity_vs_llama.py TTT MODEL TEXT REFERENCE_LOG CTX
Passes when the perplexity and its +/- are within 1% of the reference's "Final estimate" line.
"""
import re
import subprocess
import sys

FINAL = re.compile(r"Final estimate: PPL = ([0-9.]+) \+/- ([0-9.]+)")


def final_estimate(text, where):
    match = FINAL.search(text)
    if not match:
        sys.exit(f"no 'Final estimate: PPL = X +/- Y' line in {where}")
    return float(match.group(1)), float(match.group(2))


def main():
    ttt, model, text, reference_log, ctx = sys.argv[1:6]
    with open(reference_log, encoding="utf-8") as f:
        ref_ppl, ref_err = final_estimate(f.read(), reference_log)
    run = subprocess.run([ttt, "perplexity", "-m", model, "-f", text, "-c", ctx],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"ttt perplexity failed ({run.returncode}): {run.stderr}")
    ppl, err = final_estimate(run.stdout, "ttt's output")
    print(f"ttt {ppl} +/- {err}; llama-perplexity {ref_ppl} +/- {ref_err} (-c {ctx})")
    for name, ours, theirs in (("perplexity", ppl, ref_ppl), ("standard error", err, ref_err)):
        if abs(ours - theirs) > 0.01 * theirs:
            sys.exit(f"{name} {ours} is more than 1% away from llama-perplexity's {theirs}")


if __name__ == "__main__":
    main()
