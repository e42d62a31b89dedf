"""Reviewers: named in reviewkit.toml; each works as themselves."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import CONFIG, Project, load_config

ENV = "REVIEWKIT_REVIEWER"
# A reviewer's name is also their log's file name: keep it portable.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# A name that also signs appraisal and extraction records, <reviewer>.<checklist>.yaml:
# no '.' (it ends the name there) and no capitals (those files' names are lower-case).
_NEW_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
RESERVED = "consensus"  # the agreed appraisal, extraction and CERQual records


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ReviewkitError(f"reviewer name {name!r} must be letters, digits, '.', '_' or '-' "
                             "(it names the reviewer's log file)", field="reviewer")
    return name


def check_new_name(project: Project, name: str) -> str:
    """A name a new reviewer may take: not the consensus, and not one that differs from a
    reviewer's only in case (macOS and Windows would give the two one log file)."""
    check_name(name)
    if name == RESERVED:
        raise ReviewkitError(f"{RESERVED!r} names the agreed appraisal, extraction and CERQual "
                             "records; choose another reviewer name", field="reviewer")
    same = [n for n in project.config.reviewers if n.casefold() == name.casefold()]
    if same:
        raise ReviewkitError(f"{name!r} is already a reviewer as {same[0]!r} (names differing "
                             "only in case share one log file on macOS and Windows)",
                             file=str(project.root / CONFIG), field="reviewers")
    return name


def name_caution(name: str) -> str:
    """What a name with capitals or '.' cannot do (it screens and codes, as a coder of an
    NVivo or ATLAS.ti project may be named): sign appraisal, extraction or CERQual records,
    whose files are <reviewer>.<checklist>.yaml in lower case. '' for any other name."""
    if _NEW_NAME.match(name):
        return ""
    return (f"{name!r} can screen and code but cannot sign appraisal, extraction or CERQual "
            f"records (their files are named in lower case, ended by '.'); for that work, a "
            f"name such as {name.lower().replace('.', '-')!r}")


def awkward_names(project: Project) -> list[str]:
    """Reviewers in reviewkit.toml whose name cannot sign records or shares a log file with
    another's (typed there by hand, or added with a capital or '.'), each with why."""
    out, seen = [], {}
    for name in project.config.reviewers:
        twin = seen.setdefault(name.casefold(), name)
        if twin != name:
            out.append(f"{name!r} and {twin!r} differ only in case: on macOS and Windows "
                       "they share one log file")
        elif name == RESERVED or not _NEW_NAME.match(name):
            out.append(f"{name!r} cannot sign appraisal or extraction records (those files "
                       "are <reviewer>.<checklist>.yaml, lower-case, and 'consensus' is the "
                       "agreed record)")
    return out


def add_reviewer(project: Project, name: str) -> bool:
    """Add ``name`` to reviewers in reviewkit.toml, keeping comments; False if already there."""
    check_name(name)
    if name in project.config.reviewers:
        return False
    check_new_name(project, name)
    path = project.root / CONFIG
    text = path.read_text("utf-8-sig")
    doc = tomlkit.parse(text)
    if "reviewers" not in doc:
        # a top-level key must come before the first [table]
        first = re.search(r"^\s*\[", text, re.M)
        at = first.start() if first else len(text)
        doc = tomlkit.parse(text[:at] + "reviewers = []\n\n" + text[at:])
    doc["reviewers"].append(name)
    write_text_atomic(path, tomlkit.dumps(doc))
    project.config = load_config(project.root)
    return True


def resolve_reviewer(project: Project, name: str | None, doing: str = "screening") -> str:
    """--reviewer, else $REVIEWKIT_REVIEWER; it must be one of the project's reviewers.

    Never a guess: with no name given it asks, even when only one reviewer is
    configured, so nothing is ever written under someone else's name.
    """
    name = name or os.environ.get(ENV, "")
    if not name:
        raise ReviewkitError(f"who is {doing}? pass --reviewer NAME or set {ENV}",
                             field="reviewer")
    return require_reviewer(project, name)


def require_signer(project: Project, name: str, file: str | None = None,
                   consensus: str = "consensus") -> str:
    """Who may sign an appraisal or extraction record: a reviewer, or the pair's consensus.

    ``file``: the record's file, named in the error when the name came from it."""
    if name == consensus:
        return name
    try:
        return require_reviewer(project, name)
    except ReviewkitError as exc:
        if file is None:
            raise
        raise ReviewkitError(exc.message + " (or rename the file)", file=file,
                             field="reviewer") from None


def require_reviewer(project: Project, name: str) -> str:
    """``name`` if it is one of the reviewers in reviewkit.toml; else one line saying the fix."""
    check_name(name)
    if name not in project.config.reviewers:
        known = ", ".join(project.config.reviewers) or "none yet"
        raise ReviewkitError(f"{name!r} is not a reviewer of this project (reviewers in "
                             f"{CONFIG}: {known}); "
                             f"add with: reviewkit reviewer add {name}",
                             file=str(project.root / CONFIG), field="reviewers")
    return name


# who did what: listing and removing reviewers -------------------------------------------
@dataclass(frozen=True)
class Work:
    """What one person has written in the project, by kind (counts) and file."""

    name: str
    counts: dict[str, int]        # column -> how many (decisions, judgements, records, events)
    files: list[str]              # project-relative files holding it
    signed: list[str]             # appraisal / extraction records signed with the name


def reviewer_rows(project: Project) -> list[dict]:
    """One row per reviewer in reviewkit.toml, then anyone else whose name is on work."""
    names = list(project.config.reviewers)
    names += sorted(n for n in _names_on_work(project) if n not in names)
    return [{"reviewer": n, "on_project": "yes" if n in project.config.reviewers else "no",
             **reviewer_work(project, n).counts} for n in names]


def reviewer_work(project: Project, name: str) -> Work:
    """Everything ``name`` has written: screening decisions (per stage, not undone),
    conflicts settled, dedup judgements, appraisal and extraction records, coding events."""
    from reviewkit.appraisal.checklist import CHECKLIST_DIR
    from reviewkit.dedup.judgements import log_path as judgement_log
    from reviewkit.extraction.form import FORM_DIR
    from reviewkit.screening.config import screening_config
    from reviewkit.screening.log import read_log, screening_dir
    from reviewkit.synthesis.coding import coding_log

    counts: dict[str, int] = {}
    files: list[Path] = []
    settled = 0  # conflicts settled, at any stage: a third reviewer's work
    conf = screening_config(project)
    for stage in conf.stages:
        path = screening_dir(project) / stage / f"{name}.jsonl"
        events = read_log(path, stage, conf.reasons)[0] if path.is_file() else []
        undone = {e.get("target") for e in events if e.get("type") == "undo"}
        counts[stage] = sum(1 for e in events if e.get("type") == "decision"
                            and e["id"] not in undone)
        settled += sum(1 for e in events if e.get("type") == "resolution"
                       and e["id"] not in undone)
        files += [path] if path.is_file() else []
    counts["resolutions"] = settled
    judged = [e for e in _jsonl(judgement_log(project)) if e.get("by") == name]
    counts["dedup"] = len(judged)
    files += [judgement_log(project)] if judged else []
    signed = []
    for kind, folder in (("appraisal", CHECKLIST_DIR), ("extraction", FORM_DIR)):
        mine = _signed(project.root / folder, name)
        counts[kind] = len(mine)
        signed += mine
    coding = coding_log(project, name)
    counts["coding"] = len(_jsonl(coding))
    files += [coding] if coding.is_file() else []
    rel = [project.relative(p) for p in [*files, *signed]]
    return Work(name, counts, rel, [project.relative(p) for p in signed])


def remove_reviewer(project: Project, name: str) -> Work:
    """Take ``name`` off reviewers in reviewkit.toml (comments kept); their logs stay.

    Screening decisions, dedup judgements and coding stay in their logs and still count.
    Appraisal and extraction records must be signed by a reviewer to load, so a person
    who signed any is refused (rename those files first), never left unreadable."""
    check_name(name)
    if name not in project.config.reviewers:
        known = ", ".join(project.config.reviewers) or "none"
        raise ReviewkitError(f"{name!r} is not a reviewer of this project (reviewers in "
                             f"{CONFIG}: {known}): nothing to remove",
                             file=str(project.root / CONFIG), field="reviewers")
    work = reviewer_work(project, name)
    if work.signed:
        more = f" and {len(work.signed) - 1} more" if len(work.signed) > 1 else ""
        raise ReviewkitError(f"{name} signed {work.signed[0]}{more}: appraisal and extraction "
                             "records load only when signed by a reviewer; rename those files "
                             "to another reviewer (or consensus) first", field="reviewers")
    path = project.root / CONFIG
    doc = tomlkit.parse(path.read_text("utf-8-sig"))
    names = doc["reviewers"]
    del names[[str(n) for n in names].index(name)]
    write_text_atomic(path, tomlkit.dumps(doc))
    project.config = load_config(project.root)
    return work


def _signed(folder: Path, name: str) -> list[Path]:
    """<folder>/<study>/<name>[.<form>].yaml files."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/*.yaml") if p.stem.split(".", 1)[0] == name)


def _names_on_work(project: Project) -> set[str]:
    from reviewkit.dedup.judgements import log_path as judgement_log
    from reviewkit.screening.log import screening_dir
    from reviewkit.synthesis.coding import coding_dir

    names = {p.stem for p in screening_dir(project).glob("*/*.jsonl")}
    names |= {p.stem for p in coding_dir(project).glob("*.jsonl")}
    names |= {e["by"] for e in _jsonl(judgement_log(project)) if isinstance(e.get("by"), str)}
    return {n for n in names if _NAME.match(n)}


def _jsonl(path: Path) -> list[dict]:
    """The lines of a JSONL log that parse (the stages' readers report the others)."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            out.append(event)
    return out
