"""The BibTeX export cited from a real LaTeX document: every special character of a
title compiles, and reviewkit reads the file back to the same text."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from reviewkit.io import parse_bytes
from reviewkit.io.bibtex_out import write_bibtex
from reviewkit.records.model import Record
from reviewkit.store.base import StoredRecord

TITLES = ["Ca^2+ signalling & budgets", "Costs of 50% ~ $5_000 {risk} #1", "x^y^z"]


def bibtex(titles: list[str]) -> str:
    out = io.StringIO()
    write_bibtex([StoredRecord(f"db/{i}", "db", "s1", "f.ris",
                               Record(title=t, year=2020, authors=[f"Smith{i}, Ann"],
                                      journal="J. Tests"))
                  for i, t in enumerate(titles)], out)
    return out.getvalue()


def test_a_caret_is_escaped_and_reads_back():
    text = bibtex(TITLES)
    assert "^" not in text.replace(r"\textasciicircum{}", "")
    back = parse_bytes(text.encode("utf-8"), "x.bib").records
    assert [r.title for r in back] == TITLES


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("bibtex") is None,
                    reason="pdflatex/bibtex not installed (sudo apt-get install "
                           "texlive-latex-base)")
def test_the_export_compiles_in_a_latex_document(tmp_path):
    (tmp_path / "refs.bib").write_text(bibtex(TITLES), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\begin{document}\n"
        "\\nocite{*}\n\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n")
    steps = [["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
             ["bibtex", "doc"],
             ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]]
    for step in steps:
        res = subprocess.run(step, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0
