"""ConQual (Munn et al. 2014) on a small meta-aggregation project: every dependability
band and every credibility mix, worked by hand from the paper's rules (start high; 4-5 yes
of Q2, Q3, Q4, Q6, Q7 no change, 2-3 down one, 0-1 down two; unequivocal only no change,
unequivocal + credible down one, credible only down two, credible + unsupported down
three, unsupported only down four; never below very low)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.project import Project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.confidence.conqual import (
    conqual_all,
    credibility_down,
    install_jbi,
    jbi_checklist,
)
from reviewkit.synthesis.confidence.findings import load_findings
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.sources import add_source

STUDIES = ["s1", "s2", "s3"]
DEPENDABILITY = ["q2", "q3", "q4", "q6", "q7"]
# code -> credibility; c4 is never coded, so it never counts
FINDING_CODES = {"u1": "unequivocal", "u2": "unequivocal", "c1": "credible", "c2": "credible",
                 "x1": "unsupported", "x2": "unsupported", "u3": "unequivocal",
                 "u4": "unequivocal", "c4": "credible"}
CODED = [c for c in FINDING_CODES if c != "c4"]


def _codebook() -> str:
    out = ["method: meta-aggregation", "codes:",
           "  - {id: syn, name: Synthesised, parent: null, level: synthesised}",
           "  - {id: cat, name: Category, parent: syn, level: category}",
           "  - {id: cat2, name: Category two, parent: syn, level: category}"]
    for code, cred in FINDING_CODES.items():
        parent = "cat2" if code in ("u3", "u4", "c4") else "cat"
        out.append(f"  - {{id: {code}, name: Finding {code}, parent: {parent}, level: finding, "
                   f"credibility: {cred}}}")
    return "\n".join(out) + "\n"


def meta_project(tmp_path: Path) -> Project:
    project, store = new_project(tmp_path)
    store.close()
    add_reviewer(project, "ann")
    (project.root / "studies.toml").write_text("".join(
        f'[[study]]\nid = "{s}"\ncitation = "Author{s} A ({2010 + i}) Study {s}"\n\n'
        for i, s in enumerate(STUDIES)), "utf-8")
    for s in STUDIES:
        text = "\n".join(f"{s} says {c}." for c in CODED) + "\n"
        (tmp_path / f"{s}.txt").write_text(text, "utf-8")
        add_source(project, tmp_path / f"{s}.txt", s)
    (project.root / "synthesis" / "codebook.yaml").write_text(_codebook(), "utf-8")
    install_jbi(project)
    for s in STUDIES[:2]:  # the findings rest on s1 and s2
        for c in CODED:
            code_text(project, s, f"{s} says {c}.", c, "ann")
    return project


def write_jbi(project: Project, study: str, yes: int) -> None:
    """A final JBI appraisal with ``yes`` of the dependability questions answered yes;
    every other question is yes too, so counting them would show."""
    answers = {f"q{n}": "yes" for n in range(1, 11)}
    for i, q in enumerate(DEPENDABILITY[yes:]):
        answers[q] = "no" if i % 2 else "unclear"
    lines = ["checklist: jbi-qualitative", "status: final", "answers:"]
    lines += [f"  {q}: {{answer: '{a}'}}" for q, a in answers.items()]
    lines.append("  overall: {answer: include}")
    path = project.root / "casp" / study / "consensus.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def write_findings(project: Project, themes: list[str]) -> None:
    (project.root / "synthesis" / "findings.yaml").write_text(
        f"findings:\n  - id: rf\n    statement: A synthesised finding.\n"
        f"    themes: [{', '.join(themes)}]\n", "utf-8")


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    return meta_project(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One project for the worked cases: each rewrites the appraisals and findings."""
    return meta_project(tmp_path_factory.mktemp("conqual"))


# (dependability yes, themes, expected downgrades (dependability, credibility), level)
CASES = [
    (5, ["u1"], (0, 0), "high"),
    (4, ["u1", "u2"], (0, 0), "high"),
    (3, ["u1"], (1, 0), "moderate"),
    (2, ["u1"], (1, 0), "moderate"),
    (1, ["u1"], (2, 0), "low"),
    (0, ["u1"], (2, 0), "low"),
    (5, ["u1", "c1"], (0, 1), "moderate"),
    (2, ["u1", "c1"], (1, 1), "low"),
    (5, ["c1", "c2"], (0, 2), "low"),
    (3, ["c1"], (1, 2), "very-low"),
    (5, ["c1", "x1"], (0, 3), "very-low"),
    (5, ["x1", "x2"], (0, 4), "very-low"),
    (0, ["c1"], (2, 2), "very-low"),
    (5, ["cat"], (0, 3), "very-low"),  # a category: all three kinds under it
    (4, ["cat2"], (0, 0), "high"),  # c4 is not coded: only the unequivocal findings count
]


@pytest.mark.parametrize("yes, themes, down, level", CASES)
def test_every_dependability_band_and_credibility_mix(shared, yes, themes, down, level):
    project = shared
    for s in STUDIES:
        write_jbi(project, s, yes)
    write_findings(project, themes)
    [result] = conqual_all(project, load_findings(project))
    assert result.yes == yes
    assert result.down == down
    assert result.level == level
    assert result.dependability.startswith(f"{yes} of 5 dependability questions")
    assert result.dependability.endswith({0: "no change", 1: "down one level",
                                          2: "down 2 levels"}[down[0]])
    assert result.credibility.endswith("no change" if down[1] == 0 else
                                       ("down one level" if down[1] == 1
                                        else f"down {down[1]} levels"))


@pytest.mark.parametrize("mix, down", [
    ({"unequivocal"}, 0), ({"unequivocal", "credible"}, 1), ({"credible"}, 2),
    ({"credible", "unsupported"}, 3), ({"unsupported"}, 4)])
def test_the_five_mixes_of_munn_et_al(mix, down):
    assert credibility_down(mix) == down


def test_a_question_counts_as_yes_when_most_studies_say_yes(project):
    write_findings(project, ["u1"])
    # three studies contribute: s3 gets segments too
    code_text(project, "s3", "s3 says u1.", "u1", "ann")
    write_jbi(project, "s1", 5)
    write_jbi(project, "s2", 5)
    write_jbi(project, "s3", 0)  # one of three says no: still yes by majority
    assert conqual_all(project, load_findings(project))[0].yes == 5
    write_jbi(project, "s2", 1)  # two of three no on Q3..Q7: only Q2 keeps a majority
    [r] = conqual_all(project, load_findings(project))
    assert (r.yes, r.level) == (1, "low")


def test_conqual_table_through_the_command_and_its_refusals(project):
    for s in STUDIES:
        write_jbi(project, s, 3)
    write_findings(project, ["u1", "c1"])
    res = run_cli("synthesis", "conqual", "--format", "csv", cwd=project.root)
    assert res.returncode == 0, res.stderr
    [row] = list(csv.DictReader(io.StringIO(res.stdout)))
    assert row["score"] == "Low"  # down one for 3 yes, one for unequivocal + credible
    assert row["studies"] == "Authors1 (2010); Authors2 (2011)"  # s3 has no segment
    assert "1 unequivocal, 1 credible: down one level" == row["credibility"]

    root = project.root
    (root / "casp" / "s2" / "consensus.yaml").unlink()
    res = run_cli("synthesis", "conqual", cwd=root)
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert "synthesis/findings.yaml:2:" in res.stderr and "no final jbi-qualitative " \
        "appraisal of s2" in res.stderr
    write_jbi(project, "s2", 3)
    book = root / "synthesis" / "codebook.yaml"
    lines = book.read_text("utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if "id: c1," in line)
    lines[n] = lines[n].replace(", credibility: credible", "")
    book.write_text("\n".join(lines) + "\n", "utf-8")
    before = snapshot(root)
    res = run_cli("synthesis", "conqual", cwd=root)
    assert res.returncode == 2 and f"synthesis/codebook.yaml:{n + 1}:" in res.stderr, res.stderr
    assert "has no credibility" in res.stderr
    assert snapshot(root) == before


def test_conqual_refuses_a_thematic_synthesis(project):
    book = project.root / "synthesis" / "codebook.yaml"
    for log in (project.root / "synthesis" / "coding").glob("*.jsonl"):
        log.unlink()  # its codes are not in the new codebook (that alone is an error)
    book.write_text("method: thematic\ncodes:\n  - {id: t, name: T, parent: null, "
                    "level: code}\n", "utf-8")
    write_findings(project, ["t"])
    with pytest.raises(ReviewkitError, match="ConQual is for meta-aggregation"):
        conqual_all(project, load_findings(project))


def test_the_jbi_checklist_ships_and_is_copied_into_casp_once_with_its_terms(tmp_path):
    project, store = new_project(tmp_path)
    store.close()
    path = project.root / "casp" / "jbi-qualitative.yaml"
    assert jbi_checklist(project).id == "jbi-qualitative"  # shipped: no copy needed
    res = run_cli("synthesis", "jbi-checklist", cwd=project.root)
    assert res.returncode == 0, res.stderr
    text = path.read_text("utf-8")
    assert text.startswith("# JBI Critical Appraisal Checklist for Qualitative Research")
    assert "(c) JBI" in text and "NOTICE" in text
    res = run_cli("appraisal", "checklists", "--format", "csv", cwd=project.root)
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert ("jbi-qualitative", "11") in [(r["id"], r["questions"]) for r in rows]
    before = snapshot(project.root)
    res = run_cli("synthesis", "jbi-checklist", cwd=project.root)
    assert res.returncode == 2 and "already has the jbi-qualitative checklist" in res.stderr
    assert snapshot(project.root) == before
    assert jbi_checklist(project).question("q7").text.startswith("Is the influence of the")


def test_report_tables_follow_the_method(project, tmp_path):
    from reviewkit.synthesis.confidence.tables import report_tables

    assert report_tables(project) == []  # no findings.yaml: nothing to show
    for s in STUDIES:
        write_jbi(project, s, 5)
    write_findings(project, ["u1"])
    names = [t.name for t, _ in report_tables(project)]
    assert names == ["cerqual-soqf", "cerqual-profile", "conqual-sof"]
    [(soqf, warnings)] = report_tables(project)[:1]
    assert soqf.rows[0]["confidence"] == "not yet assessed"
    assert warnings == ["rf: no final CERQual worksheet; shown as 'not yet assessed'"]
