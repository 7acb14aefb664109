#!/usr/bin/env python3
"""CTest build.definitions_hold_no_paths_or_version: no library or tool source is compiled with a -D whose value
holds an absolute path of the source or build tree, the library version, or the commit. Such a definition sits
on the command line of every file of a target, so changing it (a version bump, a moved tree, a new commit)
recompiles them all; the values live in generated headers included where needed (core/version.h,
tools/ttt/build_info.h) or are found at run time (ttt::PackageDataDir()). Tests are exempt: they name their
fixtures by path (TTT_FIXTURES_DIR) and build only with the source tree.

usage: definitions_hold_no_paths.py BUILD_DIR SOURCE_DIR VERSION"""
import json
import os
import re
import shlex
import sys


def is_test(path, source_dir, args):
    """A test's source, or a library source compiled into a test executable (its object in <name>_test.dir)."""
    rel = os.path.relpath(path, source_dir)
    output = args[args.index("-o") + 1] if "-o" in args else ""
    return rel.startswith(("tests/", "zoo/", "bench/")) or rel.endswith("_test.cc") or "_test.dir/" in output


def main():
    build_dir, source_dir, version = sys.argv[1:4]
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        commands = json.load(f)
    forbidden = [os.path.realpath(source_dir), os.path.realpath(build_dir), f'"{version}"']
    offenders, checked = [], 0
    for entry in commands:
        path = os.path.realpath(entry["file"])
        args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
        ours = path.startswith((os.path.realpath(source_dir) + "/", os.path.realpath(build_dir) + "/"))
        if not ours or is_test(path, source_dir, args):  # generated sources (build/gen) are ours too
            continue
        checked += 1
        for arg in args:
            if not arg.startswith("-D"):
                continue
            if any(bad in arg for bad in forbidden) or re.match(r"-D(TTT_BUILD_COMMIT|TTT_VERSION_STRING)\b", arg):
                offenders.append(f"{os.path.relpath(path, source_dir)}: {arg}")
    if checked < 100:
        print(f"only {checked} library/tool sources in compile_commands.json: is the build configured?")
        return 1
    if offenders:
        print("compile definitions that recompile every file when they change (use a generated header, or find "
              "the path at run time):")
        print("\n".join(sorted(set(offenders))))
        return 1
    print(f"{checked} library and tool sources: no path, version or commit in their compile definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
