"""The README's Python sections run as they are written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(heading: str = "Python") -> list[str]:
    """The ```python blocks of the README section ``## <heading>...``."""
    text = README.read_text()
    section = text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def run_blocks(blocks: list[str]) -> None:
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)


def test_the_python_section_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks("Python\n")
    assert len(blocks) >= 4
    run_blocks(blocks)
    out = capsys.readouterr().out
    assert "symplectic" in out and "weak localization of <g>" in out
    assert "magnetoconductance" in out and "completed" in out


def test_the_your_own_model_section_runs(tmp_path, monkeypatch, capsys):
    """Issue 17: the README's "Your own model" section (a Kwant builder) runs."""
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks("Your own model")
    assert len(blocks) == 1 and "bs.KwantFamily(" in blocks[0]
    run_blocks(blocks)
    assert "ribbon" in capsys.readouterr().out


def test_the_links_to_the_docs_resolve():
    """Every relative link of the README (the front page) names a file that exists."""
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text())
    local = [link for link in links if "://" not in link]
    assert any(link.startswith("docs/") for link in local)
    missing = [link for link in local if not (README.parent / link).exists()]
    assert not missing, f"README links to missing files: {missing}"
