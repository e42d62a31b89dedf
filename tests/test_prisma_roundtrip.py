"""A counts file moves through reviewkit and back unchanged: the package's own templates
and filled files with their own box texts, in each release's schema; what cannot be kept is
named in a warning."""

from __future__ import annotations

import csv
import io

import pytest

from helpers import run_cli, snapshot
from reviewkit.reporting.prisma import read_counts_csv

from conftest import shared_path

V114 = "reference/prisma2020-r/PRISMA-template-v1.1.4.csv"


def _template() -> str:
    return shared_path(V114).read_bytes().decode("utf-8")


def _set(text: str, key: str, n: str, boxtext: str | None = None) -> str:
    """The row ``key`` with another n (and box text), in the file's own line endings."""
    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)
    for i, line in enumerate(lines):
        row = next(csv.reader([line])) if line else []
        if row and row[0] == key:
            row[7] = n
            if boxtext is not None:
                row[4] = boxtext
            out = io.StringIO()
            csv.writer(out, lineterminator="").writerow(row)
            lines[i] = out.getvalue()
            return eol.join(lines)
    raise AssertionError(f"no row {key}")


def _filled() -> str:
    """The v1.1.4 template filled in by hand, with the team's own box texts."""
    t = _template()
    for key, n, text in [
        ("database_results", "1,250", "Bibliographic databases"),
        ("database_specific_results", "MEDLINE, 700; Embase, 550", None),
        ("register_results", "0", None), ("website_results", "12", "Grey literature sites"),
        ("organisation_results", "3", None), ("citations_results", "9", None),
        ("duplicates", "300", "Duplicates (EndNote and by hand)"),
        ("excluded_automatic", "0", None), ("excluded_other", "0", None),
        ("records_screened", "950", None), ("records_excluded", "900", None),
        ("dbr_sought_reports", "50", None), ("dbr_notretrieved_reports", "2", None),
        ("dbr_assessed", "48", None),
        ("dbr_excluded", "Wrong population, 30; Wrong design, 10", None),
        ("other_sought_reports", "24", None), ("other_notretrieved_reports", "1", None),
        ("other_assessed", "23", None), ("other_excluded", "Not empirical, 20", None),
        ("new_studies", "9", "Studies included"), ("new_reports", "11", None),
        ("total_studies_ma", "4", None), ("total_reports_ma", "4", None),
    ]:
        t = _set(t, key, n, text)
    return t


def _rows(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


@pytest.mark.parametrize("name", ["template", "filled"])
def test_package_files_come_back_byte_identical(tmp_path, name):
    src = tmp_path / f"{name}.csv"
    src.write_bytes((_template() if name == "template" else _filled()).encode("utf-8"))
    before = src.read_bytes()
    res = run_cli("prisma", "--counts", str(src), "--export-counts", str(tmp_path / "out.csv"),
                  cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out.csv").read_bytes() == before  # rows, texts, CRLF, last line
    if name == "filled":
        c = read_counts_csv(src)
        assert c.schema == "1.1.4" and (c.ma_studies, c.ma_reports) == (4, 4)
        assert c.databases.total == 1250 and [x.n for x in c.databases.sources] == [700, 550]
        assert c.included_studies == 9 and c.dbr.excluded_total == 40


def _without(text: str, *keys: str) -> str:
    eol = "\r\n" if "\r\n" in text else "\n"
    return eol.join(line for line in text.split(eol) if line.split(",")[0] not in keys)


def test_schema_is_detected_from_the_rows(tmp_path):
    files = {"1.1.4": _filled(),
             "1.1.3": _without(_filled(), "total_studies_ma", "total_reports_ma"),
             "0.0.3": _without(_filled(), "total_studies_ma", "total_reports_ma",
                               "database_specific_results", "register_specific_results")}
    for want, text in files.items():
        path = tmp_path / f"{want}.csv"
        path.write_text(text, "utf-8", newline="")
        assert read_counts_csv(path).schema == want


def test_an_older_file_gains_the_newer_rows_and_keeps_its_own(tmp_path):
    old = _without(_filled(), "total_studies_ma", "total_reports_ma")
    src = tmp_path / "old.csv"
    src.write_bytes(old.encode("utf-8"))
    res = run_cli("prisma", "--counts", "old.csv", "--export-counts", "new.csv", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    new = _rows((tmp_path / "new.csv").read_bytes())
    assert new[:-2] == _rows(src.read_bytes())  # every row as it was, the two added at the end
    assert [r.split(",")[0] for r in new[-2:]] == ["total_studies_ma", "total_reports_ma"]
    assert new[-1].endswith(",0")  # no meta-analysis: the package's default
    res = run_cli("prisma", "--counts", "old.csv", "--export-counts", "same.csv", "--schema",
                  "1.1.3", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "same.csv").read_bytes() == src.read_bytes()


def test_what_cannot_be_kept_is_named(tmp_path):
    src = tmp_path / "in.csv"
    text = _set(_set(_filled(), "database_results", "NA"), "database_specific_results",
                "MEDLINE, 700; Embase, xxx")
    src.write_bytes(text.encode("utf-8"))
    res = run_cli("prisma", "--counts", "in.csv", "--export-counts", "out.csv", "--schema",
                  "1.1.3", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    warnings = [w for w in res.stderr.splitlines() if w.startswith("warning:")]
    assert any("total_studies_ma (4)" in w and "1.1.3" in w for w in warnings)
    assert any("database_specific_results" in w and "MEDLINE 700" in w for w in warnings)
    out = read_counts_csv(tmp_path / "out.csv")
    assert out.schema == "1.1.3" and out.databases.sources == [] and out.ma_studies is None
    kept = set(_rows((tmp_path / "out.csv").read_bytes()))
    changed = [r for r in _rows(src.read_bytes()) if r not in kept]
    assert [r.split(",")[0] for r in changed] == ["database_specific_results",
                                                  "total_studies_ma", "total_reports_ma"]


def test_bad_schema_exits_2_and_writes_nothing(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(_template().encode("utf-8"))
    before = snapshot(tmp_path)
    res = run_cli("prisma", "--counts", "in.csv", "--export-counts", "out.csv", "--schema",
                  "2.0", cwd=tmp_path)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "1.1.4 or 1.1.3" in res.stderr
    assert snapshot(tmp_path) == before
