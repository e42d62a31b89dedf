"""One reviewer screening one stage: the model behind the screener.

Every action does O(1) work (the screener must answer a key within 50 ms at
100k records): the queue is a deque, counts are kept up to date, records are
read one at a time. Each decision is on disk (fsync) before it returns.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import replace
from itertools import islice
from pathlib import Path

from reviewkit.dedup.units import Unit, merged_record
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.ranking.stopping_defaults import percent
from reviewkit.screening.calibration import calibration_sample
from reviewkit.screening.data import Screening
from reviewkit.screening.duplicates import mark_duplicate, mark_not_duplicate
from reviewkit.screening.events import check_decision, decision_event, note_event, undo_event
from reviewkit.screening.live import (
    LiveQueue,
    LiveStart,
    RankedQueue,
    own_decisions,
    settled_labels,
    stopping_options,
)
from reviewkit.screening.live_features import take_over
from reviewkit.screening.live_resume import queue_file, saved_queue
from reviewkit.screening.log import LogWriter, log_path
from reviewkit.screening.order import OrderSource, order_source, screening_order
from reviewkit.screening.reviewers import require_reviewer
from reviewkit.store.base import Store, StoredRecord

_CACHE = 64


class ScreenSession:
    def __init__(self, project: Project, store: Store, reviewer: str, stage: str | None = None,
                 blind: bool = True, order: OrderSource | None = None) -> None:
        self.project, self.store, self.blind = project, store, blind
        self.reviewer = require_reviewer(project, reviewer)  # their log is named after them
        self.screening = Screening(project, store)
        self.conf = self.screening.conf
        self.stage = self.conf.check_stage(stage or self.conf.stages[0])
        self.state = self.screening.state(self.stage)
        self.log = self.state.log(reviewer)
        units = self.screening.eligible(self.stage)
        self.eligible = set(units)
        sample = calibration_sample(self.screening, self.stage)
        self.calibration = set(sample)
        source = order or order_source(self.conf.order)
        # ranked: open on this reviewer's last ranking if one is kept, the live worker
        # refits beside it; else rank now (the ranked source leaves its ranker for
        # go_live()). Either way: (ranker or None, version, settled labels)
        ranked = order is None and self.conf.order == "ranked"
        resumed = saved_queue(project, self.stage, reviewer) if ranked else None
        settled = settled_labels(self.state, units) if ranked else {}
        if resumed is not None:
            source = lambda *_: resumed[0]  # noqa: E731 - screening_order adds new units
        elif ranked:
            from reviewkit.screening.ranked import ranked_from

            source = lambda p, s, st, u: ranked_from(p, s, st, u, settled)  # noqa: E731
        self.order = screening_order(project, store, self.stage, units, source, sample)
        self._units = units
        self._handed = take_over(project, self.stage, units) if resumed is None else (
            None, resumed[1], settled)
        self.ranked_by = self._handed[1] if self._handed else ""  # what the queue follows
        self.live: LiveQueue | None = None
        self.stop_status = None            # newest stopping test result (live only)
        self._bare: set[str] | None = None  # units with no abstract, when a stop needs it
        self._head: str | None = None      # the queue's first record and the ranking
        self._head_by = ""                 # that put it there (logged with its decision)
        self._skipped: set[str] = set()
        self.pending = deque(u for u in self.order if u not in self.log.active)
        self.visiting: str | None = None   # a record jumped to (or undone) shown first
        self.done = sum(1 for u in self.log.active if u in self.eligible)
        self.includes = sum(1 for u, e in self.log.decided().items()
                            if u in self.eligible and e["decision"] == "include")
        self.writer = LogWriter(log_path(project, self.stage, reviewer))
        self._records: OrderedDict[str, StoredRecord | None] = OrderedDict()
        self._titles: list[tuple[str, str]] | None = None

    # what is on screen ---------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.order)

    @property
    def remaining(self) -> int:
        return self.total - self.done

    def current(self) -> str | None:
        if self.visiting is not None:
            return self.visiting
        return self._queue_head()

    def _queue_head(self) -> str | None:
        while self.pending and self.pending[0] in self.log.active:
            self.pending.popleft()  # judged elsewhere (a jump, an import): amortised O(1)
        head = self.pending[0] if self.pending else None
        if head != self._head:
            self._head, self._head_by = head, self.ranked_by
        return head

    # the live ranking ----------------------------------------------------
    def go_live(self, on_ready: Callable[[], None] | None = None) -> LiveQueue | None:
        """Refit after every decision and rerank the queue in the background (ranked
        order only; None otherwise). ``on_ready`` is called from a reader thread when a
        ranking or stopping result is ready; ``refresh()`` then takes it."""
        if self._handed is None or self.live is not None:
            return self.live
        ranker, _, settled = self._handed
        self._handed = None
        keep = str(queue_file(self.project, self.stage, self.reviewer))
        start = (LiveStart.from_ranker(ranker, keep) if ranker is not None else
                 LiveStart(self._units, self.project.config.settings.seed,
                           root=str(self.project.root), save_to=keep))
        self.live = LiveQueue(start, settled, own_decisions(self.log, self.eligible),
                              self.total, on_ready,
                              stopping_options(self.project))
        return self.live

    def refresh(self) -> bool:
        """Take the newest background results; True when the screen should redraw.

        The record at the head of the queue stays there: only what follows changes."""
        if self.live is None:
            return False
        changed = False
        status = self.live.stopping_status()
        if status is not self.stop_status:
            self.stop_status, changed = status, True
        ranked = self.live.newest()
        if ranked is not None:
            head = self._queue_head()
            first = [u for u in self.order[:len(self.calibration)]
                     if u in self.calibration and u not in self.log.active]
            for unit in [u for u in self._skipped if u in self.log.active]:
                self._skipped.discard(unit)
            self.pending = RankedQueue(self.live.ids, ranked.order,
                                       ([head] if head else []) + first, self._skipped)
            self.ranked_by = ranked.version
            changed = True
        return changed

    def stopping_text(self) -> str:
        """The stopping test's verdict and recall estimate, for the top line."""
        if self.live is None:
            return ""
        if self.live.error:  # the queue no longer learns: say so rather than go stale
            return "not learning: worker stopped"
        if self.live.stop_error and not self.live.stopping_busy():
            return "stop? test failed"
        st = self.stop_status
        if st is None:
            return "stop? …" if self.live.stopping_busy() else "stop? not yet"
        if st.criterion_met:
            bare = self.bare_left()
            caution = f" · {bare:,} left without abstract (?)" if bare else ""
            return f"stop? yes, recall ≥{percent(st.target)}{caution}"
        est = f", recall ~{st.estimated_recall:.0%}" if st.estimated_recall is not None else ""
        return f"stop? not yet{est}"

    def bare_left(self) -> int:
        """Records left with no abstract, at the first stage: the caution beside a stop
        (the test cannot vouch for records the ranker had nothing to go on for)."""
        if self.stage != self.conf.stages[0]:
            return 0
        if self._bare is None:  # once a session: the eligible units do not change
            from reviewkit.screening.ranked import bare_units

            self._bare = bare_units(self.screening, self.eligible)
        return sum(1 for u in self._bare if u not in self.log.active)

    def _learn(self, unit: str, event: dict) -> None:
        """Tell the live queue (if any) about one of this reviewer's events."""
        if self.live is None or event["type"] not in ("decision", "undo"):
            return
        now = self.log.current(unit)
        self.live.changed(unit if unit in self.eligible else None,
                          now["decision"] if now is not None else None)

    def record(self, unit: str) -> StoredRecord | None:
        if unit in self._records:
            self._records.move_to_end(unit)
        else:
            self._records[unit] = self._view(unit)
            if len(self._records) > _CACHE:
                self._records.popitem(last=False)
        return self._records[unit]

    def _view(self, unit: str) -> StoredRecord | None:
        # a cluster is screened as its representative with gaps filled from its duplicates
        members = self.screening.members.get(unit, (unit,))
        sr = self.store.get_record(unit)
        if sr is None or len(members) < 2:
            return sr
        return replace(sr, record=merged_record(self.store, Unit(unit, tuple(members))))

    def upcoming(self) -> str | None:
        """The record after the current one, to prepare while the reviewer reads."""
        current = self.current()
        for unit in islice(self.pending, 3):  # a deque: never copy it whole
            if unit != current and unit not in self.log.active:
                return unit
        return None

    def mine(self, unit: str) -> dict | None:
        return self.log.current(unit)

    def note(self, unit: str) -> str:
        return self.log.notes.get(unit, "")

    def others(self, unit: str) -> dict[str, dict]:
        """Other reviewers' decisions on ``unit``: nothing at all in blind mode."""
        if self.blind:
            return {}
        return {r: e for r, e in self.state.judgements(unit).items() if r != self.reviewer}

    def other_notes(self, unit: str) -> dict[str, str]:
        if self.blind:
            return {}
        return {r: log.notes[unit] for r, log in self.state.logs.items()
                if r != self.reviewer and unit in log.notes}

    def fulltext(self, unit: str) -> list[str]:
        """Where to read the full text: files named after the record, its URLs, its DOI."""
        out = []
        from reviewkit.errors import ReviewkitError
        from reviewkit.fulltext.index import files_of, report_files

        members = self.screening.members.get(unit, (unit,))
        try:  # attached to any duplicate, under any id the record had
            files = report_files(self.project, self.screening.unit_of, unit, members)
        except ReviewkitError:  # a broken index.toml (fulltext status names it): by name
            files = [p for m in members for p in files_of(self.project, m)]
        out += [self.project.relative(p) for p in files]
        sr = self.record(unit)
        if sr is not None:
            out += sr.record.urls
            if sr.record.doi:
                out.append(f"https://doi.org/{sr.record.doi}")
        return out

    # actions -------------------------------------------------------------
    def decide(self, decision: str, reason: str = "", note: str = "") -> dict:
        unit = self.current()
        if unit is None:
            raise ReviewkitError("nothing left to screen at this stage")
        label, reason = check_decision(self.conf, self.stage, decision, reason)
        event = decision_event(self.stage, self.reviewer, unit, label, reason, note)
        if over := self.log.overridden(unit, unit):  # decided on the whole study
            event["over"] = over
        if self.visiting is None and unit == self._head and self._head_by:
            event["ranked_by"] = self._head_by  # which model version put it before them
        self.writer.append([event])  # durable before the screen moves on
        before = self.log.current(unit)
        self.log.apply(event)
        self._count(before, event)
        if self.visiting is not None:
            self.visiting = None
        elif self.pending and self.pending[0] == unit:
            self.pending.popleft()
        self._skipped.discard(unit)
        self._learn(unit, event)
        return event

    def undo(self) -> dict | None:
        """Take back the latest decision (an undo event) and show that record again."""
        target = self.log.last_active()
        if target is None:
            return None
        unit = self.screening.unit_of(target["record"])
        event = undo_event(self.stage, self.reviewer, target)
        self.writer.append([event])
        before = self.log.current(unit)
        self.log.apply(event)
        self._count(before, self.log.current(unit))
        self.visiting = None
        if unit not in self.eligible:
            pass  # no longer at this stage (an earlier stage's decision changed): not shown
        elif self.log.current(unit) is None:
            self.pending.appendleft(unit)
        else:
            self.visiting = unit  # an earlier decision stands again: show it
        self._learn(unit, event)
        return event

    def skip(self) -> None:
        """Leave the current record for later (it comes back at the end of the queue)."""
        if self.visiting is not None:
            self.visiting = None
        elif self.current() is not None:
            unit = self.pending.popleft()
            self.pending.append(unit)
            self._skipped.add(unit)  # stays last when the queue is reranked

    def add_note(self, text: str) -> dict | None:
        """A note on the record shown; an empty one removes the note there is (None when
        nothing changes)."""
        unit = self.current()
        if unit is None or text.strip() == self.note(unit):
            return None
        event = note_event(self.stage, self.reviewer, unit, text.strip())
        self.writer.append([event])
        self.log.apply(event)
        return event

    def jump(self, query: str) -> list[str]:
        """Units matching an exact record id or words of a title; shows the first."""
        query = query.strip()
        if not query:
            return []
        if self.screening.knows(query):
            found = [self.screening.unit_of(query)]
        else:
            if self._titles is None:  # built on the first search only
                self._titles = [(sr.id, sr.record.title.lower())
                                for sr in self.store.iter_records()]
            words = query.lower().split()
            found = [self.screening.unit_of(rid) for rid, title in self._titles
                     if all(w in title for w in words)]
        found = [u for u in dict.fromkeys(found) if u in self.eligible]
        if found:
            self.visiting = found[0]
        return found

    def mark_duplicate(self, other: str) -> dict:
        unit = self.current()
        other = other.strip()
        if unit is None or not self.screening.knows(other):
            raise ReviewkitError(f"unknown record id {other!r}")
        if self.screening.unit_of(other) == unit:
            raise ReviewkitError(f"{other} is already in this record's duplicate cluster")
        return mark_duplicate(self.project, unit, other, self.reviewer)

    def cluster_others(self) -> list[str]:
        """The current record's duplicates (its cluster without the record shown)."""
        unit = self.current()
        members = self.screening.members.get(unit, (unit,)) if unit else ()
        return [m for m in members if m != unit]

    def mark_not_duplicate(self, member: str) -> dict:
        """``member`` of the current record's cluster is another study; the cluster
        splits when dedup next runs (the next command or screening sitting)."""
        unit = self.current()
        member = member.strip()
        others = self.cluster_others()
        if unit is None or member not in others:
            raise ReviewkitError(f"{member!r} is not another record of this cluster "
                                 f"(its other records: {', '.join(others) or 'none'})")
        return mark_not_duplicate(self.project, unit, member, self.reviewer)

    def write(self, events: list[dict]) -> None:
        """Append events written elsewhere (the list view's bulk actions) in one fsynced
        write, then count them as the screener's own keys are counted."""
        self.writer.append(events)
        for event in events:
            unit = self.screening.unit_of(event["record"])
            before = self.log.current(unit)
            self.log.apply(event)
            self._count(before, self.log.current(unit))
            self._learn(unit, event)

    def close(self) -> None:
        if self.live is not None:
            self.live.close(timeout=0.5)  # a refit in progress need not delay quitting
        self.writer.close()

    def _count(self, before: dict | None, after: dict | None) -> None:
        unit = (after or before or {}).get("record")
        if unit is None or self.screening.unit_of(unit) not in self.eligible:
            return
        self.done += (after is not None) - (before is not None)
        self.includes += ((after or {}).get("decision") == "include") - \
            ((before or {}).get("decision") == "include")

    @property
    def log_file(self) -> Path:
        return self.writer.path
