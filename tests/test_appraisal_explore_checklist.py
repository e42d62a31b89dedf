"""A team's own checklist with mistakes: each is named at its line, none is half-usable."""

from __future__ import annotations

import pytest

from appraisal_support import mini_project, write
from helpers import run_cli, snapshot
from reviewkit.appraisal.checklist import load_checklist
from reviewkit.errors import ReviewkitError

TEAM = """\
id: team
title: Team checklist
version: 1
licence: ours
attribution: us
answers:
  - {value: "yes", label: "Yes"}
  - {value: "no", label: "No"}
sections:
  - id: a
    title: A
    questions:
      - {id: q1, text: First}
      - {id: q2, text: Second}
"""


@pytest.mark.parametrize(("old", "new", "expect"), [
    # a question nobody can answer: no final appraisal could ever be recorded
    ("{id: q2, text: Second}", "{id: q2, text: Second, answers: []}",
     "question 'q2' has 0 answer options; give two or more"),
    # two options a person reads alike: a typed 'Yes' and the table's columns are ambiguous
    ('{value: "no", label: "No"}', '{value: "no", label: "yes"}',
     "question 'q1': two answer options read as 'yes'"),
])
def test_a_checklist_mistake_is_refused(tmp_path, old, new, expect):
    project = mini_project(tmp_path)
    assert old in TEAM
    path = write(project, "casp/team.yaml", TEAM.replace(old, new))
    with pytest.raises(ReviewkitError, match=expect) as err:
        load_checklist(path)
    assert err.value.file == str(path)
    before = snapshot(project.root)
    res = run_cli("appraisal", "checklists", cwd=project.root)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and expect in res.stderr
    assert snapshot(project.root) == before


def test_unquoted_yes_and_no_options_mean_what_they_say(tmp_path):
    """YAML 1.1 reads an unquoted yes/no as true/false; the checklist takes them back."""
    project = mini_project(tmp_path)
    path = write(project, "casp/team.yaml", TEAM.replace('{value: "yes", label: "Yes"}',
                                                         "{value: yes, label: Yes}")
                 .replace('{value: "no", label: "No"}', "{value: no, label: No}"))
    checklist = load_checklist(path)
    assert [(o.value, o.label) for o in checklist.answers] == [("yes", "Yes"), ("no", "No")]
