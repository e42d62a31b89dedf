"""Report sections about screening: outcomes per stage, agreement between reviewers
(percent, Cohen's kappa with its 95% CI), and the exclusion reasons with their counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from reviewkit.fulltext.retrieval import not_retrieved_units
from reviewkit.ranking.stopping_defaults import percent
from reviewkit.reporting.outputs import Table
from reviewkit.reporting.prisma.screened import NOT_RETRIEVED, counted_reason, stopped
from reviewkit.reporting.report.searching import num
from reviewkit.reporting.report.settings import StoppingSettings, applied_bias
from reviewkit.screening import Screening, agreement, stopping
from reviewkit.screening.state import AWAITING, CONFLICT, UNSCREENED, StageState

NO_REASON = "no reason given"
STOPPED = "stopped"  # left unscreened once the stopping rule was met


@dataclass
class ScreeningSection:
    screened: bool  # anyone recorded a decision at the first stage
    tables: list[Table] = field(default_factory=list)


def exclusion_reason(state: StageState, unit: str) -> str:
    """The reason the PRISMA counts put an excluded unit under (the settled or agreed one,
    first in the project's order), so the report's table and its diagram agree."""
    return counted_reason(state, unit) or NO_REASON


def report_outcome(state: StageState, unit: str, missing: set[str] | None) -> str:
    """A unit's outcome as the flow diagram counts it (reporting/prisma/screened.py):
    at the stage reports are sought for (``missing``: the units marked not retrieved;
    None at other stages), a report marked not retrieved and never screened, or excluded
    for "not retrieved", is not retrieved."""
    got = state.outcome(unit)
    if missing is None:
        return got
    if got == UNSCREENED and unit in missing:
        return NOT_RETRIEVED
    if got == "exclude" and NOT_RETRIEVED in exclusion_reason(state, unit).lower():
        return NOT_RETRIEVED
    return got


def screening_section(screening: Screening, stop: StoppingSettings | None = None
                      ) -> ScreeningSection:
    stages = screening.conf.stages
    if not screening.state(stages[0]).units_judged():
        return ScreeningSection(False)
    outcomes, reasons = [], []
    # as the diagram: once the rule is met, what is left was ruled out by automation
    ruled_out = stop is not None and stopped(screening, stages[0], stop.model_dump())
    for stage in stages:
        state = screening.state(stage)
        units = screening.eligible(stage)
        missing = not_retrieved_units(screening) if stage in stages[1:2] else None
        outcome = {u: report_outcome(state, u, missing) for u in units}
        got = Counter(outcome.values())
        if ruled_out and stage == stages[0]:
            got[STOPPED], got[UNSCREENED] = got[UNSCREENED], 0
        outcomes.append({"stage": stage, **{k: num(v) for k, v in (
            ("eligible", len(units)), ("include", got["include"]), ("exclude", got["exclude"]),
            ("not_retrieved", got[NOT_RETRIEVED]), ("conflict", got[CONFLICT]),
            ("awaiting", got[AWAITING]), ("stopped", got[STOPPED]),
            ("unscreened", got[UNSCREENED]))}})
        why = Counter(exclusion_reason(state, u) for u in units if outcome[u] == "exclude")
        reasons += [{"stage": stage, "reason": r, "records": num(n)}
                    for r, n in sorted(why.items(), key=lambda kv: (-kv[1], kv[0]))]
    tables = [Table("report-screening", "Screening outcomes per stage", [
        ("stage", "Stage"), ("eligible", "Records"), ("include", "Included"),
        ("exclude", "Excluded"), *([("not_retrieved", "Not retrieved")] if stages[1:] else []),
        ("conflict", "Conflicts open"),
        ("awaiting", "Awaiting a second reviewer"),
        *([("stopped", "Left by the stopping rule")] if ruled_out else []),
        ("unscreened", "Not screened")], outcomes,
        ["Records are counted once per duplicate cluster; a later stage screens what the "
         "stage before it included."
         + (f" As in the flow diagram, a report marked not retrieved, or excluded at "
            f"{stages[1]} for \"{NOT_RETRIEVED}\", is counted as not retrieved, not "
            "excluded." if len(stages) > 1 else "")
         + (" Records left unscreened once every reviewer met the stopping rule are counted "
            "in the flow diagram as marked ineligible by automation tools." if ruled_out
            else "")])]
    pairs = [_pair_row(r) for r in agreement(screening)]
    if pairs:
        tables.append(Table("report-agreement", "Agreement between reviewers", [
            ("stage", "Stage"), ("pair", "Reviewers"), ("both", "Screened by both"),
            ("percent", "Agreement (%)"), ("kappa", "Cohen's kappa"), ("ci", "95% CI"),
            ("disagreements", "Disagreements (first / second reviewer)")], pairs,
            ["Kappa over include / exclude / maybe; 95% CI from the large-sample standard "
             "error (Fleiss, Cohen & Everitt 1969)."]))
    if reasons:
        tables.append(Table("report-reasons", "Exclusion reasons", [
            ("stage", "Stage"), ("reason", "Reason"), ("records", "Records")], reasons))
    if stop is not None or screening.conf.order == "ranked":
        tables.append(stopping_table(screening, stop or StoppingSettings()))
    return ScreeningSection(True, tables)


def stopping_table(screening: Screening, stop: StoppingSettings) -> Table:
    """The stopping test per reviewer at the first (ranked) stage."""
    stage = screening.conf.stages[0]
    bias = applied_bias(stop, screening.conf.order)
    rows = []
    for reviewer in screening.reviewers(stage):
        st = stopping(screening, stage, reviewer, stop.target, stop.confidence, stop.bias)
        if not st["screened"]:
            continue
        recall, p = st["estimated_recall"], st["p_value"]
        maybe = open_maybes(screening, stage, reviewer)
        rows.append({**st, "screened": num(st["screened"]), "total": num(st["total"]),
                     "relevant_found": num(st["relevant_found"]),
                     "included": num(st["relevant_found"] - maybe), "open_maybe": num(maybe),
                     "p_value": "< 0.001" if p < 0.001 else f"{p:.3g}",
                     "estimated_recall": "" if recall is None else f"{100 * recall:.1f}"})
    return Table("report-stopping", "Stopping test per reviewer", [
        ("stage", "Stage"), ("reviewer", "Reviewer"), ("screened", "Screened"),
        ("total", "Records"), ("included", "Included by the reviewer"),
        ("open_maybe", "Open maybe (counted as relevant)"), ("p_value", "p"),
        ("criterion_met", "Criterion met"), ("estimated_recall", "Estimated recall (%)"),
        ("consecutive_irrelevant", "Consecutive irrelevant")], rows,
        [f"Hypergeometric test (Callaghan & Müller-Hansen 2020) of the hypothesis that recall "
         f"is below {percent(stop.target)}, met when p < {1 - stop.confidence:.2g}"
         + (f", assuming odds of relevance at least {bias:g} times higher among the "
            "records screened last than among those left" if bias != 1 else "")
         + (f" (the [stopping] bias of {stop.bias:g} is not assumed: records were screened "
            f"in {screening.conf.order} order)" if bias != (stop.bias or bias) else "")
         + "; a \"maybe\" counts as relevant until settled. The count of consecutive "
         "irrelevant records is a heuristic with no recall guarantee.",
         # as `screen stop` says it: a met criterion the records left may not bear out
         *(f"{r['reviewer']}: {r['caution']}." for r in rows if r.get("caution"))])


def open_maybes(screening: Screening, stage: str, reviewer: str) -> int:
    """The reviewer's "maybe"s not yet settled: the test counts them as relevant, the
    report must not call them inclusions."""
    state = screening.state(stage)
    log = state.log(reviewer)
    return sum(1 for u in screening.eligible(stage)
               if (log.current(u) or {}).get("decision") == "maybe"
               and state.outcome(u) not in ("include", "exclude"))


def _pair_row(row: dict) -> dict:
    c = row["confusion"]
    off = [f"{a} / {b}: {c['table'][i][j]}" for i, a in enumerate(c["labels"])
           for j, b in enumerate(c["labels"]) if i != j and c["table"][i][j]]
    ci = "" if row["ci_low"] is None else f"{row['ci_low']:.2f} to {row['ci_high']:.2f}"
    return {"stage": row["stage"], "pair": f"{row['reviewer_a']} / {row['reviewer_b']}",
            "both": num(row["both"]), "percent": row["percent"],
            "kappa": "" if row["kappa"] is None else f"{row['kappa']:.2f}", "ci": ci,
            "disagreements": "; ".join(off) or "none"}
