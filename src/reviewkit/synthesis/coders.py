"""Whose coding the outputs show: every coder's, or the ones a team names.

After blind coding and `synthesis reconcile --as lead`, the matrix, quotes, themes,
findings and the report should rest on the reconciled coding, not count each passage
once per coder. `[synthesis] coders = ["lead"]` in reviewkit.toml says so for every
output; `--coder` says so for one command. Agreement and REFI export always read all.
"""

from __future__ import annotations

import dataclasses

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.config import CONFIG, Project
from reviewkit.synthesis.state import Synthesis


def _coders_line(project: Project) -> int | None:
    path = project.root / CONFIG
    text = path.read_text("utf-8-sig") if path.is_file() else ""
    return tomlfile.line_of(text, "coders")


def config_coders(project: Project) -> list[str]:
    """``[synthesis] coders`` of reviewkit.toml, or [] (everyone)."""
    data = (project.config.model_extra or {}).get("synthesis")
    value = data.get("coders", []) if isinstance(data, dict) else []
    if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
        raise ReviewkitError("coders is a list of reviewer names, e.g. [\"lead\"]",
                             file=CONFIG, line=_coders_line(project),
                             field="synthesis.coders")
    return value


def only_coders(syn: Synthesis, coders: list[str], where: dict | None = None) -> Synthesis:
    """``syn`` with only the segments those coders made (all when ``coders`` is empty);
    a name with no coding at all is a mistake (a typo would show an empty matrix).
    ``where``: file, line and field to name in that error (default: the --coder option)."""
    if not coders:
        return syn
    have = {s.coder for s in syn.coding.segments.values()}
    missing = [c for c in coders if c not in have]
    if missing:
        raise ReviewkitError(f"no coding by {', '.join(missing)} (coders with segments: "
                             f"{', '.join(sorted(have)) or 'none'})",
                             **(where or {"field": "coder"}))
    keep = {k: s for k, s in syn.coding.segments.items() if s.coder in coders}
    coding = dataclasses.replace(syn.coding, segments=keep,
                                 memos=[m for m in syn.coding.memos if _kept(m, keep, coders)])
    return dataclasses.replace(syn, coding=coding, coders=list(coders))


def _kept(memo, segments: dict, coders: list[str]) -> bool:
    """A memo on a kept segment, or one of the chosen coders' memos on a code or source."""
    return memo.target in segments if memo.on == "segment" else memo.coder in coders


def for_outputs(project: Project, syn: Synthesis, option: str | None = None) -> Synthesis:
    """The coding the outputs show: ``--coder A,B`` if given, else reviewkit.toml's; its
    problems include coded segments an edit of their source lost."""
    from reviewkit.synthesis.anchor import edited_problems

    if option:
        out = only_coders(syn, [c.strip() for c in option.split(",") if c.strip()])
    else:  # a name from reviewkit.toml: say so, or the user hunts for a --coder never given
        out = only_coders(syn, config_coders(project), {
            "file": CONFIG, "line": _coders_line(project), "field": "synthesis.coders"})
    # a quote whose words an edit took out of its source is still shown: never silently
    extra = edited_problems(project, list(out.coding.segments.values()), out.sources)
    if extra:
        problems = sorted(out.coding.problems + extra, key=lambda p: (p.file, p.line or 0))
        out = dataclasses.replace(out, coding=dataclasses.replace(out.coding,
                                                                  problems=problems))
    return out
