"""`reviewkit doctor`: what in the project cannot be trusted, why, and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project, add_git_attributes, missing_git_attributes
from reviewkit.project.problems import log_problems, named
from reviewkit.records.orphans import Orphan, find_orphans, link_orphans
from reviewkit.screening import Screening
from reviewkit.screening.reviewers import awkward_names
from reviewkit.store.sqlite import SQLiteStore

EXPLAIN = (
    "A decision, judgement or study link names a record id that no imported record has. "
    "Usually its export file was edited and renamed at once, or removed; ids never change "
    "when a file is only logged, renamed or moved. Where exactly one record has the same "
    "record key, `reviewkit doctor --fix` writes an alias line to searches/file-ids.tsv so "
    "the old id resolves to it; otherwise restore the export file (git) or re-import it.")
EXPLAIN_STUDY = (
    "An appraisal, extraction or synthesis source names a study that studies.toml does not "
    "list: add the study to studies.toml, or correct the id (a renamed study keeps its "
    "folders only under its old id).")
EXPLAIN_SKIPPED = (
    "A skipped line is counted by no command: the message says what was expected there. "
    "Correct the line, or restore the file from git; nothing else is changed by it.")
OK = ("ok: every decision, judgement and study link names a record or study, no log "
      "line is skipped, and no reviewer decided one study two ways")


@dataclass
class Diagnosis:
    orphans: list[Orphan] = field(default_factory=list)
    linked: list[Orphan] = field(default_factory=list)
    healed: str | None = None
    skipped: list[str] = field(default_factory=list)  # "file:line: why" no reader counts
    # merge=union lines a project in git lacks (made before init wrote them): advice only
    attributes: list[str] = field(default_factory=list)
    attributes_added: bool = False
    names: list[str] = field(default_factory=list)  # reviewer names typed in by hand: advice
    # one reviewer's differing decisions on records now one study (the later counts)
    self_conflicts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.orphans and not self.skipped and not self.self_conflicts

    def lines(self) -> list[str]:
        """What `doctor` prints: each finding, then how to fix each kind found."""
        out = [f"linked {o.id} -> {o.fix}" for o in self.linked]
        out += [f"orphan: {o}" for o in self.orphans]
        out += [f"skipped: {s}" for s in self.skipped]
        out += [f"self-conflict: {s}" for s in self.self_conflicts]
        if any(o.kind != "study" for o in self.orphans):
            out.append(EXPLAIN)
        if any(o.kind == "study" for o in self.orphans):
            out.append(EXPLAIN_STUDY)
        if self.skipped:
            out.append(EXPLAIN_SKIPPED)
        out = out if not self.ok else [*out, OK]
        out += [f"note: reviewer {n}; rename them in reviewkit.toml and in their files"
                for n in self.names]
        if self.attributes:
            lines = "; ".join(self.attributes)
            out.append(f"added to .gitattributes: {lines}" if self.attributes_added else
                       "note: .gitattributes does not mark the append-only logs merge=union, "
                       "so a git merge of two reviewers' branches leaves conflict markers in "
                       f"them; `reviewkit doctor --fix` adds: {lines}")
        return out


def diagnose(project: Project, store: SQLiteStore, fix: bool = False) -> Diagnosis:
    """Orphans (after linking the unambiguous ones when ``fix``), the lines every reader
    skips, and whether the cache healed."""
    linked = link_orphans(project, store) if fix else []
    found = Diagnosis(find_orphans(project, store), linked, store.healed, skipped(project))
    found.names = awkward_names(project)
    try:
        found.self_conflicts = named(project, Screening(project, store).self_conflicts())
    except ReviewkitError:
        pass  # a screening setting that does not read: status and screen name it
    if _in_git(project):
        found.attributes = add_git_attributes(project.root) if fix else \
            missing_git_attributes(project.root)
        found.attributes_added = fix
    return found


def _in_git(project: Project) -> bool:
    return any((d / ".git").exists() for d in (project.root, *project.root.parents))


def skipped(project: Project) -> list[str]:
    """Log lines no command counts: screening and dedup logs, and the synthesis's coding
    logs (unreadable lines, segments and memos on a source not in sources.toml)."""
    from reviewkit.synthesis.state import load_synthesis

    out = log_problems(project) + unreadable_yaml(project)
    if (project.root / "synthesis").is_dir():
        syn = load_synthesis(project, need_codebook=False, check_studies=False)
        out += [str(p) for p in syn.problems]
    return out


def unreadable_yaml(project: Project) -> list[str]:
    """Appraisal and extraction files (casp/, extraction/) that are not YAML: `report` and
    the comparisons stop at them, so doctor names them too, by file and line."""
    out = []
    for folder in ("casp", "extraction"):
        root = project.root / folder
        for path in sorted(root.rglob("*.yaml")) if root.is_dir() else []:
            try:
                yamlfile.load(path)
            except ReviewkitError as exc:
                line = f":{exc.line}" if exc.line else ""
                out.append(f"{project.relative(path)}{line}: {exc.message}; every command "
                           "that reads it stops here")
    return out
