"""The report promises an appendix of search strings only for the strings it holds."""

from __future__ import annotations

import io

import docx
import pytest

from helpers import new_project
from reviewkit.reporting.report import build_report, render_docx, render_report
from reviewkit.searches.log import Search, add_search

PROMISE = "strings are given in the appendix"


def texts(project, store) -> dict[str, str]:
    report = build_report(project, store)
    out = {fmt: render_report(report, fmt, project.root) for fmt in ("md", "html", "latex")}
    word = docx.Document(io.BytesIO(render_docx(report, project.root)))
    out["docx"] = "\n".join([p.text for p in word.paragraphs] + [
        c.text for t in word.tables for row in t.rows for c in row.cells])
    return out


@pytest.mark.parametrize("strings", [(), ("exp budget/",), ("exp budget/", "budget*.ti.")])
def test_the_appendix_is_promised_only_for_logged_strings(tmp_path, strings):
    project, store = new_project(tmp_path)
    names = ["Medline", "Embase"]
    for i, name in enumerate(names):
        add_search(project, Search(id=name.lower(), database=name, hits=10,
                                   search_string=strings[i] if i < len(strings) else ""))
    for fmt, text in texts(project, store).items():
        flat = " ".join(text.split())
        if not strings:
            assert PROMISE not in flat and "No search string is logged." in flat, fmt
            assert "Appendix" not in flat, fmt
        else:
            assert PROMISE in flat, fmt
            assert ("none is logged for Embase" in flat) == (len(strings) == 1), fmt


def test_a_searchs_notes_reach_the_report(tmp_path):
    # PRISMA-S 4: a grey-literature entry names its sources only in its notes
    project, store = new_project(tmp_path)
    add_search(project, Search(id="grey", database="Grey literature", kind="website",
                               hits=5, notes="Sources: OpenGrey;\nEThOS."))
    add_search(project, Search(id="medline", database="Medline", hits=10))
    for fmt, text in texts(project, store).items():
        flat = " ".join(text.split())
        assert "Grey literature: Sources: OpenGrey; EThOS." in flat, fmt
        assert "Medline:" not in flat, fmt  # no notes, no line


def test_a_database_searched_again_is_one_database_in_the_methods(tmp_path):
    project, store = new_project(tmp_path)
    for sid, date in (("medline", "2019-01"), ("medline-update", "2020-03")):
        add_search(project, Search(id=sid, database="MEDLINE", platform="Ovid", hits=10,
                                   date_run=date))
    add_search(project, Search(id="embase", database="Embase", hits=4, date_run="2019-01"))
    flat = " ".join(texts(project, store)["md"].split())
    assert ("2 databases and registers were searched (Embase; MEDLINE (Ovid); 3 searches in "
            "all) between 2019-01 and 2020-03") in flat
