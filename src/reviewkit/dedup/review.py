"""A person's review of possible duplicates: plain data that any skin (TUI, script) shows.

``pending_pairs`` lists the queued pairs with both records' fields aligned and
compared; ``judge`` logs a same/different (durably) and re-runs dedup; ``undo``
withdraws a judgement with a new log line; ``ReviewQueue`` is one sitting's walk
through the queue (what to show next, n of N, skip, undo), with no screen code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from reviewkit.dedup.features import Features, features, fold
from reviewkit.dedup.judgements import append_judgement, append_undo
from reviewkit.dedup.run import DedupSummary, as_fields, record_judgement, run_dedup
from reviewkit.dedup.score import journals_agree
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.project.session import lock, session
from reviewkit.screening.reviewers import require_reviewer, resolve_reviewer
from reviewkit.store import open_store
from reviewkit.store.base import Store, StoredRecord

# Display order, fixed so the eye learns where to look; abstract last (longest).
FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"), ("authors", "Authors"), ("year", "Year"), ("journal", "Journal"),
    ("volume", "Volume"), ("issue", "Issue"), ("pages", "Pages"), ("doi", "DOI"),
    ("issn", "ISSN"), ("database", "Source"), ("abstract", "Abstract"))
SAME, DIFFERENT, MISSING, EMPTY, INFO = "same", "different", "missing", "empty", "info"
_NONWORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    a: str
    b: str
    status: str  # same | different | missing (one side blank) | empty | info (source)


@dataclass(frozen=True)
class PairView:
    a: str
    b: str
    label: str          # the method's class: possible
    score: float
    evidence: dict      # the method's evidence, as stored with the pair
    rows: tuple[FieldRow, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.a, self.b)

    @property
    def differing(self) -> list[str]:
        return [r.name for r in self.rows if r.status == DIFFERENT]

    def summary(self) -> str:
        """The method's evidence in one sentence a reviewer can check against the rows."""
        ev = self.evidence
        sims = [f"title {ev.get('title', 0):.0f}%"]
        for key in ("authors", "abstract"):
            if ev.get(key) is not None:
                sims.append(f"{key} {ev[key]:.0f}%")
        if ev.get("year_gap") is not None:
            sims.append("same year" if ev["year_gap"] == 0 else f"years {ev['year_gap']} apart")
        parts = [f"Similarity: {', '.join(sims)}."]
        checks = ("doi", "pages", "volume", "journal")
        agree = [k for k in checks if ev.get(k) is True]
        conflict = sorted({k for k in checks if ev.get(k) is False}
                          | set(ev.get("hard", [])) | set(ev.get("soft", [])))
        unknown = [k for k in checks if ev.get(k) is None]
        for title, names in (("Agree", agree), ("Conflict", conflict),
                             ("Cannot compare", unknown)):
            if names:
                parts.append(f"{title}: {', '.join(names)}.".replace("doi", "DOI"))
        return " ".join(parts)


def _values(sr: StoredRecord) -> dict[str, str]:
    shown = {k: "" if v is None else str(v) for k, v in as_fields(sr).items()}
    shown["database"] = sr.record.database or sr.search_id or sr.source
    return shown


def _words(text: str) -> str:
    return " ".join(_NONWORD.sub(" ", fold(text)).split())


def _equal(name: str, fa: Features, fb: Features, va: str, vb: str) -> bool:
    """Equal once normalised the way the method sees them (DOI case, page styles, ...)."""
    if name == "title":
        return fa.title == fb.title
    if name == "authors":
        return fa.authors == fb.authors
    if name == "journal":
        return journals_agree(fa.journal, fb.journal) is True
    if name in ("volume", "issue", "doi"):
        return bool(getattr(fa, name)) and getattr(fa, name) == getattr(fb, name)
    if name == "pages":  # '221-8' = '221-228'; a missing last page is not a conflict
        (pa, sa, ea), (pb, sb, eb) = fa.pages, fb.pages
        return sa is not None and (pa, sa) == (pb, sb) and (ea == eb or None in (ea, eb))
    if name == "issn":  # print and electronic ISSN: one shared number is the same journal
        return bool(fa.issn & fb.issn)
    if name == "abstract":
        return _words(va) == _words(vb)
    return False


def compare_fields(a: StoredRecord, b: StoredRecord) -> tuple[FieldRow, ...]:
    va, vb = _values(a), _values(b)
    fa, fb = features(0, as_fields(a)), features(1, as_fields(b))
    rows = []
    for name, label in FIELDS:
        x, y = va[name].strip(), vb[name].strip()
        if not x and not y:
            status = EMPTY
        elif name == "database":
            status = INFO  # two databases is the point of dedup, not evidence either way
        elif not x or not y:
            status = MISSING
        elif x == y or _equal(name, fa, fb, x, y):
            status = SAME
        else:
            status = DIFFERENT
        rows.append(FieldRow(name, label, x, y, status))
    return tuple(rows)


def pair_view(store: Store, row: tuple) -> PairView:
    """One stored pair row (a, b, label, score, outcome, evidence_json) made reviewable."""
    a, b, label, score, _outcome, evidence = row
    ra, rb = store.get_record(a), store.get_record(b)
    if ra is None or rb is None:
        raise ReviewkitError(f"pair {a} / {b} names a record no longer in the store; "
                             "run reviewkit dedup again")
    return PairView(a, b, label, float(score or 0), json.loads(evidence) if evidence else {},
                    compare_fields(ra, rb))


def pending_pairs(store: Store) -> list[PairView]:
    """Possible pairs awaiting a person, best first."""
    return [pair_view(store, row) for row in store.dedup_pairs("queued")]


def judge(project: Project, store: Store, pair: PairView, same: bool, by: str) -> DedupSummary:
    """Log a person's judgement (flushed and fsynced), then re-run dedup with it applied."""
    return record_judgement(project, store, pair.a, pair.b, same, require_reviewer(project, by))


def undo(project: Project, store: Store, pair: tuple[str, str], by: str) -> DedupSummary:
    """Withdraw the latest judgement of ``pair`` (a new log line), then re-run dedup."""
    append_undo(project, pair[0], pair[1], require_reviewer(project, by))
    return run_dedup(project, store)


class ReviewQueue:
    """One sitting over the queue. Skips are remembered only for this sitting (nothing
    is written: the pair stays queued for next time); undo reverses this sitting's
    last step, a judgement by an undo line in the log, a skip by forgetting it."""

    def __init__(self, project: Project, store: Store, by: str,
                 guard: Callable[[], AbstractContextManager] | None = None) -> None:
        self.project, self.store = project, store
        self.by = require_reviewer(project, by)  # judgements are signed by project reviewers
        # one writer per project; held per keypress, not for the whole sitting
        self.guard = guard or (lambda: lock(project))
        self.skipped: set[tuple[str, str]] = set()
        self.done: set[tuple[str, str]] = set()  # judged this sitting, not yet applied
        self._dirty = False
        self.history: list[tuple[str, tuple[str, str]]] = []  # (judged|skipped, pair)
        self._logged: list[str] = []  # event ids of this sitting's judgements, in order
        self._reload()

    def _reload(self) -> None:
        self._rows = self.store.dedup_pairs("queued")
        self._view: PairView | None = None

    def _left(self) -> list[tuple]:
        return [r for r in self._rows
                if (r[0], r[1]) not in self.skipped and (r[0], r[1]) not in self.done]

    @property
    def current(self) -> PairView | None:
        # undo steps back in order, so the pair undone is first again: no cursor needed
        left = self._left()
        if not left:
            return None
        row = left[0]
        if self._view is None or self._view.key != (row[0], row[1]):
            self._view = pair_view(self.store, row)
        return self._view

    def progress(self) -> tuple[int, int]:
        """(n, N): this pair's place among this sitting's steps plus what is left."""
        done, left = len(self.history), len(self._left())
        return (done + 1 if left else done, done + left)

    @property
    def judged(self) -> int:
        return sum(1 for kind, _ in self.history if kind == "judged")

    def _pair(self) -> PairView:
        pair = self.current
        if pair is None:
            raise ReviewkitError("no possible duplicate pair is waiting")
        return pair

    def decide(self, same: bool) -> PairView:
        # logged at once (fsynced); the clusters are recomputed once, at close(), so a
        # key costs the same at 100k records as at 100
        pair = self._pair()
        with self.guard():
            event = append_judgement(self.project, pair.a, pair.b, same, self.by)
        self._logged.append(event["id"])
        self.done.add(pair.key)
        self._dirty = True
        self.history.append(("judged", pair.key))
        return pair

    def skip(self) -> PairView:
        pair = self._pair()
        self.skipped.add(pair.key)
        self.history.append(("skipped", pair.key))
        return pair

    def undo(self) -> tuple[str, tuple[str, str]]:
        if not self.history:
            raise ReviewkitError("nothing to undo in this sitting; to change an earlier "
                                 "judgement use reviewkit dedup judge A B --same/--different")
        kind, key = self.history.pop()
        if kind == "judged":
            with self.guard():  # this sitting's own judgement, whoever judged the pair since
                append_undo(self.project, key[0], key[1], self.by, of=self._logged.pop())
            self.done.discard(key)
            self._dirty = True
        else:
            self.skipped.discard(key)
        return kind, key

    def apply(self) -> None:
        """Recompute the clusters with this sitting's judgements (once, not per key)."""
        if self._dirty:
            with self.guard():
                run_dedup(self.project, self.store)
            self._dirty = False
            self.done.clear()
            self._reload()

    def close(self) -> None:
        try:
            self.apply()
        finally:
            self.store.close()


def open_review(where: Path | None, by: str | None) -> ReviewQueue:
    """The project's queue, brought up to date; the lock is taken per write only.

    ``by`` (else $REVIEWKIT_REVIEWER) must be one of the project's reviewers.
    """
    with session(where) as (project, store):
        by = resolve_reviewer(project, by, "judging duplicates")
        (project.root / "dedup").mkdir(exist_ok=True)  # dedup runs on every refresh now
        run_dedup(project, store)
    return ReviewQueue(project, open_store(project.store_path), by)
