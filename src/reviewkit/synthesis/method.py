"""The synthesis method: chosen in reviewkit.toml, still accepted in codebook.yaml.

    [synthesis]
    method = "thematic"        # or "meta-aggregation" or "framework"

The toml is where a project's choices live; a codebook.yaml that also names a method
must agree with it. When neither names one the method is thematic.
"""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.config import CONFIG, Project, load_config

DEFAULT = "thematic"
SECTION = "synthesis"


def config_method(project: Project, known: dict) -> str | None:
    """``[synthesis] method`` of reviewkit.toml (checked against ``known``), or None."""
    data = (project.config.model_extra or {}).get(SECTION)
    if data is None:
        return None
    path = project.root / CONFIG
    text = path.read_text("utf-8-sig") if path.is_file() else ""
    if not isinstance(data, dict):
        raise ReviewkitError(f"[{SECTION}] must be a table", file=CONFIG,
                             line=tomlfile.line_of(text, SECTION), field=SECTION)
    unknown = sorted(set(data) - {"method", "coders"})
    if unknown:
        raise ReviewkitError("unknown field (check the spelling)", file=CONFIG,
                             line=tomlfile.line_of(text, unknown[0]),
                             field=f"{SECTION}.{unknown[0]}")
    method = data.get("method")
    if method is None:
        return None
    if method not in known:
        raise ReviewkitError(f"unknown method {method!r}; expected {', '.join(known)}",
                             file=CONFIG, line=tomlfile.line_of(text, "method"),
                             field=f"{SECTION}.method")
    return method


def choose_method(in_codebook: str | None, in_config: str | None, codebook: str,
                  line: int | None = None) -> str:
    """The method in force; the two files disagreeing is a user mistake naming both."""
    if in_codebook and in_config and in_codebook != in_config:
        raise ReviewkitError(f"method {in_codebook!r} here disagrees with method "
                             f"{in_config!r} in {CONFIG} [{SECTION}]: keep one of them "
                             f"(remove `method:` from {codebook} to use {CONFIG}'s)",
                             file=codebook, line=line, field="method")
    return in_codebook or in_config or DEFAULT


def write_config_method(project: Project, method: str) -> None:
    """Set ``[synthesis] method`` in reviewkit.toml, keeping its comments and layout."""
    import tomlkit

    path = project.root / CONFIG
    doc = tomlkit.parse(path.read_text("utf-8-sig"))
    section = doc.get(SECTION)
    if section is None:
        section = tomlkit.table()
        section.add(tomlkit.comment("thematic, meta-aggregation or framework"))
        doc.add(SECTION, section)
    section["method"] = method
    tomlfile.write_atomic(path, tomlkit.dumps(doc))
    project.config = load_config(project.root)  # later reads in this process see it
