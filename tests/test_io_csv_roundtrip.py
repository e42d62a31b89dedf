"""reviewkit's own CSV export read back by reviewkit: the ' the export puts before a
cell a spreadsheet would run as a formula is not kept as part of the text."""

from __future__ import annotations

from helpers import new_project, run_cli
from reviewkit.io import parse_bytes
from reviewkit.records.ids import content_key

TITLES = ["@home monitoring of alcohol use", "-ome studies of budgets",
          "=personal budgets", "+10 years of direct payments", "\tTabbed title",
          "'Quoted' budgets", "Plain budgets"]
RIS = "".join(f"TY  - JOUR\nTI  - {t}\nAU  - {'-Smith, A' if i == 0 else 'Jones, B'}\n"
              f"PY  - 2019\nKW  - @risk\nKW  - budget\nAB  - =an abstract {i}\nER  - \n\n"
              for i, t in enumerate(TITLES))


def test_a_csv_export_reads_back_without_the_formula_guard(tmp_path):
    project, store = new_project(tmp_path, ("db", len(TITLES)))
    src = tmp_path / "src.ris"
    src.write_text(RIS, encoding="utf-8")
    assert run_cli("import", str(src), "--search", "db", cwd=project.root).returncode == 0
    out = tmp_path / "all.csv"
    r = run_cli("export", "-f", "csv", "-o", str(out), cwd=project.root)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "'@home" in text and "'=personal" in text  # the guard is written...
    back = parse_bytes(out.read_bytes(), str(out)).records
    before = {sr.record.title: sr.record for sr in store.iter_records()}
    assert sorted(r.title for r in back) == sorted(before)  # ...and not read back
    for rec in back:
        old = before[rec.title]
        assert rec.authors == old.authors and rec.keywords == old.keywords
        assert rec.abstract == old.abstract
        assert content_key(rec) == content_key(old)


def test_a_leading_quote_in_another_tools_csv_is_kept(tmp_path):
    f = tmp_path / "other.csv"
    f.write_text("title,authors,year\n\"'=not a guard here\",\"Smith, A\",2020\n",
                 encoding="utf-8")
    (rec,) = parse_bytes(f.read_bytes(), str(f)).records
    assert rec.title == "'=not a guard here"
