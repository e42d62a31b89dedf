"""The ranker drives the screener's order; the stopping test reads the reviewer's log."""

from __future__ import annotations

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.screening import Screening, ScreenSession, add_reviewer, stopping
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.order import order_source

from conftest import export_file


def test_ranked_order_puts_records_like_the_included_ones_first(tmp_path):
    project, store = new_project(tmp_path)
    # acne/blue-light records and veterinary records in one project
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("ris/scopus_asysd.ris")])
    units = Screening(project, store).eligible("title-abstract")
    vet = [u for u in units if u.startswith("scopus-asysd-")]
    acne = [u for u in units if u not in vet]
    settled = {acne[0]: "include", acne[1]: "include", vet[0]: "exclude", vet[1]: "exclude"}
    for who in ("ana", "ben"):
        append_events(log_path(project, "title-abstract", who),
                      [decision_event("title-abstract", who, u, d) for u, d in settled.items()])
    add_reviewer(project, "cleo")
    session = ScreenSession(project, store, "cleo", order=order_source("ranked"))
    first = session.order[:20]
    assert not set(first) & set(settled)
    assert sum(u in acne for u in first) == 20  # the model learnt acne = relevant
    assert set(session.order) == set(units)


def test_stopping_status_from_a_reviewers_log(tmp_path):
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris")])
    units = Screening(project, store).eligible("title-abstract")
    decisions = ["include"] * 10 + ["exclude"] * 80
    append_events(log_path(project, "title-abstract", "ana"),
                  [decision_event("title-abstract", "ana", u, d)
                   for u, d in zip(units, decisions, strict=False)])
    st = stopping(Screening(project, store), "title-abstract", "ana")
    assert st["screened"] == 90 and st["relevant_found"] == 10 and st["total"] == 102
    assert 0 <= st["p_value"] <= 1 and st["consecutive_irrelevant"] == 80
