"""At the repository root (the 2018 review), `synthesis matrix` and `synthesis quotes` give
the paper's theme x record support and its quotes, checked against facts read from the
paper by hand (tests/data/tompkins_synthesis_facts.yaml), through the real command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from helpers import run_cli

from conftest import REPO

FACTS = yaml.safe_load((Path(__file__).parent / "data" / "tompkins_synthesis_facts.yaml")
                       .read_text("utf-8"))
STUDIES = ["callanan-2012", "cornes-2015", "croft-2016", "welch-2013", "welch-2017",
           "whiteford-2016"]


def _csv(*args: str) -> list[dict]:
    res = run_cli("synthesis", *args, "--format", "csv", cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr, res.stderr
    return list(csv.DictReader(io.StringIO(res.stdout)))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_matrix_gives_the_records_the_paper_cites_under_each_theme():
    rows = {r["code"]: r for r in _csv("matrix")}
    assert set(rows) == {t["id"] for t in FACTS["themes"]}
    for theme in FACTS["themes"]:
        row = rows[theme["id"]]
        assert row["theme"] == theme["name"]
        cited = sorted(s for s in STUDIES if int(row[s]) > 0)
        assert cited == sorted(theme["records"]), theme["id"]
        assert int(row["studies"]) == len(theme["records"])


def test_quotes_give_the_papers_quotes_with_their_records_roles_and_themes():
    names = {t["id"]: t["name"] for t in FACTS["themes"]}
    got = [(q["study"], q["role"], _words(q["text"]), q["code"].split(" > ")[-1])
           for q in _csv("quotes", "--role", "participant quote")]
    want = [(q["record"], q["role"], _words(q["text"]), names[q["theme"]])
            for q in FACTS["quotes"]]
    assert sorted(got) == sorted(want)
    everything = _csv("quotes")  # the authors' sentences are there too, as interpretation
    assert {q["role"] for q in everything} == {"participant quote", "author interpretation"}
    assert len(everything) > len(got)
