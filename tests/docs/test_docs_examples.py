"""The documentation's examples run: every ```python block of each page (in order, one namespace per page)
and the tutorial's quick shell commands, with a private cache in a temporary folder."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if "```python" in p.read_text(encoding="utf-8"))
SLOW_COMMANDS = ("--level quick --report", "--install-completion")  # minutes, or changes the user's shell


def _blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def test_docs_have_examples():
    assert {p.name for p in PAGES} >= {"tutorial.md", "own-paper.md"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.setenv("ICLVERIFY_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for i, block in enumerate(_blocks(page, "python")):
        code = compile(block, f"{page.name}[python block {i + 1}]", "exec")
        exec(code, namespace)  # the examples carry their own asserts


def test_tutorial_shell_commands_run(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = [
        line.split("#")[0].strip()
        for block in _blocks(DOCS / "tutorial.md", "bash")
        for line in block.splitlines()
        if line.startswith("icl-verify ")
    ]
    assert len(commands) >= 4
    for command in commands:
        if any(slow in command for slow in SLOW_COMMANDS):
            continue
        result = cli(*shlex.split(command)[1:])
        assert result.code == 0, (command, result.err)
