"""The facts a methods paragraph states, gathered from the modules that did the work.

Only facts here; the wording is the template ``report/methods.txt.j2``.
"""

from __future__ import annotations

from typing import Any

from reviewkit.dedup.engine import METHOD_VERSION
from reviewkit.dedup.features import rules
from reviewkit.project.config import Project
from reviewkit.ranking.stopping import methods_text
from reviewkit.reporting.report.screening import NO_REASON, exclusion_reason
from reviewkit.reporting.report.searching import ordered, strings_note
from reviewkit.reporting.report.settings import applied_bias, stopping_settings
from reviewkit.screening import Screening
from reviewkit.searches.databases import by_database
from reviewkit.searches.log import Search


def methods_facts(project: Project, searches: list[Search], dedup: dict[str, Any],
                  screening: Screening, screened: bool, counts_file: str = "",
                  duplicates_from_file: bool = False, in_progress: str = "") -> dict[str, Any]:
    conf = screening.conf
    screeners, resolvers = screening_people(screening)
    searches = ordered(searches)
    # the sentence dates the database and register searches, not the other methods
    dates = sorted(s.date_run for s in searches if s.date_run and not s.other_method)
    stop = stopping_settings(project)
    databases = by_database(searches)
    return {
        "searches": {
            # a database searched again (an update) is one database, searched twice
            "databases": [group[-1] for group in databases],
            "runs": sum(len(group) for group in databases),
            "other": [s for s in searches if s.other_method],
            "first": dates[0] if dates else "", "last": dates[-1] if dates else "",
            "strings": strings_note(searches) if searches else "",
        },
        "dedup": {**dedup, "version": METHOD_VERSION, "thresholds": rules()["thresholds"],
                  "from_file": duplicates_from_file},
        "screening": {
            "done": screened, "stages": conf.stages, "per_record": conf.reviewers_per_record,
            "reviewers": screeners, "order": conf.order,
            # who settled conflicts; an arbiter settled them without screening any record
            "resolvers": resolvers, "arbiters": [r for r in resolvers if r not in screeners],
            "in_progress": in_progress,
            "include": [k for k, v in conf.outcomes.items() if v == "include"],
            "exclude": [k for k, v in conf.outcomes.items() if v == "exclude"],
            "reason_required": conf.reason_required,
            # what the data shows, not only the rule: an exclusion may predate the rule
            **reasons_given(screening),
        },
        # the bias and order the test was run with, not the configured bias alone
        "stopping": methods_text(stop.target, stop.confidence, stop.heuristic_n,
                                 applied_bias(stop, conf.order),
                                 order="prioritised" if conf.order == "ranked" else conf.order)
        if stop else "",
        "counts_file": counts_file,
    }


def reasons_given(screening: Screening) -> dict[str, Any]:
    """The reason_required stages whose every exclusion gave a reason ("reason_given"),
    and per other stage how many exclusions gave none ("reason_missing")."""
    given, missing = [], {}
    for stage in screening.conf.reason_required:
        state = screening.state(stage)
        n = sum(1 for u in screening.eligible(stage) if state.outcome(u) == "exclude"
                and exclusion_reason(state, u) == NO_REASON)
        if n:
            missing[stage] = n
        else:
            given.append(stage)
    return {"reason_given": given, "reason_missing": missing}


def screening_people(screening: Screening) -> tuple[list[str], list[str]]:
    """(who recorded screening decisions, who recorded resolutions), in the project's
    reviewer order: the methods must not call an arbiter a screener."""
    screeners: list[str] = []
    resolvers: list[str] = []
    for stage in screening.conf.stages:
        for name in screening.reviewers(stage):
            log = screening.state(stage).logs.get(name)
            if log is None:
                continue
            if log.stack and name not in screeners:
                screeners.append(name)
            if log.resolutions and name not in resolvers:
                resolvers.append(name)
    order = {name: i for i, name in enumerate(screening.project.config.reviewers)}

    def rank(name: str) -> tuple[int, str]:
        return order.get(name, len(order)), name

    return sorted(screeners, key=rank), sorted(resolvers, key=rank)
