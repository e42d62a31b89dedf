"""Exports of records that were themselves read from a reviewkit export: the ids and labels
an earlier export wrote (ZI, ZS, reviewkit N1/KW lines, ASReview's N1 labels) are that
project's, so a new export writes this project's only, once each."""

from __future__ import annotations

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.io import parse_bytes
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path

TA = "title-abstract"
# Two records as another project's `export -f asreview-ris --stage title-abstract` wrote them
EARLIER = """\
TY  - JOUR
TI  - Nudging clinicians towards guideline care
AU  - Smith, Ann
PY  - 2019
DO  - 10.1000/one
KW  - nudge
N1  - reviewkit members: old-1/a; old-2/a
KW  - reviewkit:title-abstract:include
N1  - reviewkit title-abstract: include
N1  - ASReview_relevant
ZI  - old-1/a
ZS  - medline
ER  -

TY  - JOUR
TI  - Default options in prescribing software
AU  - Jones, Bo
PY  - 2020
DO  - 10.1000/two
KW  - reviewkit:title-abstract:exclude
N1  - reviewkit title-abstract: exclude
N1  - ASReview_irrelevant
N1  - a note of the team's own
ZI  - old-1/b
ZS  - medline
ER  -
""".replace("ER  -\n", "ER  - \n")  # RIS's end tag has its space; the source has none


@pytest.fixture
def reimported(tmp_path):
    """A project whose search export is an earlier reviewkit export; both records judged
    by two reviewers: the first excluded, the second included (the opposite of before)."""
    project, store = new_project(tmp_path, ("prev", 2))
    path = tmp_path / "earlier.ris"
    path.write_text(EARLIER, encoding="utf-8")
    r = run_cli("import", str(path), "--search", "prev", cwd=project.root)
    assert r.returncode == 0, r.stderr
    ids = {sr.record.doi: sr.id for sr in store.iter_records()}
    for who in ("ann", "ben"):
        assert run_cli("reviewer", "add", who, cwd=project.root).returncode == 0
        append_events(log_path(project, TA, who), [
            decision_event(TA, who, ids["10.1000/one"], "exclude"),
            decision_event(TA, who, ids["10.1000/two"], "include")])
    return project, ids


def export(root, *args: str) -> str:
    r = run_cli("export", *args, cwd=root)
    assert r.returncode == 0, r.stderr
    return r.stdout


def records(text: str):
    return parse_bytes(text.encode("utf-8"), "out.ris", "ris").records


def tags(rec, tag: str) -> list[str]:
    return [v for t, v in rec.raw if t == tag]


@pytest.mark.parametrize("fmt", ["ris", "asreview-ris"])
def test_one_id_and_source_each_and_they_are_this_projects(reimported, fmt):
    project, ids = reimported
    out = records(export(project.root, "-f", fmt))
    assert sorted(tags(rec, "ZI")[0] for rec in out) == sorted(ids.values())
    for rec in out:
        assert len(tags(rec, "ZI")) == 1 and tags(rec, "ZS") == ["prev"]


def test_stage_labels_are_this_projects_not_the_earlier_ones(reimported):
    project, ids = reimported
    out = {rec.doi: rec for rec in records(export(project.root, "-f", "ris", "--stage", TA))}
    assert [k for k in out["10.1000/one"].keywords if k.startswith("reviewkit:")] == \
        [f"reviewkit:{TA}:exclude"]
    assert [k for k in out["10.1000/two"].keywords if k.startswith("reviewkit:")] == \
        [f"reviewkit:{TA}:include"]
    # the team's own keyword and note are the record's, and stay
    assert "nudge" in out["10.1000/one"].keywords
    assert "a note of the team's own" in tags(out["10.1000/two"], "N1")
    assert not any(n.startswith("reviewkit members: old-") for rec in out.values()
                   for n in tags(rec, "N1"))


def test_asreview_ris_has_one_label_each_and_reads_back(reimported, tmp_path):
    project, ids = reimported
    text = export(project.root, "-f", "asreview-ris", "--stage", TA)
    labels = {rec.doi: [n for n in tags(rec, "N1") if n.startswith("ASReview_")]
              for rec in records(text)}
    assert labels == {"10.1000/one": ["ASReview_irrelevant"],
                      "10.1000/two": ["ASReview_relevant"]}
    path = tmp_path / "asreview.ris"
    path.write_text(text, encoding="utf-8")
    assert run_cli("reviewer", "add", "cleo", cwd=project.root).returncode == 0
    r = run_cli("screen", "import-decisions", str(path), "-r", "cleo", cwd=project.root)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("fmt", ["bibtex", "csl-json", "rayyan"])
def test_other_formats_carry_no_earlier_label(reimported, fmt):
    project, _ = reimported
    text = export(project.root, "-f", fmt, "--stage", TA)
    # one label per record, as this project decided: one include, one exclude
    assert text.count(f"reviewkit:{TA}:include") == 1
    assert text.count(f"reviewkit:{TA}:exclude") == 1


@pytest.mark.parametrize("args", [["--studies", "--stage", TA],
                                  ["--studies", "--stage", TA, "--decision", "include"],
                                  ["--studies", "--unique"]])
def test_studies_with_another_selection_is_a_mistake_not_ignored(reimported, tmp_path, args):
    """--studies writes the studies' reports whatever else was asked: say so, write nothing."""
    project, _ = reimported
    before = snapshot(project.root)
    out = tmp_path / "out.ris"
    r = run_cli("export", *args, "-o", str(out), cwd=project.root)
    assert r.returncode == 2 and "--studies" in r.stderr and args[-1] in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not out.exists() and snapshot(project.root) == before


@pytest.mark.parametrize("target", ["searches/exports/all.ris", "searches/exports/new/all.ris",
                                    "casp/all.ris", "studies.toml"])
def test_an_export_into_a_folder_of_inputs_is_refused(reimported, target):
    """Every file in searches/exports is read as a search export: an export written there
    would be imported on the next command as another source, every record twice."""
    project, ids = reimported
    (project.root / "studies.toml").unlink(missing_ok=True)  # a new file is refused too
    before = snapshot(project.root)
    r = run_cli("export", "-o", target, cwd=project.root)
    assert r.returncode == 2 and target in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert snapshot(project.root) == before
    status = run_cli("status", "--format", "json", cwd=project.root)
    assert status.returncode == 0 and f'"records": {len(ids)},' in status.stdout
