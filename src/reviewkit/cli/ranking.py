"""`reviewkit simulate`: replay a labelled dataset in the ranker's order."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import emit, user_errors


@user_errors
def simulate(dataset: Path = typer.Argument(..., help="Labelled CSV (record_id, title, "
                                             "abstract, label_included) or RIS with LB labels"),
             model: str = typer.Option(None, "--model", "-m", help="Model preset (default: svm)"),
             seed: int = typer.Option(0, "--seed", help="Seed for priors and model"),
             prior_included: int = typer.Option(1, "--prior-included", help="Relevant priors"),
             prior_excluded: int = typer.Option(1, "--prior-excluded", help="Irrelevant priors"),
             out: Path = typer.Option(None, "--out", "-o", help="Write the order as CSV "
                                      "record_id,label (priors first)"),
             fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or md"),
             ) -> None:
    """Simulate screening a labelled dataset; print recall, WSS, RRF and ATD."""
    from reviewkit.ranking import load_labelled
    from reviewkit.ranking import simulate as run

    data = load_labelled(dataset)
    sim = run(data.records, data.labels, model, seed, prior_included, prior_excluded)
    if out is not None:
        sim.write_order(out, data.ids)
    info = {"dataset": data.name, "model": sim.model, "seed": seed, "priors": sim.n_priors,
            **sim.metrics(), "seconds": round(sim.wall_seconds, 2)}
    if fmt == "json":
        emit([info], "json")
    else:
        emit([{"metric": k, "value": _fmt(v)} for k, v in info.items()], fmt, "Simulation")


def _fmt(v: object) -> object:
    return round(v, 4) if isinstance(v, float) else v
