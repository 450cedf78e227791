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


def test_the_readme_connect_example_runs(tmp_path):
    """The README's Repository.connect block, against a served repository
    holding what it reads."""
    import starlog
    from conftest import RAWS, STARLOG, populate

    with open(os.environ["STARLOG_README"]) as f:
        text = f.read()
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.S)
                if "Repository.connect" in block)
    root = str(tmp_path / "repo")
    with starlog.Repository.create(root, policy=False) as repo:
        populate(repo)
        repo.create_collection("u/alice/run1")
        repo.register_datasets("raw", "u/alice/run1", RAWS[:1])
        repo.set_chain("HSC/defaults", ["u/alice/run1"])
        repo.create_snapshot("calibs-v1")
    server = subprocess.Popen([STARLOG, "serve", root], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().startswith("serving ")
        done = subprocess.run([sys.executable, "-c", "import starlog\n" + code.replace("/data/repo", root)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
