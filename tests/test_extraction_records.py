"""Bad forms and bad values give one clear error and change nothing; dual extraction."""

from __future__ import annotations

import pytest

from appraisal_support import FORM, mini_project, write
from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.extraction.compare import compare, make_consensus, study_extractions
from reviewkit.extraction.form import get_form, load_form
from reviewkit.extraction.importer import import_extractions
from reviewkit.extraction.table import final_extractions
from reviewkit.extraction.walk import FormWalk

from conftest import REPO

GOOD_FORM = FORM.read_text("utf-8")
CROFT = (REPO / "extraction" / "croft-2016" / "consensus.yaml").read_text("utf-8")


@pytest.mark.parametrize(("change", "expect"), [
    (("    type: choice\n    options: [journal, grey]\n", "    type: choice\n"),
     "field 'fields.1': a choice field needs a list of distinct options"),
    (("  - id: location\n    label: Study location\n    type: text",
      "  - id: location\n    label: Study location\n    type: txt"),
     "field 'fields.6.type': Input should be 'text'"),
    (("  - {field: staff, label: \"Staff\"}", "  - {field: staf, label: \"Staff\"}"),
     "table column 'staf' is not a field of this form"),
    (("  - id: outcomes\n", "  - id: year\n"), "field id 'year' is used twice"),
    (("    repeatable: true\n", "    repeatable: true\n    required: maybe\n"),
     "field 'fields.11.required': Input should be a valid boolean"),
])
def test_bad_form_file_is_named_and_changes_nothing(tmp_path, change, expect):
    project = mini_project(tmp_path)
    path = project.root / "extraction" / FORM.name
    assert change[0] in GOOD_FORM
    path.write_text(GOOD_FORM.replace(change[0], change[1], 1), "utf-8")
    with pytest.raises(ReviewkitError) as err:
        load_form(path)
    assert str(err.value).startswith(f"{path}:") and expect in str(err.value)
    before = snapshot(project.root)
    res = run_cli("extraction", "table", cwd=project.root)
    assert res.returncode == 2 and expect in res.stderr and res.stderr.count("\n") == 1
    assert snapshot(project.root) == before


@pytest.mark.parametrize(("old", "new", "line", "expect"), [
    ("year: 2016", "year: twenty sixteen", 7, "field 'values.year': expected a whole number"),
    ("  budget_amount: about GBP", "  budget_amount: about GBP", None, None),
    ("  location: US (unidentified)\n", "", 6,
     "field 'values.location': required field is missing: location"),
    ("budget_type: self-directed support", "budget_type: voucher", 10,
     "'voucher' is not one of the options"),
    ("    n: 30", "    n: thirty", 21,
     "field 'values.participant_groups.1.n': expected a whole number, got 'thirty'"),
    ("  - face-to-face interviews", "  - carrier pigeon", 15, "'carrier pigeon' is not one"),
    ("peer_reviewed: true", "peer_reviewed: perhaps", 9, "expected yes or no"),
])
def test_bad_values_in_a_record_file(tmp_path, old, new, line, expect):
    project = mini_project(tmp_path)
    assert old in CROFT
    path = write(project, "extraction/s1/ann.yaml", CROFT.replace(old, new, 1))
    form = get_form(project, None)
    if expect is None:  # the unchanged record is valid: the test above it can fail
        assert final_extractions(project, form)[0][0].values["year"] == 2016
        return
    with pytest.raises(ReviewkitError) as err:
        final_extractions(project, form)
    assert str(err.value).startswith(f"{path}:") and expect in str(err.value)
    if line:
        assert err.value.line == line


def test_number_field_with_text_through_the_form_changes_nothing(tmp_path):
    project = mini_project(tmp_path)
    walk = FormWalk(project, "s1", "ann", get_form(project, None))
    walk.submit("2019")
    before = walk.record.path.read_bytes()
    step = walk.step()
    assert step.key == "publication"
    with pytest.raises(ReviewkitError, match="'magazine' is not one of the options"):
        walk.submit("magazine")
    walk.submit("1")  # journal, by number
    walk.submit("")  # peer_reviewed: optional, skipped
    walk.submit("3")  # self-directed support
    with pytest.raises(ReviewkitError, match="required field: give a value"):
        walk.submit("")  # budget_amount is required
    saved = walk.record.path.read_bytes()
    assert saved != before and b"self-directed support" in saved and b"status: draft" in saved


def test_csv_import_names_study_field_and_problem_and_is_all_or_nothing(tmp_path):
    project = mini_project(tmp_path)
    head = ("study,reviewer,year,publication,budget_type,budget_amount,location,design,"
            "service_users,staff,methods,participant_groups.1.group,participant_groups.1.n\n")
    good = ("s1,ann,2016,journal,personal budget,GBP 10,UK,qualitative,5,none,"
            "focus groups; telephone interviews,staff,4\n")
    bad = "s2,ann,2017,grey,personal budget,n/a,UK,qualitative,5,none,,staff,four\n"
    path = tmp_path / "sheet.csv"
    path.write_text(head + good + bad, "utf-8")
    before = snapshot(project.root)
    res = run_cli("extraction", "import", str(path), cwd=project.root)
    assert res.returncode == 2
    assert res.stderr.strip() == (f"error: {path}:3: field 'values.participant_groups.1.n': "
                                  "study 's2', reviewer 'ann': expected a whole number, "
                                  "got 'four'")
    assert snapshot(project.root) == before
    path.write_text(head + good, "utf-8")
    assert len(import_extractions(project, path)) == 1
    record = study_extractions(project, "s1", get_form(project, None))[0]
    assert record.values["methods"] == ["focus groups", "telephone interviews"]
    assert record.values["participant_groups"] == [{"group": "staff", "n": 4}]
    path.write_text(head.replace(",design", "") + good.replace(",qualitative", ""), "utf-8")
    with pytest.raises(ReviewkitError, match="required field is missing: design"):
        import_extractions(project, path, replace=True)


def test_dual_extraction_field_by_field_and_consensus(tmp_path):
    project = mini_project(tmp_path)
    form = get_form(project, None)
    write(project, "extraction/s1/ann.yaml", CROFT)
    write(project, "extraction/s1/bob.yaml", CROFT.replace("US (unidentified)", "USA")
          .replace("    n: 30", "    n: 31").replace("year: 2016", "year: 2016\n"))
    records = study_extractions(project, "s1", form)
    diffs = compare(records, form)
    assert [(d.field, d.values) for d in diffs] == [
        ("location", {"ann": "US (unidentified)", "bob": "USA"}),
        ("participant_groups.1.n", {"ann": "30", "bob": "31"})]
    assert diffs[1].label == "Participant group 1: Number"
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="unresolved differences in participant_groups"):
        make_consensus(project, "s1", form, {"location": "@bob"})
    with pytest.raises(ReviewkitError, match="resolve a group by taking one reviewer's"):
        make_consensus(project, "s1", form, {"location": "@bob", "participant_groups": "31"})
    assert snapshot(project.root) == before
    res = run_cli("extraction", "consensus", "s1", "--set", "location=United States",
                  "--set", "participant_groups=@ann", cwd=project.root)
    assert res.returncode == 0, res.stderr
    chosen, _ = final_extractions(project, form)
    assert chosen[0].reviewer == "consensus" and chosen[0].values["location"] == "United States"
    assert chosen[0].values["participant_groups"][0]["n"] == 30


def test_the_csv_header_is_what_the_importer_reads(tmp_path):
    from reviewkit.extraction.importer import csv_header

    project = mini_project(tmp_path)
    form = get_form(project, None)
    cols = csv_header(form, groups=2)
    assert cols[:3] == ["study", "reviewer", "status"]
    assert "participant_groups.2.n" in cols and "participant_groups" not in cols
    assert csv_header(form, groups=1) == [c for c in cols if ".2." not in c]
    cells = {"study": "s1", "reviewer": "ann", "status": "", "year": "2016",
             "publication": "journal", "budget_type": "personal budget",
             "budget_amount": "GBP 10", "location": "UK", "design": "qualitative",
             "service_users": "5", "staff": "none", "methods": "focus groups",
             "participant_groups.1.group": "staff", "participant_groups.1.n": "4"}
    path = tmp_path / "sheet.csv"
    path.write_text(",".join(cols) + "\n" + ",".join(cells.get(c, "") for c in cols) + "\n",
                    "utf-8")
    assert len(import_extractions(project, path)) == 1
    record = study_extractions(project, "s1", get_form(project, None))[0]
    assert record.values["participant_groups"] == [{"group": "staff", "n": 4}]
    res = run_cli("extraction", "template", "--groups", "1", cwd=project.root)
    assert res.returncode == 0 and res.stdout.strip() == ",".join(csv_header(form, 1))


def test_a_hand_edit_while_the_form_is_open_is_kept(tmp_path):
    """Each value is written over the file as it is now, not over the form's old copy."""
    project = mini_project(tmp_path)
    form = get_form(project, None)
    a = FormWalk(project, "s1", "ann", form)
    b = FormWalk(project, "s1", "ann", form)  # a second window on the same study
    a.submit("2019")                          # year
    a.submit("1")                             # publication: journal
    b.submit("2020")                          # year again, from B: B's word wins
    path = a.record.path
    text = path.read_text("utf-8")
    assert "publication: journal" in text and "year: 2020" in text
    path.write_text(text.replace("year: 2020", "year: 2020\n  location: typed by hand"),
                    "utf-8")
    a.submit("")                              # peer_reviewed skipped
    a.submit("3")                             # budget type
    text = path.read_text("utf-8")
    assert "location: typed by hand" in text and "year: 2020" in text
    assert "self-directed support" in text


@pytest.mark.parametrize(("kind", "typed", "kept"), [
    ("integer", "99999999999999999999999", 99999999999999999999999),
    ("integer", "12345678901234567", 12345678901234567),
    ("integer", "1,000,000,000,000,000,001", 1000000000000000001),
    ("integer", "12.0", 12),
    ("number", "12345678901234567", 12345678901234567),
    ("number", "1,503", 1503),
    ("number", "1e3", 1000),
    ("number", "2.5", 2.5),
])
def test_numbers_are_kept_exactly_as_typed(kind, typed, kept):
    from reviewkit.extraction.form import FormField
    from reviewkit.extraction.values import coerce

    value = coerce(FormField(id="f", label="f", type=kind), typed)
    assert value == kept and type(value) is type(kept)


def test_a_required_value_passed_over_is_asked_again_before_all_done(tmp_path):
    """A group entry's required field may be passed over while the entry is empty; once
    the entry has other values the form comes back to it instead of saying all done."""
    project = mini_project(tmp_path)
    form = get_form(project, None)
    walk = FormWalk(project, "s2", "ann", form)
    answers = {"year": "2017", "publication": "2", "peer_reviewed": "n", "budget_type": "1",
               "methods": "1;3", "participant_groups.1.group": "",
               "participant_groups.1.n": "12", "participant_groups.+more": "n",
               "date_extracted": "2024-01-31", "outcomes": "less use"}
    keys = []
    while (step := walk.step()) is not None and len(keys) < 40:
        keys.append(step.key)
        if step.prompt.startswith("Still required: "):
            break
        walk.submit(answers.get(step.key, "x" if "[text" in step.prompt else ""))
    assert step is not None and step.key == "participant_groups.1.group", keys
    assert "participant_groups.1.group" in keys[:-1]  # passed over once, asked again now
    walk.submit("1")
    assert walk.step() is None and walk.done  # straight back to the end
    assert study_extractions(project, "s2", form)[0].values["participant_groups"][0]["n"] == 12
