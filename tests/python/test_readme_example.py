"""The README's Python example runs as it is written there."""

import os
import re
import subprocess
import sys


def readme_example():
    with open(os.environ["STARLOG_README"]) as f:
        text = f.read()
    section = text[text.index("\n## Python\n"):]
    section = section[: section.index("\n## ", 1)]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs(tmp_path):
    code = readme_example()
    assert "Repository.create" in code and "find_dataset" in code
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "HSC/calib/bias/run1 Timespan(" in lines[0]
    assert lines[1:] == ["{'detector': 2, 'instrument': 'HSC'}", "{'detector': 3, 'instrument': 'HSC'}"]
