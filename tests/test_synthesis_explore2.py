"""Qualitative synthesis as a QES team uses it (each test failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import copy_example, run_cli, snapshot
from reviewkit.project.config import find_project
from reviewkit.synthesis.confidence.findings import load_findings

ROOT = Path(__file__).resolve().parents[1]


def _example(tmp_path: Path):
    return find_project(copy_example(ROOT, tmp_path / "example"))


def test_deleting_a_code_a_finding_names_is_refused_at_the_finding(tmp_path: Path) -> None:
    # an unused code can be deleted, but not while findings.yaml rests on it: the
    # findings, the SoQF, the Evidence Profile and the report would all stop
    project = _example(tmp_path)
    r = run_cli("synthesis", "codebook", "add", "tension", "--name", "Tension",
                "--parent", "implementing-delivering", cwd=project.root)
    assert r.returncode == 0, r.stderr
    path = project.root / "synthesis" / "findings.yaml"
    with path.open("a", encoding="utf-8") as f:
        f.write("  - id: tension\n    statement: Staff felt torn.\n"
                "    themes: [moral-ethical]\n    contradicting: [tension]\n")
    line = path.read_text("utf-8").splitlines().index("    contradicting: [tension]") + 1
    before = snapshot(project.root)
    r = run_cli("synthesis", "codebook", "delete", "tension", "-r", "tompkins",
                cwd=project.root)
    assert r.returncode == 2, r.stdout
    assert f"synthesis/findings.yaml:{line}" in r.stderr and "'tension'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(project.root) == before
    assert "tension" in load_findings(find_project(project.root)).findings


def test_deleting_a_code_no_finding_names_still_works(tmp_path: Path) -> None:
    project = _example(tmp_path)
    r = run_cli("synthesis", "codebook", "add", "tension", "--name", "Tension",
                "--parent", "implementing-delivering", cwd=project.root)
    assert r.returncode == 0, r.stderr
    r = run_cli("synthesis", "codebook", "delete", "tension", "-r", "tompkins",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "tension:" not in (project.root / "synthesis" / "codebook.yaml").read_text("utf-8")
    r = run_cli("synthesis", "soqf", "-f", "csv", cwd=project.root)
    assert r.returncode == 0, r.stderr


FRAMEWORK = "name,description,parent\nAutonomy,,\nWanting choice,,Autonomy\nWorkload,,\n"


def _framework_project(tmp_path: Path):
    from synthesis_support import synth_project

    project = synth_project(tmp_path)
    (project.root / "synthesis" / "codebook.yaml").unlink()
    (tmp_path / "fw.csv").write_text(FRAMEWORK, "utf-8")
    return project


def test_reloading_a_framework_after_a_rename_finds_the_renamed_codes(tmp_path: Path) -> None:
    # the team renamed a framework code, then added a row to the framework file: loading
    # it again must add the new row only (it was refused: "'autonomy' was used before")
    from reviewkit.synthesis.codebook import load_codebook, rename_code
    from reviewkit.synthesis.codebook_edit import merge_code
    from reviewkit.synthesis.framework import load_framework

    project = _framework_project(tmp_path)
    load_framework(project, tmp_path / "fw.csv")
    rename_code(project, "autonomy", "control", "ann")
    load_framework(project, tmp_path / "fw.csv")  # nothing new
    merge_code(project, "workload", "control", "ann")
    (tmp_path / "fw.csv").write_text(FRAMEWORK + "Trust,,Autonomy\n", "utf-8")
    load = load_framework(project, tmp_path / "fw.csv")
    assert load.added == ["trust"]
    assert load.there == ["control", "wanting-choice"]
    book = load_codebook(project)
    assert book.codes["trust"].parent == "control"
    assert book.codes["wanting-choice"].parent == "control"
    assert "autonomy" not in book.codes and "workload" not in book.codes


def test_splitting_a_meta_aggregation_finding_keeps_its_credibility(tmp_path: Path) -> None:
    # the parts sit beside the finding with its parent and level; its credibility was
    # dropped, so a merge of the old finding into a part lost the ConQual grading
    from reviewkit.synthesis.codebook import load_codebook
    from reviewkit.synthesis.codebook_edit import merge_code, split_code
    from synthesis_support import synth_project

    meta = ("method: meta-aggregation\ncodes:\n"
            "  - {id: s1, name: Synthesised, parent: null, level: synthesised}\n"
            "  - {id: c1, name: Category, parent: s1, level: category}\n"
            "  - {id: f1, name: F1, parent: c1, level: finding, credibility: credible}\n"
            "  - {id: f2, name: F2, parent: c1, level: finding, credibility: unequivocal}\n")
    project = synth_project(tmp_path, meta)
    split_code(project, "f1", ["f1a", "f1b"], "ann")
    book = load_codebook(project)
    assert [book.codes[c].credibility for c in ("f1a", "f1b")] == ["credible", "credible"]
    merge_code(project, "f1", "f1a", "ann")
    assert load_codebook(project).codes["f1a"].credibility == "credible"


def _disagreeing(tmp_path: Path):
    from reviewkit.screening.reviewers import add_reviewer
    from reviewkit.synthesis.edit import code_text
    from synthesis_support import synth_project

    project = synth_project(tmp_path)
    add_reviewer(project, "lead")
    code_text(project, "callanan-2012-findings", "wanted choice", "choice-words", "ann")
    code_text(project, "callanan-2012-findings", "Participants said they wanted choice",
              "choice-words", "bo")
    return project


def test_a_reconcile_decision_survives_a_rename_of_its_code(tmp_path: Path) -> None:
    # the decision is a memo naming the disagreement's id, which comes from the code's
    # id: after a rename the unit was listed open again under a new id
    from reviewkit.synthesis.codebook import rename_code
    from reviewkit.synthesis.reconcile import reconcile

    project = _disagreeing(tmp_path)
    first = reconcile(project, "ann", "bo", "lead")
    [unit] = first.disagreements
    reconcile(project, "ann", "bo", "lead", {unit.id: "B"})
    rename_code(project, "choice-words", "words", "ann")
    again = reconcile(project, "ann", "bo", "lead")
    [now] = again.disagreements
    assert now.code == "words"
    assert again.decided.get(now.id) == "B"
    assert "(0 not decided)" in again.summary()
    assert again.written == 0 and again.removed == 0


def test_a_decision_given_by_its_id_from_before_a_rename_is_applied(tmp_path: Path) -> None:
    from reviewkit.synthesis.codebook import rename_code
    from reviewkit.synthesis.reconcile import reconcile
    from reviewkit.synthesis.state import load_synthesis

    project = _disagreeing(tmp_path)
    [unit] = reconcile(project, "ann", "bo", "lead").disagreements
    rename_code(project, "choice-words", "words", "ann")
    done = reconcile(project, "ann", "bo", "lead", {unit.id: "A"})  # the id as listed
    assert done.written == 1
    lead = [s for s in load_synthesis(project).coding.segments.values() if s.coder == "lead"]
    assert [(s.text, s.codes) for s in lead] == [("wanted choice", {"words"})]


def test_a_taguette_file_imported_again_after_a_merge_adds_nothing(tmp_path: Path) -> None:
    # the team merged a tag's code into another; importing the same highlights again
    # made the merged-away tag anew ('control-2') and coded every highlight with it
    import csv

    from reviewkit.synthesis.codebook import load_codebook
    from reviewkit.synthesis.codebook_edit import merge_code
    from reviewkit.synthesis.taguette import import_highlights
    from synthesis_support import synth_project

    project = synth_project(tmp_path)
    path = tmp_path / "h.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "document", "tag", "content"])
        w.writerow([1, "b", "Control", "Patients wanted choice too."])
        w.writerow([2, "b", "Rushed", "Nurses described time pressure."])
    first = import_highlights(project, path, "ann")
    assert first.codes == ["control", "rushed"]
    merge_code(project, "control", "choice", "ann")
    merge_code(project, "rushed", "time", "ann")
    before = snapshot(project.root)
    again = import_highlights(project, path, "ann")
    assert (again.codes, again.segments, again.codings, again.already) == ([], 0, 0, 2)
    assert snapshot(project.root) == before
    assert "control-2" not in load_codebook(project).codes


SHEET = """finding: moral-ethical
status: final
components:
  limitations: {concern: minor, explanation: Q6 no in every study.}
  coherence: {concern: none, explanation: Fits the data.}
  adequacy: {concern: moderate, explanation: Three studies and thin data.}
  relevance: {concern: minor, explanation: UK only.}
overall: {confidence: moderate, explanation: Moderate confidence.}
"""


def _two_assessors(tmp_path: Path):
    project = _example(tmp_path)
    folder = project.root / "synthesis" / "cerqual" / "moral-ethical"
    (folder / "consensus.yaml").unlink()
    (folder / "tompkins.yaml").write_text(SHEET, "utf-8")
    (folder / "parkman.yaml").write_text(SHEET.replace("confidence: moderate",
                                                       "confidence: low"), "utf-8")
    return project, folder / "consensus.yaml"


def test_a_consensus_level_for_a_component_no_assessor_judged_is_kept(tmp_path: Path) -> None:
    # dissemination bias is optional: neither assessor judged it, and the consensus'
    # --set dissemination=... was dropped without a word ("wrote consensus.yaml")
    project, consensus = _two_assessors(tmp_path)
    before = snapshot(project.root)
    r = run_cli("synthesis", "consensus", "moral-ethical", "--set", "overall=@tompkins",
                "--set", "dissemination=minor", cwd=project.root)
    assert r.returncode == 2 and "--explain dissemination=" in r.stderr, (r.stdout, r.stderr)
    assert snapshot(project.root) == before
    r = run_cli("synthesis", "consensus", "moral-ethical", "--set", "overall=@tompkins",
                "--set", "dissemination=minor", "--explain",
                "dissemination=Grey literature mostly.", cwd=project.root)
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(consensus.read_text("utf-8"))
    assert data["components"]["dissemination"] == {"concern": "minor",
                                                   "explanation": "Grey literature mostly."}


def test_adding_the_same_text_again_under_another_id_is_refused(tmp_path: Path) -> None:
    # the same words as two sources count twice in the matrix, the findings and the
    # CERQual adequacy (and under another study, for the wrong study)
    from reviewkit.synthesis.sources import add_source
    from synthesis_support import refuses, synth_project

    project = synth_project(tmp_path)
    (tmp_path / "copy.txt").write_bytes((tmp_path / "b.md").read_bytes())
    message = refuses(project, lambda: add_source(project, tmp_path / "copy.txt",
                                                  "callanan-2012"), "already source 'b'")
    assert "smith-2015" in message
    (tmp_path / "other.txt").write_text("Other words.\n", "utf-8")
    assert add_source(project, tmp_path / "other.txt", "callanan-2012").id == "other"


def test_a_finding_assessed_on_three_studies_then_left_with_one_warns(tmp_path: Path) -> None:
    # uncoding two studies' segments left 'moral-ethical' on one study: the SoQF, the
    # Evidence Profile and the report all stopped at its worksheet; now they warn
    # (as for any finding whose evidence moved since it was assessed)
    import csv
    import io

    from reviewkit.synthesis.state import load_synthesis

    project = _example(tmp_path)
    syn = load_synthesis(project)
    for seg in syn.coding.segments.values():
        if "moral-ethical" in seg.codes and syn.study_of(seg.source) != "whiteford-2016":
            r = run_cli("synthesis", "uncode", seg.id, "--code", "moral-ethical",
                        "-r", "tompkins", cwd=project.root)
            assert r.returncode == 0, r.stderr
    assert load_findings(find_project(project.root)).findings["moral-ethical"].studies == \
        ["whiteford-2016"]
    for table in ("soqf", "profile"):
        r = run_cli("synthesis", table, "-f", "csv", cwd=project.root)
        assert r.returncode == 0, r.stderr
        assert "synthesis/cerqual/moral-ethical/consensus.yaml" in r.stderr
        assert "one study" in r.stderr and "whiteford-2016" in r.stderr
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        assert len(rows) == 8


def test_a_finding_left_with_no_coded_segment_says_so(tmp_path: Path) -> None:
    from reviewkit.synthesis.state import load_synthesis

    project = _example(tmp_path)
    syn = load_synthesis(project)
    for seg in syn.coding.segments.values():
        if "moral-ethical" in seg.codes:
            r = run_cli("synthesis", "uncode", seg.id, "--code", "moral-ethical",
                        "-r", "tompkins", cwd=project.root)
            assert r.returncode == 0, r.stderr
    r = run_cli("synthesis", "soqf", "-f", "csv", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "no coded segment supports it now" in r.stderr and "(none)" not in r.stderr


def test_the_terminal_coder_leaves_a_bom_out_of_the_first_line(tmp_path: Path) -> None:
    # a source saved with a BOM: its first paragraph started at the invisible BOM, so
    # the quote carried it and a second coder who coded the same words by --text was
    # in disagreement over one character
    from reviewkit.screening.reviewers import add_reviewer
    from reviewkit.synthesis.edit import code_text
    from reviewkit.synthesis.reconcile import reconcile
    from reviewkit.synthesis.session import open_session
    from reviewkit.synthesis.sources import add_source
    from reviewkit.synthesis.state import load_synthesis
    from synthesis_support import synth_project

    project = synth_project(tmp_path)
    add_reviewer(project, "lead")
    (tmp_path / "bom.txt").write_bytes("\ufeffFirst line here.\nSecond line.\n".encode())
    add_source(project, tmp_path / "bom.txt", "smith-2015")
    session = open_session(project, "ann", "bom")
    session.select("paragraph")
    session.apply("time")
    code_text(project, "bom", "First line here.", "time", "bo")
    texts = {s.coder: s.text for s in load_synthesis(project).coding.segments.values()}
    assert texts == {"ann": "First line here.", "bo": "First line here."}
    assert reconcile(project, "ann", "bo", "lead").disagreements == []


def test_the_soqf_names_a_contributing_study_studies_toml_lacks(tmp_path: Path) -> None:
    # a source names a study id studies.toml does not have (a typo, a study merged):
    # `findings` lists it, but the SoQF's "studies contributing" left it out silently
    import csv
    import io

    project = _example(tmp_path)
    path = project.root / "synthesis" / "sources.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace('study = "welch-2017"', 'study = "welch-2017b"', 1), "utf-8")
    r = run_cli("synthesis", "soqf", "-f", "csv", cwd=project.root)
    assert r.returncode == 0, r.stderr
    first = next(csv.DictReader(io.StringIO(r.stdout)))
    assert "welch-2017b" in first["studies"], first["studies"]
    assert "'welch-2017b', which is not in studies.toml" in r.stderr


def test_a_new_relevance_level_keeps_the_marks_both_assessors_gave(tmp_path: Path) -> None:
    # a consensus level no assessor gave took no relevance marks: the consensus then
    # carried no record of the studies it was made on (no stale warning ever again)
    project, consensus = _two_assessors(tmp_path)
    marks = "    studies: {callanan-2012: direct, welch-2017: direct, whiteford-2016: partial}\n"
    for who in ("tompkins", "parkman"):
        path = consensus.with_name(f"{who}.yaml")
        text = path.read_text("utf-8").replace(
            "  relevance: {concern: minor, explanation: UK only.}\n",
            "  relevance:\n    concern: minor\n    explanation: UK only.\n" + marks)
        path.write_text(text, "utf-8")
    r = run_cli("synthesis", "consensus", "moral-ethical", "--set", "overall=@tompkins",
                "--set", "relevance=moderate", "--explain", "relevance=UK, grey.",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(consensus.read_text("utf-8"))
    assert data["components"]["relevance"]["studies"] == {
        "callanan-2012": "direct", "welch-2017": "direct", "whiteford-2016": "partial"}
