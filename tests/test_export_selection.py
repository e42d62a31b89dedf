"""`export --unique`, `--stage/--decision` and `--studies`: the sets a team takes elsewhere."""

from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import run_cli, snapshot
from reviewkit.demo import build_demo
from reviewkit.io import parse_bytes
from reviewkit.project.session import session
from reviewkit.records.studies import load_studies


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("exp") / "review")


def rows(demo, *args: str) -> list[dict]:
    r = run_cli("export", "-f", "csv", *args, cwd=demo.root)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def test_unique_has_one_row_per_cluster_with_every_member(demo):
    every = rows(demo)
    unique = rows(demo, "--unique")
    status = run_cli("status", "--format", "json", cwd=demo.root)
    assert status.returncode == 0, status.stderr
    assert len(every) == demo.records > len(unique) == demo.unique == 300
    assert json.loads(status.stdout)[0]["unique_records"] == len(unique)
    members = [m for row in unique for m in row["members"].split("; ")]
    assert sorted(members) == sorted(r["id"] for r in every)  # each record once, none lost
    assert all(row["members"].split("; ")[0] == row["id"] for row in unique)
    # a cluster's row has what any member has: no unique row lacks an abstract a member has
    by_id = {r["id"]: r for r in every}
    for row in unique:
        if any(by_id[m]["abstract"] for m in row["members"].split("; ")):
            assert row["abstract"]


def test_full_text_includes_are_the_published_inclusions(demo):
    included = rows(demo, "--stage", "full-text", "--decision", "include")
    assert len(included) == demo.included
    assert {r["decision"] for r in included} == {"include"}
    everyone = rows(demo, "--stage", "title-abstract")
    assert len(everyone) == 300 and "include" in {r["decision"] for r in everyone}
    ta = [r for r in everyone if r["decision"] == "include"]
    assert len(rows(demo, "--stage", "full-text")) == len(ta)  # full text screens TA includes


def test_ris_keeps_labels_where_zotero_and_endnote_keep_them(demo):
    r = run_cli("export", "--stage", "full-text", "--decision", "include", cwd=demo.root)
    assert r.returncode == 0, r.stderr
    parsed = parse_bytes(r.stdout.encode("utf-8"), "included.ris")
    assert len(parsed.records) == demo.included
    for rec in parsed.records:
        tags = [(t, v) for t, v in rec.raw]
        assert ("KW", "reviewkit:full-text:include") in tags
        assert any(t == "N1" and v.startswith("reviewkit members: ") for t, v in tags)
        assert "reviewkit:full-text:include" in rec.keywords


def test_studies_export_lists_their_reports(demo):
    with session(demo.root) as (project, _):
        reports = {rid: s.id for s in load_studies(project) for rid in s.reports}
    got = rows(demo, "--studies")
    assert {r["id"]: r["study"] for r in got} == reports and reports


@pytest.mark.parametrize("args, words", [
    (["--decision", "include"], "--decision needs --stage"),
    (["--stage", "full-text", "--decision", "yes"], "unknown decision 'yes'"),
    (["--stage", "abstracts"], "abstracts"),
])
def test_mistakes_are_one_line_and_write_nothing(demo, args, words):
    before = snapshot(demo.root)
    r = run_cli("export", *args, "-o", str(demo.root / "out.ris"), cwd=demo.root)
    assert r.returncode == 2 and words in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert snapshot(demo.root) == before

