"""Active-learning ranking, simulation, metrics and stopping rules.

For the screener (issue 4)::

    from reviewkit.ranking import rank, Ranker, BackgroundRanker, stopping_status

    ids = rank(records, {"medline/123": 1, "medline/456": 0}, random_state=7)
    # unlabelled ids, most likely relevant first; ``records`` are dicts or
    # reviewkit.records.Record (ids from ``ids=``, else 'id'/'record_id', else position).
    # Before one relevant and one irrelevant label exist: a random order from random_state.

    ranker = Ranker(model=None, random_state=7).prepare(records, ids)  # features once
    with BackgroundRanker(ranker, on_ready=ui_callback) as bg:
        bg.submit(labels)          # after each decision; returns at once
        bg.latest                  # newest RankedOrder(order, model_version, n_labelled, seconds)

    st = stopping_status(labels_in_screening_order, n_total, target=0.95, confidence=0.95)
    st.estimated_recall, st.recall_lower_bound, st.p_value, st.criterion_met
    st.consecutive_irrelevant, st.heuristic_met        # heuristic, no guarantee
    methods_text(0.95, 0.95)                           # sentence for the report

Log the screening order with ``RankedOrder.model_version`` per decision: the
stopping test needs the exact sequence.

For evaluation: ``simulate(records, labels, model, seed, prior_included,
prior_excluded)`` -> ``Simulation`` (order, labels, ``metrics()``,
``write_order(path, ids)``); ``load_labelled(path)`` reads a labelled CSV/RIS.
Models are presets in ``presets.yaml`` (``reviewkit.ranking.models``).
"""

from reviewkit.ranking.dataset import LabelledSet, load_labelled
from reviewkit.ranking.metrics import summary
from reviewkit.ranking.ranker import BackgroundRanker, RankedOrder, Ranker, rank
from reviewkit.ranking.simulate import Simulation, draw_priors, simulate
from reviewkit.ranking.stopping import StoppingStatus, methods_text, stopping_status

__all__ = [
    "BackgroundRanker", "LabelledSet", "RankedOrder", "Ranker", "Simulation", "StoppingStatus",
    "draw_priors", "load_labelled", "methods_text", "rank", "simulate", "stopping_status",
    "summary",
]
