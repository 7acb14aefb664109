"""The README's Python section works as written: its first ```python block runs from the repository root."""
import os
import re
import subprocess
import sys

from conftest import SOURCE_DIR


def python_example():
    readme = (SOURCE_DIR / "README.md").read_text()
    section = readme.split("\n## Python\n", 1)
    assert len(section) == 2, "README.md has no '## Python' section"
    block = re.search(r"```python\n(.*?)```", section[1], re.S)
    assert block, "the Python section has no ```python block"
    return block.group(1)


def test_readme_example_runs():
    result = subprocess.run([sys.executable, "-c", python_example()], cwd=SOURCE_DIR, env=os.environ,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Once upon a time" in result.stdout
