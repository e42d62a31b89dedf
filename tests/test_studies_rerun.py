"""Re-running `studies add` or `studies link` with what studies.toml already says writes
nothing and exits 0; asking for something else is still refused."""

from __future__ import annotations

from fulltext_support import project_with_decisions
from helpers import run_cli, snapshot


def test_add_and_link_run_again_change_nothing(tmp_path):
    project, store, units = project_with_decisions(tmp_path)  # units[:3] included at FT
    store.close()
    root = project.root
    r = run_cli("studies", "add", "smith-2019", "--report", units[0], cwd=root)
    assert r.returncode == 0 and r.stdout.startswith("added study smith-2019"), r.stderr
    r = run_cli("studies", "link", "smith-2019", units[1], cwd=root)
    assert r.returncode == 0, r.stderr
    kept = snapshot(root)
    for args in (("add", "smith-2019", "--report", units[0]), ("link", "smith-2019", units[1]),
                 ("link", "smith-2019", units[0])):
        r = run_cli("studies", *args, cwd=root)
        assert r.returncode == 0 and "nothing to do" in r.stdout, (args, r.stderr)
        assert snapshot(root) == kept
    # another study for a linked report, or the same id with another report: refused
    r = run_cli("studies", "add", "smith-2019", "--report", units[2], cwd=root)
    assert r.returncode == 2 and "already in studies.toml" in r.stderr
    r = run_cli("studies", "add", "jones-2020", "--report", units[1], cwd=root)
    assert r.returncode == 2 and "already linked to study 'smith-2019'" in r.stderr
    assert snapshot(root) == kept
