"""While appraisal goes on, the report still builds: a ConQual finding whose contributing
study has no final JBI appraisal yet is shown 'not yet graded', with a warning naming
the study; `synthesis conqual` itself still refuses it (tested in test_confidence_conqual)."""

from __future__ import annotations

from reviewkit.reporting.report import build_report
from reviewkit.store import open_store
from reviewkit.synthesis.confidence.tables import UNGRADED, conqual_table
from test_confidence_conqual import STUDIES, project, write_findings, write_jbi  # noqa: F401


def test_a_study_not_yet_appraised_leaves_its_finding_ungraded_in_the_report(project):  # noqa: F811
    for s in STUDIES:
        write_jbi(project, s, 3)
    write_findings(project, ["u1", "c1"])
    table, warnings = conqual_table(project, partial=True)
    assert [r["score"] for r in table.rows] == ["Low"]  # all appraised: graded as before
    (project.root / "casp" / "s2" / "consensus.yaml").unlink()
    table, warnings = conqual_table(project, partial=True)
    [row] = table.rows
    assert row["score"] == UNGRADED and "jbi-qualitative appraisal of s2" in \
        row["dependability"]
    said = [w for w in warnings if "'rf'" in w]
    assert said == ["ConQual: finding 'rf': no final jbi-qualitative appraisal of s2 yet; "
                    "shown as not yet graded"]
    report = build_report(project, open_store(project.store_path))
    assert any("appraisal of s2 yet" in note for note in report.notes)
