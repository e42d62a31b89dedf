"""A project's screening as a whole: units, stages, and who may screen what."""

from __future__ import annotations

from reviewkit.dedup.units import Unit, screening_units
from reviewkit.project.config import Project
from reviewkit.screening.config import ScreeningConfig, screening_config
from reviewkit.screening.log import Problem, screening_dir
from reviewkit.screening.problems import unread_logs
from reviewkit.screening.state import StageState
from reviewkit.store.base import Store


class Screening:
    """Read-only view over units and every stage's logs (loaded on first use)."""

    def __init__(self, project: Project, store: Store,
                 conf: ScreeningConfig | None = None) -> None:
        self.project = project
        self.store = store
        self.conf = conf or screening_config(project)
        self.units: list[Unit] = screening_units(store)
        self.members = {u.id: u.members for u in self.units}
        self._unit_of = {m: u.id for u in self.units for m in u.members}
        self._states: dict[str, StageState] = {}
        self._eligible: dict[str, list[str]] = {}
        self._bare: set[str] | None = None

    def unit_of(self, record_id: str) -> str:
        """The unit a record belongs to (an unknown id stays itself: kept, never dropped).

        An older id of a record (before its file was logged, renamed or moved) resolves
        through the store to the record's id today."""
        unit = self._unit_of.get(record_id)
        if unit is None:
            current = self.store.resolve(record_id)
            unit = self._unit_of.get(current, record_id) if current else record_id
            self._unit_of[record_id] = unit
        return unit

    def knows(self, record_id: str) -> bool:
        return self.unit_of(record_id) in self.members

    def state(self, stage: str) -> StageState:
        self.conf.check_stage(stage)
        if stage not in self._states:
            state = StageState(stage, self.conf, self.unit_of, self.knows)
            self._states[stage] = state.load(screening_dir(self.project) / stage)
        return self._states[stage]

    def without_abstract(self) -> set[str]:
        """Ids of the records with no abstract (read once: every reviewer's stopping
        caution asks)."""
        if self._bare is None:
            self._bare = self.store.ids_without_abstract()
        return self._bare

    def eligible(self, stage: str) -> list[str]:
        """Units to screen at ``stage``: all at the first, the previous stage's includes after."""
        self.conf.check_stage(stage)
        if stage not in self._eligible:
            index = self.conf.stages.index(stage)
            if index == 0:
                units = [u.id for u in self.units]
            else:
                before = self.state(self.conf.stages[index - 1])
                units = [u for u in self.eligible(self.conf.stages[index - 1])
                         if before.outcome(u) == "include"]
            self._eligible[stage] = units
        return self._eligible[stage]

    def reviewers(self, stage: str) -> list[str]:
        """Configured reviewers plus anyone who has a log at this stage."""
        names = list(self.project.config.reviewers)
        return names + sorted(r for r in self.state(stage).logs if r not in names)

    def only_resolves(self, stage: str, reviewer: str) -> bool:
        """A third person who settles conflicts at ``stage`` and screens nothing there: not
        shown as a screener with every record left (status, calibration)."""
        log = self.state(stage).log(reviewer)
        return not log.active and bool(log.resolutions)

    def problems(self) -> list[Problem]:
        """Every log line skipped at any stage (file:line: what is wrong), loading each stage,
        then every event naming a record the project does not have (counted nowhere)."""
        out = [p for stage in self.conf.stages for p in self.state(stage).problems]
        return out + unread_logs(self.project, self.conf) + self.orphans() \
            + self.self_conflicts()

    def orphans(self) -> list[Problem]:
        """Events naming a record id the store does not know, by file and line (counted
        for no record: re-link or re-import before trusting the counts)."""
        return [p for stage in self.conf.stages for p in self.state(stage).orphans]

    def self_conflicts(self) -> list[Problem]:
        """A reviewer's differing decisions on records now linked as one study, where the
        later counts (file and line of the one that counts)."""
        from reviewkit.screening.selfconflict import stage_self_conflicts

        return [p for stage in self.conf.stages
                for p in stage_self_conflicts(self.state(stage), self.record_now)]

    def record_now(self, record_id: str) -> str:
        """The id a record has today (an older id resolves; an unknown one stays)."""
        return self.store.resolve(record_id) or record_id
