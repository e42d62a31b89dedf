"""A third reviewer who only settles conflicts does not hold back the stop: PRISMA counts
the records the stopping rule left once every reviewer who screens has met it."""

from __future__ import annotations

from reviewkit.reporting.report import build_report
from reviewkit.screening import Screening, add_reviewer, resolve
from test_report_explore2 import TA, N, configure, imported, screen  # noqa: F401

STOP = '\n[screening]\norder = "ranked"\n\n[stopping]\ntarget = 0.5\nconfidence = 0.5\n'


def test_an_arbiter_on_the_project_does_not_hold_back_the_stop(imported):  # noqa: F811
    project, store = imported
    for who in ("ana", "ben", "cy"):
        add_reviewer(project, who)
    project = configure(project, STOP)
    said = {i: "include" if i < 3 else "exclude" for i in range(18)}
    screen(project, store, said, "ana")
    units = screen(project, store, {**said, 17: "include"}, "ben")  # one conflict
    resolve(Screening(project, store), TA, units[17], "exclude", "cy")
    counts = build_report(project, store).counts.counts
    assert counts.automation_excluded == N - 18
