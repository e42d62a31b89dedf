"""A checklist or form file with a mistake that spans entries (an id used twice, two
options that read alike, a table column naming no field) is refused at the line of the
entry at fault, not at the file's 'id:' line (exit 2, files unchanged)."""

from __future__ import annotations

import pytest

from appraisal_support import CHECKLIST, FORM, mini_project
from helpers import run_cli, snapshot


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[nth - 1]


CASES = [  # (file, command, old text, new text, the line's marker, nth, message)
    ("casp/casp-qualitative-2018.yaml", "appraisal", "{id: q4,", "{id: q3,", "{id: q3,", 2,
     "question id 'q3' is used twice"),
    ("casp/casp-qualitative-2018.yaml", "appraisal", 'label: "Can\'t tell"', 'label: "No"',
     "value: cant_tell", 1, "question 'q1': two answer options read as 'no'"),
    ("extraction/characteristics.yaml", "extraction", "  - id: location\n", "  - id: aim\n",
     "- id: aim", 2, "field id 'aim' is used twice"),
    ("extraction/characteristics.yaml", "extraction", "{field: aim,", "{field: aims,",
     "{field: aims,", 1, "table column 'aims' is not a field of this form"),
]


@pytest.mark.parametrize("rel, stage, old, new, marker, nth, message", CASES)
def test_a_cross_entry_mistake_names_the_entrys_line(tmp_path, rel, stage, old, new, marker,
                                                    nth, message):
    project = mini_project(tmp_path)
    assert {CHECKLIST.name, FORM.name} >= {rel.split("/")[1]}
    path = project.root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    line = _line_of(path.read_text("utf-8"), marker, nth)
    before = snapshot(project.root)
    r = run_cli(stage, "check", cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith(f"error: {path}:{line}: "), r.stderr
    assert message in r.stderr
    assert snapshot(project.root) == before
