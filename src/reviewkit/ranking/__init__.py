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

    st = stopping_status(labels_in_screening_order, n_total, target=0.95, confidence=0.99)
    st.estimated_recall, st.recall_lower_bound, st.p_value, st.criterion_met
    st.consecutive_irrelevant, st.heuristic_met        # heuristic, no guarantee
    methods_text(0.95, 0.99)                           # sentence for the report

Log the screening order with ``RankedOrder.model_version`` per decision: the
stopping test needs the exact sequence.

For evaluation: ``simulate(records, labels, model, seed, prior_included,
prior_excluded)`` -> ``Simulation`` (order, labels, ``metrics()``,
``write_order(path, ids)``); ``load_labelled(path)`` reads a labelled CSV/RIS.
Models are presets in ``presets.yaml`` (``reviewkit.ranking.models``).
"""

import sys
import types
from importlib import import_module

# Loaded on first use: scikit-learn and spaCy cost about a second, and every command
# imports reviewkit.ranking.stopping (the report's methods text) without ranking anything.
_WHERE = {
    "LabelledSet": "dataset", "load_labelled": "dataset", "summary": "metrics",
    "BackgroundRanker": "ranker", "RankedOrder": "ranker", "Ranker": "ranker", "rank": "ranker",
    "Simulation": "simulate", "draw_priors": "simulate", "simulate": "simulate",
    "StoppingStatus": "stopping", "methods_text": "stopping", "stopping_status": "stopping",
}


class _Package(types.ModuleType):
    """Keeps ``simulate`` the function: importing the submodule of the same name would
    otherwise bind the module over it."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'reviewkit.ranking' has no attribute {name!r}")
    value = getattr(import_module(f"reviewkit.ranking.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BackgroundRanker", "LabelledSet", "RankedOrder", "Ranker", "Simulation", "StoppingStatus",
    "draw_priors", "load_labelled", "methods_text", "rank", "simulate", "stopping_status",
    "summary",
]
