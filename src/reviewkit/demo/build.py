"""Build the demo project end to end with the library's own functions, no shortcuts.

search log -> generated exports -> import -> dedup -> ranked dual screening of
titles/abstracts -> full texts with reasons -> studies -> appraisal and
extraction of two studies -> three abstracts coded by two coders -> PRISMA diagram
and report.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from reviewkit.appraisal.checklist import load_checklists
from reviewkit.appraisal.records import Answer, Appraisal, save_appraisal
from reviewkit.dedup.run import run_dedup
from reviewkit.demo.exports import DATABASES, sample_rows, split, write_export
from reviewkit.demo.reviewers import ranked_units, screen_stage
from reviewkit.demo.synthesis import code_abstracts
from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import load_form
from reviewkit.extraction.records import Extraction, save_extraction
from reviewkit.io.importer import import_files
from reviewkit.project import init_project
from reviewkit.project.config import Project
from reviewkit.project.session import session
from reviewkit.reporting.report import write_report
from reviewkit.screening import Screening
from reviewkit.searches.log import Search, add_search
from reviewkit.store.base import Store

TITLE = "Nudging healthcare professionals towards evidence-based medicine (reviewkit demo)"
QUESTION = "Which nudges change healthcare professionals' behaviour towards evidence-based care?"
FT_REASONS = ["wrong intervention", "wrong outcome", "wrong study design", "not empirical",
              "not retrieved"]
_WORD = re.compile(r"[^a-z0-9]+")
MARKER = ".reviewkit-demo"


@dataclass
class DemoResult:
    root: Path
    records: int = 0
    unique: int = 0
    conflicts: dict[str, int] = field(default_factory=dict)
    included: int = 0
    segments: int = 0
    report: Path | None = None


def build_demo(root: Path, seed: int = 20190101) -> DemoResult:
    """Create the demo project in ``root`` (which must not hold a project yet)."""
    root = root.resolve()
    if (root / MARKER).is_file():
        shutil.rmtree(root)  # an earlier demo, made by this function: rebuilt from scratch
    elif (root / "reviewkit.toml").exists():
        raise ReviewkitError("a project already exists here; choose an empty folder",
                             file=str(root))
    elif root.exists() and any(root.iterdir()):
        raise ReviewkitError("the folder is not empty; choose a new or empty folder",
                             file=str(root))
    project = init_project(root, TITLE, QUESTION)
    (root / MARKER).write_text("Built by `reviewkit demo`; running it again rebuilds this "
                               "folder from scratch.\n", "utf-8")
    _set_reviewers(project)
    rows = sample_rows()
    _log_and_import(project, rows, seed)
    with session(root) as (project, store):
        result = DemoResult(root, records=store.count_records())
        run_dedup(project, store)
        result.unique = len(store.clusters())
        by_key = {_key(r["title"], r["abstract"]): r for r in rows}
        label = {}
        for unit in Screening(project, store).eligible("title-abstract"):
            rec = store.get_record(unit).record
            label[unit] = by_key[_key(rec.title, rec.abstract)]
        result.conflicts = _screen(project, store, label, seed)
        included = [u for u in Screening(project, store).eligible("full-text")
                    if Screening(project, store).state("full-text").outcome(u) == "include"]
        result.included = len(included)
        studies = _write_studies(project, store, included)
        _appraise_and_extract(project, studies[:2], seed)
        result.segments = code_abstracts(project, store, list(zip(studies, included,
                                                                  strict=True)), seed)
        _, paths = write_report(project, store)
        result.report = next((p for p in paths if p.name == "report.html"), paths[0])
    return result


def _set_reviewers(project: Project) -> None:
    path = project.root / "reviewkit.toml"
    text = path.read_text("utf-8").replace("reviewers = []", 'reviewers = ["ana", "ben", "cleo"]')
    # the screener follows the ranker, as the simulated reviewers did
    path.write_text(text + '\n[screening]\norder = "ranked"\n', "utf-8")


def _log_and_import(project: Project, rows: list[dict], seed: int) -> None:
    found = split(rows, seed)
    with tempfile.TemporaryDirectory() as tmp, session(project.root) as (project, store):
        for db in DATABASES:
            path = write_export(db, found[db.id], Path(tmp))
            add_search(project, Search(
                id=db.id, database=db.name, platform=db.platform, date_run="2019-01",
                search_string="(nudg* OR choice architecture OR default*) AND (physician* OR "
                              "clinician* OR nurse*) AND (evidence-based OR guideline*)",
                hits=len(found[db.id]), run_by="demo",
                notes="Demo: a generated export of real records from Nagtegaal et al. 2019 "
                      "(CC0), not a real database search."))
            import_files(project, store, [path], db.id)


def _key(title: str, abstract: str) -> str:
    return _WORD.sub("", (title or "").lower().rstrip("."))[:80] + _WORD.sub(
        "", (abstract or "").lower())[:80]


def _screen(project: Project, store: Store, label: dict[str, dict], seed: int) -> dict:
    rnd = random.Random(seed)
    truth_ta = {u: "include" if r["label_included"] == "1" else "exclude"
                for u, r in label.items()}
    units = list(label)
    order = ranked_units(project, store, units, {u: int(truth_ta[u] == "include")
                                                 for u in units}, seed)
    conflicts = {"title-abstract": screen_stage(project, store, "title-abstract", order,
                                                truth_ta, {}, seed)}
    full = Screening(project, store).eligible("full-text")
    truth_ft = {u: "include" if label[u]["label_fulltext"] == "1" else "exclude" for u in full}
    reasons = {u: rnd.choice(FT_REASONS) for u in full if truth_ft[u] == "exclude"}
    conflicts["full-text"] = screen_stage(project, store, "full-text", full, truth_ft,
                                          reasons, seed + 1)
    return conflicts


def _write_studies(project: Project, store: Store, included: list[str]) -> list[str]:
    lines = ["# Included studies of the demo: one study per included report.\n"]
    ids = []
    for n, unit in enumerate(included, 1):
        rec = store.get_record(unit).record
        sid = f"study-{n:02d}"
        ids.append(sid)
        title = rec.title.replace("\\", " ").replace('"', "'")
        lines.append(f'[[study]]\nid = "{sid}"\ncitation = "{title}"\nreports = ["{unit}"]\n')
    (project.root / "studies.toml").write_text("\n".join(lines), "utf-8")
    return ids


def _appraise_and_extract(project: Project, studies: list[str], seed: int) -> None:
    rnd = random.Random(seed)
    checklist = load_checklists(project).get("casp-qualitative")
    (project.root / "extraction" / "characteristics.yaml").unlink(missing_ok=True)  # the starter
    form_path = project.root / "extraction" / "demo-characteristics.yaml"
    form_path.write_bytes(resources.files("reviewkit.demo").joinpath("form.yaml").read_bytes())
    form = load_form(form_path)
    for sid in studies:
        for reviewer in ("ana", "ben", "consensus"):  # the pair's agreed record last
            if checklist is not None:
                answers = {q.id: Answer(rnd.choice(["yes", "yes", "yes", "cant_tell", "no"]),
                                        "simulated demo answer")
                           for q in checklist.questions}
                save_appraisal(project, Appraisal(sid, reviewer, checklist.id,
                                                  checklist.version, "final", answers),
                               checklist)
            values = {"design": rnd.choice(form.fields[0].options),
                      "nudge": "simulated demo value: see the abstract",
                      "notes": "Simulated by reviewkit demo; not a real extraction."}
            save_extraction(project, Extraction(sid, reviewer, form.id, form.version, "final",
                                                values), form)


def clean(root: Path) -> None:
    """Remove a demo folder (used by tests)."""
    shutil.rmtree(root, ignore_errors=True)
