"""The CSVs reviewkit writes, read by the PRISMA2020 R package's own reader (v1.1.4's
PRISMA_data(), run with Debian's R): it must not stop, and every field it parses must be
what reviewkit's own diagram shows in that box."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import new_project, run_cli
from reviewkit.project.session import session
from reviewkit.reporting.prisma import Count, PrismaCounts, Reports, Sources, write_counts_csv
from reviewkit.reporting.prisma.diagram import Diagram, build
from reviewkit.reporting.prisma.project import review_counts

from conftest import REPO, shared_path

READER = "reference/prisma2020-r/run_reader.R"
LINE = re.compile(r"^(?P<indent>\s*)(?P<label>.*?)(?:\u2020)? \(n = (?P<n>[^)]*)\)$")
DRAWN = {"not reported": "NA"}


def r_fields(csv_path: Path) -> dict[str, str]:
    """field -> value as the package's reader parses the file (its own output format)."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (.ci/run installs r-base-core)")
    folder = shared_path(READER).parent
    res = subprocess.run(["Rscript", "run_reader.R", "reader_v1.1.4.R", str(csv_path)],
                         cwd=folder, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    out = dict(line.split("\t", 1) for line in res.stdout.splitlines() if "\t" in line)
    assert "#ERROR" not in out, out["#ERROR"]
    return out


def shown(d: Diagram) -> dict[str, list[tuple[bool, str, str]]]:
    """box id -> its count lines as (indented, label, n as the package writes it)."""
    out = {}
    for b in d.boxes:
        lines = []
        for text in b.lines:
            m = LINE.match(text.replace("\u00a0", " "))
            if m:
                n = m["n"]
                lines.append((bool(m["indent"]), m["label"], DRAWN.get(n, n)))
        out[b.id] = lines
    return out


def value(lines: list[tuple[bool, str, str]], label: str) -> str:
    (n,) = [n for indent, lab, n in lines if not indent and lab == label]
    return n


def listed(lines: list[tuple[bool, str, str]], label: str) -> str:
    """The indented lines under ``label``, as the reader prints a parsed list."""
    at = [i for i, (indent, lab, _) in enumerate(lines) if not indent and lab == label][0]
    items = []
    for indent, lab, n in lines[at + 1:]:
        if not indent:
            break
        items.append(f"{lab}|{n}")
    return "[" + " ; ".join(items) + "]"


def check(c: PrismaCounts, csv_path: Path, notes: list[str]) -> dict[str, str]:
    """Every parsed field against the box of reviewkit's diagram that shows it."""
    got, d = r_fields(csv_path), build(c)
    boxes = {b.id: b for b in d.boxes}
    s = shown(d)
    ident = s["identified"]
    assert got["database_results"] == value(ident, "Databases")
    assert got["register_results"] == value(ident, "Registers")
    for key, label in (("database_specific_results", "Databases"),
                       ("register_specific_results", "Registers")):
        drawn = listed(ident, label)
        if drawn == "[]":  # no list: the package gets the total as one unnamed line
            assert got[key] == f"[|{value(ident, label)}]"
        elif got[key] != drawn:  # only a list beside an unknown total, and said so
            assert value(ident, label) == "NA" and got[key] == "[|NA]"
            assert any(n.startswith(key) for n in notes)
    removed = s["removed"]
    for key, label in (("duplicates", "Duplicate records removed"),
                       ("excluded_automatic", "Records marked as ineligible by automation "
                                              "tools"),
                       ("excluded_other", "Records removed for other reasons")):
        assert got[key] == value(removed, label)
    assert got["records_screened"] == value(s["screened"], "Records screened")
    assert got["records_excluded"] == value(s["records_excluded"], "Records excluded**")
    for p, col in (("dbr", ""), ("other", "other_")):
        if f"{col}sought" not in boxes:  # no such column drawn: nothing the package may draw
            for key in ("sought_reports", "notretrieved_reports", "assessed"):
                assert got[f"{p}_{key}"] in ("NA", "0")
            assert got[f"{p}_excluded"] in ("[|NA]", "[|0]")
            continue
        assert got[f"{p}_sought_reports"] == value(s[f"{col}sought"], "Reports sought for "
                                                   "retrieval")
        assert got[f"{p}_notretrieved_reports"] == value(s[f"{col}not_retrieved"],
                                                         "Reports not retrieved")
        assert got[f"{p}_assessed"] == value(s[f"{col}assessed"],
                                             "Reports assessed for eligibility")
        excl = s[f"{col}reports_excluded"]
        if boxes[f"{col}reports_excluded"].lines[0] == "Reports excluded:":  # with reasons
            want = "[" + " ; ".join(f"{lab}|{n}" for _, lab, n in excl) + "]"
        else:
            want = f"[|{value(excl, 'Reports excluded')}]"
        assert got[f"{p}_excluded"] == want
    other = s.get("other_identified", [])
    for key, label in (("website_results", "Websites"), ("organisation_results",
                                                         "Organisations"),
                       ("citations_results", "Citation searching")):
        # no column drawn: the review used no other method, or none is known
        assert got[key] == value(other, label) if other else got[key] in ("0", "NA")
    included = s["included"]
    if c.is_update:
        assert got["new_studies"] == value(included, "New studies included in review")
        assert got["new_reports"] == value(included, "Reports of new included studies")
        prev, total = s["previous"], s["total"]
        assert got["previous_studies"] == value(
            prev, "Studies included in previous version of review")
        assert got["previous_reports"] == value(
            prev, "Reports of studies included in previous version of review")
        assert got["total_studies"] == value(total, "Total studies included in review")
        assert got["total_reports"] == value(total, "Reports of total included studies")
        assert got["new_studies_text"] == "New studies included in review"
    else:
        assert got["new_studies"] == value(included, "Studies included in review")
        assert got["new_reports"] == value(included, "Reports of included studies")
        assert got["previous_studies"] == got["previous_reports"] == "0"  # no previous box
        assert got["new_studies_text"] == "Studies included in review"  # not "new studies"
    assert got["newstud_text"] == boxes["head_databases"].lines[0]
    if "head_other" in boxes:
        assert got["other_text"] == boxes["head_other"].lines[0]
    meta = s.get("meta_analysis")
    assert got["total_studies_ma"] == (value(meta, "Studies included in meta-analysis")
                                       if meta else "0")  # 0: the package's "none"
    assert got["total_reports_ma"] == (value(meta, "Reports of studies included in "
                                                   "meta-analysis") if meta else "0")
    return got


def test_root_example_export(tmp_path):
    res = run_cli("prisma", "--export-counts", str(tmp_path / "cli.csv"), cwd=REPO)
    assert res.returncode == 0, res.stderr
    with session(REPO) as (project, store):
        counts, _ = review_counts(project, store)
    got = check(counts, tmp_path / "cli.csv", [])
    # the paper's numbers: 4 studies (programmes) in 6 reports, 1,934 duplicates
    assert (got["new_studies"], got["new_reports"], got["duplicates"]) == ("4", "6", "1,934")
    assert got["database_specific_results"].startswith("[Medline (Ovid)|1,270 ; ")


def test_demo_export(tmp_path):
    from reviewkit.demo import build_demo
    demo = build_demo(tmp_path / "demo")
    out = tmp_path / "demo.csv"
    with session(demo.root) as (project, store):
        counts, _ = review_counts(project, store)
    notes = write_counts_csv(counts, out)
    got = check(counts, out, notes)
    assert got["new_studies"] == f"{demo.included:,}"


def test_unknown_counts(tmp_path):
    c = PrismaCounts(databases=Sources(None, []), registers=Sources(0),
                     websites=Sources(None), organisations=Sources(0), citations=Sources(3),
                     screened=120, dbr=Reports(40, None, None, []), other=Reports(3, 0, 3),
                     included_studies=5)
    out = tmp_path / "unknown.csv"
    notes = write_counts_csv(c, out)
    assert any("records removed before screening are all unknown" in n for n in notes)
    got = check(c, out, notes)
    assert got["duplicates"] == got["database_results"] == got["dbr_assessed"] == "NA"


def test_partly_known_database_list(tmp_path):
    c = PrismaCounts(databases=Sources(None, [Count("Medline", 120), Count("Embase", None)]),
                     registers=Sources(None, [Count("ClinicalTrials.gov", 4)]),
                     duplicates=10, automation_excluded=0, removed_other=0)
    out = tmp_path / "partly.csv"
    notes = write_counts_csv(c, out)
    got = check(c, out, notes)
    assert got["database_results"] == "NA" and got["register_results"] == "4"
    assert got["register_specific_results"] == "[ClinicalTrials.gov|4]"
    assert any("Medline 120" in n for n in notes)  # what the package could not be given


def test_updated_review(tmp_path):
    prev = PrismaCounts(included_studies=5, included_reports=7)
    write_counts_csv(prev, tmp_path / "previous.csv")
    project, store = new_project(tmp_path, ("medline", 30))
    store.close()
    (project.root / "studies.toml").write_text(
        '[[study]]\nid = "a"\ncitation = "A"\nprogramme = "p"\n'
        '[[study]]\nid = "b"\ncitation = "B"\nprogramme = "p"\n', "utf-8")
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[prisma]\nprevious = "{tmp_path / "previous.csv"}"\n'
                 'meta_analysis = { studies = 3, reports = 4 }\n')
    with session(project.root) as (project, store):
        counts, _ = review_counts(project, store)
    out = tmp_path / "update.csv"
    notes = write_counts_csv(counts, out)
    got = check(counts, out, notes)
    assert (got["previous_studies"], got["new_studies"], got["total_studies"]) == ("5", "1", "6")
    assert (got["previous_reports"], got["new_reports"], got["total_reports"]) == ("7", "2", "9")
    assert (got["total_studies_ma"], got["total_reports_ma"]) == ("3", "4")
    assert got["newstud_text"] == "Identification of new studies via databases and registers"
