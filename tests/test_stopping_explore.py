"""Edge cases of the stopping test found by exploring `screen stop`: the boundary p = α,
the order a bias may be assumed in, percentages that must not round to a false claim,
and what is said for a reviewer who has not screened."""

from __future__ import annotations

from reviewkit.ranking.stopping import p_value, stopping_status
from reviewkit.ranking.stopping_sim import first_stop


def test_p_equal_to_alpha_is_not_a_stop():
    """Nothing relevant in 99 of 100 records: p = 1 - 99/100 = 0.01 exactly, and the rule
    stops at p < 0.01 only (floating point put p just under 0.01 and said stop)."""
    assert abs(p_value([0] * 99, 100, min_urn=0.2) - 0.01) < 1e-12
    st = stopping_status([0] * 99, 100, confidence=0.99)
    assert not st.criterion_met and st.verdict.startswith("keep screening")
    assert stopping_status([0] * 199, 200, confidence=0.99).criterion_met  # p = 0.005
    # the bound agrees with the verdict at the target itself (0.95 is on the grid)
    assert st.recall_lower_bound < 0.95
    # the simulation's first stop (the bench's) agrees with the verdict
    assert first_stop([0] * 100, 100, confidence=0.99, min_urn=0.2) == 100

