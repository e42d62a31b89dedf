"""The live ranking's features, cached in .reviewkit/ranking/ (a deletable cache: a torn
file is rebuilt), and the ranker that made a sitting's first order, handed to its live
queue so that the first refit is warm."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from reviewkit.project.config import Project
from reviewkit.store.base import Store

_KEEP = 3                         # feature files kept in .reviewkit (newest first)
_FEATURES: dict[str, Any] = {}    # cache key -> features, for this process
_HANDOVER: dict[tuple, Any] = {}  # the ranker that made a session's first order


def _key(records: list[dict], model: str | None) -> str:
    from reviewkit import __version__
    from reviewkit.ranking.models import feature_params, preset

    name, _ = preset(model)
    h = hashlib.blake2b(digest_size=12)
    h.update(json.dumps([__version__, name, feature_params(name)], sort_keys=True,
                        default=str).encode())
    # the fields' lengths, each record's keyword count and the fields run together: no
    # two piles give the same bytes, and three joins cost far less than a JSON document
    # per record (2 s at 100k records)
    fields: list[str] = []
    for r in records:
        fields += (r["id"], r["title"], r["abstract"], *r["keywords"])
    h.update(",".join(map(str, map(len, fields))).encode())
    h.update(b";" + ",".join(str(len(r["keywords"])) for r in records).encode() + b";")
    h.update("".join(fields).encode("utf-8", "surrogatepass"))
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


def features_and_file(project: Project, records: list[dict], model: str | None = None
                      ) -> tuple[Any, Path]:
    """The features and the .reviewkit file that holds them (the live worker reads it)."""
    return _cached(project, _key(records, model), len(records), lambda: records, model)


def _store_key(store: Store, units: list[str], model: str | None) -> str | None:
    """The features' key from the store's record checksums and the units, without
    reading a record (None: the store cannot vouch for its content)."""
    from reviewkit import __version__
    from reviewkit.ranking.models import feature_params, preset

    content = store.content_key()
    if content is None:
        return None
    name, _ = preset(model)
    h = hashlib.blake2b(digest_size=12)
    h.update(json.dumps(["store", __version__, name, feature_params(name), content],
                        sort_keys=True, default=str).encode())
    h.update("\0".join(units).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _cached(project: Project, key: str, n: int, records: Any, model: str | None
            ) -> tuple[Any, Path]:
    """From memory, from .reviewkit, or computed from ``records()`` (read only then)."""
    import numpy as np

    from reviewkit.ranking.features import TextFeatures
    from reviewkit.ranking.models import feature_params

    folder = project.cache_dir / "ranking"
    path = folder / f"features-{key}.npz"
    X = _FEATURES.get(key)
    if X is None and path.is_file():
        X = _load(path)
        if X is not None and X.shape[0] != n:
            X = None
    if X is None:
        X = TextFeatures(**feature_params(model)).fit_transform(records())
    if not path.is_file():
        _save(folder, key, X.astype(np.float32))  # what TextFeatures makes: half the disk
    X = X.astype(np.float64, copy=False)
    _FEATURES.clear()  # one pile per process is plenty: features are large
    _FEATURES[key] = X
    return X, path


def prepared_ranker(project: Project, store: Store, units: list[str]) -> Any:
    """A Ranker over ``units`` with a fresh (unfitted) classifier and shared features."""
    from reviewkit.ranking.ranker import Ranker

    key = _store_key(store, units, None)
    if key is None:
        X, path = features_and_file(project, store.ranking_texts(units))
    else:  # the records are read only if the features must be computed
        X, path = _cached(project, key, len(units), lambda: store.ranking_texts(units), None)
    ranker = Ranker(random_state=project.config.settings.seed).prepare([], units, features=X)
    ranker.features_file_ = path
    return ranker


def hand_over(project: Project, stage: str, units: list[str], ranker: Any, version: str,
              settled: dict[str, int]) -> None:
    """Keep the ranker that made a session's first order (its version and the settled
    labels it learnt from) for that session's live queue, so its first refit is warm.
    ``ranker`` None: the order needed no features (the seeded start); the queue's worker
    reads or computes them."""
    _HANDOVER.clear()
    _HANDOVER[(str(project.root), stage, _units_key(units))] = (ranker, version, settled)


def take_over(project: Project, stage: str, units: list[str]) -> tuple | None:
    """(ranker, version, settled labels) handed over for these units, or None."""
    return _HANDOVER.pop((str(project.root), stage, _units_key(units)), None)


def _units_key(units: list[str]) -> str:
    return hashlib.blake2b("\0".join(units).encode(), digest_size=12).hexdigest()
