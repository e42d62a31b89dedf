"""Reconcile two blind coders into a third reviewer's log; the originals stay as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.coding import fold
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.reconcile import reconcile, reconcile_coders
from synthesis_support import synth_project

A_SRC = "callanan-2012-findings"


@pytest.fixture
def project(tmp_path: Path):
    project = synth_project(tmp_path)
    add_reviewer(project, "lead")
    code_text(project, A_SRC, "Staff felt rushed.", "time", "ann")
    code_text(project, A_SRC, "Staff felt rushed.", "time", "bo")  # agreed
    code_text(project, A_SRC, "wanted choice", "choice-words", "ann")
    code_text(project, A_SRC, "they wanted choice", "choice-words", "bo")  # overlap, differ
    code_text(project, "b", "Nurses described time pressure.", "time", "ann")  # ann only
    code_text(project, "b", "Patients wanted choice too.", "choice", "bo")  # bo only
    return project


def _logs(project) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(project.root).items()
            if k in ("synthesis/coding/ann.jsonl", "synthesis/coding/bo.jsonl")}


def _lead(project) -> set[tuple]:
    return {(s.source, s.text, c) for s in fold(project).segments.values() if s.coder == "lead"
            for c in s.codes}


def _unit(result, code: str) -> str:
    return next(u.id for u in result.disagreements if u.code == code and
                (u.source == A_SRC) == (code == "choice-words"))


def test_agreed_codings_go_to_the_judge_and_disagreements_are_listed(project) -> None:
    originals = _logs(project)
    result = reconcile(project, "ann", "bo", "lead")
    assert (result.agreed, result.written, result.removed) == (1, 1, 0)
    assert _lead(project) == {(A_SRC, "Staff felt rushed.", "time")}
    rows = sorted((r["source"], r["code"], r["ann"], r["bo"], r["decided"])
                  for r in result.rows())
    assert rows == sorted([
        (A_SRC, "choice-words", "23..36 wanted choice", "18..36 they wanted choice", "open"),
        ("b", "choice", "-", "32..59 Patients wanted choice too.", "open"),
        ("b", "time", "0..31 Nurses described time pressure.", "-", "open")])
    assert _logs(project) == originals  # A's and B's logs untouched


def test_reconciling_again_adds_nothing(project) -> None:
    reconcile(project, "ann", "bo", "lead")
    before = snapshot(project.root)
    again = reconcile(project, "ann", "bo", "lead")
    assert again.written == 0 and len(again.disagreements) == 3
    assert snapshot(project.root) == before


def test_decisions_take_a_side_and_can_be_changed(project) -> None:
    originals = _logs(project)
    first = reconcile(project, "ann", "bo", "lead")
    unit = _unit(first, "choice-words")
    took_b = reconcile(project, "ann", "bo", "lead", {unit: "B"})
    assert took_b.decided[unit] == "B" and took_b.written == 1  # time (agreed) was there
    assert (A_SRC, "they wanted choice", "choice-words") in _lead(project)
    before = snapshot(project.root)
    assert reconcile(project, "ann", "bo", "lead", {unit: "B"}).written == 0
    assert snapshot(project.root) == before  # the same decision twice writes nothing
    took_a = reconcile(project, "ann", "bo", "lead", {unit: "A"})
    assert (took_a.written, took_a.removed) == (1, 1)
    assert _lead(project) == {(A_SRC, "Staff felt rushed.", "time"),
                              (A_SRC, "wanted choice", "choice-words")}
    both = reconcile(project, "ann", "bo", "lead", {unit: "both"})
    assert both.written == 1 and len([x for x in _lead(project) if x[2] == "choice-words"]) == 2
    reconcile(project, "ann", "bo", "lead", {unit: "neither"})
    assert {x[2] for x in _lead(project)} == {"time"}
    last = reconcile(project, "ann", "bo", "lead")
    assert last.decided == {unit: "neither"}
    assert [r["decided"] for r in last.rows() if r["id"] == unit] == ["neither"]
    assert _logs(project) == originals


def test_a_decisions_csv_and_takes_together(project, tmp_path: Path) -> None:
    first = reconcile(project, "ann", "bo", "lead")
    only_ann, only_bo = _unit(first, "time"), _unit(first, "choice")
    csv = tmp_path / "d.csv"
    csv.write_text(f"id,take\n{only_ann},a\n", "utf-8")
    done = reconcile_coders(project, "ann,bo", "lead", [f"{only_bo}=neither"], csv)
    assert done.decided == {only_ann: "A", only_bo: "neither"}
    assert ("b", "Nurses described time pressure.", "time") in _lead(project)
    assert not any(x[2] == "choice" for x in _lead(project))


@pytest.mark.parametrize("args,words", [
    (("ann,ann", "lead", []), "two different coders"),
    (("ann,bo", "bo", []), "bo is one of the coders"),
    (("ann", "lead", []), "give two coders"),
    (("ann,bo", "lead", ["d0000000=A"]), "no disagreement 'd0000000'"),
    (("ann,bo", "lead", ["nonsense"]), "give ID=A"),
    (("ann,bo", "lead", ["d0000000=C"]), "take 'C'; expected A, B, both, neither"),
    (("ann,bo", "nobody", []), "nobody"),
])
def test_mistakes_are_refused_and_write_nothing(project, args, words: str) -> None:
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match=words):
        reconcile_coders(project, *args)
    assert snapshot(project.root) == before


def test_a_bad_decisions_file_names_its_line(project, tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("id,take\nd1234567,A\nd1234567,B\n", "utf-8")
    with pytest.raises(ReviewkitError, match="decided twice") as err:
        reconcile_coders(project, "ann,bo", "lead", [], csv)
    assert err.value.line == 3
    csv.write_text("id,choice\n", "utf-8")
    with pytest.raises(ReviewkitError, match="columns id, take"):
        reconcile_coders(project, "ann,bo", "lead", [], csv)


def test_cli_reconcile(project) -> None:
    r = run_cli("synthesis", "reconcile", "--coders", "ann,bo", "--as", "lead", "-f", "csv",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "1 agreed unit(s), 3 disagreement(s) (3 not decided)" in r.stdout
    assert "they wanted choice" in r.stdout
    before = snapshot(project.root)
    r = run_cli("synthesis", "reconcile", "--coders", "ann,bo", "--as", "ann",
                cwd=project.root)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert snapshot(project.root) == before
