"""The screener's entry points: rank() and the background refit."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from reviewkit.ranking import BackgroundRanker, Ranker, load_labelled, rank
from reviewkit.records import Record

from conftest import shared_path


@pytest.fixture(scope="module")
def adhd():
    data = load_labelled(shared_path("data/screening/Cohen_2006_ADHD.csv"))
    records = [{"id": rid, **rec} for rid, rec in zip(data.ids, data.records, strict=True)]
    truth = dict(zip(data.ids, data.labels, strict=True))
    rng = np.random.default_rng(0)
    known = rng.choice(len(records), 150, replace=False)
    labels = {data.ids[i]: data.labels[i] for i in known}
    return records, truth, labels


def test_rank_puts_relevant_records_first(adhd):
    records, truth, labels = adhd
    order = rank(records, labels, random_state=0)
    assert len(order) == len(records) - len(labels) and len(set(order)) == len(order)
    assert not set(order) & set(labels)
    positions = np.array([i for i, rid in enumerate(order) if truth[rid]])
    # random order would put the relevant records in the middle on average
    assert positions.mean() < 0.25 * len(order)


def test_cold_start_is_a_seeded_random_order(adhd):
    records, truth, _ = adhd
    only_irrelevant = {records[0]["id"]: 0}
    a = rank(records, only_irrelevant, random_state=1)
    assert a == rank(records, only_irrelevant, random_state=1)
    assert a != rank(records, only_irrelevant, random_state=2)
    assert records[0]["id"] not in a


def test_records_and_explicit_ids():
    recs = [Record(title="Personal budgets for drug users"),
            Record(title="Cattle virus metagenomics"),
            Record(title="Personal health budgets and alcohol"),
            Record(title="Virus discovery in pigs")]
    order = rank(recs, {"a": 1, "b": 0}, ids=["a", "b", "c", "d"])
    assert order == ["c", "d"]                  # the budget record before the virus one


def test_background_ranker_refits_off_the_calling_thread(adhd):
    records, _, labels = adhd
    ranker = Ranker(random_state=0).prepare(records)
    seen = []
    with BackgroundRanker(ranker, on_ready=lambda r: seen.append(threading.current_thread()
                                                                 .name)) as bg:
        for n in (10, 60, 150):                 # coalesced: only the newest need be computed
            bg.submit(dict(list(labels.items())[:n]))
        latest = bg.wait(timeout=60)
    assert latest is not None and latest.n_labelled == 150
    assert latest.order == ranker.order(labels).order
    assert seen and all(name == "reviewkit-ranker" for name in seen)
    assert latest.model_version.startswith("svm/reviewkit-") and latest.model_version.endswith(
        "/n-150")


def test_query_strategies_break_ties_by_seed_and_explore_when_asked():
    from reviewkit.ranking.query import MaxQuery, MixedQuery

    scores = np.array([0.9, 0.1, 0.9, 0.5, 0.2, 0.0])
    pool = np.arange(6)
    a = MaxQuery(3).order(scores, pool)
    assert set(a[:2]) == {0, 2} and list(a[2:]) == [3, 4, 1, 5]
    assert list(a) == list(MaxQuery(3).order(scores, pool))       # same seed, same tie order
    assert list(MixedQuery(0.0, 3).order(scores, pool)) == list(a)  # no exploration = max
    mixed = MixedQuery(0.5, 3).order(scores, pool)
    assert sorted(mixed) == list(range(6)) and list(mixed) != list(a)
    mask = np.array([False, True, True, True, True, True])
    assert MaxQuery(0).pick(scores, mask) == 2
