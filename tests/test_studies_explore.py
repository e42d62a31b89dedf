"""studies.toml bugs found by exploring the studies commands as a review team would."""

from __future__ import annotations

from fulltext_support import project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.records.studies import check_studies
from reviewkit.screening import Screening


def test_check_names_a_report_linked_to_two_studies(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=2)  # both linked
    text = (f'[[study]]\nid = "a-1"\ncitation = "A (2001)"\nreports = ["{units[0]}"]\n\n'
            f'[[study]]\nid = "b-2"\ncitation = "B (2002)"\n'
            f'reports = ["{units[1]}", "{units[0]}"]\n')
    path = project.root / "studies.toml"
    path.write_text(text, "utf-8")
    before = snapshot(project.root)
    res = run_cli("studies", "check", cwd=project.root)
    assert res.returncode == 1, res.stdout
    said = res.stderr.strip().splitlines()
    line = len(text.splitlines())  # b-2's reports line
    assert said == [f"warning: {path}:{line}: study 'b-2': report '{units[0]}' is also a "
                    "report of study 'a-1' (a report is linked to one study)"]
    assert "1 with problems" in res.stdout
    assert snapshot(project.root) == before
    # PRISMA and status count such a report once: they do not refuse it
    assert check_studies(project, store, Screening(project, store)) == []
