"""[synthesis] coders naming someone with no coding: the error names reviewkit.toml."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli, snapshot
from reviewkit.project.config import find_project
from reviewkit.synthesis.edit import code_text
from synthesis_support import synth_project


def test_a_configured_coder_with_no_coding_names_the_config_line(tmp_path: Path) -> None:
    project = synth_project(tmp_path)
    code_text(project, "b", "Nurses described time pressure.", "time", "ann")
    conf = project.root / "reviewkit.toml"
    text = conf.read_text("utf-8") + '\n[synthesis]\ncoders = ["leed"]\n'
    conf.write_text(text, "utf-8")
    line = text.splitlines().index('coders = ["leed"]') + 1
    find_project(project.root)
    before = snapshot(project.root)
    for cmd in (["matrix"], ["quotes"], ["themes"]):
        r = run_cli("synthesis", *cmd, cwd=project.root)
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert f"reviewkit.toml:{line}" in r.stderr and "no coding by leed" in r.stderr
    assert snapshot(project.root) == before
    # the option still names itself, not the file
    r = run_cli("synthesis", "matrix", "--coder", "bob", cwd=project.root)
    assert r.returncode == 2 and "field 'coder'" in r.stderr, r.stderr
    assert "reviewkit.toml" not in r.stderr
