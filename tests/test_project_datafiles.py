"""Picking a checklist or an extraction form: by id, by path, or the only one."""

from __future__ import annotations

import shutil

import pytest

from helpers import new_project
from reviewkit.appraisal.checklist import get_checklist, load_checklist
from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import get_form

from conftest import REPO

FORM = REPO / "extraction" / "characteristics.yaml"


def test_the_only_form_is_the_default_and_two_need_a_choice(tmp_path):
    project, _ = new_project(tmp_path)
    folder = project.root / "extraction"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    with pytest.raises(ReviewkitError, match=r"0 extraction forms in extraction/ \(none\)"):
        get_form(project, None)
    shutil.copy2(FORM, folder / "characteristics.yaml")
    only = get_form(project, None)
    assert only.id == get_form(project, only.id).id
    other = folder / "second.yaml"
    other.write_text(FORM.read_text("utf-8").replace(f"id: {only.id}", "id: second", 1), "utf-8")
    with pytest.raises(ReviewkitError, match=rf"2 extraction forms .*{only.id}, second.*--form"):
        get_form(project, None)
    assert get_form(project, "second").id == "second"
    with pytest.raises(ReviewkitError, match=r"no extraction form 'nope' .*known: "):
        get_form(project, "nope")
    # a copy with the same id is named by file
    other.write_text(FORM.read_text("utf-8"), "utf-8")
    with pytest.raises(ReviewkitError, match="is also used by another file") as err:
        get_form(project, None)
    assert err.value.file.endswith("second.yaml")


def test_a_checklist_by_path_needs_no_copy_in_the_project(tmp_path):
    project, _ = new_project(tmp_path)
    path = REPO / "casp" / "casp-qualitative-2018.yaml"
    chosen = get_checklist(project, str(path))
    assert chosen.id == load_checklist(path).id and len(chosen.questions) == 10
    with pytest.raises(ReviewkitError, match="no checklist 'rob3'.*--checklist"):
        get_checklist(project, "rob3")  # rob2 is shipped; a typo of it is not
