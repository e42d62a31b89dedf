"""studies add | link | list | check: each report must be a record included at full text,
and studies.toml keeps what people wrote in it."""

from __future__ import annotations

import json
import re

import pytest

from fulltext_support import FT, decide, project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.records.studies import HEADER, add_study, check_studies, link_report, load_studies
from reviewkit.screening import Screening

HAND = """\
# our studies (kept by hand and by reviewkit)
[[study]]
id = "kept-2001"  # the first one
citation = "Kept A (2001) A kept study"
reports = []
"""


def test_add_and_link_keep_comments_and_resolve_old_ids(tmp_path):
    # two full-text includes, both linked below (check names an include in no study)
    project, store, units = project_with_decisions(tmp_path, ft_includes=2)
    path = project.root / "studies.toml"
    path.write_text(HAND)
    res = run_cli("studies", "add", "first-1997", "--report", units[0], cwd=project.root)
    assert res.returncode == 0 and res.stderr == "", res.stderr
    old = "wos/" + units[1].split("/", 1)[1]  # the first design's form of units[1]
    screening = Screening(project, store)
    assert link_report(project, screening, "first-1997", old) == units[1]
    text = path.read_text()
    assert text.startswith(HAND)  # comments and the hand-written study untouched
    studies = {s.id: s for s in load_studies(project)}
    assert studies["first-1997"].reports == [units[0], units[1]]
    rec = store.get_record(units[0]).record
    assert str(rec.year) in studies["first-1997"].citation
    assert rec.title.rstrip(".") in studies["first-1997"].citation
    res = run_cli("studies", "check", cwd=project.root)
    assert res.returncode == 0 and "2 studies, 2 reports" in res.stdout, res.stdout + res.stderr
    rows = json.loads(run_cli("studies", "list", "-f", "json", cwd=project.root).stdout)
    assert [(r["study"], r["problems"]) for r in rows] == [("kept-2001", ""), ("first-1997", "")]


def test_add_creates_the_file_with_a_header(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    (project.root / "studies.toml").unlink()  # init writes one; a project may have none
    new = add_study(project, Screening(project, store), "s-1", units[2], citation="  C  (2000) ")
    text = (project.root / "studies.toml").read_text()
    assert text.startswith(HEADER + "\n[[study]]\n") and new.citation == "C (2000)"
    assert load_studies(project)[0].reports == [units[2]]


def test_refused_reports_are_one_line_and_write_nothing(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    screening = Screening(project, store)
    add_study(project, screening, "s-1", units[0])
    decide(project, FT, "ana", {units[4]: "include"})  # ana changes her mind: a conflict
    screening = Screening(project, store)
    cases = [
        (lambda: add_study(project, screening, "s-2", units[3]), "was excluded at full-text"),
        (lambda: add_study(project, screening, "s-2", units[20]),
         "was excluded at title-abstract"),
        (lambda: add_study(project, screening, "s-2", "wos/nothing"), "is not a record"),
        (lambda: add_study(project, screening, "s-2", units[4]), "outcome: conflict"),
        (lambda: add_study(project, screening, "s-1", units[1]), "already in studies.toml"),
        (lambda: add_study(project, screening, "S 2", units[1]), "lower-case"),
        (lambda: add_study(project, screening, "s-2", units[0]), "already linked to study 's-1'"),
        (lambda: link_report(project, screening, "s-9", units[1]), "not in studies.toml"),
    ]
    before = snapshot(project.root)
    for call, said in cases:
        with pytest.raises(ReviewkitError, match=re.escape(said)):
            call()
        assert snapshot(project.root) == before, said
    res = run_cli("studies", "link", "s-1", units[3], cwd=project.root)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and "excluded at full-text" in lines[0]
    assert snapshot(project.root) == before


def test_check_names_each_bad_report_by_file_and_line(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=1)  # units[0] linked
    decide(project, FT, "ana", {units[4]: "include"})  # a conflict at full text
    text = HAND + f"""
[[study]]
id = "mixed"
citation = "Mixed M (1999)"
reports = [
  "{units[0]}",
  "{units[3]}",
  "wos/not-a-record",
  "{units[4]}",
]
"""
    path = project.root / "studies.toml"
    path.write_text(text)
    lines = text.splitlines()
    where = {r: next(i for i, line in enumerate(lines, 1) if r in line)
             for r in (units[3], "wos/not-a-record", units[4])}
    res = run_cli("studies", "check", cwd=project.root)
    assert res.returncode == 1
    said = res.stderr.strip().splitlines()
    assert len(said) == 3, res.stderr
    assert f"studies.toml:{where[units[3]]}: study 'mixed'" in said[0]
    assert "excluded at full-text" in said[0]
    assert f"studies.toml:{where['wos/not-a-record']}:" in said[1] and "not a record" in said[1]
    assert f"studies.toml:{where[units[4]]}:" in said[2] and "conflict" in said[2]
    assert "3 with problems" in res.stdout
    # status and PRISMA keep refusing only what is gone or excluded, not what is pending
    lax = check_studies(project, store, Screening(project, store))
    assert [p.report for p in lax] == [units[3], "wos/not-a-record"]


STUDY_BLOCKS = "".join(f'[[study]]\nid = "s-{n}"\ncitation = "Study {n}"\nreports = []\n\n'
                       for n in range(5))


@pytest.mark.parametrize(("edit", "field", "expect"), [
    (('id = "s-3"', 'id = "Bad Id"'), "study.3.id", "study ids use lower-case"),
    (('citation = "Study 4"\n', ""), "study.4.citation", "required field is missing"),
    (('citation = "Study 2"', 'citation = "Study 2"\ncitaton = "typo"'), "study.2.citaton",
     "unknown field"),
])
def test_a_bad_study_is_named_at_its_own_block(tmp_path, edit, field, expect):
    """The error points at the fourth block's line, not at the first block's key."""
    from reviewkit.project import init_project

    project = init_project(tmp_path / "review", "Lines")
    text = STUDY_BLOCKS.replace(*edit)
    assert text != STUDY_BLOCKS
    (project.root / "studies.toml").write_text(text, "utf-8")
    with pytest.raises(ReviewkitError) as err:
        load_studies(project)
    lines = text.splitlines()
    n = int(field.split(".")[1])
    header = [i for i, line in enumerate(lines, 1) if line == "[[study]]"][n]
    key = field.split(".")[2]
    written = next((i for i in range(header, min(header + 5, len(lines) + 1))
                    if lines[i - 1].startswith(key)),
                   header)  # a missing key: the block's header
    assert err.value.line == written and err.value.field == field
    assert expect in err.value.message
