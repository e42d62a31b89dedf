"""Which candidate pairs need the full comparison: most end at the first test.

score._compare returns "unlike" (distinct, not kept) when the title ratio, after the
subtitle rescue, is below ``title_variant`` and the two page ranges are not one whole
range. Here that test runs for every pair at once: the title ratios in rapidfuzz's
C loop on both cores (process.cpdist), the page ranges as numbers. What passes goes to
score.compare unchanged, so the verdicts are exactly the pair-by-pair ones; this only
skips pairs that compare would have turned away. It keeps a margin below the
threshold, and sends on every pair the rescue or a rubric could lift.
"""

from __future__ import annotations

import os

from rapidfuzz import fuzz, process

from reviewkit.dedup.features import Features, rules

_CHUNK = 1 << 20  # pairs per cpdist call: bounded memory for a million records
_MARGIN = 0.5     # float32/float64 or rounding differences never lose a pair


def needs_compare(feats: list[Features], codes, n: int):  # -> numpy bool array
    """For each pair code i * n + j: True when score.compare may keep it."""
    import numpy as np

    t = rules()["thresholds"]
    variant, floor = t["title_variant"], t["title_possible"]
    by = {f.index: f for f in feats}
    titles = [""] * n
    key_len = np.zeros(n, dtype=np.int32)
    page_id = np.full(n, -1, dtype=np.int64)
    bare = np.zeros(n, dtype=bool)
    # a key that starts (ends) with another of 30 or more letters shares its first
    # (last) 30: equal hashes of those pick the few pairs the rescue needs checked
    head = np.zeros(n, dtype=np.int64)
    tail = np.zeros(n, dtype=np.int64)
    pages: dict[tuple, int] = {}
    for i, f in by.items():
        titles[i] = f.title
        key_len[i] = len(f.key)
        bare[i] = bool(f.bare_key)
        head[i], tail[i] = hash(f.key[:30]), hash(f.key[-30:])
        if f.pages[2] is not None:  # only a whole page range can rescue a reworded title
            page_id[i] = pages.setdefault(f.pages, len(pages))
    workers = min(2, os.cpu_count() or 1)
    out = np.empty(len(codes), dtype=bool)
    for start in range(0, len(codes), _CHUNK):
        part = codes[start:start + _CHUNK]
        a, b = np.divmod(part, n)
        ratio = process.cpdist([titles[i] for i in a.tolist()], [titles[j] for j in b.tolist()],
                               scorer=fuzz.ratio, dtype=np.float64, workers=workers)
        empty = (key_len[a] == 0) | (key_len[b] == 0)
        ratio[empty] = 0.0  # compare scores a missing title 0
        keep = ratio >= variant - _MARGIN
        keep |= (page_id[a] >= 0) & (page_id[a] == page_id[b])
        keep |= bare[a] | bare[b]
        # the subtitle rescue lifts a ratio below the floor to the floor
        maybe = ~keep & (np.minimum(key_len[a], key_len[b]) >= 30) & (ratio < floor)
        maybe &= (head[a] == head[b]) | (tail[a] == tail[b])
        for k in np.flatnonzero(maybe).tolist():
            x, y = by[int(a[k])].key, by[int(b[k])].key
            if x.startswith(y) or y.startswith(x) or x.endswith(y) or y.endswith(x):
                keep[k] = True
        out[start:start + len(part)] = keep
    return out
