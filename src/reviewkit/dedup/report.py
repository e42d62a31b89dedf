"""What deduplication did, for the methods section: counts per database and every merge."""

from __future__ import annotations

import json
from collections import Counter

from reviewkit.store.base import Store


def _source_label(store: Store) -> dict[str, str]:
    """record id -> where it came from: the logged search, or the unlogged file."""
    out = {}
    for sr in store.iter_records():
        out[sr.id] = sr.search_id or sr.source
    return out


def per_database(store: Store) -> list[dict]:
    """Per source: records found, kept, removed as duplicates, and of which source."""
    source = _source_label(store)
    found = Counter(source.values())
    removed: Counter = Counter()
    of: dict[str, Counter] = {}
    for rep, members in store.clusters().items():
        for m in members[1:]:
            removed[source[m]] += 1
            of.setdefault(source[m], Counter())[source[rep]] += 1
    rows = []
    for name in sorted(found):
        rows.append({"source": name, "found": found[name], "duplicates": removed[name],
                     "kept": found[name] - removed[name],
                     "duplicates_of": "; ".join(f"{k} {v}" for k, v in sorted(
                         of.get(name, Counter()).items()))})
    rows.append({"source": "total", "found": sum(found.values()),
                 "duplicates": sum(removed.values()),
                 "kept": sum(found.values()) - sum(removed.values()), "duplicates_of": ""})
    return rows


def merges(store: Store) -> list[dict]:
    """Every linked pair with its evidence (how the method or a person decided)."""
    titles = {sr.id: sr.record.title for sr in store.iter_records()}
    rows = []
    for a, b, label, score, outcome, evidence in store.dedup_pairs():
        if outcome not in ("merged", "judged same"):
            continue
        ev = json.loads(evidence) if evidence else {}
        rows.append({"a": a, "b": b, "decided_by": "person" if label == "judged" else "method",
                     "score": score, "evidence": _describe(ev), "title": titles.get(a, "")})
    return rows


def _describe(ev: dict) -> str:
    if not ev:
        return "judged the same by a reviewer"
    if "exact copy" in ev:  # linked without scoring (engine.settle): no title score exists
        return f"exact copy: identical in {ev['exact copy']} compared"
    parts = [f"title {ev['title']}"] if ev.get("title") is not None else []
    for key in ("doi", "pages", "volume", "journal"):
        if ev.get(key) is True:
            parts.append(f"{key} equal")
    if ev.get("authors") is not None:
        parts.append(f"authors {round(ev['authors'])}")
    if ev.get("year_gap") is not None:
        parts.append(f"year gap {ev['year_gap']}")
    return "; ".join(parts)
