"""The bulk pair path (block.candidate_codes, prefilter.needs_compare) against the plain
statement of the method: every pair the keys and the title window name, each compared
with score.compare. Both must give the same pairs and the same verdicts."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from reviewkit.dedup.block import _KINDS, candidate_pairs, sort_strings
from reviewkit.dedup.engine import exact_copies, pair_verdicts, uncopied
from reviewkit.dedup.features import Features, features, rules
from reviewkit.dedup.score import CERTAIN, POSSIBLE, compare

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dedup"


def reference_pairs(feats: list[Features]) -> set[tuple[int, int]]:
    """Blocks of each key kind (all pairs; neighbours by title sort when over the
    limit), then each record with the next `neighbourhood` records in both title orders."""
    t = rules()["thresholds"]
    out: set[tuple[int, int]] = set()

    def add(a: int, b: int) -> None:
        out.add((min(a, b), max(a, b)))

    def title_order(f: Features) -> str:
        return sort_strings(f, f"{f.index:012d}")[0]

    for key_of in _KINDS.values():
        blocks = defaultdict(list)
        for f in feats:
            if (k := key_of(f)) is not None:
                blocks[k].append(f)
        for members in blocks.values():
            if len(members) > t["max_block"]:
                members = sorted(members, key=title_order)
                for x, y in zip(members, members[1:], strict=False):
                    add(x.index, y.index)
            else:
                for i, x in enumerate(members):
                    for y in members[i + 1:]:
                        add(x.index, y.index)
    for col in (0, 1):
        order = sorted(feats, key=lambda f: sort_strings(f, f"{f.index:012d}")[col])
        for i, x in enumerate(order):
            for y in order[i + 1:i + 1 + t["neighbourhood"]]:
                if x.key and y.key:
                    add(x.index, y.index)
    return out


def synthetic() -> list[dict]:
    """Records that reach every branch: a DOI block over the limit, empty titles,
    subtitles (the rescue), rubrics, whole page ranges with reworded titles."""
    recs = []
    for i in range(rules()["thresholds"]["max_block"] + 6):  # one supplement DOI
        recs.append({"title": f"Abstract {i} of a congress on pain and its many treatments",
                     "doi": "10.1000/supp.1", "authors": f"Name{i}, A", "year": "2020",
                     "pages": f"S{i}"})
    main = "Digital nudging in online marketplaces and the design of choice architecture"
    recs += [
        {"title": main, "authors": "Weber, K", "year": "2019", "pages": "10-20",
         "journal": "J Inf Syst", "volume": "4"},
        {"title": main + ": a field experiment with three platforms and many users",
         "authors": "Weber, K", "year": "2019", "pages": "10-20",
         "journal": "J Inf Syst", "volume": "4"},
        {"title": "Research note: " + main, "authors": "Weber, K", "year": "2019"},
        {"title": "Akzeptanz digitaler Entscheidungsarchitektur in Online-Marktplatzen",
         "authors": "Weber, K", "year": "2019", "pages": "10-20", "journal": "J Inf Syst",
         "volume": "4", "issue": "2"},
        {"title": "", "authors": "Weber, K", "year": "2019", "pages": "10-20"},
        {"title": "", "authors": "Weber, K", "year": "2019", "pages": "10-20"},
    ]
    return [{k: r.get(k, "") for k in ("title", "authors", "year", "journal", "volume",
                                       "issue", "pages", "doi", "abstract", "issn")}
            for r in recs]


def shared_sets() -> list[list[dict]]:
    if not SHARED.is_dir():
        return []
    out = []
    for path in sorted(SHARED.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out.append([{"title": r.get("title", ""), "authors": r.get("authors", ""),
                         "year": r.get("year", ""), "journal": r.get("journal", ""),
                         "volume": r.get("volume", ""), "issue": r.get("issue", ""),
                         "pages": r.get("pages", ""), "doi": r.get("doi", ""),
                         "abstract": r.get("abstract", ""),
                         "issn": r.get("isbn_issn", "") or r.get("issn", "")}
                        for r in csv.DictReader(fh)])
    return out


def check(records: list[dict]) -> int:
    feats = [features(i, r) for i, r in enumerate(records)]
    blocking = uncopied(feats, exact_copies(feats, {}))
    pairs = list(candidate_pairs(blocking))
    assert pairs == sorted(reference_pairs(blocking))
    plain = []
    for a, b in pairs:
        v = compare(feats[a], feats[b])
        if v.label in (CERTAIN, POSSIBLE):
            plain.append((a, b, v))
    assert pair_verdicts(feats, blocking, {}) == plain
    return len(plain)


def test_bulk_path_equals_the_plain_method_on_synthetic_records():
    kept = check(synthetic())
    assert kept >= 3  # the rescue, the rubric and the page-range pairs are found


def test_bulk_path_equals_the_plain_method_on_the_shared_sets():
    sets = shared_sets()
    if not sets:
        pytest.skip("../shared/data/dedup/ is not here")
    for records in sets:
        assert check(records) > 0
