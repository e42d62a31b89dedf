"""The worked example at the root (Tompkins et al. 2018; its CERQual assessment is
illustrative): review findings, the Summary of Qualitative Findings and the Evidence
Profile through the real commands, checked against facts read separately (the paper's
themes -> records in tests/data/tompkins_synthesis_facts.yaml, and casp/*/consensus.yaml
read here with plain YAML)."""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from helpers import run_cli

from conftest import REPO

FACTS = yaml.safe_load((Path(__file__).parent / "data" / "tompkins_synthesis_facts.yaml")
                       .read_text("utf-8"))
FINDINGS = yaml.safe_load((REPO / "synthesis" / "findings.yaml").read_text("utf-8"))["findings"]
# the paper cites its records this way
CITES = {"callanan-2012": "Callanan et al. (2012)", "cornes-2015": "Cornes et al. (2015)",
         "croft-2016": "Croft & Parish (2016)", "welch-2013": "Welch et al. (2013)",
         "welch-2017": "Welch et al. (2017)", "whiteford-2016": "Whiteford et al. (2016)"}
LABELS = {"yes": "Yes", "no": "No", "cant_tell": "Can't tell"}


def _ok(*args: str) -> str:
    res = run_cli("synthesis", *args, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr, res.stderr
    return res.stdout


def _csv(*args: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_ok(*args, "--format", "csv"))))


def _records(theme_ids: list[str]) -> set[str]:
    themes = {t["id"]: t for t in FACTS["themes"]}
    out: set[str] = set()
    for t in theme_ids:  # a theme's records include those of the themes below it
        out |= set(themes[t]["records"])
        out |= {r for k in FACTS["themes"] if k["parent"] == t for r in k["records"]}
    return out


def test_contributing_studies_of_each_finding_are_those_of_its_themes():
    rows = {r["finding"]: r for r in _csv("findings")}
    assert list(rows) == [f["id"] for f in FINDINGS]
    for f in FINDINGS:
        got = set(rows[f["id"]]["studies"].split("; "))
        assert got == {CITES[r] for r in _records(f["themes"])}, f["id"]
        assert int(rows[f["id"]]["segments"]) > 0


def _casp_answers(study: str) -> list[str]:
    data = yaml.safe_load((REPO / "casp" / study / "consensus.yaml").read_text("utf-8"))
    return [f"Q{n} {LABELS[str(data['answers'][f'q{n}']['answer']).lower()]}"
            for n in range(1, 11)]


def test_evidence_profile_limitations_list_each_contributing_studys_casp_answers():
    rows = _csv("profile")
    assert len(rows) == len(FINDINGS)
    for f, row in zip(FINDINGS, rows, strict=True):
        cell = row["limitations"]
        parts = cell.split("Appraisals: ", 1)[1].split(" | ")
        studies = _records(f["themes"])
        assert len(parts) == len(studies)
        for study in studies:
            part = next(p for p in parts if p.startswith(CITES[study]))
            assert part.endswith("; ".join(_casp_answers(study))), (f["id"], study)
        for key in ("coherence", "adequacy", "relevance", "confidence", "explanation"):
            assert row[key].strip(), (f["id"], key)


class _Rows(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_soqf_in_md_and_html_has_one_row_per_finding_and_every_explanation():
    md = [line for line in _ok("soqf", "--format", "md").splitlines() if line.startswith("| ")]
    body = md[1:]  # the header, then one row per finding
    assert len(body) == len(FINDINGS)
    for n, (f, line) in enumerate(zip(FINDINGS, body, strict=True), 1):
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert cells[0] == str(n)
        assert cells[2].endswith("confidence") and cells[3], f["id"]
    parser = _Rows()
    parser.feed(_ok("soqf", "--format", "html"))
    rows = [r for r in parser.rows if r and r[0].isdigit()]
    assert [r[0] for r in rows] == [str(n) for n in range(1, len(FINDINGS) + 1)]
    for f, r in zip(FINDINGS, rows, strict=True):
        assert r[1] == " ".join(f["statement"].split())
        assert r[3] and r[3] != "not yet assessed"
        assert set(r[4].split("; ")) == {CITES[s] for s in _records(f["themes"])}


def test_soqf_docx_opened_by_libreoffice_has_every_finding_and_explanation(tmp_path):
    soffice = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists()
                                          else None)
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    PdfReader = pytest.importorskip("pypdf").PdfReader  # noqa: N806 (a class)

    out = tmp_path / "soqf.docx"
    _ok("soqf", "--format", "docx", "-o", str(out))
    env = {**os.environ, "HOME": str(tmp_path)}  # a fresh LibreOffice profile
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(out)], check=True, capture_output=True, timeout=120, env=env)
    text = "\n".join(p.extract_text() or "" for p in PdfReader(tmp_path / "soqf.pdf").pages)
    # the PDF's text runs the cells of a row into each other, line by line: cut it at each
    # row's number and compare the words of each row as bags
    cuts = []
    for n in range(1, len(FINDINGS) + 1):
        m = re.compile(rf"(?:^|\n){n} ").search(text, cuts[-1] if cuts else 0)
        assert m, f"row {n} not found"
        cuts.append(m.end())
    chunks = [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    for f, chunk in zip(FINDINGS, chunks, strict=True):
        sheet = yaml.safe_load((REPO / "synthesis" / "cerqual" / f["id"] / "consensus.yaml")
                               .read_text("utf-8"))
        have = Counter(_words(chunk))
        for want in (f["statement"], sheet["overall"]["explanation"]):
            assert want.strip()
            assert not Counter(_words(want)) - have, (f["id"], want)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


def test_judgements_json_holds_every_part_of_every_worksheet():
    rows = json.loads(_ok("judgements"))
    sheets = sorted((REPO / "synthesis" / "cerqual").glob("*/*.yaml"))
    assert len(rows) == 5 * len(sheets)  # four components and the overall assessment
    for path in sheets:
        data = yaml.safe_load(path.read_text("utf-8"))
        mine = {r["part"]: r for r in rows if r["finding"] == path.parent.name}
        for part, j in data["components"].items():
            assert mine[part]["level"] == j["concern"]
            assert mine[part]["explanation"] == j["explanation"]
        assert mine["overall"]["level"] == data["overall"]["confidence"]


def test_the_report_puts_the_soqf_first_and_the_profile_with_the_synthesis(tmp_path):
    r = run_cli("report", "-o", str(tmp_path / "out"), cwd=REPO)
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "out" / "report.md").read_text("utf-8")
    soqf, methods = md.index("## Summary of qualitative findings"), md.index("## Methods")
    profile = md.index("## Confidence in the findings")
    assert soqf < methods < md.index("## Synthesis") < profile
    findings = yaml.safe_load((REPO / "synthesis" / "findings.yaml").read_text("utf-8"))
    head = md[soqf:methods]
    for f in findings["findings"]:  # every finding's statement, once, in the summary
        assert head.count(" ".join(f["statement"].split())) == 1
    assert "Illustrative: Tompkins et al. (2018) did not use GRADE-CERQual" in head
    assert "GRADE-CERQual Evidence Profile" in md[profile:]
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert page.index('id="soqf"') < page.index('id="methods"') < page.index('id="confidence"')
