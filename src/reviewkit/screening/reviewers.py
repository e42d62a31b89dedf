"""Reviewers: named in reviewkit.toml; each works as themselves."""

from __future__ import annotations

import os
import re

import tomlkit

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import CONFIG, Project, load_config

ENV = "REVIEWKIT_REVIEWER"
# A reviewer's name is also their log's file name: keep it portable.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ReviewkitError(f"reviewer name {name!r} must be letters, digits, '.', '_' or '-' "
                             "(it names the reviewer's log file)", field="reviewer")
    return name


def add_reviewer(project: Project, name: str) -> bool:
    """Add ``name`` to reviewers in reviewkit.toml, keeping comments; False if already there."""
    check_name(name)
    if name in project.config.reviewers:
        return False
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
