"""The dedup benchmark scripts: JSON line of bench/dedup.py, scale input generator."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections import defaultdict

import pytest

from conftest import REPO, SCREENING, shared_path

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))  # the bench scripts are not a package

REQUIRED = ("dataset", "tool", "records", "pair_precision", "pair_recall", "pair_f1",
            "removal_sensitivity", "removal_specificity", "maybe_pairs", "seconds", "peak_rss_mb")


def test_dedup_bench_json_line() -> None:
    path = shared_path("data/dedup/rathbone_haematology.csv")
    done = subprocess.run([sys.executable, str(BENCH / "dedup.py"), "--no-anchor", str(path)],
                          capture_output=True, text=True, timeout=600, check=True)
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == 1  # one file, one tool: bib-dedupe skipped
    line = lines[0]
    assert set(REQUIRED) <= line.keys()
    assert line["dataset"] == "rathbone_haematology"
    assert line["tool"] == "reviewkit"
    assert line["records"] == 1415
    for key in REQUIRED[3:8]:
        assert 0.0 <= line[key] <= 1.0, key
    # a method merging nothing or everything would not get here
    assert line["pair_f1"] > 0.5 and line["removal_specificity"] > 0.9
    assert 0 <= line["maybe_pairs"] < line["records"]
    assert 0 < line["seconds"] < 300
    assert 10 < line["peak_rss_mb"] < 4096
    assert "targets" in done.stderr  # the human-readable table


def _norm_title(title: str) -> str:
    """Independent of the generator and of reviewkit: what stays when dress is removed."""
    t = html.unescape(title)
    t = re.sub(r"<[^>]+>", "", t)
    t = re.sub(r"\s*\[review\]\s*$", "", t, flags=re.IGNORECASE)
    return re.sub(r"[^0-9a-z]", "", t.lower())


@pytest.fixture(scope="module")
def scale():
    shared_path("data/screening")
    import dedup_pile

    return dedup_pile, dedup_pile.base_records(SCREENING)


def test_scale_generator_is_deterministic(scale) -> None:
    mod, base = scale
    first = mod.Generator(11, base).build(3000)
    assert first == mod.Generator(11, base).build(3000)
    assert first != mod.Generator(12, base).build(3000)
    assert len(first) == 3000
    assert len({r["record_id"] for r in first}) == 3000


FIELDS = ("authors", "year", "title", "journal", "volume", "issue", "pages", "doi", "abstract")


def test_scale_duplicates_are_perturbed_copies(scale) -> None:
    mod, base = scale
    rows = mod.Generator(5, base).build(20_000)  # > base size: distinct variants appear too
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["dup_group"]].append(row)
    dup_groups = [g for g in groups.values() if len(g) > 1]
    share = sum(len(g) for g in dup_groups) / len(rows)
    assert 0.3 < share < 0.7  # ~30 % of originals copied 1-3 times
    for group in dup_groups:
        assert all(r["dup_label"] == "1" for r in group)
        assert group[0]["dup_group"] == min(r["record_id"] for r in group)
        assert len({_norm_title(r["title"]) for r in group}) == 1  # one paper under its dress
        assert len({tuple(r[f] for f in FIELDS) for r in group}) > 1  # never all verbatim
        years = [int(r["year"]) for r in group]
        assert max(years) - min(years) <= 2
    assert all(g[0]["dup_label"] == "0" for g in groups.values() if len(g) == 1)


def test_each_copy_differs_from_its_original(scale) -> None:
    mod, base = scale
    gen = mod.Generator(3, base)
    changed: dict[str, int] = defaultdict(int)
    for n in range(600):
        original = gen.original(base[n], 0, n)
        copy = gen.perturb(original)
        diff = [f for f in FIELDS if copy[f] != original[f]]
        assert diff, original["title"]
        for f in diff:
            changed[f] += 1
        assert _norm_title(copy["title"]) == _norm_title(original["title"])
        assert copy["source_db"] != original["source_db"]
    # the kinds of change seen in the real labelled sets all occur
    assert {"title", "authors", "journal", "pages", "doi", "abstract"} <= changed.keys()


def test_variants_are_other_papers(scale) -> None:
    mod, base = scale
    gen = mod.Generator(3, base)
    real = next(r for r in base if r["authors"] and r["abstract"])
    recs = [gen.original(real, k, k) for k in range(len(mod.PREFIXES) + 1)]
    keys = [re.sub(r"[^0-9a-z]", "", r["title"].lower()) for r in recs]
    # no two share a title start or end (so they are not near-copies), nor an abstract
    assert len({k[:40] for k in keys}) == len(keys)
    assert len({k[-40:] for k in keys}) == len(keys)
    assert len({r["abstract"] for r in recs}) == len(recs)
    assert len({r["authors"] for r in recs}) == len(recs)
    assert all(_norm_title(real["title"])[:30] in k for k in keys[1:])  # built from the real one


def test_scale_incremental_step_equals_a_full_run(scale, tmp_path) -> None:
    import dedup_scale

    _, base = scale
    line = dedup_scale.incremental(3000, 300, 11, base, tmp_path)
    assert line["mode"] == "incremental", line["why"]
    assert line["same_as_full_run"] is True
    assert 0 < line["compared_pairs"] and line["incremental_seconds"] > 0
    assert not any(tmp_path.iterdir())  # the project and exports were removed
