"""A draft extraction consensus the team began by hand is not overwritten by a consensus
run that says otherwise (refused unless --replace); one that fills it in keeps its values."""

from __future__ import annotations

from appraisal_support import consensus_over_draft

RECORD = ("form: characteristics\nstatus: final\nvalues:\n  year: 2016\n  publication: grey\n"
          "  budget_type: personal budget\n  budget_amount: GBP 10\n  location: {where}\n"
          "  design: qualitative\n  service_users: '5'\n  staff: none\n")


def test_a_draft_extraction_consensus_typed_by_hand_is_kept(tmp_path):
    data = consensus_over_draft(tmp_path, "extraction", {
        "extraction/s1/ann.yaml": RECORD.format(where="Leeds"),
        "extraction/s1/bob.yaml": RECORD.format(where="Leeds, UK"),
        "extraction/s1/consensus.yaml": "form: characteristics\nstatus: draft\nvalues:\n"
                                        "  location: Leeds, England\n"},
        "location=@bob", "location=Leeds, England", "location")
    assert data["status"] == "final" and data["values"]["location"] == "Leeds, England"
    assert data["values"]["year"] == 2016
