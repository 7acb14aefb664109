"""`cmake --install` puts an importable `ttt` package under the prefix, which finds the package data."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BUILD_DIR = os.environ.get("TTT_BUILD_DIR")


@pytest.mark.skipif(not BUILD_DIR, reason="run from CTest, which names the build directory")
def test_installed_package_imports_and_runs(tmp_path):
    cache = Path(BUILD_DIR, "CMakeCache.txt").read_text()
    site = re.search(r"^TTT_PYTHON_INSTALL_DIR:STRING=(.*)$", cache, re.M).group(1)
    # The whole package: the module finds the demo model in <prefix>/share/ttt, above its own file.
    subprocess.run([os.environ.get("CMAKE_COMMAND", "cmake"), "--install", BUILD_DIR, "--prefix", str(tmp_path)],
                   check=True, capture_output=True)
    package = tmp_path / site / "ttt"
    assert (package / "__init__.py").exists() and list(package.glob("_ttt*.so"))
    env = dict(os.environ, PYTHONPATH=str(tmp_path / site))
    script = ("import ttt; m = ttt.Model(cache=False); print(ttt.__file__); "
              "print(m.detokenize([t.id for t in m.generate('Once', max_tokens=5) if t.id is not None]))")
    # Run elsewhere than the build tree's python/ (CTest's working directory), whose ttt/ would be found first.
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                            check=True)
    assert result.stdout.startswith(str(package))
