"""Turn the shipped labelled records into overlapping "database exports".

The records are real (Nagtegaal et al. 2019, CC0); the exports are generated:
each demo database gets a seeded subset, written in a different format and
dress (title case, a trailing period), so deduplication has work to do.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SAMPLE = "data/nagtegaal2019_sample.csv"


@dataclass(frozen=True)
class DemoDatabase:
    id: str
    name: str
    platform: str
    share: float   # fraction of the sample this database finds
    fmt: str       # ris | csv | bibtex


DATABASES = (DemoDatabase("medline", "MEDLINE", "Ovid", 0.75, "ris"),
             DemoDatabase("embase", "Embase", "Embase.com", 0.55, "csv"),
             DemoDatabase("psycinfo", "PsycINFO", "EBSCOhost", 0.25, "bibtex"))


def sample_rows() -> list[dict]:
    text = resources.files("reviewkit.demo").joinpath(SAMPLE).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def split(rows: list[dict], seed: int) -> dict[str, list[dict]]:
    """Each database's records; every record is found by at least one."""
    rnd = random.Random(seed)
    found: dict[str, list[dict]] = {}
    for db in DATABASES:
        found[db.id] = [r for r in rows if rnd.random() < db.share]
    seen = {r["record_id"] for rs in found.values() for r in rs}
    found[DATABASES[0].id] += [r for r in rows if r["record_id"] not in seen]
    return found


def _dress(title: str, db: DemoDatabase) -> str:
    # databases spell the same title differently: case and final punctuation
    if db.fmt == "csv":
        return title.rstrip(".") + "."
    if db.fmt == "bibtex":
        return title.title()
    return title


def write_export(db: DemoDatabase, rows: list[dict], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if db.fmt == "ris":
        path = folder / f"{db.id}.ris"
        lines = []
        for r in rows:
            lines += ["TY  - JOUR", f"TI  - {_dress(r['title'], db)}", f"AB  - {r['abstract']}",
                      f"DB  - {db.name} (demo)", "ER  - ", ""]
        path.write_text("\n".join(lines), "utf-8")
    elif db.fmt == "csv":
        path = folder / f"{db.id}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Title", "Abstract"])
            w.writerows([_dress(r["title"], db), r["abstract"]] for r in rows)
    else:
        path = folder / f"{db.id}.bib"
        entries = [f"@article{{demo{r['record_id']},\n  title = {{{_bib(_dress(r['title'], db))}}},"
                   f"\n  abstract = {{{_bib(r['abstract'])}}}\n}}\n" for r in rows]
        path.write_text("\n".join(entries), "utf-8")
    return path


def _bib(text: str) -> str:
    return text.replace("{", "(").replace("}", ")").replace("\\", " ")
