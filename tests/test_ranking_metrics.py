"""Simulation metrics on hand-made screening orders whose values are worked out by hand."""

from __future__ import annotations

import pytest

from reviewkit.ranking.metrics import recall_at, records_to_recall, summary, wss


def test_perfect_order():
    # 2 priors, then 5 relevant first among N' = 20
    order = [1, 0] + [1] * 5 + [0] * 15
    m = summary(order, n_priors=2)
    assert m["records"] == 20 and m["relevant"] == 5
    assert m["n95"] == 5                        # ceil(0.95 * 5) = 5 relevant needed
    assert m["wss@95"] == pytest.approx(0.95 - 5 / 20)
    assert m["wss@100"] == pytest.approx(1 - 5 / 20)
    assert m["recall@10%"] == pytest.approx(2 / 5)   # floor(0.10 * 20) = 2 records
    assert m["recall@25%"] == pytest.approx(5 / 5)   # floor(0.25 * 20) = 5 records
    assert m["recall@5%"] == pytest.approx(1 / 5)    # floor(0.05 * 20) = 1 record
    assert m["atd"] == pytest.approx((1 + 2 + 3 + 4 + 5) / 5)
    assert m["rrf@10"] == m["recall@10%"]


def test_mixed_order_and_priors_excluded():
    # the relevant prior must not count: after it, N' = 10 with relevant at 1, 3 and 10
    order = [1, 0] + [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    m = summary(order, n_priors=2)
    assert m["relevant"] == 3
    assert m["recall@5%"] == 0.0                # floor(0.5) = 0 records screened
    assert m["recall@10%"] == pytest.approx(1 / 3)
    assert m["recall@25%"] == pytest.approx(1 / 3)   # first 2 records: one relevant
    assert m["n95"] == 10 and m["n100"] == 10        # ceil(2.85) = 3 -> the 10th record
    assert m["wss@95"] == pytest.approx(0.95 - 1.0)
    assert m["wss@100"] == pytest.approx(0.0)
    assert m["atd"] == pytest.approx((1 + 3 + 10) / 3)
    assert m["atd_fraction"] == pytest.approx((14 / 3) / 10)


def test_worst_order_has_negative_wss():
    order = [0] * 8 + [1, 1]                     # no priors; relevant last
    assert wss(order, 0.95) == pytest.approx(0.95 - 1.0)
    assert records_to_recall(order, 0.5) == 9
    assert recall_at(order, 0.8) == 0.0


def test_exactly_95_percent_counts_as_reached():
    # 19 of 20 relevant is recall 0.95: the 19th relevant record is where it is reached
    order = [1] * 19 + [0] * 80 + [1]
    assert records_to_recall(order, 0.95) == 19
    assert wss(order, 0.95) == pytest.approx(0.95 - 19 / 100)
    assert records_to_recall(order, 1.0) == 100


def test_cut_off_is_floor_of_fraction_times_n_without_float_error():
    # 0.29 * 100 is 28.999999999999996 in floating point; the cut-off is still 29 records
    order = [0] * 28 + [1] + [0] * 70 + [1]
    assert recall_at(order, 0.29) == pytest.approx(1 / 2)
    assert recall_at(order, 0.28) == 0.0


def test_no_relevant_after_priors_is_an_error():
    with pytest.raises(ValueError, match="no relevant"):
        summary([1, 0, 0, 0], n_priors=1)
