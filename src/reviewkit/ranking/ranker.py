"""Ranking for the screener: a plain function and a class that refits off the UI thread."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewkit import __version__
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.models import feature_params, make_classifier, preset
from reviewkit.ranking.query import make_query


def _record_id(record: Any, position: int) -> Hashable:
    if isinstance(record, dict):
        return record.get("id", record.get("record_id", position))
    return getattr(record, "id", position)


@dataclass
class RankedOrder:
    order: list[Hashable]            # unlabelled record ids, most likely relevant first
    model_version: str               # what to log beside each decision made from this order
    n_labelled: int
    seconds: float                   # refit + rerank time


class Ranker:
    """Features for one pile, computed once; ``order(labels)`` refits and reranks.

    scikit-learn style: ``__init__`` stores parameters only; ``prepare`` does the work.
    """

    def __init__(self, model: str | None = None, random_state: int | None = 0,
                 query: str = "max") -> None:
        self.model = model
        self.random_state = random_state
        self.query = query

    def prepare_ids(self, ids: Sequence[Hashable]) -> Ranker:
        """The pile's ids only: enough for ``order`` before both kinds of label exist
        (the seeded start needs no features); ``prepare`` adds the features."""
        self.model_name_, _ = preset(self.model)
        self.ids_ = list(ids)
        self.index_ = {rid: i for i, rid in enumerate(self.ids_)}
        self.ids_array_ = np.empty(len(self.ids_), dtype=object)
        self.ids_array_[:] = self.ids_
        return self

    def prepare(self, records: Sequence[Any], ids: Sequence[Hashable] | None = None,
                features: Any = None) -> Ranker:
        """Compute the TF-IDF features of every record (screened or not)."""
        self.prepare_ids(ids if ids is not None else [
            _record_id(r, i) for i, r in enumerate(records)])
        if features is None:
            features = TextFeatures(**feature_params(self.model_name_)).fit_transform(records)
        self.features_ = features.astype(np.float64, copy=False)  # shared, never written
        # kept between refits: each starts from the last solution (warm start)
        self.classifier_ = make_classifier(self.model_name_, self.random_state, warm_start=True)
        return self

    def order(self, labels: Mapping[Hashable, int]) -> RankedOrder:
        """Unlabelled ids, best first. Before both a relevant and an irrelevant
        label exist, a random order drawn from ``random_state`` (the seeded start)."""
        t = time.perf_counter()
        known = [(self.index_[rid], int(v)) for rid, v in labels.items() if rid in self.index_]
        idx = np.array([i for i, _ in known], dtype=int)
        y = np.array([v for _, v in known], dtype=int)
        pool = np.ones(len(self.ids_), dtype=bool)
        pool[idx] = False
        picker = make_query(self.query, self.random_state)
        if len(set(y.tolist())) < 2:
            scores = np.zeros(len(self.ids_))  # all tied: the seeded permutation decides
            version = f"random-start/{self.random_state}"
        else:
            clf = self.classifier_.fit(self.features_[idx], y)
            scores = clf.decision_function(self.features_)
            version = f"{self.model_name_}/reviewkit-{__version__}/seed-{self.random_state}"
        ranked = picker.order(scores, np.flatnonzero(pool))
        # numpy, not a Python loop: a refit on a worker thread must hold the
        # interpreter lock as little as it can while the screener answers keys
        return RankedOrder(self.ids_array_[ranked].tolist(),
                           f"{version}/h-{self._labels_hash(idx, y)}/n-{len(known)}",
                           len(known), time.perf_counter() - t)

    def _labels_hash(self, idx: np.ndarray, y: np.ndarray) -> str:
        """8 hex digits naming the training set (which records of this pile, which
        labels), so a logged version says exactly what the model had learnt from."""
        if getattr(self, "pile_hash_", None) is None:
            self.pile_hash_ = hashlib.blake2b("\0".join(map(str, self.ids_)).encode(),
                                              digest_size=8).digest()
        order = np.argsort(idx, kind="stable")
        h = hashlib.blake2b(self.pile_hash_, digest_size=4)
        h.update(idx[order].astype(np.int64).tobytes())
        h.update(y[order].astype(np.int8).tobytes())
        return h.hexdigest()


def rank(records: Sequence[Any], labels: Mapping[Hashable, int], random_state: int | None = 0,
         model: str | None = None, ids: Sequence[Hashable] | None = None) -> list[Hashable]:
    """Unlabelled record ids, most likely relevant first (ids from ``ids``, else each
    record's ``id``/``record_id``, else its position)."""
    return Ranker(model, random_state).prepare(records, ids).order(labels).order


class LatestOnly:
    """Runs ``fn`` on a worker thread for the newest submitted argument only.

    ``submit(arg)`` returns at once; arguments that arrive while ``fn`` runs
    are coalesced, so only the newest is used next. ``latest`` holds the
    newest result, ``error`` the exception of a failed run (the worker goes on),
    and ``on_ready`` (if given) is called with each result from the worker thread.
    """

    def __init__(self, fn: Callable[[Any], Any], name: str = "reviewkit-worker",
                 on_ready: Callable[[Any], None] | None = None) -> None:
        self.fn = fn
        self.on_ready = on_ready
        self.latest: Any = None
        self.error: BaseException | None = None
        self._pending: Any = None
        self._has_pending = False
        self._cv = threading.Condition()
        self._closed = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, arg: Any) -> None:
        with self._cv:
            self._pending, self._has_pending = arg, True
            self._cv.notify()

    def wait(self, timeout: float | None = None) -> Any:
        """Block until nothing is pending or running (for scripts and tests)."""
        with self._cv:
            self._cv.wait_for(lambda: not self._has_pending and not self._busy, timeout)
            return self.latest

    def busy(self) -> bool:
        with self._cv:
            return self._busy or self._has_pending

    def close(self, timeout: float | None = None) -> None:
        """Stop the worker once its current run ends; ``timeout`` bounds the wait (a
        quitting screener need not sit through a refit: the thread is a daemon)."""
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._thread.join(timeout)

    def __enter__(self) -> LatestOnly:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._has_pending or self._closed)
                if self._closed:
                    return
                arg, self._pending, self._has_pending = self._pending, None, False
                self._busy = True
            try:
                result, failed = self.fn(arg), None
            except Exception as exc:  # noqa: BLE001 - kept for the caller; the worker goes on
                result, failed = None, exc
            with self._cv:
                if failed is None:
                    self.latest = result
                self.error, self._busy = failed, False
                self._cv.notify_all()
            if failed is None and self.on_ready is not None:
                self.on_ready(result)


class BackgroundRanker(LatestOnly):
    """Refits on a worker thread; the UI asks for the newest order whenever it likes.

    ``submit(labels)`` after every decision returns at once. Requests that
    arrive while a refit runs are coalesced: only the newest labels are used
    next. ``latest`` holds the newest finished ``RankedOrder`` and ``on_ready``
    (if given) is called with it from the worker thread.
    """

    def __init__(self, ranker: Ranker, on_ready: Callable[[RankedOrder], None] | None = None
                 ) -> None:
        self.ranker = ranker
        super().__init__(ranker.order, "reviewkit-ranker", on_ready)

    def submit(self, labels: Mapping[Hashable, int]) -> None:
        super().submit(dict(labels))

    def __enter__(self) -> BackgroundRanker:
        return self
