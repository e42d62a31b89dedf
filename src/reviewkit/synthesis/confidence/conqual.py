"""ConQual (Munn et al. 2014) for meta-aggregation: computed, with the reasons written out.

A review finding's synthesised findings start high (qualitative research); dependability
(JBI checklist questions 2, 3, 4, 6, 7 of the contributing studies) and credibility (the
mix of unequivocal / credible / unsupported findings under it) move it down. The rules
are in conqual.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from reviewkit.appraisal.checklist import Checklist, load_checklists, own_checklists
from reviewkit.appraisal.records import Appraisal
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.synthesis.codebook import CODEBOOK
from reviewkit.synthesis.confidence.findings import Finding, Findings

PACKAGE = "reviewkit.synthesis.confidence"


@cache
def rules() -> dict:
    return yaml.safe_load(resources.files(PACKAGE).joinpath("conqual.yaml").read_text("utf-8"))


def jbi_checklist(project: Project) -> Checklist:
    """The JBI checklist: shipped with reviewkit, or the project's own copy in casp/."""
    cid = rules()["checklist"]
    mine = load_checklists(project).get(cid)
    if mine is None:  # the shipped file was deleted (its terms did not fit) and none given
        raise ReviewkitError(f"ConQual needs the {cid} checklist: put a checklist file "
                             f"with id {cid} in casp/", file="casp")
    return mine


def install_jbi(project: Project) -> Path:
    """Copy the shipped JBI checklist into casp/ for a team to edit (its header states
    JBI's terms); an existing file is never overwritten."""
    from reviewkit.appraisal.checklist import CHECKLIST_DIR
    from reviewkit.project.atomic import write_text_atomic

    cid = rules()["checklist"]
    dest = project.root / CHECKLIST_DIR / f"{cid}.yaml"
    if dest.exists() or cid in own_checklists(project):
        raise ReviewkitError(f"casp/ already has the {cid} checklist; left as it is",
                             file=project.relative(dest) if dest.exists() else CHECKLIST_DIR)
    folder = resources.files("reviewkit.appraisal").joinpath("checklists")
    # the file's own header comments state JBI's terms (as reviewkit's NOTICE does)
    write_text_atomic(dest, folder.joinpath(f"{cid}.yaml").read_text("utf-8"))
    return dest


@dataclass
class ConQual:
    finding: str
    dependability: str  # the reason, written out
    credibility: str
    level: str
    yes: int = 0
    mix: list[str] = field(default_factory=list)
    down: tuple[int, int] = (0, 0)


def dependability_down(yes: int) -> int:
    for band in rules()["dependability"]["bands"]:
        if yes >= band["min_yes"]:
            return int(band["down"])
    raise AssertionError("conqual.yaml: the last band must start at 0")


def credibility_down(mix: set[str]) -> int:
    for rule in rules()["credibility"]:
        if set(rule["mix"]) == mix:
            return int(rule["down"])
    raise ReviewkitError(f"no ConQual credibility rule for the mix {sorted(mix)}")


def lower(level: str, steps: int) -> str:
    levels = rules()["levels"]
    return levels[min(levels.index(level) + steps, len(levels) - 1)]


def question_yes(appraisals: list[Appraisal], qid: str) -> bool:
    """A question counts as yes when more than half of the studies answer yes."""
    return sum(1 for a in appraisals if a.value(qid) == "yes") * 2 > len(appraisals)


def conqual(finding: Finding, findings: Findings, appraisals: dict[str, Appraisal]
            ) -> ConQual:
    """The ConQual level of one review finding."""
    r = rules()
    book = findings.synthesis.codebook
    under: set[str] = set()
    for t in finding.themes:
        under |= book.descendants(t) | {t}
    # the codebook's findings under the themes, and only those the coding supports
    coded = {c for s in finding.segments for c in s.codes}
    primary = [book.codes[c] for c in book.codes if c in under and c in coded
               and book.codes[c].level == "finding"]
    if not primary:
        raise ReviewkitError(f"finding {finding.id!r}: no coded meta-aggregation finding "
                             "under its themes (ConQual grades synthesised findings)",
                             file=findings.file, line=finding.line, field="themes")
    for c in primary:
        if not c.credibility:
            raise ReviewkitError(f"finding {c.id!r} has no credibility (unequivocal, credible "
                                 "or unsupported)", file=CODEBOOK, line=c.line,
                                 field="credibility")
    missing = [s for s in finding.studies if s not in appraisals]
    if missing:
        raise ReviewkitError(f"finding {finding.id!r}: no final {r['checklist']} appraisal of "
                             f"{', '.join(missing)} (ConQual's dependability needs one per "
                             "contributing study)", file=findings.file, line=finding.line)
    studies = [appraisals[s] for s in finding.studies]
    questions = r["dependability"]["questions"]
    yes_q = [q for q in questions if question_yes(studies, q)]
    d = dependability_down(len(yes_q))
    shown = ", ".join(q.upper() for q in questions)
    dep = (f"{len(yes_q)} of {len(questions)} dependability questions ({shown}) answered yes "
           f"by most of the {len(studies)} studies"
           + (f" ({', '.join(q.upper() for q in yes_q)})" if yes_q else "")
           + (": no change" if d == 0 else f": down {_steps(d)}"))
    counts = {k: sum(1 for c in primary if c.credibility == k)
              for k in ("unequivocal", "credible", "unsupported")}
    mix = {k for k, n in counts.items() if n}
    c_down = credibility_down(mix)
    cred = (", ".join(f"{n} {k}" for k, n in counts.items() if n)
            + (": no change" if c_down == 0 else f": down {_steps(c_down)}"))
    level = lower(lower(r["start"], d), c_down)
    return ConQual(finding.id, dep, cred, level, len(yes_q), sorted(mix), (d, c_down))


def _steps(n: int) -> str:
    return "one level" if n == 1 else f"{n} levels"


def jbi_appraisals(project: Project) -> dict[str, Appraisal]:
    """Study -> its counted JBI appraisal (consensus first)."""
    return {a.study: a for a in final_appraisals(project, jbi_checklist(project))[0]}


def conqual_all(project: Project, findings: Findings, partial: bool = False
                ) -> list[ConQual]:
    """Every finding's ConQual level. ``partial`` (the report, while appraisal goes on): a
    finding with a contributing study not yet appraised is not graded (level '') instead
    of refused; its dependability says which study."""
    if findings.synthesis.codebook.method != "meta-aggregation":
        raise ReviewkitError(f"ConQual is for meta-aggregation; this codebook's method is "
                             f"{findings.synthesis.codebook.method!r} (use CERQual: "
                             "`reviewkit synthesis soqf`)", file=CODEBOOK)
    appraisals = jbi_appraisals(project)
    out = []
    for f in findings.findings.values():
        missing = [s for s in f.studies if s not in appraisals]
        if partial and missing:
            out.append(ConQual(f.id, f"not graded: no final {rules()['checklist']} appraisal "
                               f"of {', '.join(missing)} yet", "", ""))
        else:
            out.append(conqual(f, findings, appraisals))
    return out
