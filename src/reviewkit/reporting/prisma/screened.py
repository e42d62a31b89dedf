"""Screening, reports and studies for PRISMA, counted from the reviewers' logs.

Units are duplicate clusters (one record each after dedup). A unit's outcome at
a stage comes from the screening module (agreement rule or a resolution).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from reviewkit.fulltext.retrieval import not_retrieved_units
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE
from reviewkit.records.studies import Study, load_studies
from reviewkit.reporting.prisma.model import Count, PrismaCounts
from reviewkit.screening import Screening, stopping
from reviewkit.screening.reasons import agreed_reason, primary_reason
from reviewkit.screening.state import StageState

REASONS_DIFFER = "reasons differ, not settled"  # two reviewers, two reasons, no third yet
NOT_RETRIEVED = "not retrieved"  # a full-text exclusion reason naming a report never found


@dataclass
class Pending:
    """Units whose outcome is still open: they explain counts that do not add up.

    ``gaps`` names, per invariant check, the units that make its numbers differ and
    why (PRISMA counts a record screened once anyone judged it, sought once included)."""

    unscreened: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # conflicts or one reviewer only
    gaps: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)

    def gap(self, check: str, units: list[str], why: str) -> None:
        if units:
            self.gaps[check] = (tuple(units), why)


def counted_reason(state: StageState, unit: str) -> str:
    """The reason a unit is counted under: the settled or agreed one, first in the project's
    order; never one reviewer's when they differ (then it is counted as such)."""
    excluded = {r: e for r, e in state.judgements(unit).items() if e.get("decision") == "exclude"}
    agreed = agreed_reason(excluded, state.resolution(unit))
    return REASONS_DIFFER if agreed is None else primary_reason(agreed)


def stopped(screening: Screening, stage: str, stop: dict | None) -> bool:
    """Every screening reviewer's own decisions meet the stopping test the project names."""
    if not stop:
        return False
    target = float(stop.get("target", 0.95))
    confidence = float(stop.get("confidence", DEFAULT_CONFIDENCE))
    reviewers = screening.project.config.reviewers or sorted(screening.state(stage).logs)
    # an arbiter who only settles conflicts has no screening of their own to stop
    reviewers = [r for r in reviewers if not screening.only_resolves(stage, r)]
    return bool(reviewers) and all(
        stopping(screening, stage, r, target, confidence, stop.get("bias"))["criterion_met"]
        for r in reviewers)


def add_screening(counts: PrismaCounts, screening: Screening,
                  stop: dict | None = None) -> Pending:
    """Fill screened, excluded, reports and included from the logs; return what is open.

    ``stop`` is the project's ``[stopping]`` section (target, confidence), if any."""
    pending = Pending()
    stages = screening.conf.stages
    first = screening.state(stages[0])
    if not first.units_judged():
        return pending  # nobody has screened: leave every number unknown
    units = screening.eligible(stages[0])
    outcome = {u: first.outcome(u) for u in units}
    pending.unscreened = sorted(u for u, o in outcome.items() if o == "unscreened")
    pending.undecided = sorted(u for u, o in outcome.items() if o in ("conflict", "awaiting"))
    counts.screened = len(units) - len(pending.unscreened)
    excluded = [u for u, o in outcome.items() if o == "exclude"]
    counts.records_excluded = len(excluded)
    ta_reasons = Counter(counted_reason(first, u) for u in excluded)
    if set(ta_reasons) != {""}:
        counts.records_excluded_reasons = [Count(r or "no reason given", n)
                                           for r, n in sorted(ta_reasons.items())]
    counts.removed_other = 0
    if pending.unscreened and stopped(screening, stages[0], stop):
        # the team stopped when the stopping test was met: PRISMA counts the records
        # left unscreened as "marked as ineligible by automation tools"
        counts.automation_excluded = len(pending.unscreened)
        pending.unscreened = []
    elif counts.automation_excluded is None and not pending.unscreened:
        counts.automation_excluded = 0
    # records nobody judged are identified but not screened; judged records with no
    # outcome yet are screened but neither excluded nor sought
    pending.gap("identification", pending.unscreened, f"not screened at {stages[0]}")
    pending.gap("screening", pending.undecided,
                f"a conflict or awaiting a second reviewer at {stages[0]}")
    progress = []
    if pending.unscreened or pending.undecided:
        progress.append(f"{counts.screened:,} of {len(units):,} records screened at "
                        f"{stage_name(stages[0])}" + (f" ({len(pending.undecided):,} without an "
                                                      "outcome yet)" if pending.undecided else ""))
    counts.in_progress = in_progress(progress)
    if len(stages) < 2:
        return pending
    full = screening.state(stages[1])
    sought = screening.eligible(stages[1])
    counts.dbr.sought = len(sought)
    ft = {u: full.outcome(u) for u in sought}
    # the one rule fulltext status uses: excluded as not retrieved, or marked so (no file,
    # not screened at full text); those not excluded count as decided: not retrieved
    lost = not_retrieved_units(screening)
    ft = {u: (NOT_RETRIEVED if u in lost and o != "exclude" else o) for u, o in ft.items()}
    ft_open = sorted(u for u, o in ft.items() if o in ("unscreened", "conflict", "awaiting"))
    pending.unscreened += sorted(u for u, o in ft.items() if o == "unscreened")
    pending.undecided += sorted(u for u, o in ft.items() if o in ("conflict", "awaiting"))
    # sought but neither assessed nor counted as not retrieved
    pending.gap("retrieval:dbr", ft_open, f"no outcome yet at {stages[1]}")
    if ft_open:
        progress.append(f"{len(sought) - len(ft_open):,} of {len(sought):,} reports decided at "
                        f"{stage_name(stages[1])}")
    counts.in_progress = in_progress(progress)
    reasons = Counter(counted_reason(full, u) or "no reason given"
                      for u, o in ft.items() if o == "exclude" and u not in lost)
    counts.dbr.not_retrieved = len(lost)
    counts.dbr.assessed = sum(1 for u, o in ft.items() if o in ("include", "exclude")
                              and u not in lost)
    counts.dbr.excluded = [Count(r, n) for r, n in sorted(reasons.items())] or [Count("", 0)]
    counts.included_reports = sum(1 for o in ft.values() if o == "include")
    return pending


def stage_name(stage: str) -> str:
    """A stage as a sentence names it."""
    return {"title-abstract": "title/abstract", "full-text": "full text"}.get(stage, stage)


def in_progress(parts: list[str]) -> str:
    """The notice an unfinished review's diagram and report carry, or ""."""
    if not parts:
        return ""
    return "Screening in progress: " + "; ".join(parts) + ". These counts are not final."


def add_studies(counts: PrismaCounts, screening: Screening) -> None:
    """Studies from studies.toml, counted by study and their reports by report."""
    listed = load_studies(screening.project)
    stages = screening.conf.stages
    if counts.included_reports is not None and len(stages) > 1:
        # screened at full text: a study counts once a report of it is included there
        # (one whose reports are all pending is not included yet); none listed: by hand
        last = screening.state(stages[-1])
        listed = [s for s in listed if not s.reports or any(
            last.outcome(screening.unit_of(r)) == "include" for r in s.reports)]
    studies, reports = study_counts(listed, screening.unit_of)
    if studies:
        counts.included_studies = studies
        if counts.included_reports is None:  # the full-text includes, when screened
            counts.included_reports = reports
    elif counts.included_reports == 0:
        counts.included_studies = 0  # no report included: no study, a known 0


def study_counts(studies: list[Study], unit_of: Callable[[str], str] = str) -> tuple[int, int]:
    """(studies, reports) of a studies list. Entries that share a ``programme`` are one
    study (PRISMA counts studies, and a programme of work reported several times is one);
    reports are the distinct records the entries name, and an entry naming none is one
    report (the file lists one entry per included record until its records are imported).
    """
    units = {unit_of(r) for s in studies for r in s.reports}
    return (len({s.programme or f"id:{s.id}" for s in studies}),
            len(units) + sum(1 for s in studies if not s.reports))
