"""CERQual worksheets on a copy of the worked example: user mistakes (one line naming file
and line, exit 2, nothing written), two assessors compared and their consensus, the
drafted explanation, and the keyboard form saving each answer as given."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from helpers import copy_example, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import find_project
from reviewkit.synthesis.confidence.cerqual import draft_explanation
from reviewkit.synthesis.confidence.commands import compare_rows
from reviewkit.synthesis.confidence.tables import evidence_profile_table, judgements_table
from reviewkit.synthesis.confidence.walk import AssessWalk
from reviewkit.synthesis.edit import code_text

from conftest import REPO

GOOD = """finding: moral-ethical
status: final
components:
  limitations:
    concern: minor
    explanation: Q6 no in every study.
  coherence:
    concern: none
    explanation: Fits the data.
  adequacy:
    concern: moderate
    explanation: Three studies, thin data.
  relevance:
    concern: minor
    explanation: UK only.
    studies: {callanan-2012: direct}
overall:
  confidence: moderate
  explanation: Moderate confidence.
"""


@pytest.fixture()
def example(tmp_path: Path) -> Path:
    return copy_example(REPO, tmp_path / "example")


def _sheet(root: Path, finding: str, who: str, text: str) -> Path:
    path = root / "synthesis" / "cerqual" / finding / f"{who}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _refused(root: Path, *args: str) -> str:
    """The command exits 2 with one line and changes no file; returns the line."""
    before = snapshot(root)
    res = run_cli("synthesis", *args, cwd=root)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, res.stderr
    assert snapshot(root) == before
    return res.stderr


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in line)


@pytest.mark.parametrize("edit, needle, words", [
    (("    explanation: Fits the data.\n", "    explanation: ''\n"), "explanation: ''",
     ["missing explanation", "components.coherence.explanation"]),
    (("concern: moderate", "concern: huge"), "concern: huge",
     ["'huge' is not a concern level"]),
    (("confidence: moderate", "confidence: certain"), "confidence: certain",
     ["'certain' is not a confidence level"]),
    (("finding: moral-ethical\n", "finding: moral-ethical\nstudy: croft-2016\n"),
     "study: croft-2016", ["never individual studies"]),
])
def test_bad_worksheets_are_one_line_naming_file_and_line(example, edit, needle, words):
    path = _sheet(example, "moral-ethical", "tompkins", GOOD.replace(*edit))
    where = f"synthesis/cerqual/moral-ethical/tompkins.yaml:{_line_of(path, needle)}:"
    line = _refused(example, "soqf")
    assert line.startswith(f"error: {where}"), line
    for w in words:
        assert w in line, line
    # the other readers meet the same error (in-process: quicker than a command each)
    project = find_project(example)
    for build in (evidence_profile_table, judgements_table):
        with pytest.raises(ReviewkitError) as err:
            build(project)
        assert str(err.value) == line.removeprefix("error: ").strip()
    with pytest.raises(ReviewkitError, match=re.escape(where)):
        compare_rows(project, "moral-ethical")


def _findings(root: Path, text: str) -> Path:
    path = root / "synthesis" / "findings.yaml"
    path.write_text(text, "utf-8")
    return path


def test_bad_findings_are_one_line_naming_file_and_line(example):
    head = "findings:\n  - id: x\n    statement: Something.\n"
    cases = [(head + "    themes: []\n", "- id: x", "rests on no theme"),
             (head + "    themes: [nope]\n", "themes:", "'nope' is not a code"),
             (head + "    themes: [awareness]\n    studies: [croft-2016]\n", "studies:",
              "computed from the finding's themes, never typed")]
    for text, needle, words in cases:
        path = _findings(example, text)
        line = _refused(example, "findings")
        assert line.startswith(f"error: synthesis/findings.yaml:{_line_of(path, needle)}:"), line
        assert words in line


def test_a_finding_from_one_study_is_refused_before_any_assessment(example):
    project = find_project(example)
    book = example / "synthesis" / "codebook.yaml"
    book.write_text(book.read_text("utf-8") + """  - id: croft-only
    name: Only in Croft
    parent: receiving-budgets
    level: code
""", "utf-8")
    code_text(project, "croft-2016-findings", "The US study allowed", "croft-only", "tompkins")
    path = _findings(example, (example / "synthesis" / "findings.yaml").read_text("utf-8")
                     + "  - id: solo\n    statement: One study's result.\n"
                       "    themes: [croft-only]\n")
    sheet = _sheet(example, "solo", "tompkins", GOOD.replace("moral-ethical", "solo")
                   .replace("    studies: {callanan-2012: direct}\n", ""))
    line = _refused(example, "soqf")
    assert line.startswith(f"error: synthesis/cerqual/solo/tompkins.yaml:"
                           f"{_line_of(sheet, 'finding: solo')}:"), line
    assert "CERQual is not applied to one study's own results" in line
    sheet.unlink()
    line = _refused(example, "assess", "solo", "-r", "tompkins")
    assert line.startswith(f"error: synthesis/findings.yaml:{_line_of(path, '- id: solo')}:")
    assert "one study (croft-2016)" in line


def test_two_assessors_compared_then_agreed_in_their_own_file(example):
    a = _sheet(example, "moral-ethical", "tompkins", GOOD)
    b = _sheet(example, "moral-ethical", "parkman", GOOD
               .replace("concern: none\n    explanation: Fits the data.",
                        "concern: minor\n    explanation: One account differs.")
               .replace("confidence: moderate", "confidence: low"))
    originals = {a: a.read_bytes(), b: b.read_bytes()}
    res = run_cli("synthesis", "compare", "moral-ethical", "--format", "csv", cwd=example)
    assert res.returncode == 0, res.stderr
    rows = {r["component"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert list(rows) == ["limitations", "coherence", "adequacy", "relevance", "overall"]
    assert [c for c, r in rows.items() if r["agree"] == "no"] == ["coherence", "overall"]
    assert (rows["coherence"]["tompkins"], rows["coherence"]["parkman"]) == ("none", "minor")
    res = run_cli("synthesis", "compare", "--format", "csv", cwd=example)
    summary = {r["component"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert summary["coherence"]["agreed"] == "0" and summary["adequacy"]["agreed"] == "1"
    assert summary["overall"]["percent"] == "0.0" and summary["limitations"]["percent"] == "100.0"

    consensus = example / "synthesis" / "cerqual" / "moral-ethical" / "consensus.yaml"
    old = consensus.read_bytes()
    line = _refused(example, "consensus", "moral-ethical", "--set", "coherence=minor")
    assert "unresolved disagreements on overall" in line
    agreed = ("consensus", "moral-ethical", "--set", "coherence=@parkman",
              "--set", "overall=moderate")
    # the example's own consensus says otherwise: kept unless --replace
    line = _refused(example, *agreed)
    assert line.strip() == ("error: synthesis/cerqual/moral-ethical/consensus.yaml: already "
                            "holds a consensus that differs on limitations, coherence, "
                            "adequacy, relevance, overall: give --replace to overwrite it")
    res = run_cli("synthesis", *agreed, "--replace", cwd=example)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "wrote synthesis/cerqual/moral-ethical/consensus.yaml"
    assert consensus.read_bytes() != old
    written = consensus.read_bytes()
    res = run_cli("synthesis", *agreed, cwd=example)  # the same again: nothing to change
    assert res.returncode == 0 and res.stdout.startswith("unchanged "), res.stderr
    assert consensus.read_bytes() == written
    data = yaml.safe_load(consensus.read_text("utf-8"))
    assert data["status"] == "final"
    assert data["components"]["coherence"] == {"concern": "minor",
                                               "explanation": "One account differs."}
    assert data["components"]["adequacy"]["concern"] == "moderate"
    assert data["overall"] == {"confidence": "moderate", "explanation": "Moderate confidence."}
    assert {p: p.read_bytes() for p in originals} == originals  # the originals are kept


@pytest.mark.parametrize("confidence, concerns, text", [
    ("moderate", {"limitations": "none", "coherence": "minor", "adequacy": "moderate",
                  "relevance": "none"},
     "Moderate confidence, because of minor concerns regarding coherence and moderate "
     "concerns regarding adequacy"),
    ("low", {"limitations": "serious", "coherence": "minor", "adequacy": "none",
             "relevance": "moderate"},
     "Low confidence, because of serious concerns regarding methodological limitations, "
     "minor concerns regarding coherence and moderate concerns regarding relevance"),
    ("high", {"limitations": "none", "coherence": "none"},
     "High confidence: no or very minor concerns regarding any component"),
    ("very-low", {"dissemination": "serious"},
     "Very low confidence, because of serious concerns regarding dissemination bias"),
])
def test_the_draft_explanation_comes_from_the_levels(confidence, concerns, text):
    assert draft_explanation(confidence, concerns) == text


ANSWERS = ["2", "Only Q6 is no.", "", "1", "The data fit.", "", "3", "Thin.", "",
           "2", "UK only.", "1", "2", "1", "", "", "2"]


def test_the_form_saves_each_answer_as_given_and_drafts_the_explanation(example):
    project = find_project(example)
    walk = AssessWalk(project, "moral-ethical", "parkman")
    path = example / "synthesis" / "cerqual" / "moral-ethical" / "parkman.yaml"
    assert walk.step().key == "limitations.concern" and not path.exists()
    assert "Welch et al. (2017) (2 segments): CASP" in walk.step().help  # most segments first
    with pytest.raises(ReviewkitError, match="type one of"):
        walk.submit("9")
    walk.submit(ANSWERS[0])
    assert yaml.safe_load(path.read_text("utf-8"))["components"]["limitations"]["concern"] \
        == "minor"
    walk = AssessWalk(project, "moral-ethical", "parkman")  # resumes where it stopped
    assert walk.step().key == "limitations.explanation"
    keys = []
    for answer in ANSWERS[1:]:
        keys.append(walk.step().key)
        walk.submit(answer)
        assert yaml.safe_load(path.read_text("utf-8"))["status"] == "draft"
    assert keys[-1] == "overall.confidence" and "relevance.welch-2017" in keys
    step = walk.step()
    assert step.key == "overall.explanation"
    assert step.value == ("Moderate confidence, because of minor concerns regarding "
                          "methodological limitations, moderate concerns regarding adequacy "
                          "and minor concerns regarding relevance")
    walk.submit(step.value + " Edited.")
    assert walk.done
    data = yaml.safe_load(path.read_text("utf-8"))
    assert data["status"] == "final" and data["overall"]["explanation"].endswith("Edited.")
    assert data["components"]["relevance"]["studies"] == {
        "welch-2017": "direct", "callanan-2012": "partial", "whiteford-2016": "direct"}
    assert "dissemination" not in data["components"]


def test_a_second_sitting_on_the_same_worksheet_keeps_what_the_first_saved(example):
    project = find_project(example)
    a = AssessWalk(project, "moral-ethical", "parkman")
    b = AssessWalk(project, "moral-ethical", "parkman")  # a second window, same worksheet
    a.submit(ANSWERS[0])                                 # limitations: concern
    a.submit(ANSWERS[1])                                 # its explanation
    b.submit(ANSWERS[0])                                 # limitations again, from B
    path = example / "synthesis" / "cerqual" / "moral-ethical" / "parkman.yaml"
    limitations = yaml.safe_load(path.read_text("utf-8"))["components"]["limitations"]
    assert limitations["explanation"] == ANSWERS[1]     # A's explanation not wiped by B


def test_the_keyboard_form_writes_what_is_typed(example):
    from reviewkit.tui.assess import assess_app

    app = assess_app(find_project(example), "moral-ethical", "tompkins")

    async def drive() -> None:
        async with app.run_test() as pilot:
            for key in ("3", "enter", *"Thin", "enter"):
                await pilot.press(key)
            await pilot.pause()

    asyncio.run(drive())
    data = yaml.safe_load((example / "synthesis" / "cerqual" / "moral-ethical" /
                           "tompkins.yaml").read_text("utf-8"))
    assert data["components"]["limitations"] == {"concern": "moderate", "explanation": "Thin"}


def test_markdown_soqf_row_count_changes_with_the_findings(example):
    """The SoQF follows findings.yaml: a finding removed is a row fewer, and a finding
    without a worksheet reads 'not yet assessed' with a warning."""
    path = example / "synthesis" / "findings.yaml"
    text = path.read_text("utf-8")
    statements = {f["id"]: " ".join(f["statement"].split())
                  for f in yaml.safe_load(text)["findings"]}
    path.write_text(re.sub(r"  - id: managing\n(    .*\n)+", "", text), "utf-8")
    line = _refused(example, "soqf")  # its worksheet is left behind: named, not ignored
    assert line.startswith("error: synthesis/cerqual/managing/consensus.yaml: no finding")
    shutil.rmtree(example / "synthesis" / "cerqual" / "managing")
    shutil.rmtree(example / "synthesis" / "cerqual" / "awareness")
    res = run_cli("synthesis", "soqf", "--format", "csv", cwd=example)
    rows = {r["statement"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert len(rows) == 7 and statements["managing"] not in rows
    assert rows[statements["awareness"]]["confidence"] == "not yet assessed"
    assert "warning: awareness: no final CERQual worksheet" in res.stderr


def test_what_the_form_shows_is_read_from_the_coding_and_extraction(example):
    """Adequacy's counts, recomputed here from the coding log and the extraction files;
    coherence lists the segments of the finding's `contradicting:` codes."""
    import json

    events = [json.loads(line) for line in
              (REPO / "synthesis/coding/tompkins.jsonl").read_text("utf-8").splitlines()]
    segments = {e["segment"]: e for e in events if e["type"] == "segment"}
    mine = {e["segment"] for e in events if e["type"] == "apply" and e["code"] == "moral-ethical"}
    studies = {segments[s]["source"].removesuffix("-findings") for s in mine}
    words = sum(len(segments[s]["text"].split()) for s in mine)
    people = sum(g["n"] for st in studies for g in yaml.safe_load(
        (REPO / "extraction" / st / "consensus.yaml").read_text("utf-8"))["values"]
        ["participant_groups"])
    path = example / "synthesis" / "findings.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "    themes: [moral-ethical]\n",
        "    themes: [moral-ethical]\n    contradicting: [awareness]\n"), "utf-8")
    walk = AssessWalk(find_project(example), "moral-ethical", "parkman")
    assert walk.evidence.lines("adequacy") == [
        f"{len(studies)} studies, {len(mine)} segments, {words} words, participants: {people}"]
    aware = {segments[e["segment"]]["text"] for e in events
             if e["type"] == "apply" and e["code"] == "awareness"}
    assert {line.removeprefix("contradicting: ") for line in walk.evidence.lines("coherence")} \
        == aware
    relevance = walk.evidence.lines("relevance")
    assert len(relevance) == len(studies)
    for st in studies:
        where = yaml.safe_load((REPO / "extraction" / st / "consensus.yaml")
                               .read_text("utf-8"))["values"]["location"]
        assert sum(f"country {where};" in line for line in relevance) >= 1, st
