"""Builders for the full-text, studies and reviewer tests (no tests here): a project with
50 real Web of Science records, two reviewers, and decisions written as their logs."""

from __future__ import annotations

from pathlib import Path

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.project import Project
from reviewkit.screening import Screening, add_reviewer
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.store.sqlite import SQLiteStore

from conftest import export_file

TA, FT = "title-abstract", "full-text"


def project_with_decisions(tmp_path: Path, ta_includes: int = 6, ft_includes: int = 3,
                           ft_decided: int | None = None
                           ) -> tuple[Project, SQLiteStore, list[str]]:
    """Both reviewers include the first ``ta_includes`` units at title/abstract and exclude
    the rest; at full text they include the first ``ft_includes`` of those and exclude the
    others (up to ``ft_decided``, default all: the rest are not screened at full text).
    Returns the units in that order."""
    project, store = new_project(tmp_path, ("wos", None))
    import_files(project, store, [export_file("ris/wos_asysd.ris")], "wos")
    for name in ("ana", "ben"):
        add_reviewer(project, name)
    units = sorted(u.id for u in Screening(project, store).units)
    decided = ta_includes if ft_decided is None else ft_decided
    for name in ("ana", "ben"):
        decide(project, TA, name, {u: "include" for u in units[:ta_includes]})
        decide(project, TA, name, {u: "exclude" for u in units[ta_includes:]})
        decide(project, FT, name, {u: "include" for u in units[:ft_includes]})
        decide(project, FT, name, {u: "exclude" for u in units[ft_includes:decided]},
               reason="wrong population")
    return project, store, units


def decide(project: Project, stage: str, reviewer: str, decisions: dict[str, str],
           reason: str = "") -> None:
    events = [decision_event(stage, reviewer, unit, d, reason if d == "exclude" else "",
                             via="test") for unit, d in decisions.items()]
    append_events(log_path(project, stage, reviewer), events)
