"""The report's quote table shows a passage two coders coded alike once; the table with
segment ids (for scripts) keeps one row per segment."""

from __future__ import annotations

from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.outputs import quotes_table
from reviewkit.synthesis.state import load_synthesis
from synthesis_support import synth_project


def test_a_passage_two_coders_coded_alike_is_one_quote_in_the_report(tmp_path):
    project = synth_project(tmp_path)
    for coder in ("ann", "bo"):
        code_text(project, "b", "Nurses described time pressure.", "time", coder)
    code_text(project, "b", "Patients wanted choice too.", "choice-words", "ann")
    syn = load_synthesis(project)
    scripts = quotes_table(syn)
    assert len(scripts.rows) == 3 and scripts.notes == []
    report = quotes_table(syn, with_ids=False)
    assert [(r["index"], r["text"]) for r in report.rows] == [
        (1, "Nurses described time pressure."), (2, "Patients wanted choice too.")]
    assert report.notes == ["A passage that several coders coded alike is shown once."]
