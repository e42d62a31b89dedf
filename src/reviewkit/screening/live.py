"""The ranked queue that learns while a reviewer screens (``[screening] order = "ranked"``).

After each decision the model refits on a worker thread (warm-started from the
last fit) and the rest of the queue takes the newest ranking; the record on
screen never changes under the reviewer. The stopping test runs on another
worker thread, never on a keypress.

What the model learns from, for one reviewer's queue:
- settled outcomes (two reviewers agreed, or a conflict was resolved), for everyone;
- the reviewer's own current decisions, at once (a "maybe" counts as relevant);
- never another reviewer's unsettled decision, so one blind reviewer's work
  cannot move a record up or down the other's queue.

Features are the expensive part (minutes at 100k records): they are kept in
``.reviewkit/`` (a cache like the store: delete it any time), keyed by the
records' text and the model's feature settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewkit.project.config import Project
from reviewkit.screening.state import ReviewerLog, StageState
from reviewkit.store.base import Store

RELEVANT = ("include", "maybe")   # a maybe counts as relevant until it is settled
_KEEP = 3                         # feature files kept in .reviewkit (newest first)
_FEATURES: dict[str, Any] = {}    # cache key -> features, for this process
_HANDOVER: dict[tuple, Any] = {}  # the ranker that made a session's first order


def label_of(decision: str) -> int:
    return int(decision in RELEVANT)


def settled_labels(state: StageState, units: list[str]) -> dict[str, int]:
    """Units whose outcome is settled (agreed or resolved): 1 include, 0 exclude."""
    out = {}
    for unit in units:
        outcome = state.outcome(unit)
        if outcome in ("include", "exclude"):
            out[unit] = int(outcome == "include")
    return out


def own_labels(log: ReviewerLog, eligible: set[str]) -> dict[str, int]:
    return {unit: label_of(event["decision"]) for unit, event in log.decided().items()
            if unit in eligible}


def queue_labels(settled: Mapping[str, int], own: Mapping[str, int]) -> dict[str, int]:
    """What one reviewer's ranking learns from: their own labels, settled ones winning."""
    return {**own, **settled}


def stopping_labels(stack: list[dict], undone: set[str], stage: str) -> list[int]:
    """The reviewer's own decisions in the order made, 1 = relevant (maybe too)."""
    return [label_of(e["decision"]) for e in stack
            if e["id"] not in undone and e.get("stage", stage) == stage]


def stopping_now(labels: list[int], total: int) -> Any:
    """The stopping test on one reviewer's labels (runs on a worker thread).

    The one call to switch when the incremental stopping API lands."""
    from reviewkit.ranking.stopping import stopping_status

    return stopping_status(labels, total) if labels else None


# features -------------------------------------------------------------------
def _texts(store: Store, units: list[str]) -> list[dict]:
    out = []
    for unit in units:
        sr = store.get_record(unit)
        r = sr.record if sr is not None else None
        out.append({"id": unit, "title": r.title if r else "",
                    "abstract": r.abstract if r else "",
                    "keywords": list(r.keywords) if r else []})
    return out


def _key(records: list[dict], model: str | None) -> str:
    from reviewkit import __version__
    from reviewkit.ranking.models import feature_params, preset

    name, _ = preset(model)
    h = hashlib.blake2b(digest_size=12)
    h.update(json.dumps([__version__, name, feature_params(name)], sort_keys=True,
                        default=str).encode())
    for r in records:
        h.update(json.dumps([r["id"], r["title"], r["abstract"], r["keywords"]],
                            ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()


def _load(path: Path) -> Any:
    from scipy import sparse

    try:
        return sparse.load_npz(path).tocsr()
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # torn: rebuild
        return None


def _save(folder: Path, key: str, features: Any) -> None:
    from scipy import sparse

    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".features-", suffix=".npz", dir=folder)
    os.close(fd)
    try:
        sparse.save_npz(tmp, features, compressed=False)
        os.replace(tmp, folder / f"features-{key}.npz")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    old = sorted(folder.glob("features-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[_KEEP:]:
        path.unlink(missing_ok=True)


def features(project: Project, records: list[dict], model: str | None = None) -> Any:
    """TF-IDF features of ``records`` (in order), from memory, from .reviewkit, or computed."""
    from reviewkit.ranking.features import TextFeatures
    from reviewkit.ranking.models import feature_params

    key = _key(records, model)
    if key in _FEATURES:
        return _FEATURES[key]
    folder = project.cache_dir / "ranking"
    X = _load(folder / f"features-{key}.npz") if (folder / f"features-{key}.npz").is_file() \
        else None
    if X is None or X.shape[0] != len(records):
        import numpy as np

        X = TextFeatures(**feature_params(model)).fit_transform(records).astype(np.float64)
        _save(folder, key, X)
    _FEATURES.clear()  # one pile per process is plenty: features are large
    _FEATURES[key] = X
    return X


def prepared_ranker(project: Project, store: Store, units: list[str]) -> Any:
    """A Ranker over ``units`` with a fresh (unfitted) classifier and shared features."""
    from reviewkit.ranking.ranker import Ranker

    records = _texts(store, units)
    ranker = Ranker(random_state=project.config.settings.seed)
    return ranker.prepare(records, units, features=features(project, records))


def hand_over(project: Project, stage: str, units: list[str], ranker: Any, version: str,
              settled: dict[str, int]) -> None:
    """Keep the ranker that made a session's first order (its version and the settled
    labels it learnt from) for that session's live queue, so its first refit is warm."""
    _HANDOVER.clear()
    _HANDOVER[(str(project.root), stage, _units_key(units))] = (ranker, version, settled)


def take_over(project: Project, stage: str, units: list[str]) -> tuple | None:
    """(ranker, version, settled labels) handed over for these units, or None."""
    return _HANDOVER.pop((str(project.root), stage, _units_key(units)), None)


def _units_key(units: list[str]) -> str:
    return hashlib.blake2b("\0".join(units).encode(), digest_size=12).hexdigest()


# the live queue -------------------------------------------------------------
@dataclass
class LiveOrder:
    order: list[str]       # every unit: unlabelled best first, then the labelled ones
    version: str           # model version and training-set size (logged with decisions)
    n_labelled: int
    seconds: float         # refit + rerank


class LiveQueue:
    """One reviewer's ranking, refitted in the background after every decision.

    ``submit(own)`` returns at once. ``newest()`` gives the newest finished
    ranking not yet taken (or None): the session rebuilds its queue from it.
    The stopping test runs on a second worker the same way.
    """

    def __init__(self, ranker: Any, settled: Mapping[str, int],
                 on_ready: Callable[[], None] | None = None) -> None:
        from reviewkit.ranking.ranker import LatestOnly

        self.ranker = ranker
        self.settled = dict(settled)
        ping = (lambda _r: on_ready()) if on_ready else None
        self.refitting = LatestOnly(self._rank, "reviewkit-ranker", ping)
        self.stopping = LatestOnly(self._stop, "reviewkit-stopping", ping)
        self._taken: LiveOrder | None = None
        self.refits: list[float] = []  # seconds each refit taken by the queue took
        self.tests: list[float] = []   # seconds each stopping test took

    def _stop(self, args: tuple) -> Any:
        t = time.perf_counter()
        status = stopping_now(stopping_labels(*args[:3]), args[3])
        self.tests.append(time.perf_counter() - t)
        return status

    def _rank(self, own: dict[str, int]) -> LiveOrder:
        ranked = self.ranker.order(queue_labels(self.settled, own))
        # labelled units stay in the queue, last: settled ones this reviewer has not
        # decided still need their decision, and an undone one must come back
        tail = [u for u in self.settled if u not in own] + list(own)
        return LiveOrder(ranked.order + tail, ranked.model_version, ranked.n_labelled,
                         ranked.seconds)

    def submit(self, own: Mapping[str, int]) -> None:
        self.refitting.submit(dict(own))

    def submit_stopping(self, log: ReviewerLog, stage: str, total: int) -> None:
        # copies only: the worker must not read lists the screener is appending to
        self.stopping.submit((list(log.stack), set(log.undone), stage, total))

    def newest(self) -> LiveOrder | None:
        latest = self.refitting.latest
        if latest is None or latest is self._taken:
            return None
        self._taken = latest
        self.refits.append(latest.seconds)
        return latest

    def wait(self, timeout: float | None = None) -> None:
        """Block until both workers are idle (scripts and tests)."""
        self.refitting.wait(timeout)
        self.stopping.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        self.refitting.close(timeout)
        self.stopping.close(timeout)
